import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import { pipeline as pipelineTo } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  AbortMultipartUploadCommand,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { S3Store } from '@tus/s3-store';
import { ERRORS, Upload } from '@tus/server';
import { createMD5, createSHA256, type IHasher } from 'hash-wasm';
import { checksumRefusal, ChunkCheck, CHECKSUM_EXTENSION, type ChunkChecksum } from './chunk-checksum.ts';
import type { DigestAlgorithm } from './digests.ts';
import type { SharedState } from './shared-state.ts';

/** S3's own limits: at most 10,000 parts, each at least 5 MiB but the last. */
const MAX_PARTS = 10_000;
const PREFERRED_PART_SIZE = 8 * 2 ** 20;
/** How long the running digests of an upload are kept when uploads do not expire. */
const DIGESTS_KEPT_MS = 7 * 24 * 60 * 60_000;
/** How long a finished upload is still found by HEAD, as on disk. */
const FINISHED_KEPT_MS = 60 * 60_000;

/** The running digests of an upload up to an offset, as hash-wasm saves them, so any instance can continue them. */
type SavedDigests = Partial<Record<DigestAlgorithm, string>>;

export type ObjectStoreOptions = {
  bucket: string;
  /** Key prefix of every object the receiver writes, '' or ending in '/'. */
  prefix: string;
  client: S3ClientConfig;
  state: SharedState;
  /** Largest accepted file; the part size is chosen so that it fits in 10,000 parts. */
  maxFileSize?: number | undefined;
  partialExpiry?: number | undefined;
};

/** The S3 client settings the receiver needs for any S3 server: Ceph's gateway refuses the SDK's streaming CRCs. */
export function s3ClientConfig(config: S3ClientConfig): S3ClientConfig {
  return {
    ...config,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** The part size for files up to `maxFileSize`: S3's 10,000 parts must hold the largest file the receiver takes. */
export function partSizeFor(maxFileSize: number | undefined): number {
  return Math.max(PREFERRED_PART_SIZE, Math.ceil((maxFileSize ?? 0) / MAX_PARTS));
}

/**
 * The tus S3 store (an upload is an S3 multipart upload of `<prefix>.partial/<id>`, with its info object beside),
 * with three changes:
 * - the bytes are hashed as they pass through on their way to S3 (SHA-256, and MD5 when the creation announced
 *   one); the hash state is saved in the shared state at every part boundary and at the end of each request, so
 *   the instance that takes the next request, or the one that finishes the upload, continues it without reading
 *   the object. Only where no state was saved at the offset (a receiver killed before it could save it) is the
 *   object read once at the end;
 * - unfinished uploads expire only below the receiver's own prefix, never another application's in the bucket;
 * - a finished upload, whose objects are gone once placed, is still found for an hour;
 * - tus's checksum extension: a body announced with an Upload-Checksum (see expectChecksum) is kept in a temp file
 *   until it is checked, because parts that reached S3 cannot be taken back; a mismatch answers 460 and nothing
 *   of the body is kept.
 */
export class ObjectStore extends S3Store {
  readonly prefix: string;
  readonly #state: SharedState;
  readonly #bucketName: string;
  /** The checksum the next write of an upload must match, set by its request's headers on this instance. */
  readonly #checksums = new Map<string, ChunkChecksum>();

  constructor(options: ObjectStoreOptions) {
    super({
      partSize: partSizeFor(options.maxFileSize),
      s3ClientConfig: { ...s3ClientConfig(options.client), bucket: options.bucket },
      ...(options.partialExpiry ? { expirationPeriodInMilliseconds: options.partialExpiry } : {}),
      // Expiry goes by the multipart uploads' start, as deleteExpired lists them; tags are not needed for it.
      useTags: false,
    });
    this.prefix = options.prefix;
    this.#state = options.state;
    this.#bucketName = options.bucket;
    this.extensions = [...this.extensions, CHECKSUM_EXTENSION];
  }

  /** The next write of upload `id` must match `checksum`, or nothing of it is kept. */
  expectChecksum(id: string, checksum: ChunkChecksum): void {
    this.#checksums.set(id, checksum);
  }

  get s3(): S3Client {
    return this.client;
  }

  get bucketName(): string {
    return this.#bucketName;
  }

  /** The key (and tus id) of a new upload's object. */
  keyFor(id: string): string {
    return `${this.prefix}.partial/${id}`;
  }

  override async write(body: Readable, id: string, offset: number): Promise<number> {
    const checksum = this.#checksums.get(id);
    this.#checksums.delete(id);
    if (!checksum) return this.#write(body, id, offset);
    const held = await holdChecked(body, new ChunkCheck(checksum), offset);
    try {
      return await this.#write(createReadStream(held.file), id, offset);
    } finally {
      await held.remove();
    }
  }

  async #write(src: Readable, id: string, offset: number): Promise<number> {
    // A final request sent again after the upload was placed (its answer was lost) writes nothing.
    const finished = await this.#state.get(`finished:${id}`);
    if (finished !== undefined) return Number(finished);
    const { file } = await this.getMetadata(id);
    const algorithms = algorithmsFor(file);
    const hashers = await this.#resume(id, offset, algorithms);
    if (!hashers) return super.write(src, id, offset);
    // Parts of this request start where the last request's unfinished part (kept aside by S3Store) began.
    const partStart = offset - ((await this.getIncompletePartSize(id)) ?? 0);
    const partSize = this.calcOptimalPartSize(file.size);
    const saving: Promise<void>[] = [];
    let position = offset;
    const save = () => {
      const at = position;
      saving.push(this.#save(id, at, hashers).catch(() => undefined));
    };
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        let rest = chunk;
        while (rest.length > 0) {
          const toBoundary = partSize - ((position - partStart) % partSize);
          const piece = rest.subarray(0, toBoundary);
          for (const hasher of hashers.values()) hasher.update(piece);
          position += piece.length;
          rest = rest.subarray(piece.length);
          if (piece.length === toBoundary) save();
        }
        done(null, chunk);
      },
    });
    const newOffset = await super.write(
      pipeline(src, tap, () => undefined),
      id,
      offset,
    );
    if (position === newOffset) save();
    await Promise.all(saving);
    return newOffset;
  }

  /**
   * The hexadecimal digests of a finished upload of `size` bytes, from the state saved as its bytes passed, or
   * when none was saved at its end, from one read of its object.
   */
  async digestsOf(upload: Upload, size: number): Promise<Map<DigestAlgorithm, string>> {
    const algorithms = algorithmsFor(upload);
    const hashers =
      (await this.#resume(upload.id, size, algorithms)) ??
      (await this.#hashObject(upload.id, algorithms).catch((error: unknown) => {
        throw new Error(`cannot read ${upload.id} to verify it: ${String(error)}`);
      }));
    return new Map([...hashers].map(([algorithm, hasher]) => [algorithm, hasher.digest('hex')]));
  }

  /** Removes every object of an upload (finished or not) and its saved digests. */
  async discard(id: string): Promise<void> {
    const { 'upload-id': uploadId } = await this.getMetadata(id).catch(() => ({ 'upload-id': undefined }));
    if (uploadId) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.#bucketName, Key: id, UploadId: uploadId }))
        .catch(() => undefined);
    }
    await this.client.send(
      new DeleteObjectsCommand({
        Bucket: this.#bucketName,
        Delete: { Objects: [{ Key: id }, { Key: this.infoKey(id) }, { Key: this.partKey(id, true) }] },
      }),
    );
    await this.clearCache(id);
  }

  /** Notes that an upload was placed, so HEAD anywhere still finds it complete after its objects are gone. */
  async finished(upload: Upload): Promise<void> {
    const size = upload.size ?? upload.offset;
    await this.#state.set(`finished:${upload.id}`, String(size), FINISHED_KEPT_MS);
  }

  /**
   * Verifies and places an upload whose bytes have all arrived; set by the receiver. Called when a receiver finds
   * such an upload not placed: the one that took its last request died before it could place it.
   */
  onUnplaced: ((upload: Upload) => Promise<unknown>) | undefined;

  override async getUpload(id: string): Promise<Upload> {
    const finished = await this.#state.get(`finished:${id}`);
    if (finished !== undefined) return new Upload({ id, size: Number(finished), offset: Number(finished) });
    const upload = await super.getUpload(id);
    if (this.onUnplaced && upload.size !== undefined && upload.offset === upload.size) {
      // A client that finds every byte in would take the upload as done: finish it first, once, here.
      await this.#completeMultipart(id);
      await this.onUnplaced(upload);
      return this.getUpload(id);
    }
    return upload;
  }

  /** Completes the multipart upload of an upload whose parts are all in, unless that was done already. */
  async #completeMultipart(id: string): Promise<void> {
    try {
      const metadata = await this.getMetadata(id);
      const parts = await this.retrieveParts(id);
      await this.finishMultipartUpload(metadata, parts);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'NoSuchUpload' && name !== 'NoSuchKey') throw error;
    }
  }

  override async deleteExpired(): Promise<number> {
    const expiry = this.getExpiration();
    if (expiry === 0) return 0;
    let removed = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const listed = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.#bucketName,
          Prefix: `${this.prefix}.partial/`,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const upload of listed.Uploads ?? []) {
        if (!upload.Key || !upload.Initiated || Date.now() - upload.Initiated.getTime() <= expiry) continue;
        await this.discard(upload.Key);
        removed += 1;
      }
      if (!listed.IsTruncated) return removed;
      keyMarker = listed.NextKeyMarker;
      uploadIdMarker = listed.NextUploadIdMarker;
    }
  }

  async #resume(
    id: string,
    offset: number,
    algorithms: readonly DigestAlgorithm[],
  ): Promise<Map<DigestAlgorithm, IHasher> | undefined> {
    const hashers = new Map<DigestAlgorithm, IHasher>();
    for (const algorithm of algorithms) hashers.set(algorithm, await newHasher(algorithm));
    if (offset === 0) return hashers;
    const saved = await this.#state.get(`digest:${id}:${offset}`);
    if (saved === undefined) return undefined;
    const states = JSON.parse(saved) as SavedDigests;
    for (const [algorithm, hasher] of hashers) {
      const state = states[algorithm];
      if (state === undefined) return undefined;
      hasher.load(Buffer.from(state, 'base64'));
    }
    return hashers;
  }

  async #save(id: string, offset: number, hashers: ReadonlyMap<DigestAlgorithm, IHasher>): Promise<void> {
    const states: SavedDigests = {};
    for (const [algorithm, hasher] of hashers)
      states[algorithm] = Buffer.from(hasher.save()).toString('base64');
    await this.#state.set(
      `digest:${id}:${offset}`,
      JSON.stringify(states),
      this.getExpiration() || DIGESTS_KEPT_MS,
    );
  }

  async #hashObject(
    id: string,
    algorithms: readonly DigestAlgorithm[],
  ): Promise<Map<DigestAlgorithm, IHasher>> {
    const hashers = new Map<DigestAlgorithm, IHasher>();
    for (const algorithm of algorithms) hashers.set(algorithm, await newHasher(algorithm));
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.#bucketName, Key: id }));
    if (!object.Body) throw ERRORS.FILE_NOT_FOUND;
    for await (const chunk of object.Body as Readable) {
      for (const hasher of hashers.values()) hasher.update(chunk as Buffer);
    }
    return hashers;
  }
}

/** Keeps a request's body in a temp file while hashing it; throws the 460 refusal when it does not match. */
async function holdChecked(
  body: Readable,
  check: ChunkCheck,
  offset: number,
): Promise<{ file: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'receiver-checked-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const file = path.join(dir, 'body');
  try {
    const hash = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        check.update(chunk);
        done(null, chunk);
      },
    });
    await pipelineTo(body, hash, createWriteStream(file));
  } catch (error) {
    await remove();
    throw error;
  }
  if (!check.matches()) {
    await remove();
    throw checksumRefusal(check, offset);
  }
  return { file, remove };
}

function algorithmsFor(upload: Upload): DigestAlgorithm[] {
  return upload.metadata?.['md5'] ? ['sha-256', 'md5'] : ['sha-256'];
}

async function newHasher(algorithm: DigestAlgorithm): Promise<IHasher> {
  const hasher = algorithm === 'md5' ? await createMD5() : await createSHA256();
  hasher.init();
  return hasher;
}
