import { closeSync, openSync, readdirSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { ERRORS, Upload } from '@tus/server';
import { checksumRefusal, ChunkCheck, CHECKSUM_EXTENSION, type ChunkChecksum } from './chunk-checksum.ts';
import {
  algorithmsToHash,
  readMetadataDigests,
  readWantedDigests,
  startDigests,
  type DigestAlgorithm,
  type DigestHash,
} from './digests.ts';
import { isDiskFull } from './disk-space.ts';
import { WANTED_DIGESTS_KEY } from './receiver-requests.ts';

const FINISHED_KEPT_MS = 60_000;

/**
 * Whole bodies up to this size are written with synchronous calls once they have arrived: for a small file, each
 * trip through libuv's thread pool (open, write, close, and the link and unlink that place it) cost the receiver
 * more CPU than the write itself.
 */
export const AT_ONCE_LIMIT = 2 ** 20;
const INFO_SUFFIX = '.json';

/**
 * Removes the data files in `directory` that have no info file, and returns how many: whole files whose creation
 * request was cut off by a crash or a kill (tus's own creations get theirs at once). Nobody can resume them, and
 * the expiry sweep, which goes by info files, would never find them. For the start, when nothing is being written.
 */
export function removeInterrupted(directory: string): number {
  const names = new Set(readdirSync(directory));
  let removed = 0;
  for (const name of names) {
    if (name.endsWith(INFO_SUFFIX) || names.has(`${name}${INFO_SUFFIX}`)) continue;
    try {
      unlinkSync(path.join(directory, name));
      removed += 1;
    } catch {
      // Gone already, or not a file: nothing to do.
    }
  }
  return removed;
}

/** The digests of an upload's bytes from its start up to `offset`, fed as they are written. */
interface Running {
  offset: number;
  readonly hashes: ReadonlyMap<DigestAlgorithm, DigestHash>;
}

/**
 * The tus FileStore, with five changes:
 * - a write failing because the disk is full keeps its errno: FileStore answers every failed write with the same
 *   500, and the receiver wants to say 507 and what to do. What was written before the failure stays, so the
 *   upload can resume once there is space;
 * - the bytes are hashed as they are written (SHA-256, MD5 when the creation announced one, and what a sender that
 *   wants digests back asks for, with XXH3-128; see algorithmsToHash), so verifying a
 *   finished upload does not read it again; a write that fails, or an upload continued after a restart, loses
 *   that and is read again at the end instead;
 * - a finished upload is still found for a minute after its partial is removed;
 * - a file sent whole in its creation request is written without the info file (see writeWhole);
 * - tus's checksum extension: a body announced with an Upload-Checksum (see expectChecksum) is kept only if it
 *   matches; otherwise the data file is cut back to the request's offset and the write answers 460.
 */
export class PartialStore extends FileStore {
  /** Uploads placed and removed in the last minute, which tus may still look up after its finish hook. */
  readonly #finished = new Map<string, Upload>();
  readonly #running = new Map<string, Running>();
  /** Uploads written by writeWhole, which have a data file but no info file. */
  readonly #whole = new Set<string>();
  /** Of those, the ones written at once (writeWholeAtOnce), whose data file is removed at once too. */
  readonly #atOnce = new Set<string>();
  /** The checksum the next write of an upload must match, set by its request's headers. */
  readonly #checksums = new Map<string, ChunkChecksum>();

  constructor(options: ConstructorParameters<typeof FileStore>[0]) {
    super(options);
    this.extensions = [...this.extensions, CHECKSUM_EXTENSION];
  }

  /** The next write of upload `id` must match `checksum`, or is not kept. */
  expectChecksum(id: string, checksum: ChunkChecksum): void {
    this.#checksums.set(id, checksum);
  }

  override async create(upload: Upload): Promise<Upload> {
    const created = await super.create(upload);
    const announced = readMetadataDigests(upload.metadata, upload.id);
    const wanted = readWantedDigests(upload.metadata?.[WANTED_DIGESTS_KEY]);
    const algorithms = algorithmsToHash(
      announced.ok ? announced.announced.map((a) => a.algorithm) : [],
      wanted,
    );
    // SHA-256 always: a Repr-Digest sent with the last request is checked without reading the file again.
    await this.#hash(upload.id, algorithms.includes('sha-256') ? algorithms : ['sha-256', ...algorithms]);
    return created;
  }

  /** Also takes a body as chunks, which the receiver reads straight from Node's request (see direct-patch). */
  override write(
    readable: IncomingMessage | Readable | AsyncIterable<Buffer>,
    id: string,
    offset: number,
  ): Promise<number> {
    const checksum = this.#checksums.get(id);
    this.#checksums.delete(id);
    return this.#write(readable, id, offset, 'r+', checksum && new ChunkCheck(checksum));
  }

  /**
   * Writes a new upload whose whole body is `readable` to a new data file, hashing it with `algorithms`. It gets no
   * info file, and tus cannot find it: it is placed or discarded before its creation request is answered, so no
   * client knows its id before it is finished.
   */
  async writeWhole(readable: Readable, id: string, algorithms: readonly DigestAlgorithm[]): Promise<number> {
    this.#whole.add(id);
    await this.#hash(id, algorithms);
    return this.#write(readable, id, 0, 'wx');
  }

  /**
   * Writes a new upload whose whole body has arrived (at most AT_ONCE_LIMIT bytes) to a new data file, hashing it
   * with `algorithms`; like writeWhole otherwise.
   */
  async writeWholeAtOnce(
    chunks: readonly Buffer[],
    id: string,
    algorithms: readonly DigestAlgorithm[],
  ): Promise<number> {
    const file = this.#dataFile(id);
    const hashes = await startDigests(algorithms);
    this.#whole.add(id);
    this.#atOnce.add(id);
    let size = 0;
    for (const chunk of chunks) {
      for (const hash of hashes.values()) hash.update(chunk);
      size += chunk.length;
    }
    try {
      const fd = openSync(file, 'wx');
      try {
        writeAllSync(fd, chunks, size);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if (isDiskFull(error)) throw error;
      throw ERRORS.FILE_WRITE_ERROR;
    }
    this.#running.set(id, { offset: size, hashes });
    return size;
  }

  /** Removes an upload's data and info files; nothing happens to those already gone. */
  async discard(id: string): Promise<void> {
    const file = path.join(this.directory, id);
    if (this.#atOnce.delete(id)) {
      this.#whole.delete(id);
      try {
        unlinkSync(file);
      } catch {
        // Gone already.
      }
      return;
    }
    const infoFile = this.#whole.delete(id) ? [] : [`${file}${INFO_SUFFIX}`];
    await Promise.all([file, ...infoFile].map((f) => unlink(f).catch(() => undefined)));
  }

  /** The data file of an upload; the same guard as FileStore's own: an id is one file name inside the folder. */
  #dataFile(id: string): string {
    const file = path.join(this.directory, id);
    if (path.dirname(file) !== path.resolve(this.directory)) throw ERRORS.FILE_NOT_FOUND;
    return file;
  }

  async #hash(id: string, algorithms: readonly DigestAlgorithm[]): Promise<void> {
    this.#running.set(id, { offset: 0, hashes: await startDigests(algorithms) });
  }

  async #write(
    readable: AsyncIterable<Buffer>,
    id: string,
    offset: number,
    flags: 'r+' | 'wx',
    check?: ChunkCheck,
  ): Promise<number> {
    const file = this.#dataFile(id);
    const running = this.#running.get(id);
    const hashes = running?.offset === offset ? [...running.hashes.values()] : [];
    if (running && hashes.length === 0) this.#running.delete(id);
    let received = 0;
    let mismatch = false;
    try {
      const handle = await open(file, flags);
      try {
        const writer = new WriteBehind(handle, offset);
        for await (const chunk of readable) {
          for (const hash of hashes) hash.update(chunk);
          check?.update(chunk);
          await writer.add(chunk);
          received += chunk.length;
        }
        await writer.flush();
        mismatch = check !== undefined && !check.matches();
      } catch (error) {
        // A body announced with a checksum is kept whole and checked, or not at all.
        if (check) await handle.truncate(offset).catch(() => undefined);
        throw error;
      } finally {
        if (mismatch) await handle.truncate(offset);
        await handle.close();
      }
    } catch (error) {
      // Some hashed bytes may not have reached the disk: this upload is read again when it finishes.
      this.#running.delete(id);
      if (isDiskFull(error)) throw error;
      throw ERRORS.FILE_WRITE_ERROR;
    }
    if (mismatch) {
      // The running digests took in the refused bytes: the upload is read again when it finishes.
      this.#running.delete(id);
      if (check) throw checksumRefusal(check, offset);
    }
    if (running && hashes.length > 0) running.offset = offset + received;
    return offset + received;
  }

  /**
   * The hexadecimal digests of an upload's `size` bytes that were computed as they were written, for those of
   * `algorithms` it has; the rest must be read from the file.
   */
  takeDigests(
    id: string,
    size: number,
    algorithms: readonly DigestAlgorithm[],
  ): Map<DigestAlgorithm, string> {
    const running = this.#running.get(id);
    this.#running.delete(id);
    const out = new Map<DigestAlgorithm, string>();
    if (running?.offset !== size) return out;
    for (const algorithm of algorithms) {
      const hash = running.hashes.get(algorithm);
      if (hash) out.set(algorithm, hash.hex());
    }
    return out;
  }

  override async remove(id: string): Promise<void> {
    this.#running.delete(id);
    await super.remove(id);
  }

  /** Remembers an upload whose partial is removed because it was placed. */
  finished(upload: Upload): void {
    this.#running.delete(upload.id);
    const size = upload.size ?? upload.offset;
    this.#finished.set(upload.id, new Upload({ id: upload.id, size, offset: size }));
    setTimeout(() => this.#finished.delete(upload.id), FINISHED_KEPT_MS).unref();
  }

  /** Forgets the running digests of an upload the receiver dropped (refused or failed to place). */
  dropped(id: string): void {
    this.#running.delete(id);
  }

  /**
   * A finished upload is still found for a minute after its partial is gone: tus reads it again after the finish
   * hook when uploads expire (to date the Upload-Expires header), and a client whose final response was lost asks
   * for its offset.
   */
  override async getUpload(id: string): Promise<Upload> {
    try {
      return await super.getUpload(id);
    } catch (error) {
      const finished = this.#finished.get(id);
      if (finished) return finished;
      throw error;
    }
  }
}

/** Bytes that may wait for the disk before reading the body pauses. */
const MAX_QUEUED = 4 * 2 ** 20;

/**
 * Writes chunks one after another from a position, while the next ones are being received: those that arrive
 * during a write go together in the next one (one writev). Awaiting each chunk's write instead kept a 1 GiB
 * upload at a fifth below the speed of a plain pipeline.
 */
class WriteBehind {
  readonly #handle: FileHandle;
  #position: number;
  #queued: Buffer[] = [];
  #queuedBytes = 0;
  #writing: Promise<void> | null = null;
  #failure: { readonly error: unknown } | null = null;

  constructor(handle: FileHandle, position: number) {
    this.#handle = handle;
    this.#position = position;
  }

  /** Queues a chunk; waits only while much is queued already. Rejects with an earlier write's error. */
  async add(chunk: Buffer): Promise<void> {
    this.#throwIfFailed();
    this.#queued.push(chunk);
    this.#queuedBytes += chunk.length;
    this.#writing ??= this.#drain();
    if (this.#queuedBytes >= MAX_QUEUED) await this.#writing;
    this.#throwIfFailed();
  }

  /** Waits until everything queued is written. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    this.#throwIfFailed();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queued.length > 0 && !this.#failure) {
        const buffers = this.#queued;
        const bytes = this.#queuedBytes;
        this.#queued = [];
        this.#queuedBytes = 0;
        await writeAllOf(this.#handle, buffers, bytes, this.#position);
        this.#position += bytes;
      }
    } catch (error) {
      this.#failure = { error };
    } finally {
      this.#writing = null;
    }
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}

/**
 * Writes `buffers` (`bytes` in all) one after another at `position` in one call, without joining them first; a
 * write that takes only part of them is finished with the rest joined.
 */
async function writeAllOf(
  handle: FileHandle,
  buffers: Buffer[],
  bytes: number,
  position: number,
): Promise<void> {
  const { bytesWritten } = await handle.writev(buffers, position);
  if (bytesWritten < bytes) {
    const rest = Buffer.concat(buffers, bytes).subarray(bytesWritten);
    await writeAll(handle, rest, position + bytesWritten);
  }
}

/** Writes `chunks` (`bytes` in all) from the start of a new file; one writev may take only part of them. */
function writeAllSync(fd: number, chunks: readonly Buffer[], bytes: number): void {
  let done = writevSync(fd, chunks as Buffer[], 0);
  if (done < bytes) {
    const rest = Buffer.concat(chunks as Buffer[], bytes);
    while (done < bytes) done += writeSync(fd, rest, done, bytes - done, done);
  }
}

/** Writes all of `chunk` at `position`: one write may take only part of it. */
async function writeAll(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  for (let done = 0; done < chunk.length;) {
    done += (await handle.write(chunk, done, chunk.length - done, position + done)).bytesWritten;
  }
}
