import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { xxhash128 } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import type { DigestAlgorithm } from '../../server/digests.ts';
import { RunningDigests, type DigestRun } from '../../server/running-digests.ts';
import { PartBuffers, sendParts, type PartDigests, type PartTarget } from '../../server/s3-parts.ts';
import { MemoryState } from '../../server/shared-state.ts';

/** One store of records that several RunningDigests use, as instances behind one address use Redis. */
class SharedMemory extends MemoryState {
  override readonly shared = true;
}

/** Shared records that take a while to store, as a network round trip does. */
class DistantMemory extends SharedMemory {
  override async set(key: string, value: string, ttlMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await super.set(key, value, ttlMs);
  }
}

const KEPT_MS = 60_000;
const SHA256: DigestAlgorithm[] = ['sha-256'];

const hex = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');

/** `run` sees `data` from `offset` to `end`, and saves its digests there as a part ending there does. */
async function hashPart(run: DigestRun, data: Buffer, offset: number, end: number): Promise<void> {
  run.update(data.subarray(offset, end));
  await run.checkpoint(end);
  run.kept(end, true);
  await run.settled();
}

/** What `digestsAt` read of the object: the offsets it asked for. */
function objectReader(data: Buffer): { reads: number[]; rest: (from: number) => Promise<Readable> } {
  const reads: number[] = [];
  return {
    reads,
    rest: (from) => {
      reads.push(from);
      return Promise.resolve(Readable.from([data.subarray(from)]));
    },
  };
}

describe('running digests saved where parts end', () => {
  it('let another instance continue an upload from the saved state, and never read the object', async () => {
    const state = new SharedMemory();
    const [a, b] = [new RunningDigests(state, KEPT_MS), new RunningDigests(state, KEPT_MS)];
    const data = randomBytes(3000);
    const first = await a.begin('u', 0, ['sha-256', 'md5']);
    if (!first) throw new Error('no digests at offset 0');
    await hashPart(first, data, 0, 1000);
    const second = await b.begin('u', 1000, ['sha-256', 'md5']);
    if (!second) throw new Error('no digests saved at 1000');
    await hashPart(second, data, 1000, 2000);
    const third = await a.begin('u', 2000, ['sha-256', 'md5']);
    if (!third) throw new Error('no digests saved at 2000');
    await hashPart(third, data, 2000, 3000);
    const object = objectReader(data);
    const digests = await b.digestsAt('u', 3000, ['sha-256', 'md5'], object.rest);
    expect(Object.fromEntries(digests)).toEqual({ 'sha-256': hex('sha256', data), md5: hex('md5', data) });
    expect(object.reads).toEqual([]);
  });

  it.each([
    ['shared by instances (saved hash-wasm states)', true],
    ['of one instance', false],
  ])('carry XXH3-128 from part to part too, %s', async (_, shared) => {
    const state = shared ? new SharedMemory() : new MemoryState();
    const [a, b] = [new RunningDigests(state, KEPT_MS), new RunningDigests(state, KEPT_MS)];
    const data = randomBytes(3000);
    const algorithms: DigestAlgorithm[] = ['sha-256', 'xxh3-128'];
    const first = await a.begin('u', 0, algorithms);
    if (!first) throw new Error('no digests at offset 0');
    await hashPart(first, data, 0, 1000);
    // One instance alone keeps its checkpoints to itself.
    const other = shared ? b : a;
    const second = await other.begin('u', 1000, algorithms);
    if (!second) throw new Error('no digests saved at 1000');
    await hashPart(second, data, 1000, 3000);
    const object = objectReader(data);
    const digests = await other.digestsAt('u', 3000, algorithms, object.rest);
    expect(Object.fromEntries(digests)).toEqual({
      'sha-256': hex('sha256', data),
      'xxh3-128': await xxhash128(data),
    });
    expect(object.reads).toEqual([]);
  });

  it('continue at the offset S3 holds when a write died before its last part finished', async () => {
    const state = new SharedMemory();
    const [a, b] = [new RunningDigests(state, KEPT_MS), new RunningDigests(state, KEPT_MS)];
    const data = randomBytes(3000);
    const sent = Buffer.from(data);
    sent[1500] = (sent[1500] ?? 0) ^ 0xff;
    const dying = await a.begin('u', 0, SHA256);
    if (!dying) throw new Error('no digests at offset 0');
    await hashPart(dying, data, 0, 1000);
    // A second part (damaged on its way) hashed and saved, but its writer killed before S3 held it.
    dying.update(sent.subarray(1000, 2000));
    await dying.checkpoint(2000);
    const next = await b.begin('u', 1000, SHA256);
    if (!next) throw new Error('no digests saved at 1000');
    await hashPart(next, data, 1000, 3000);
    const object = objectReader(data);
    expect((await b.digestsAt('u', 3000, SHA256, object.rest)).get('sha-256')).toBe(hex('sha256', data));
    expect(object.reads).toEqual([]);
  });

  it('continue from the last part when the bytes set aside were taken out and their request died', async () => {
    const state = new SharedMemory();
    const [a, b] = [new RunningDigests(state, KEPT_MS), new RunningDigests(state, KEPT_MS)];
    const data = randomBytes(2000);
    const run = await a.begin('u', 0, SHA256);
    if (!run) throw new Error('no digests at offset 0');
    await hashPart(run, data, 0, 1000);
    run.update(data.subarray(1000, 1300));
    await run.checkpoint(1300);
    run.kept(1300, false);
    await run.settled();
    // Both offsets HEAD may report: with the bytes set aside, and without them once a request took them out.
    expect(await b.begin('u', 1300, SHA256)).toBeDefined();
    const next = await b.begin('u', 1000, SHA256);
    if (!next) throw new Error('no digests saved at 1000');
    await hashPart(next, data, 1000, 2000);
    const object = objectReader(data);
    expect((await a.digestsAt('u', 2000, SHA256, object.rest)).get('sha-256')).toBe(hex('sha256', data));
    expect(object.reads).toEqual([]);
  });

  it('read the object once when the shared state lost its digests, and only the bytes after the last saved ones', async () => {
    const state = new SharedMemory();
    const digests = new RunningDigests(state, KEPT_MS);
    const data = randomBytes(3000);
    const run = await digests.begin('u', 0, SHA256);
    if (!run) throw new Error('no digests at offset 0');
    await hashPart(run, data, 0, 1000);
    // A write that found no digests at its offset: nobody hashes from there on.
    expect(await digests.begin('u', 2000, SHA256)).toBeUndefined();
    const fromPart = objectReader(data);
    expect((await digests.digestsAt('u', 3000, SHA256, fromPart.rest)).get('sha-256')).toBe(
      hex('sha256', data),
    );
    expect(fromPart.reads).toEqual([1000]);

    await digests.forget('u');
    const whole = objectReader(data);
    expect((await digests.digestsAt('u', 3000, SHA256, whole.rest)).get('sha-256')).toBe(hex('sha256', data));
    expect(whole.reads).toEqual([0]);
  });

  it("keep Node's own hashes on a single instance, continued across its requests", async () => {
    const state = new MemoryState();
    const digests = new RunningDigests(state, KEPT_MS);
    const data = randomBytes(2000);
    const first = await digests.begin('u', 0, SHA256);
    if (!first) throw new Error('no digests at offset 0');
    await hashPart(first, data, 0, 1000);
    const second = await digests.begin('u', 1000, SHA256);
    if (!second) throw new Error('no digests kept at 1000');
    await hashPart(second, data, 1000, 2000);
    const object = objectReader(data);
    expect((await digests.digestsAt('u', 2000, SHA256, object.rest)).get('sha-256')).toBe(
      hex('sha256', data),
    );
    expect(object.reads).toEqual([]);
    // Nothing another instance could load: the states live in this process.
    expect(await new RunningDigests(new SharedMemory(), KEPT_MS).begin('u', 1000, SHA256)).toBeUndefined();
  });

  it('refuse a checkpoint at an offset other than the bytes seen', async () => {
    const run = await new RunningDigests(new SharedMemory(), KEPT_MS).begin('u', 0, SHA256);
    run?.update(Buffer.alloc(10));
    await expect(run?.checkpoint(12)).rejects.toThrow('digests of 10 bytes saved as 12');
  });
});

describe('parts sent with running digests', () => {
  it('finish each part on S3 only once the digests at its end are saved, and save the bytes set aside', async () => {
    const state = new DistantMemory();
    const digests = new RunningDigests(state, KEPT_MS);
    const data = randomBytes(2500);
    const run = await digests.begin('u', 0, SHA256);
    if (!run) throw new Error('no digests at offset 0');
    /** The offsets saved when each part's last byte reached the target, and the bytes it holds. */
    const savedAtEnd: number[][] = [];
    const held: Buffer[] = [];
    const saved = async () =>
      (JSON.parse((await state.get('digests:u')) ?? '[]') as { offset: number }[]).map((c) => c.offset);
    const target: PartTarget = {
      async uploadPart(_number, body) {
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(chunk as Buffer);
        savedAtEnd.push(await saved());
        held.push(Buffer.concat(chunks));
        return 'etag';
      },
      putIncomplete(bytes) {
        held.push(Buffer.from(bytes));
        return Promise.resolve();
      },
    };
    const partDigests: PartDigests = {
      update: (chunk) => run.update(chunk),
      checkpoint: (end) => run.checkpoint(end),
      kept: (end, asPart) => run.kept(end, asPart),
    };
    const body = Readable.from([data.subarray(0, 700), data.subarray(700, 1500), data.subarray(1500)]);
    const plan = {
      firstPart: 1,
      partSize: 1000,
      minPartSize: 600,
      carried: undefined,
      untilEnd: 3000,
      bodyLength: undefined,
      inFlight: 2,
      buffers: new PartBuffers(1000, 2),
    };
    const sent = await sendParts(body, plan, target, partDigests);
    await run.settled();
    expect(sent.bytes).toBe(2500);
    expect(savedAtEnd).toHaveLength(2);
    expect(savedAtEnd[0]).toContain(1000);
    expect(savedAtEnd[1]).toContain(2000);
    // The last 500 bytes, under the smallest part, set aside: digests at both offsets HEAD may report.
    expect(Buffer.concat(held).equals(data)).toBe(true);
    expect(await saved()).toEqual([2000, 2500]);
  });
});
