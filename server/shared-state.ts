import { randomUUID } from 'node:crypto';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import { createClient } from 'redis';
import { UPLOAD_LOCKED } from '#core/protocol';

/**
 * What the receivers behind one address share: short records (an upload's running digests, a finished upload's
 * answer) and locks. In memory for one instance; in Redis (REDIS_URL) for several.
 */
export interface SharedState {
  /** Other instances see it (Redis): what only this process can hold, such as Node's running hashes, is not enough. */
  readonly shared: boolean;
  get(key: string): Promise<string | undefined>;
  /** Sets `key`, kept for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Adds `value` to the end of the list `key`, kept until deleted. */
  append(key: string, value: string): Promise<void>;
  /** The list `key`, oldest first; empty when there is none. */
  list(key: string): Promise<string[]>;
  /** Runs `work` while holding the lock `key`, waiting for it up to `waitMs`; rejects with tus's lock timeout. */
  exclusive<T>(key: string, waitMs: number, work: () => Promise<T>): Promise<T>;
  /** Runs `work` while holding the lock `key` if it is free now; undefined, without running it, if it is held. */
  ifFree<T>(key: string, work: () => Promise<T>): Promise<T | undefined>;
  /**
   * The lock around a request that writes to an upload. One that finds the upload locked is refused at once with
   * UploadLocked (tus clients try again); the holder keeps the lock only while `moving` says its request still
   * moves bytes, and is told to stop (tus's release request) once it has not for a lease.
   */
  uploadLocker(moving?: () => boolean): Locker;
  close(): Promise<void>;
}

/** How a lock's lease is set: its length, and so how long a silent request or a killed holder keeps an upload. */
export type LeaseOptions = { leaseMs?: number | undefined };

/** How many leases a holder told to stop keeps its lock for while its request winds down. */
const STOPPING_LEASES = 4;
/** How long a lock outlives the last sign of life of its holder (a killed receiver, a silent request). */
export const LOCK_LEASE_MS = 15_000;
const LOCK_RETRY_MS = 50;

/** The refusal of a request to an upload (`name`: its quoted file, or "this upload") that another one writes to. */
export const lockedSentence = (name: string): string =>
  `Another request is writing to ${name} now; the upload goes on when it ends: try again in a few seconds.`;

/** A request refused because another one holds its upload's lock: tus's error shape, reworded by the receiver. */
export class UploadLocked extends Error {
  readonly status_code = UPLOAD_LOCKED;
  readonly body = lockedSentence('this upload');

  constructor(readonly id: string) {
    super(`upload ${id} is locked by another request`);
  }
}

/**
 * Leases on lock keys: taken only when free (or lapsed), renewed and given back only with the token that took
 * them, so that a holder whose lease lapsed never extends or removes the lease of the request that came next.
 */
interface Leases {
  take(key: string, token: string, ms: number): Promise<boolean>;
  /** False when the key no longer holds `token`: the lease lapsed and may be another request's. */
  renew(key: string, token: string, ms: number): Promise<boolean>;
  give(key: string, token: string): Promise<void>;
}

/** The locks of a state, whatever keeps their leases. */
class LeasedLocks {
  constructor(
    readonly leases: Leases,
    readonly leaseMs: number,
  ) {}

  uploadLocker(moving?: () => boolean): Locker {
    return {
      newLock: (id) =>
        new LeasedLock(this.leases, `upload:${id}`, this.leaseMs, {
          refuse: () => new UploadLocked(id),
          moving,
        }),
    };
  }

  exclusive<T>(key: string, waitMs: number, work: () => Promise<T>): Promise<T> {
    return withLock(new LeasedLock(this.leases, `lock:${key}`, this.leaseMs, { waitMs }), work);
  }

  async ifFree<T>(key: string, work: () => Promise<T>): Promise<T | undefined> {
    const lock = new LeasedLock(this.leases, `lock:${key}`, this.leaseMs, {});
    if (!(await lock.acquire(new AbortController().signal, undefined))) return undefined;
    try {
      return await work();
    } finally {
      await lock.unlock();
    }
  }
}

type Entry = { value: string; until: number };

export class MemoryState implements SharedState {
  readonly shared: boolean = false;
  readonly #entries = new Map<string, Entry>();
  readonly #lists = new Map<string, string[]>();
  readonly #locks: LeasedLocks;

  constructor(options: LeaseOptions = {}) {
    this.#locks = new LeasedLocks(new MemoryLeases(), options.leaseMs ?? LOCK_LEASE_MS);
  }

  get(key: string): Promise<string | undefined> {
    const entry = this.#entries.get(key);
    if (entry && entry.until < Date.now()) this.#entries.delete(key);
    return Promise.resolve(entry && entry.until >= Date.now() ? entry.value : undefined);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#entries.set(key, { value, until: Date.now() + ttlMs });
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.#entries.delete(key);
    this.#lists.delete(key);
    return Promise.resolve();
  }

  append(key: string, value: string): Promise<void> {
    this.#lists.set(key, [...(this.#lists.get(key) ?? []), value]);
    return Promise.resolve();
  }

  list(key: string): Promise<string[]> {
    return Promise.resolve([...(this.#lists.get(key) ?? [])]);
  }

  exclusive<T>(key: string, waitMs: number, work: () => Promise<T>): Promise<T> {
    return this.#locks.exclusive(key, waitMs, work);
  }

  ifFree<T>(key: string, work: () => Promise<T>): Promise<T | undefined> {
    return this.#locks.ifFree(key, work);
  }

  uploadLocker(moving?: () => boolean): Locker {
    return this.#locks.uploadLocker(moving);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

class MemoryLeases implements Leases {
  readonly #held = new Map<string, { token: string; until: number }>();

  take(key: string, token: string, ms: number): Promise<boolean> {
    const held = this.#held.get(key);
    if (held && held.until > Date.now()) return Promise.resolve(false);
    this.#held.set(key, { token, until: Date.now() + ms });
    return Promise.resolve(true);
  }

  renew(key: string, token: string, ms: number): Promise<boolean> {
    const held = this.#held.get(key);
    if (held?.token !== token || held.until <= Date.now()) return Promise.resolve(false);
    held.until = Date.now() + ms;
    return Promise.resolve(true);
  }

  give(key: string, token: string): Promise<void> {
    if (this.#held.get(key)?.token === token) this.#held.delete(key);
    return Promise.resolve();
  }
}

const redisClient = (url: string) => createClient({ url });
type Redis = ReturnType<typeof redisClient>;

/** State in Redis: a lock is a key set only when absent, with a lease (see LeasedLock). */
export class RedisState implements SharedState {
  readonly shared = true;
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #locks: LeasedLocks;

  private constructor(client: Redis, prefix: string, leaseMs: number) {
    this.#client = client;
    this.#prefix = prefix;
    this.#locks = new LeasedLocks(new RedisLeases(client, prefix), leaseMs);
  }

  static async connect(url: string, prefix: string, options: LeaseOptions = {}): Promise<RedisState> {
    const client = redisClient(url);
    client.on('error', () => undefined);
    await client.connect();
    return new RedisState(client, prefix, options.leaseMs ?? LOCK_LEASE_MS);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#client.get(this.#prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#client.set(this.#prefix + key, value, { PX: Math.max(1, Math.round(ttlMs)) });
  }

  async delete(key: string): Promise<void> {
    await this.#client.del(this.#prefix + key);
  }

  async append(key: string, value: string): Promise<void> {
    await this.#client.rPush(this.#prefix + key, value);
  }

  list(key: string): Promise<string[]> {
    return this.#client.lRange(this.#prefix + key, 0, -1);
  }

  exclusive<T>(key: string, waitMs: number, work: () => Promise<T>): Promise<T> {
    return this.#locks.exclusive(key, waitMs, work);
  }

  ifFree<T>(key: string, work: () => Promise<T>): Promise<T | undefined> {
    return this.#locks.ifFree(key, work);
  }

  uploadLocker(moving?: () => boolean): Locker {
    return this.#locks.uploadLocker(moving);
  }

  async close(): Promise<void> {
    await this.#client.quit().catch(() => undefined);
  }
}

/** Extends a lease only while the key holds the caller's token. */
const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Removes a key only while it holds the caller's token. */
const GIVE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

class RedisLeases implements Leases {
  constructor(
    readonly client: Redis,
    readonly prefix: string,
  ) {}

  async take(key: string, token: string, ms: number): Promise<boolean> {
    return (await this.client.set(this.prefix + key, token, { NX: true, PX: ms })) === 'OK';
  }

  async renew(key: string, token: string, ms: number): Promise<boolean> {
    const renewed = await this.client.eval(RENEW_SCRIPT, {
      keys: [this.prefix + key],
      arguments: [token, String(ms)],
    });
    return renewed === 1;
  }

  async give(key: string, token: string): Promise<void> {
    await this.client.eval(GIVE_SCRIPT, { keys: [this.prefix + key], arguments: [token] });
  }
}

type LockRule = {
  /** How long to try again while the lock is held; without it, none. */
  waitMs?: number;
  /** What a request that does not get the lock is refused with; tus's lock timeout without it. */
  refuse?: () => Error;
  /** Whether the holder's request moved bytes since last asked; without it, the holder is alive while it holds. */
  moving?: (() => boolean) | undefined;
};

/**
 * A tus Lock on a lease, renewed a few times per lease while its holder shows signs of life. A holder whose request
 * moved no bytes for a lease is asked to stop (tus's release request) and keeps the lease while it winds down; one
 * whose lease lapsed anyway (another request may hold it now) is asked to stop at once; a killed holder's lease
 * lapses by itself.
 */
class LeasedLock implements Lock {
  readonly #token = randomUUID();
  #renewal: NodeJS.Timeout | undefined;

  constructor(
    readonly leases: Leases,
    readonly key: string,
    readonly leaseMs: number,
    readonly rule: LockRule,
  ) {}

  async lock(signal: AbortSignal, stop?: RequestRelease): Promise<void> {
    if (!(await this.acquire(signal, stop))) throw this.rule.refuse?.() ?? ERRORS.ERR_LOCK_TIMEOUT;
  }

  /** True once held; false when still held by another after `waitMs` (or at once, without it). */
  async acquire(signal: AbortSignal, stop: RequestRelease | undefined): Promise<boolean> {
    const until = Date.now() + (this.rule.waitMs ?? 0);
    while (!(await this.leases.take(this.key, this.#token, this.leaseMs))) {
      if (signal.aborted || Date.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
    this.#keep(stop);
    return true;
  }

  unlock(): Promise<void> {
    clearInterval(this.#renewal);
    return this.leases.give(this.key, this.#token);
  }

  #keep(stop: RequestRelease | undefined): void {
    const { moving } = this.rule;
    let lastSign = Date.now();
    let toldAt = 0;
    const end = () => {
      clearInterval(this.#renewal);
      void stop?.();
    };
    this.#renewal = setInterval(
      () => {
        if (!moving || moving()) lastSign = Date.now();
        if (!toldAt && Date.now() - lastSign >= this.leaseMs) {
          toldAt = Date.now();
          void stop?.();
        }
        // Told to stop, the holder keeps its lease until its request has ended (unlock), so that a write to the
        // store still under way cannot overlap the next request's; one that does not end soon lets it lapse.
        if (toldAt && Date.now() - toldAt >= this.leaseMs * STOPPING_LEASES) {
          clearInterval(this.#renewal);
          return;
        }
        this.leases.renew(this.key, this.#token, this.leaseMs).then(
          (renewed) => renewed || end(),
          () => undefined,
        );
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    ).unref();
  }
}

async function withLock<T>(lock: LeasedLock, work: () => Promise<T>): Promise<T> {
  await lock.lock(new AbortController().signal);
  try {
    return await work();
  } finally {
    await lock.unlock();
  }
}
