import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_LOCKED } from '#core/protocol';
import { MemoryState, RedisState, UploadLocked, type SharedState } from '../../server/shared-state.ts';
import { startRedis, type RunningRedis } from '../support/object-store.ts';
import { waitUntil } from './completion-helpers.ts';

/** Short, so that lapsing is quick; nothing here waits for a fixed time. */
const LEASE_MS = 300;

let redis: RunningRedis;
beforeAll(async () => {
  redis = await startRedis();
}, 120_000);
afterAll(async () => {
  await redis.stop();
});

let prefixes = 0;
const opened: SharedState[] = [];
afterAll(async () => {
  await Promise.all(opened.map((state) => state.close()));
});

/** Two instances' views of one shared state: in memory they are the same instance, in Redis two connections. */
const kinds: [string, () => Promise<[SharedState, SharedState]>][] = [
  [
    'in memory',
    () => {
      const state = new MemoryState({ leaseMs: LEASE_MS });
      return Promise.resolve([state, state]);
    },
  ],
  [
    'in Redis',
    async () => {
      prefixes += 1;
      const prefix = `locks-${prefixes}:`;
      const pair = await Promise.all([
        RedisState.connect(redis.url, prefix, { leaseMs: LEASE_MS }),
        RedisState.connect(redis.url, prefix, { leaseMs: LEASE_MS }),
      ]);
      opened.push(...pair);
      return pair;
    },
  ],
];

const signal = () => new AbortController().signal;

/** Whether `state` can take the upload's lock now (and gives it back at once). */
async function free(state: SharedState, id: string): Promise<boolean> {
  const lock = state.uploadLocker().newLock(id);
  try {
    await lock.lock(signal(), () => undefined);
  } catch (error) {
    if (error instanceof UploadLocked) return false;
    throw error;
  }
  await lock.unlock();
  return true;
}

describe.each(kinds)("an upload's lock %s", (_kind, open) => {
  it('refuses a second request at once with 423, and takes it once the first lets go', async () => {
    const [a, b] = await open();
    const first = a.uploadLocker(() => true).newLock('u1');
    await first.lock(signal(), () => undefined);
    const refused = await b
      .uploadLocker()
      .newLock('u1')
      .lock(signal(), () => undefined)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(UploadLocked);
    expect(refused).toMatchObject({ status_code: UPLOAD_LOCKED, id: 'u1' });
    // Other uploads are free meanwhile.
    expect(await free(b, 'u2')).toBe(true);
    await first.unlock();
    expect(await free(b, 'u1')).toBe(true);
  });

  it('keeps the lock of a request whose body moves, past many leases', async () => {
    const [a, b] = await open();
    let checks = 0;
    const holder = a
      .uploadLocker(() => {
        checks += 1;
        return true;
      })
      .newLock('u3');
    await holder.lock(signal(), () => undefined);
    // Renewed a few times per lease: ten checks span more than three leases.
    await waitUntil(() => Promise.resolve(checks >= 10));
    expect(await free(b, 'u3')).toBe(false);
    await holder.unlock();
    expect(await free(b, 'u3')).toBe(true);
  });

  it('keeps the lock of a request told to stop until that request has ended, so its last write cannot overlap the next', async () => {
    const [a, b] = await open();
    let told = false;
    let asked = 0;
    const winding = a
      .uploadLocker(() => {
        asked += 1;
        return false;
      })
      .newLock('u6');
    await winding.lock(signal(), () => {
      told = true;
    });
    await waitUntil(() => Promise.resolve(told));
    // A lease and more has passed since it was told, and it has not ended: the upload is still its own.
    const since = asked;
    await waitUntil(() => Promise.resolve(asked >= since + 4));
    expect(await free(b, 'u6')).toBe(false);
    await winding.unlock();
    expect(await free(b, 'u6')).toBe(true);
  });

  it('tells a request whose body stopped moving to stop, and its lease lapses; its late unlock frees nothing of the next', async () => {
    const [a, b] = await open();
    let told = false;
    const silent = a.uploadLocker(() => false).newLock('u4');
    await silent.lock(signal(), () => {
      told = true;
    });
    expect(await free(b, 'u4')).toBe(false);
    await waitUntil(() => Promise.resolve(told));
    await waitUntil(() => free(b, 'u4'));
    const next = b.uploadLocker(() => true).newLock('u4');
    await next.lock(signal(), () => undefined);
    await silent.unlock();
    expect(await free(a, 'u4')).toBe(false);
    await next.unlock();
  });
});

describe("an upload's lock in Redis, after its receiver was killed", () => {
  it('lapses after the lease: the holder stops renewing it, and nobody releases it', async () => {
    const [a, b] = await (kinds[1] as (typeof kinds)[number])[1]();
    await a
      .uploadLocker(() => true)
      .newLock('u5')
      .lock(signal(), () => undefined);
    // Its connection gone, as when its process is killed: nothing renews or releases the lock any more.
    await a.close();
    expect(await free(b, 'u5')).toBe(false);
    await waitUntil(() => free(b, 'u5'));
  });
});
