/**
 * Checksums of a file, computed in a worker by streaming it through hash-wasm: the file is never held in
 * memory whole, only the chunk `Blob.stream()` hands over (their size is up to the browser).
 *
 * The stream is read into one buffer of our own, over and over (a BYOB reader), where the browser allows it.
 * Chromium's default reader hands over each chunk in a new ArrayBuffer: for a 1 GiB file that cost the worker
 * 4–6 s of CPU, more than hashing it (about 3 s); read into the same buffer, 0.4 s.
 */
import { createMD5, createSHA256, createXXHash128 } from 'hash-wasm';
import type { IHasher } from 'hash-wasm';
import type { FastDigest } from '#core/digest';
import { formatCount } from '#core/format';

/**
 * What hashBlob reads: a Blob or File, or anything with the same `size` and `stream()` (tests use that); a small
 * one with `arrayBuffer()` is read whole.
 */
export type HashSource = Pick<Blob, 'size' | 'stream'> & Partial<Pick<Blob, 'arrayBuffer'>>;

export interface HashOptions {
  /** Compute MD5 as well as SHA-256 (in the same pass over the file). */
  readonly md5: boolean;
  /** Cancels the computation: hashBlob stops reading and rejects with a DOMException named 'AbortError'. */
  readonly signal?: AbortSignal;
  /** Told the number of bytes hashed so far, at most every {@link PROGRESS_STEP} bytes and once at the end. */
  readonly onBytes?: (bytesSoFar: number) => void;
  /** How long one read may wait for its bytes before the file is read again from the start; tests shorten it. */
  readonly stallMs?: number;
}

export interface BlobChecksums {
  /** SHA-256 as 64 lower-case hex digits. */
  readonly sha256: string;
  /** MD5 as 32 lower-case hex digits, present only when asked for. */
  readonly md5?: string;
}

/** Bytes between two progress reports: frequent enough for a progress bar, cheap enough for 100,000 files. */
const PROGRESS_STEP = 4 * 1024 * 1024;

/**
 * Chunks already read arrive as microtasks, so a long hash never lets the worker's messages in: it takes a break
 * this often, and the upload's questions to the worker are answered while a big file is being hashed.
 */
const YIELD_EVERY_MS = 20;

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The most a read into our buffer takes; the browser hands over less at a time (tens to hundreds of KiB). */
const READ_BUFFER_BYTES = 4 * 1024 * 1024;

/** Idle hashers kept per algorithm; more only if that many files were hashed at the same time. */
const MAX_IDLE_HASHERS = 4;

/**
 * A read of a local file that hands over nothing for this long has stopped: Chromium's BYOB stream of a file (see
 * chunkReader) was seen to stop for good part-way, which held every later checksum, and the upload with them. The
 * file is then read again on a new stream.
 */
export const STALL_MS = 15_000;
/** Reads of one file in all, the first included, before its checksum fails with a sentence. */
const READS = 3;

const READ_FAILED =
  'it could not be read (it changed or was moved while being read); check the file and compute checksums again.';

/** Hands out hashers reset with init(), creating one (a WASM instance) only when none is idle. */
interface HasherPool {
  acquire(): Promise<IHasher>;
  release(hasher: IHasher): void;
}

function hasherPool(create: () => Promise<IHasher>): HasherPool {
  const idle: IHasher[] = [];
  return {
    // pop() happens before any await, so two concurrent calls never get the same hasher.
    acquire: async () => (idle.pop() ?? (await create())).init(),
    release: (hasher) => {
      if (idle.length < MAX_IDLE_HASHERS) idle.push(hasher);
    },
  };
}

const sha256Pool = hasherPool(createSHA256);
const md5Pool = hasherPool(createMD5);
const xxh3Pool = hasherPool(createXXHash128);

/**
 * The SHA-256 (and, when `options.md5`, MD5) of the blob's bytes as lower-case hex, read as a stream.
 * Safe to call several times at once: each call has its own hashers while it runs.
 *
 * Rejects with a DOMException named 'AbortError' when `options.signal` aborts, and with an Error whose message
 * is one sentence saying what went wrong and what to do, without naming the file (the caller adds the path),
 * when the blob cannot be read to the end or its length differs from `blob.size`.
 */
export async function hashBlob(blob: HashSource, options: HashOptions): Promise<BlobChecksums> {
  throwIfAborted(options.signal);
  const sha256 = await sha256Pool.acquire();
  let md5: IHasher | undefined;
  try {
    if (options.md5) md5 = await md5Pool.acquire();
    await readInto(blob, md5 === undefined ? [sha256] : [sha256, md5], options);
    const sha256Hex = sha256.digest('hex');
    return md5 === undefined ? { sha256: sha256Hex } : { sha256: sha256Hex, md5: md5.digest('hex') };
  } finally {
    sha256Pool.release(sha256);
    if (md5 !== undefined) md5Pool.release(md5);
  }
}

/**
 * The XXH3-128 of the blob's bytes as lower-case hex (FAST_DIGEST: over ten times SHA-256's speed), read and failing
 * as hashBlob does.
 */
export async function fastHashBlob(blob: HashSource, options: Omit<HashOptions, 'md5'>): Promise<string> {
  throwIfAborted(options.signal);
  const xxh3 = await xxh3Pool.acquire();
  try {
    await readInto(blob, [xxh3], options);
    return xxh3.digest('hex');
  } finally {
    xxh3Pool.release(xxh3);
  }
}

/**
 * The checksums of several small files, as hashBlob gives each (a rejection is that file's sentence): read in one
 * go as one Blob of them all, which costs the browser one read instead of one per file (5,000 files of 10 KB from
 * the origin's storage: 1.0 s in a worker, against 1.5 s three at a time and 2.9 s one by one). When that read
 * fails or stalls, or one of them changed, each is read on its own, so the failure is told of the file it belongs to.
 */
export function hashBlobsTogether(blobs: readonly Blob[], options: HashOptions): Promise<BlobChecksums>[] {
  return together(
    blobs,
    options,
    (blob) => hashBlob(blob, options),
    async (views) => {
      const sha256 = await sha256Pool.acquire();
      const md5 = options.md5 ? await md5Pool.acquire() : undefined;
      try {
        return views.map((view) => {
          const sums: { sha256: string; md5?: string } = { sha256: sha256.init().update(view).digest('hex') };
          if (md5 !== undefined) sums.md5 = md5.init().update(view).digest('hex');
          return sums;
        });
      } finally {
        sha256Pool.release(sha256);
        if (md5 !== undefined) md5Pool.release(md5);
      }
    },
  );
}

/** The XXH3-128 of several small files, read together and failing as hashBlobsTogether does. */
export function fastHashBlobsTogether(
  blobs: readonly Blob[],
  options: Omit<HashOptions, 'md5'>,
): Promise<FastDigest>[] {
  return together(
    blobs,
    options,
    async (blob) => ({ xxh3: await fastHashBlob(blob, options) }),
    async (views) => {
      const xxh3 = await xxh3Pool.acquire();
      try {
        return views.map((view) => ({ xxh3: xxh3.init().update(view).digest('hex') }));
      } finally {
        xxh3Pool.release(xxh3);
      }
    },
  );
}

/**
 * Reads the blobs as one and hashes each one's bytes with `hashViews`; when that read fails or stalls, or its length
 * is not theirs, each blob is hashed on its own with `alone`. A blob alone is hashed on its own (streamed, if it is
 * large).
 */
function together<T>(
  blobs: readonly Blob[],
  options: Omit<HashOptions, 'md5'>,
  alone: (blob: Blob) => Promise<T>,
  hashViews: (views: readonly Uint8Array<ArrayBuffer>[]) => Promise<T[]>,
): Promise<T>[] {
  if (blobs.length === 1) return [alone(blobs[0] as Blob)];
  const all = readTogether(blobs, options).then(async (views) => {
    if (views === null) {
      const results: (T | Error)[] = [];
      for (const blob of blobs) results.push(await alone(blob).catch((error: unknown) => error as Error));
      return results;
    }
    return hashViews(views);
  });
  return blobs.map((_, i) =>
    all.then((results) => {
      const result = results[i];
      if (result instanceof Error || result === undefined) throw result ?? new Error(READ_FAILED);
      return result;
    }),
  );
}

/** Each blob's bytes, read in one go as one Blob of them all; null when that read failed, stalled or came short. */
async function readTogether(
  blobs: readonly Blob[],
  options: Omit<HashOptions, 'md5'>,
): Promise<Uint8Array<ArrayBuffer>[] | null> {
  throwIfAborted(options.signal);
  const total = blobs.reduce((sum, blob) => sum + blob.size, 0);
  const watch = stallWatch(options.stallMs ?? STALL_MS);
  const bytes = await Promise.race([new Blob(blobs as Blob[]).arrayBuffer(), watch.stalled])
    .catch(() => null)
    .finally(watch.stop);
  throwIfAborted(options.signal);
  if (bytes === null || bytes.byteLength !== total) return null;
  let at = 0;
  return blobs.map((blob) => {
    const view = new Uint8Array(bytes, at, blob.size);
    at += blob.size;
    return view;
  });
}

/** Feeds the whole blob to the hashers, reading it again from the start after a read that stalled. */
async function readInto(blob: HashSource, hashers: readonly IHasher[], options: Omit<HashOptions, 'md5'>) {
  for (let read = 1; ; read += 1) {
    try {
      await streamInto(blob, hashers, options);
      return;
    } catch (error) {
      if (!(error instanceof ReadStalled) || read === READS) throw error;
      for (const hasher of hashers) hasher.init();
    }
  }
}

/** Feeds every chunk of the blob to every hasher, reporting progress and stopping on abort. */
async function streamInto(
  blob: HashSource,
  hashers: readonly IHasher[],
  options: Omit<HashOptions, 'md5'>,
): Promise<void> {
  const { signal, onBytes, stallMs = STALL_MS } = options;
  throwIfAborted(signal);
  const reader = chunkReader(blob);
  // Cancelling ends a read that is still waiting for data, so an abort is noticed without waiting for a chunk.
  const cancel = (): void => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  const watch = stallWatch(stallMs);
  let readToEnd = false;
  try {
    let bytesRead = 0;
    let reported: number | undefined;
    let busySince = performance.now();
    // Each chunk is hashed before the next read: a BYOB reader reads the next one into the same bytes.
    for (
      let chunk = await readChunk(reader, signal, watch.stalled);
      chunk;
      chunk = await readChunk(reader, signal, watch.stalled)
    ) {
      for (const hasher of hashers) hasher.update(chunk);
      bytesRead += chunk.byteLength;
      watch.progress();
      if (performance.now() - busySince >= YIELD_EVERY_MS) {
        await nextTask();
        busySince = performance.now();
      }
      if (bytesRead - (reported ?? 0) >= PROGRESS_STEP) {
        reported = bytesRead;
        onBytes?.(bytesRead);
      }
    }
    readToEnd = true;
    if (bytesRead !== blob.size) throw new Error(changedSize(blob.size, bytesRead));
    if (reported !== bytesRead) onBytes?.(bytesRead);
  } finally {
    watch.stop();
    signal?.removeEventListener('abort', cancel);
    // Stopped early (an error, or a throwing onBytes): let the browser let go of the file.
    if (!readToEnd) cancel();
  }
}

/** Hands over the blob's bytes a chunk at a time; a chunk is valid only until the next read. */
interface ChunkReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
}

/**
 * A small file read whole; else a BYOB reader into one reused buffer where the stream is a byte stream, else the
 * default reader. Small files are not streamed because Chromium's BYOB read of a file sometimes never answers (in
 * a probe, about one stream in 500 of 400 KB files in the origin's storage stopped part-way; its default reader
 * and `arrayBuffer()` never did), and reading one whole is one step instead of a stream's several.
 */
function chunkReader(blob: HashSource): ChunkReader {
  if (blob.arrayBuffer && blob.size <= READ_BUFFER_BYTES) return wholeReader(blob.arrayBuffer.bind(blob));
  const stream = blob.stream();
  let byob: ReadableStreamBYOBReader;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    return stream.getReader();
  }
  // Never empty (a BYOB read needs room for a byte), and no larger than the file needs.
  let buffer = new ArrayBuffer(Math.max(1, Math.min(blob.size, READ_BUFFER_BYTES)));
  return {
    read: async () => {
      const result = await byob.read(new Uint8Array(buffer));
      // The read took the buffer over; it comes back with the chunk, to be read into again.
      if (result.value) buffer = result.value.buffer;
      return result.done ? { done: true, value: undefined } : result;
    },
    cancel: () => byob.cancel(),
  };
}

/** The file's bytes as one chunk. */
function wholeReader(read: () => Promise<ArrayBuffer>): ChunkReader {
  let given = false;
  return {
    read: async () => {
      if (given) return { done: true, value: undefined };
      given = true;
      return { done: false, value: new Uint8Array(await read()) };
    },
    cancel: async () => {
      given = true;
    },
  };
}

/** The next chunk, or undefined at the end; a failed read becomes the READ_FAILED sentence. */
async function readChunk(
  reader: ChunkReader,
  signal: AbortSignal | undefined,
  stalled: Promise<never>,
): Promise<Uint8Array | undefined> {
  let result: ReadableStreamReadResult<Uint8Array>;
  try {
    result = await Promise.race([reader.read(), stalled]);
  } catch (error) {
    throwIfAborted(signal);
    if (error instanceof ReadStalled) throw error;
    throw new Error(READ_FAILED, { cause: error });
  }
  throwIfAborted(signal);
  return result.done ? undefined : result.value;
}

/**
 * Rejects `stalled` once no {@link progress} came for `ms`: one timer per stream, set again only when it fires
 * after progress, so each chunk costs a clock read.
 */
function stallWatch(ms: number) {
  let lastSign = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    const watch = (wait: number) => {
      timer = setTimeout(() => {
        const quiet = performance.now() - lastSign;
        if (quiet < ms) watch(ms - quiet);
        else reject(new ReadStalled(ms));
      }, wait);
    };
    watch(ms);
  });
  stalled.catch(() => undefined);
  return {
    stalled,
    progress: () => {
      lastSign = performance.now();
    },
    stop: () => clearTimeout(timer),
  };
}

/** A read that handed over nothing for `stallMs`; its message is the sentence shown when every read stalled. */
class ReadStalled extends Error {
  constructor(stallMs: number) {
    super(
      `reading it stopped: nothing arrived for ${stallMs / 1000} s, ${READS} times; ` +
        'check that its disk or network share is still there, then try again.',
    );
  }
}

function changedSize(expected: number, read: number): string {
  return (
    `it changed while being read (${formatCount(expected)} bytes when chosen, ${formatCount(read)} read); ` +
    'check the file and compute checksums again.'
  );
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('Computing checksums was cancelled.', 'AbortError');
}
