import { createHash } from 'node:crypto';
import { createMD5, createSHA256, xxhash128 } from 'hash-wasm';
import { describe, expect, it, vi } from 'vitest';
import { fastHashBlob, fastHashBlobsTogether, hashBlob, hashBlobsTogether } from './hash-stream';
import type { HashSource } from './hash-stream';

// The real hash-wasm, with its factories counted, to see that hashers are reused rather than re-created.
vi.mock('hash-wasm', async (importOriginal) => {
  const actual = await importOriginal<typeof import('hash-wasm')>();
  return { ...actual, createSHA256: vi.fn(actual.createSHA256), createMD5: vi.fn(actual.createMD5) };
});

const MiB = 1024 * 1024;
const READ_FAILED =
  'it could not be read (it changed or was moved while being read); check the file and compute checksums again.';

/** Reproducible pseudo-random bytes (mulberry32), so a failing size can be rerun exactly. */
function seededBytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i += 1) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    bytes[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return bytes;
}

async function nodeDigests(blob: Blob): Promise<{ sha256: string; md5: string }> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    md5: createHash('md5').update(bytes).digest('hex'),
  };
}

interface ControlledSource extends HashSource {
  /** Resolves when the reader asks for chunk number `index` (0-based). */
  readonly pulled: (index: number) => Promise<void>;
  /** Whether the stream was ever opened, and whether the reader cancelled it. */
  readonly state: { opened: boolean; cancelled: boolean };
}

/**
 * A blob-like source that hands over `chunks` one per read, then either ends, errors with `failWith`, or
 * (when `hangAfter` is set) never answers the next read: a file on a slow disk, under the test's control.
 */
function controlledSource(
  chunks: readonly Uint8Array<ArrayBuffer>[],
  end: { readonly failWith?: unknown; readonly hang?: boolean; readonly size?: number } = {},
): ControlledSource {
  const state = { opened: false, cancelled: false };
  const pullSignals = new Map<number, () => void>();
  const pullPromises = new Map<number, Promise<void>>();
  const pulledPromise = (index: number): Promise<void> => {
    let promise = pullPromises.get(index);
    if (!promise) {
      promise = new Promise((resolve) => pullSignals.set(index, resolve));
      pullPromises.set(index, promise);
    }
    return promise;
  };
  let next = 0;
  return {
    size: end.size ?? chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0),
    state,
    pulled: pulledPromise,
    stream: () => {
      state.opened = true;
      return new ReadableStream<Uint8Array<ArrayBuffer>>(
        {
          pull: (controller) => {
            const index = next++;
            void pulledPromise(index);
            pullSignals.get(index)?.();
            const chunk = chunks[index];
            if (chunk) return controller.enqueue(chunk);
            if (end.hang) return new Promise<void>(() => undefined);
            if (end.failWith !== undefined) return controller.error(end.failWith);
            controller.close();
          },
          cancel: () => {
            state.cancelled = true;
          },
        },
        { highWaterMark: 0 },
      );
    },
  };
}

/**
 * A byte stream (as Chromium's `Blob.stream()`) that fills whatever view the reader offers, `piece` bytes at most
 * at a time, and records whether each read came with the reader's own view (a BYOB read) and how large it was.
 */
function byteSource(bytes: Uint8Array, size = bytes.byteLength, piece = 70_000) {
  const views: (number | null)[] = [];
  let at = 0;
  const source = {
    size,
    views,
    stream: () =>
      new ReadableStream({
        type: 'bytes',
        pull: (controller) => {
          const request = controller.byobRequest;
          views.push(request?.view?.byteLength ?? null);
          if (at >= bytes.byteLength) {
            controller.close();
            request?.respond(0);
            return;
          }
          const end = Math.min(bytes.byteLength, at + piece);
          if (request?.view) {
            const room = Math.min(end - at, request.view.byteLength);
            new Uint8Array(request.view.buffer, request.view.byteOffset, room).set(
              bytes.subarray(at, at + room),
            );
            request.respond(room);
            at += room;
          } else {
            controller.enqueue(bytes.slice(at, end));
            at = end;
          }
        },
      }),
  };
  return source;
}

describe('hashBlob digests', () => {
  const sizes = [0, 1, 3, MiB + 7, 9 * MiB];
  it.each(sizes)('matches node:crypto for %i random bytes', async (size) => {
    const blob = new Blob([seededBytes(size, size + 1)]);
    expect(await hashBlob(blob, { md5: true })).toEqual(await nodeDigests(blob));
  });

  it('matches node:crypto for a blob assembled from several parts', async () => {
    const bytes = seededBytes(300_000, 42);
    const blob = new Blob([
      bytes.subarray(0, 1000),
      'Käfer, Ørsted',
      new Blob([bytes]),
      bytes.slice(5, 70_000),
    ]);
    expect(await hashBlob(blob, { md5: true })).toEqual(await nodeDigests(blob));
  });

  it('gives known lower-case digests of "abc"', async () => {
    expect(await hashBlob(new Blob(['abc']), { md5: true })).toEqual({
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      md5: '900150983cd24fb0d6963f7d28e17f72',
    });
  });

  it('leaves md5 out when it is not asked for', async () => {
    const blob = new Blob([seededBytes(1000, 7)]);
    const result = await hashBlob(blob, { md5: false });
    expect(result).toEqual({ sha256: (await nodeDigests(blob)).sha256 });
    expect('md5' in result).toBe(false);
  });

  it('hashes a source whose chunks arrive one read at a time', async () => {
    const chunks = [seededBytes(10, 1), seededBytes(0, 2), seededBytes(70_000, 3)];
    const expected = await nodeDigests(new Blob(chunks));
    expect(await hashBlob(controlledSource(chunks), { md5: true })).toEqual(expected);
  });
});

describe('fastHashBlob', () => {
  it.each([0, 3, 9 * MiB])('is the XXH3-128 of %i bytes, read as a stream', async (size) => {
    const bytes = seededBytes(size, size + 5);
    expect(await fastHashBlob(byteSource(bytes), {})).toBe(await xxhash128(bytes));
    expect(await fastHashBlob(new Blob([bytes]), {})).toBe(await xxhash128(bytes));
  });

  it('says so when the file changed size, as hashBlob does', async () => {
    await expect(fastHashBlob(byteSource(seededBytes(5000, 12), 3000), {})).rejects.toThrow(
      'it changed while being read (3,000 bytes when chosen, 5,000 read); check the file and compute checksums again.',
    );
  });
});

describe('hashBlob over a byte stream', () => {
  it('reads it into a buffer of its own, no larger than the file, and digests it right', async () => {
    const bytes = seededBytes(300_001, 11);
    const source = byteSource(bytes);
    expect(await hashBlob(source, { md5: true })).toEqual(await nodeDigests(new Blob([bytes])));
    expect(source.views.length).toBeGreaterThan(4);
    expect(source.views.every((room) => room !== null && room <= bytes.byteLength)).toBe(true);
  });

  it('reads an empty file to its end', async () => {
    const source = byteSource(new Uint8Array(0));
    expect(await hashBlob(source, { md5: false })).toEqual({
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });

  it('notices a file that grew after it was chosen', async () => {
    const source = byteSource(seededBytes(5000, 12), 3000);
    await expect(hashBlob(source, { md5: false })).rejects.toThrow(
      'it changed while being read (3,000 bytes when chosen, 5,000 read); check the file and compute checksums again.',
    );
  });
});

describe('hashBlob concurrency and hasher reuse', () => {
  it('gives each of three blobs hashed at the same time its own digests', async () => {
    const blobs = [MiB + 7, 3 * MiB, 5].map((size, i) => new Blob([seededBytes(size, 100 + i)]));
    const results = await Promise.all(blobs.map((blob) => hashBlob(blob, { md5: true })));
    expect(results).toEqual(await Promise.all(blobs.map(nodeDigests)));
  });

  it('reuses hashers between files instead of creating new ones', async () => {
    const blob = new Blob([seededBytes(5000, 9)]);
    await hashBlob(blob, { md5: true });
    const created = vi.mocked(createSHA256).mock.calls.length + vi.mocked(createMD5).mock.calls.length;
    for (let i = 0; i < 3; i += 1) await hashBlob(blob, { md5: true });
    expect(vi.mocked(createSHA256).mock.calls.length + vi.mocked(createMD5).mock.calls.length).toBe(created);
  });

  it('hashes the next file correctly after one failed half-way', async () => {
    const failing = controlledSource([seededBytes(1000, 1)], { failWith: new TypeError('gone') });
    await expect(hashBlob(failing, { md5: true })).rejects.toThrow(READ_FAILED);
    const blob = new Blob([seededBytes(2000, 2)]);
    expect(await hashBlob(blob, { md5: true })).toEqual(await nodeDigests(blob));
  });
});

describe('hashBlobsTogether', () => {
  it('gives each of several small files read in one go its own digests', async () => {
    const blobs = [5000, 0, 1, 70_001].map((size, i) => new Blob([seededBytes(size, 200 + i)]));
    const results = await Promise.all(hashBlobsTogether(blobs, { md5: true }));
    expect(results).toEqual(await Promise.all(blobs.map(nodeDigests)));
    const sha256Only = await Promise.all(hashBlobsTogether(blobs, { md5: false }));
    expect(sha256Only).toEqual(results.map(({ sha256 }) => ({ sha256 })));
  });

  it('hashes a blob alone on its own (as hashBlob reads it), not read into a Blob of the group', async () => {
    const large = new Blob([seededBytes(9000, 303)]);
    const { sha256 } = await nodeDigests(large);
    const read = large.arrayBuffer.bind(large);
    let reads = 0;
    large.arrayBuffer = () => {
      reads += 1;
      return read();
    };
    const [sums] = await Promise.all(hashBlobsTogether([large], { md5: false }));
    expect(sums).toEqual({ sha256 });
    expect(reads).toBe(1);
  });

  it('reads each on its own when they cannot be read together, so only the unreadable one fails', async () => {
    const first = new Blob([seededBytes(3000, 11)]);
    const failing = controlledSource([seededBytes(1000, 12)], { failWith: new TypeError('gone') });
    const last = new Blob([seededBytes(4000, 13)]);
    const [a, b, c] = hashBlobsTogether([first, failing as unknown as Blob, last], { md5: false });
    expect(await a).toEqual({ sha256: (await nodeDigests(first)).sha256 });
    await expect(b).rejects.toThrow(READ_FAILED);
    expect(await c).toEqual({ sha256: (await nodeDigests(last)).sha256 });
  });
});

describe('fastHashBlobsTogether', () => {
  it('gives each small file read in one go its XXH3-128', async () => {
    const blobs = [5000, 0, 70_001].map((size, i) => new Blob([seededBytes(size, 400 + i)]));
    const contents = await Promise.all(blobs.map(async (blob) => new Uint8Array(await blob.arrayBuffer())));
    const expected = await Promise.all(contents.map((bytes) => xxhash128(bytes)));
    expect(await Promise.all(fastHashBlobsTogether(blobs, {}))).toEqual(expected.map((xxh3) => ({ xxh3 })));
  });
});

describe('hashBlob abort', () => {
  it('rejects with AbortError without opening the stream when aborted before', async () => {
    const source = controlledSource([seededBytes(10, 1)]);
    const controller = new AbortController();
    controller.abort();
    await expect(hashBlob(source, { md5: true, signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(source.state.opened).toBe(false);
  });

  it('rejects with AbortError and cancels the stream when aborted while a read waits', async () => {
    const source = controlledSource([seededBytes(100, 1)], { hang: true });
    const controller = new AbortController();
    const hashing = hashBlob(source, { md5: false, signal: controller.signal });
    await source.pulled(1);
    controller.abort();
    const error: unknown = await hashing.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DOMException);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(source.state.cancelled).toBe(true);
  });

  it('stops between chunks when aborted from a progress report', async () => {
    const chunks = Array.from({ length: 4 }, (_, i) => seededBytes(4 * MiB, i));
    const source = controlledSource(chunks);
    const controller = new AbortController();
    const seen: number[] = [];
    const onBytes = (bytes: number): void => {
      seen.push(bytes);
      controller.abort();
    };
    await expect(hashBlob(source, { md5: true, signal: controller.signal, onBytes })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(seen).toEqual([4 * MiB]);
    expect(source.state.cancelled).toBe(true);
  });
});

describe('hashBlob read errors', () => {
  it.each([
    ['NotReadableError', new DOMException('The file changed.', 'NotReadableError')],
    ['NotFoundError', new DOMException('The file is gone.', 'NotFoundError')],
  ])('turns a %s half-way into one sentence with the fix', async (_name, failure) => {
    const source = controlledSource([seededBytes(1000, 1)], { failWith: failure });
    const error: unknown = await hashBlob(source, { md5: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ message: READ_FAILED, cause: failure });
  });

  it('rejects when the stream ends before blob.size bytes', async () => {
    const source = controlledSource([seededBytes(1000, 1)], { size: 2500 });
    await expect(hashBlob(source, { md5: false })).rejects.toThrow(
      'it changed while being read (2,500 bytes when chosen, 1,000 read); check the file and compute checksums again.',
    );
  });
});

describe('hashBlob progress', () => {
  it('reports every 4 MiB of 64 KiB chunks (as Chrome reads), then blob.size', async () => {
    const chunks = Array.from({ length: 144 }, (_, i) => seededBytes(64 * 1024, i));
    const source = controlledSource([...chunks, seededBytes(5, 144)]);
    const seen: number[] = [];
    await hashBlob(source, { md5: false, onBytes: (bytes) => seen.push(bytes) });
    expect(seen).toEqual([4 * MiB, 8 * MiB, 9 * MiB + 5]);
  });

  it('ends at blob.size for a real 9 MiB Blob, however Node chunks it', async () => {
    const blob = new Blob([seededBytes(9 * MiB + 5, 3)]);
    const seen: number[] = [];
    await hashBlob(blob, { md5: false, onBytes: (bytes) => seen.push(bytes) });
    expect(seen.at(-1)).toBe(blob.size);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('reports once, with the size, for a small blob', async () => {
    const seen: number[] = [];
    await hashBlob(new Blob(['abc']), { md5: false, onBytes: (bytes) => seen.push(bytes) });
    expect(seen).toEqual([3]);
  });

  it('reports 0 once for an empty blob', async () => {
    const seen: number[] = [];
    await hashBlob(new Blob([]), { md5: false, onBytes: (bytes) => seen.push(bytes) });
    expect(seen).toEqual([0]);
  });

  it('does not report twice when the last chunk ends exactly on a step', async () => {
    const seen: number[] = [];
    const source = controlledSource([seededBytes(4 * MiB, 1), seededBytes(4 * MiB, 2)]);
    await hashBlob(source, { md5: false, onBytes: (bytes) => seen.push(bytes) });
    expect(seen).toEqual([4 * MiB, 8 * MiB]);
  });
});

/**
 * A file whose first `stalls` streams hand over one chunk and then nothing, ever (as Chromium's stream of a web copy
 * in the origin's storage was seen to do), and whose later streams hand over all of it.
 */
function stallingSource(bytes: Uint8Array<ArrayBuffer>, stalls: number) {
  const opened = { count: 0, cancelled: 0 };
  const half = Math.floor(bytes.byteLength / 2);
  return {
    opened,
    size: bytes.byteLength,
    stream: () => {
      const stalling = opened.count < stalls;
      opened.count += 1;
      let sent = false;
      return new ReadableStream<Uint8Array<ArrayBuffer>>(
        {
          pull: (controller) => {
            if (!stalling) {
              controller.enqueue(bytes.slice());
              controller.close();
              return;
            }
            if (sent) return new Promise<void>(() => undefined);
            sent = true;
            controller.enqueue(bytes.slice(0, half));
          },
          cancel: () => {
            opened.cancelled += 1;
          },
        },
        { highWaterMark: 0 },
      );
    },
  };
}

describe('hashBlob on a read that stops', () => {
  const bytes = seededBytes(100_000, 7);

  it('reads the file again on a new stream, and digests all of it once', async () => {
    const source = stallingSource(bytes, 2);
    const expected = await nodeDigests(new Blob([bytes]));
    await expect(hashBlob(source, { md5: true, stallMs: 50 })).resolves.toEqual(expected);
    expect(source.opened).toEqual({ count: 3, cancelled: 2 });
  });

  it('gives up after three reads that stopped, with a sentence that says what to check', async () => {
    const source = stallingSource(bytes, 3);
    await expect(hashBlob(source, { md5: false, stallMs: 50 })).rejects.toThrow(
      'reading it stopped: nothing arrived for 0.05 s, 3 times; check that its disk or network share is still there, then try again.',
    );
    expect(source.opened).toEqual({ count: 3, cancelled: 3 });
  });

  it('keeps reading a slow file whose chunks keep coming, longer in all than a stop', async () => {
    const chunks = Array.from({ length: 25 }, (_, i) => bytes.slice(i * 4_000, (i + 1) * 4_000));
    const source = controlledSource(chunks);
    let opened = 0;
    const slow = {
      size: source.size,
      stream: () => {
        opened += 1;
        return source.stream().pipeThrough(
          new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
            transform: async (chunk, controller) => {
              await new Promise((resolve) => setTimeout(resolve, 25));
              controller.enqueue(chunk);
            },
          }),
        );
      },
    };
    const expected = await nodeDigests(new Blob(chunks));
    await expect(hashBlob(slow, { md5: false, stallMs: 400 })).resolves.toEqual({ sha256: expected.sha256 });
    expect(opened).toBe(1);
  });
});

describe('hashBlob of a small file', () => {
  it('reads it whole, without opening a stream', async () => {
    const bytes = seededBytes(300_000, 9);
    let streams = 0;
    const file = {
      size: bytes.byteLength,
      arrayBuffer: async () => bytes.slice().buffer,
      stream: () => {
        streams += 1;
        return new Blob([bytes]).stream();
      },
    };
    const expected = await nodeDigests(new Blob([bytes]));
    await expect(hashBlob(file, { md5: true })).resolves.toEqual(expected);
    expect(streams).toBe(0);
  });

  it('reads it again when its read never answers', async () => {
    const bytes = seededBytes(1000, 3);
    let reads = 0;
    const file = {
      size: bytes.byteLength,
      arrayBuffer: () => {
        reads += 1;
        return reads === 1
          ? new Promise<ArrayBuffer>(() => undefined)
          : Promise.resolve(bytes.slice().buffer);
      },
      stream: () => new Blob([bytes]).stream(),
    };
    const expected = await nodeDigests(new Blob([bytes]));
    await expect(hashBlob(file, { md5: false, stallMs: 50 })).resolves.toEqual({ sha256: expected.sha256 });
    expect(reads).toBe(2);
  });
});
