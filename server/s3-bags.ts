/**
 * Bags in object storage: a batch's files are at `<prefix><batch>/data/<path>` already, its tag files go beside
 * them, and its completion records to `<prefix>.handoff/`. Several receivers share the bucket, so a completion is
 * checked and bagged under a lock they share (Redis), and a batch's hand-off is run by whichever receiver holds
 * its lock; one that finds it held leaves the work to the holder, which reads the journal again when it is done.
 *
 * The records are in the bucket rather than in Redis: they are the lasting account of what was handed on, kept as
 * long as the bag, while Redis holds only locks, running digests and the digests verified on arrival, all of which
 * the receivers can do without (the verified digests are on each object's metadata too).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PAYLOAD_DIR } from '#core/protocol';
import { bagTags, OPTIONAL_TAG_FILES } from './bagit.ts';
import type { BagStorage } from './batch-complete.ts';
import type { CompletionRecord } from './handoff.ts';
import { isUnfinished, recordName, versionsOf, type HandoffJournal } from './handoff-journal.ts';
import { Payload, type StoredFile } from './payload.ts';
import type { PlacedFile } from './placed-files.ts';
import { MD5_METADATA, SHA256_METADATA } from './s3-placement.ts';
import type { SharedState } from './shared-state.ts';

export type ObjectBagParts = {
  client: S3Client;
  bucket: string;
  /** '' or a key prefix ending in '/'. */
  prefix: string;
  state: SharedState;
  log: (text: string) => void;
};

/** Checking 100,000 listed files against their records and writing five tag files takes well under this. */
const COMPLETE_LOCK_WAIT_MS = 10 * 60_000;

/** The shared record of a placed file, read when its batch is completed. */
export const placedKey = (batch: string): string => `placed:${batch}`;

export function objectBags(parts: ObjectBagParts): BagStorage {
  const { client, bucket, prefix, state } = parts;
  const bagKey = (batch: string) => `${prefix}${batch}/`;
  const bagDir = (batch: string) => `s3://${bucket}/${bagKey(batch)}`;
  return {
    bagDir,
    payloadDir: (batch) => `${bagDir(batch)}${PAYLOAD_DIR}/`,
    async payload(batch) {
      const base = `${bagKey(batch)}${PAYLOAD_DIR}/`;
      const files = new Map<string, StoredFile>();
      for await (const object of listObjects(client, bucket, base)) {
        files.set(object.key.slice(base.length), { bytes: object.size, mtimeMs: 0, etag: object.etag });
      }
      const placed = (await state.list(placedKey(batch))).flatMap(parsePlaced);
      return new Payload(files, placed, (stored) => digestsOf(client, bucket, `${base}${stored}`));
    },
    async writeBag(batch, files, info, originals) {
      const { tags, tagManifest } = bagTags(files, info, originals);
      for (const name of OPTIONAL_TAG_FILES) {
        if (tags.some(([tag]) => tag === name)) continue;
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${bagKey(batch)}${name}` }));
      }
      // One PUT each is atomic; the tag manifest, which makes the bag complete, is written last.
      for (const [name, text] of [...tags, tagManifest]) {
        const body = Buffer.from(text, 'utf8');
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `${bagKey(batch)}${name}`,
            Body: body,
            ContentLength: body.length,
            ContentType: 'text/plain; charset=utf-8',
          }),
        );
      }
    },
    journal: new ObjectJournal(client, bucket, `${prefix}.handoff/`, parts.log),
    claims: {
      claim: async (batch, work) => {
        await state.ifFree(`handoff:${batch}`, work);
      },
    },
    exclusive: (batch, work) => state.exclusive(`complete:${batch}`, COMPLETE_LOCK_WAIT_MS, work),
  };
}

/**
 * Completion records as objects `<records><batch>-<n>.json`, and an empty marker `<records>open/<batch>-<n>.json`
 * for each unfinished one, so that finding the unfinished ones does not read every record ever made.
 */
class ObjectJournal implements HandoffJournal {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    readonly folder: string,
    readonly log: (text: string) => void,
  ) {}

  async save(record: CompletionRecord): Promise<void> {
    const name = recordName(record.batch, record.version);
    const marker = { Bucket: this.bucket, Key: `${this.folder}open/${name}` };
    const open = isUnfinished(record);
    // The marker is there before the record is unfinished and goes after it is finished, so a stop in between
    // leaves a marker too many (skipped when read), never one too few.
    if (open) await this.client.send(new PutObjectCommand({ ...marker, Body: '' }));
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${this.folder}${name}`,
        Body: `${JSON.stringify(record, null, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
    if (!open) await this.client.send(new DeleteObjectCommand(marker));
  }

  async records(batch: string): Promise<CompletionRecord[]> {
    const names: string[] = [];
    for await (const object of listObjects(this.client, this.bucket, `${this.folder}${batch}-`)) {
      names.push(object.key.slice(this.folder.length));
    }
    const records: CompletionRecord[] = [];
    for (const version of versionsOf(batch, names)) {
      const record = await this.#read(recordName(batch, version));
      if (record?.batch === batch) records.push(record);
    }
    return records;
  }

  async unfinished(): Promise<CompletionRecord[]> {
    const open = `${this.folder}open/`;
    const records: CompletionRecord[] = [];
    for await (const object of listObjects(this.client, this.bucket, open)) {
      const record = await this.#read(object.key.slice(open.length));
      if (record && isUnfinished(record)) records.push(record);
    }
    return records;
  }

  async #read(name: string): Promise<CompletionRecord | undefined> {
    const key = `${this.folder}${name}`;
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return JSON.parse((await object.Body?.transformToString('utf8')) ?? '') as CompletionRecord;
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchKey') {
        this.log(`ERROR cannot read the hand-off record s3://${this.bucket}/${key}: ${String(error)}`);
      }
      return undefined;
    }
  }
}

async function* listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<{ key: string; size: number; etag: string | undefined }> {
  let token: string | undefined;
  do {
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of listed.Contents ?? []) {
      if (object.Key) yield { key: object.Key, size: object.Size ?? 0, etag: object.ETag };
    }
    token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
  } while (token);
}

function parsePlaced(line: string): PlacedFile[] {
  try {
    const file = JSON.parse(line) as PlacedFile;
    return typeof file.path === 'string' && typeof file.stored === 'string' ? [file] : [];
  } catch {
    return [];
  }
}

/**
 * The digests of an object whose shared record is gone: those the receiver noted on it when it placed it, or, for
 * an object put there some other way, SHA-256 and MD5 from one read of it.
 */
async function digestsOf(client: S3Client, bucket: string, key: string) {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const sha256 = head.Metadata?.[SHA256_METADATA];
  if (sha256) return { sha256, md5: head.Metadata?.[MD5_METADATA], read: false };
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hashes = { sha256: createHash('sha256'), md5: createHash('md5') };
  for await (const chunk of object.Body as Readable) {
    hashes.sha256.update(chunk as Buffer);
    hashes.md5.update(chunk as Buffer);
  }
  return { sha256: hashes.sha256.digest('hex'), md5: hashes.md5.digest('hex'), read: true };
}
