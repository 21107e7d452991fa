import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline as pipelineTo } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  AbortMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { S3Store } from '@tus/s3-store';
import { ERRORS, Upload } from '@tus/server';
import { checksumRefusal, ChunkCheck, CHECKSUM_EXTENSION, type ChunkChecksum } from './chunk-checksum.ts';
import type { DigestAlgorithm } from './digests.ts';
import { RunningDigests } from './running-digests.ts';
import { PartBuffers, sendParts, type PartTarget } from './s3-parts.ts';
import type { SharedState } from './shared-state.ts';

/** S3's own limits: at most 10,000 parts, each at least 5 MiB but the last. */
const MAX_PARTS = 10_000;
const PREFERRED_PART_SIZE = 8 * 2 ** 20;
/** How long the running digests of an upload are kept when uploads do not expire. */
const DIGESTS_KEPT_MS = 7 * 24 * 60 * 60_000;
/** How long a finished upload is still found by HEAD, as on disk. */
const FINISHED_KEPT_MS = 60 * 60_000;

/** How many parts of one request may be on their way to S3 at once (as many as the SDK's Upload helper sends). */
const PARTS_IN_FLIGHT = 4;
/**
 * The parts in the PATCH body the receiver asks for (its `request-size` extension): a PATCH is answered once its
 * last part is on S3, so the parts in flight drain at the end of each request. With the page's usual 32 MiB (four
 * parts) that took 6.2 s of one bench run's 17.5 s for a GiB; with 128 parts a GiB drains once.
 */
const PARTS_PER_REQUEST = 128;

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
 * The tus S3 store (an upload is an S3 multipart upload of `<prefix>.partial/<id>`, with its info object beside, and
 * bytes short of a part kept aside in `<id>.part`), with its own writing:
 * - a request's body goes to S3 as parts straight from memory while it arrives (see sendParts), where
 *   @tus/s3-store writes each part to a temp file and reads it back; the layout in the bucket is @tus/s3-store's, so
 *   its reading of an upload (HEAD, the offset, completion, expiry) is unchanged;
 * - the bytes are hashed as they pass (SHA-256, and MD5 when the creation announced one), their digests saved
 *   wherever S3's parts end, so that any instance continues them and the object is never read again (see
 *   RunningDigests);
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
  readonly #digests: RunningDigests;
  readonly #buffers: PartBuffers;
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
    this.#digests = new RunningDigests(options.state, options.partialExpiry || DIGESTS_KEPT_MS);
    this.#buffers = new PartBuffers(partSizeFor(options.maxFileSize), PARTS_IN_FLIGHT);
    this.extensions = [...this.extensions, CHECKSUM_EXTENSION];
  }

  /** The PATCH body this store works best with, announced in the OPTIONS answer. */
  get requestSize(): number {
    return PARTS_PER_REQUEST * this.#buffers.partSize;
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

  /**
   * Writes a request's body at `offset`; `length` is what its Content-Length says, when it says (its parts then
   * start for S3 as their first bytes arrive).
   */
  override async write(
    body: Readable | AsyncIterable<Buffer>,
    id: string,
    offset: number,
    length?: number,
  ): Promise<number> {
    const checksum = this.#checksums.get(id);
    this.#checksums.delete(id);
    if (!checksum) return this.#write(body, id, offset, length);
    const held = await holdChecked(body, new ChunkCheck(checksum), offset);
    try {
      return await this.#write(createReadStream(held.file), id, offset, held.size);
    } finally {
      await held.remove();
    }
  }

  async #write(
    body: AsyncIterable<Buffer>,
    id: string,
    offset: number,
    length: number | undefined,
  ): Promise<number> {
    // A final request sent again after the upload was placed (its answer was lost) writes nothing.
    const finished = await this.#state.get(`finished:${id}`);
    if (finished !== undefined) return Number(finished);
    const metadata = await this.getMetadata(id);
    const { file } = metadata;
    // The parts, the bytes kept aside and the digests at once: each request's first part waits for all three.
    const [parts, carried, digests] = await Promise.all([
      this.retrieveParts(id),
      length === 0 ? undefined : this.#readIncompletePart(id),
      this.#digests.begin(id, offset, algorithmsFor(file)),
    ]);
    // Taken out of the bucket (as @tus/s3-store does) once the parts are known, to lead this request's bytes.
    if (carried) await this.deleteIncompletePart(id);
    const target: PartTarget = {
      uploadPart: async (partNumber, stream, bytes, signal) => {
        const sent = await this.client.send(
          new UploadPartCommand({
            Bucket: this.#bucketName,
            Key: id,
            UploadId: metadata['upload-id'],
            PartNumber: partNumber,
            ContentLength: bytes,
            Body: stream,
          }),
          { abortSignal: signal },
        );
        return sent.ETag ?? '';
      },
      putIncomplete: async (bytes) => {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.#bucketName, Key: this.partKey(id, true), Body: bytes }),
        );
      },
    };
    const start = offset - (carried?.length ?? 0);
    const sent = await sendParts(
      body,
      {
        firstPart: (parts.at(-1)?.PartNumber ?? 0) + 1,
        // An upload whose length is still open gets the usual parts, not the 5 TiB S3Store would plan for.
        partSize: file.size === undefined ? this.#buffers.partSize : this.calcOptimalPartSize(file.size),
        minPartSize: this.minPartSize,
        carried,
        untilEnd: file.size === undefined ? undefined : file.size - start,
        bodyLength: length,
        inFlight: PARTS_IN_FLIGHT,
        buffers: this.#buffers,
      },
      target,
      digests && {
        update: (chunk) => digests.update(chunk),
        checkpoint: (end) => digests.checkpoint(start + end),
        kept: (end, asPart) => digests.kept(start + end, asPart),
      },
    ).finally(() => digests?.settled());
    const newOffset = offset + sent.bytes;
    if (file.size === newOffset) {
      await this.finishMultipartUpload(metadata, [
        ...parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })),
        ...sent.parts,
      ]);
      await this.clearCache(id);
    }
    return newOffset;
  }

  /** The bytes the last request kept aside, if it kept any. */
  async #readIncompletePart(id: string): Promise<Buffer | undefined> {
    const body = await this.getIncompletePart(id);
    return body && buffer(body);
  }

  /**
   * The hexadecimal digests of a finished upload of `size` bytes, computed as its bytes passed (see RunningDigests);
   * only when the saved digests stop short of `size` (the shared state lost them) are the bytes after them read.
   */
  async digestsOf(upload: Upload, size: number): Promise<Map<DigestAlgorithm, string>> {
    return this.#digests
      .digestsAt(upload.id, size, algorithmsFor(upload), (from) => this.#readObject(upload.id, from, size))
      .catch((error: unknown) => {
        throw new Error(`cannot read ${upload.id} to verify it: ${String(error)}`);
      });
  }

  /**
   * Bytes `from` to `size` of a finished upload's object. Only the bytes after the last saved digests are read: the
   * parts of an unfinished multipart upload cannot be read, so this waits until the object is whole, and a range of
   * it costs S3 no more than the whole.
   */
  async #readObject(id: string, from: number, size: number): Promise<AsyncIterable<Buffer>> {
    const object = await this.client.send(
      new GetObjectCommand({
        Bucket: this.#bucketName,
        Key: id,
        ...(from > 0 ? { Range: `bytes=${from}-${size - 1}` } : {}),
      }),
    );
    if (!object.Body) throw ERRORS.FILE_NOT_FOUND;
    return object.Body as Readable;
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
    await this.#digests.forget(id);
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
}

/** Keeps a request's body in a temp file while hashing it; throws the 460 refusal when it does not match. */
async function holdChecked(
  body: AsyncIterable<Buffer>,
  check: ChunkCheck,
  offset: number,
): Promise<{ file: string; size: number; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'receiver-checked-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const file = path.join(dir, 'body');
  let size = 0;
  try {
    const hash = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        check.update(chunk);
        size += chunk.length;
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
  return { file, size, remove };
}

function algorithmsFor(upload: Upload): DigestAlgorithm[] {
  return upload.metadata?.['md5'] ? ['sha-256', 'md5'] : ['sha-256'];
}
