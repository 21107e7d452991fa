import { randomUUID } from 'node:crypto';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import { createClient } from 'redis';

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
  /** The lock tus takes around each request that writes to an upload. */
  readonly locker: Locker;
  close(): Promise<void>;
}

/** How long a lock outlives its holder when the holder dies without releasing it; renewed while held. */
const LOCK_LEASE_MS = 15_000;
const LOCK_RETRY_MS = 50;
const UPLOAD_LOCK_WAIT_MS = 30_000;

type Entry = { value: string; until: number };

export class MemoryState implements SharedState {
  readonly shared: boolean = false;
  readonly #entries = new Map<string, Entry>();
  readonly #lists = new Map<string, string[]>();
  readonly #held = new Map<string, RequestRelease | undefined>();
  readonly locker: Locker = {
    newLock: (id) => new PolledLock(this.#try(`upload:${id}`), UPLOAD_LOCK_WAIT_MS),
  };

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
    return withLock(new PolledLock(this.#try(`lock:${key}`), waitMs), work);
  }

  ifFree<T>(key: string, work: () => Promise<T>): Promise<T | undefined> {
    return ifFree(this.#try(`lock:${key}`), work);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #try(key: string): LockAttempts {
    return {
      acquire: (release) => {
        if (this.#held.has(key)) return Promise.resolve(false);
        this.#held.set(key, release);
        return Promise.resolve(true);
      },
      askHolder: async () => {
        await this.#held.get(key)?.();
      },
      release: () => {
        this.#held.delete(key);
        return Promise.resolve();
      },
    };
  }
}

const redisClient = (url: string) => createClient({ url });
type Redis = ReturnType<typeof redisClient>;
/** The connection that listens for release requests; after subscribing it is only closed. */
type Subscriber = { quit(): Promise<unknown> };

/**
 * State in Redis. A lock is a key set only when absent, with a lease renewed while held, so that a receiver killed
 * while it holds one stops blocking the upload after LOCK_LEASE_MS. A request that finds an upload locked asks the
 * holder, through a channel every instance listens on, to let go (tus's rule: the newer request on an upload wins
 * over one whose client has likely gone), then waits for it.
 */
export class RedisState implements SharedState {
  readonly shared = true;
  readonly #client: Redis;
  readonly #subscriber: Subscriber;
  readonly #prefix: string;
  /** Release requests for the locks this instance holds, by lock key. */
  readonly #holders = new Map<string, RequestRelease>();
  readonly locker: Locker = {
    newLock: (id) => new PolledLock(this.#try(`upload:${id}`), UPLOAD_LOCK_WAIT_MS),
  };

  private constructor(client: Redis, subscriber: Subscriber, prefix: string) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#prefix = prefix;
  }

  static async connect(url: string, prefix: string): Promise<RedisState> {
    const client = redisClient(url);
    client.on('error', () => undefined);
    await client.connect();
    const subscriber = client.duplicate();
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    const state = new RedisState(client, subscriber, prefix);
    await subscriber.subscribe(`${prefix}release`, (key) => void state.#holders.get(key)?.());
    return state;
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
    return withLock(new PolledLock(this.#try(`lock:${key}`), waitMs), work);
  }

  ifFree<T>(key: string, work: () => Promise<T>): Promise<T | undefined> {
    return ifFree(this.#try(`lock:${key}`), work);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#subscriber.quit(), this.#client.quit()]);
  }

  #try(name: string): LockAttempts {
    const key = `${this.#prefix}${name}`;
    const token = randomUUID();
    let renew: NodeJS.Timeout | undefined;
    return {
      acquire: async (release) => {
        const taken = await this.#client.set(key, token, { NX: true, PX: LOCK_LEASE_MS });
        if (taken !== 'OK') return false;
        if (release) this.#holders.set(key, release);
        renew = setInterval(() => {
          void this.#client.pExpire(key, LOCK_LEASE_MS).catch(() => undefined);
        }, LOCK_LEASE_MS / 3).unref();
        return true;
      },
      askHolder: async () => {
        await this.#client.publish(`${this.#prefix}release`, key);
      },
      release: async () => {
        clearInterval(renew);
        this.#holders.delete(key);
        // Only the holder's own token is removed: a lease that ran out may belong to another request by now.
        const current = await this.#client.get(key);
        if (current === token) await this.#client.del(key);
      },
    };
  }
}

/** The three steps of a lock, in memory or in Redis. */
interface LockAttempts {
  acquire(release: RequestRelease | undefined): Promise<boolean>;
  /** Asks the current holder to let go. */
  askHolder(): Promise<void>;
  release(): Promise<void>;
}

/** A tus Lock that tries again until the holder lets go, up to `waitMs`, then refuses with tus's lock timeout. */
class PolledLock implements Lock {
  constructor(
    readonly attempts: LockAttempts,
    readonly waitMs: number,
  ) {}

  async lock(signal: AbortSignal, requestRelease?: RequestRelease): Promise<void> {
    const until = Date.now() + this.waitMs;
    let asked = false;
    while (!(await this.attempts.acquire(requestRelease))) {
      if (signal.aborted || Date.now() > until) throw ERRORS.ERR_LOCK_TIMEOUT;
      if (!asked && requestRelease) {
        asked = true;
        await this.attempts.askHolder();
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
  }

  unlock(): Promise<void> {
    return this.attempts.release();
  }
}

async function withLock<T>(lock: PolledLock, work: () => Promise<T>): Promise<T> {
  await lock.lock(new AbortController().signal);
  try {
    return await work();
  } finally {
    await lock.unlock();
  }
}

async function ifFree<T>(attempts: LockAttempts, work: () => Promise<T>): Promise<T | undefined> {
  if (!(await attempts.acquire(undefined))) return undefined;
  try {
    return await work();
  } finally {
    await attempts.release();
  }
}
