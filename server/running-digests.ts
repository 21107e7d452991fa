import { createHash, type Hash } from 'node:crypto';
import { createMD5, createSHA256, createXXHash128 } from 'hash-wasm';
import { FAST_DIGEST } from '#core/protocol';
import { nodeHashName, type DigestAlgorithm } from './digests.ts';
import type { SharedState } from './shared-state.ts';

/** How often the checkpoints of uploads left alone for longer than they are kept are dropped, on one instance. */
const SWEEP_INTERVAL_MS = 60_000;

/** A hash's state at some point: a copy of Node's own hash (this process only), or hash-wasm's saved bytes. */
type HashState = Hash | Uint8Array;

/** The digests of an upload's first `offset` bytes, to be taken up again by whichever write continues there. */
type Checkpoint = { offset: number; hashes: Map<DigestAlgorithm, HashState> };

interface RunningHash {
  update(chunk: Buffer): void;
  state(): HashState;
  /** The digest of what it saw; the hash is not used after. */
  hex(): string;
}

/** How hashes start, from nothing or from a saved state. */
type HashKind = (algorithm: DigestAlgorithm, from: HashState | undefined) => Promise<RunningHash>;

/** Node's own hashes: no cost beyond hashing, but their state lives in this process only. XXH3-128 is hash-wasm's. */
const nodeHashes: HashKind = (algorithm, from) => {
  const name = nodeHashName(algorithm);
  if (name === undefined) return savedHashes(algorithm, from);
  const hash = from instanceof Uint8Array || !from ? createHash(name) : from.copy();
  return Promise.resolve({
    update: (chunk) => void hash.update(chunk),
    state: () => hash.copy(),
    hex: () => hash.digest('hex'),
  });
};

/**
 * hash-wasm's hashes, whose state (about a hundred bytes; XXH3-128's 580) is saved and loaded anywhere; SHA-256 and
 * MD5 cost about 4x Node's CPU.
 */
const savedHashes: HashKind = async (algorithm, from) => {
  const hasher = await (algorithm === 'md5'
    ? createMD5()
    : algorithm === FAST_DIGEST
      ? createXXHash128()
      : createSHA256());
  if (from instanceof Uint8Array) hasher.load(from);
  return {
    update: (chunk) => void hasher.update(chunk),
    state: () => hasher.save(),
    hex: () => hasher.digest('hex'),
  };
};

/** Where an upload's checkpoints are kept, oldest first. */
interface Checkpoints {
  get(id: string): Promise<Checkpoint[]>;
  set(id: string, checkpoints: readonly Checkpoint[]): Promise<void>;
  delete(id: string): Promise<void>;
}

/** In the state the instances share (Redis), hash-wasm's states in base64. */
class SharedCheckpoints implements Checkpoints {
  constructor(
    readonly state: SharedState,
    readonly keptMs: number,
  ) {}

  async get(id: string): Promise<Checkpoint[]> {
    const text = await this.state.get(recordKey(id));
    if (text === undefined) return [];
    const saved = JSON.parse(text) as { offset: number; hashes: Record<string, string> }[];
    return saved.map(({ offset, hashes }) => ({
      offset,
      hashes: new Map(
        Object.entries(hashes).map(([algorithm, state]) => [
          algorithm as DigestAlgorithm,
          new Uint8Array(Buffer.from(state, 'base64')),
        ]),
      ),
    }));
  }

  set(id: string, checkpoints: readonly Checkpoint[]): Promise<void> {
    const saved = checkpoints.map(({ offset, hashes }) => ({
      offset,
      hashes: Object.fromEntries(
        [...hashes].map(([algorithm, state]) => [
          algorithm,
          Buffer.from(state as Uint8Array).toString('base64'),
        ]),
      ),
    }));
    return this.state.set(recordKey(id), JSON.stringify(saved), this.keptMs);
  }

  delete(id: string): Promise<void> {
    return this.state.delete(recordKey(id));
  }
}

/** In this process, for a receiver that runs alone. */
class LocalCheckpoints implements Checkpoints {
  readonly #uploads = new Map<string, { checkpoints: readonly Checkpoint[]; until: number }>();
  #swept = 0;

  constructor(readonly keptMs: number) {}

  get(id: string): Promise<Checkpoint[]> {
    const kept = this.#uploads.get(id);
    return Promise.resolve(kept && kept.until >= Date.now() ? [...kept.checkpoints] : []);
  }

  set(id: string, checkpoints: readonly Checkpoint[]): Promise<void> {
    const now = Date.now();
    if (now - this.#swept > SWEEP_INTERVAL_MS) {
      this.#swept = now;
      for (const [other, kept] of this.#uploads) if (kept.until < now) this.#uploads.delete(other);
    }
    this.#uploads.set(id, { checkpoints, until: now + this.keptMs });
    return Promise.resolve();
  }

  delete(id: string): Promise<void> {
    this.#uploads.delete(id);
    return Promise.resolve();
  }
}

/** A write's share of an upload's running digests (see PartDigests, where offsets count from the write's start). */
export interface DigestRun {
  update(chunk: Buffer): void;
  /** Saves the digests at `offset`, which must be what they saw; S3 may hold that offset once this resolves. */
  checkpoint(offset: number): Promise<void>;
  /** S3 holds the upload up to `offset`: in parts, or (`asPart` false) its last bytes set aside. */
  kept(offset: number, asPart: boolean): void;
  /** Resolves once what the write saved is stored. */
  settled(): Promise<void>;
}

/**
 * The whole-file digests of uploads, computed as the bytes pass, with no second read of the object, whichever
 * instances take an upload's requests. Before S3 may hold an offset (a part or the bytes set aside finished), the
 * digests of the bytes up to there are saved as a checkpoint; the write that continues at the offset HEAD reports
 * (on this instance or another, after the one before was killed in the middle of a request) takes them up there.
 * An upload keeps the checkpoints from its last finished part on: when the next request takes the bytes set aside
 * out of the bucket, the offset goes back to that part's end, and a request cut off right there continues from it.
 *
 * Several instances (shared state in Redis) hash with hash-wasm, whose state can be saved and loaded; one instance
 * alone keeps Node's own hashes (copies of them as checkpoints), which cost a fifth of the CPU.
 *
 * When no checkpoint matches a write's offset (the shared state lost it, or failed to store one), nobody hashes from
 * there on, and the finished object is read from the last checkpoint below (see digestsAt).
 */
export class RunningDigests {
  readonly #hashes: HashKind;
  readonly #checkpoints: Checkpoints;

  constructor(state: SharedState, keptMs: number) {
    this.#hashes = state.shared ? savedHashes : nodeHashes;
    this.#checkpoints = state.shared ? new SharedCheckpoints(state, keptMs) : new LocalCheckpoints(keptMs);
  }

  /**
   * The digests a write of `id` at `offset` continues, or undefined when no checkpoint is at `offset`. Called under
   * the upload's lock, before the write keeps anything.
   */
  async begin(
    id: string,
    offset: number,
    algorithms: readonly DigestAlgorithm[],
  ): Promise<DigestRun | undefined> {
    const found = offset === 0 ? [] : await this.#checkpoints.get(id);
    // Those beyond were saved by a write that died before S3 held their bytes; what it sent comes again.
    const kept = found.filter((checkpoint) => checkpoint.offset <= offset);
    const from = offset === 0 ? { offset, hashes: new Map() } : matching(kept, offset, algorithms);
    if (!from) {
      if (kept.length < found.length) await this.#checkpoints.set(id, kept);
      return undefined;
    }
    const hashes = await this.#start(from, algorithms, this.#hashes);
    let seen = offset;
    let checkpoints = kept;
    let writes: Promise<void> = Promise.resolve();
    const store = () => {
      const now = checkpoints;
      writes = writes.catch(() => undefined).then(() => this.#checkpoints.set(id, now));
      return writes;
    };
    if (offset === 0) await store();
    return {
      update: (chunk) => {
        for (const [, hash] of hashes) hash.update(chunk);
        seen += chunk.length;
      },
      checkpoint: (at) => {
        if (at !== seen) return Promise.reject(new Error(`digests of ${seen} bytes saved as ${at}`));
        const state = new Map([...hashes].map(([algorithm, hash]) => [algorithm, hash.state()] as const));
        checkpoints = [...checkpoints, { offset: at, hashes: state }];
        return store();
      },
      kept: (at, asPart) => {
        // Below a finished part S3 never goes back; the bytes set aside may still be taken out again.
        if (asPart) checkpoints = checkpoints.filter((checkpoint) => checkpoint.offset >= at);
        // Failing to forget checkpoints below S3's offset leaves only older true ones.
        store().catch(() => undefined);
      },
      settled: () => writes.catch(() => undefined),
    };
  }

  /**
   * The hexadecimal digests of `id` at `size` bytes: from its checkpoint at `size`, or, when it has none, from the
   * last one below (or the start) and the bytes after it, read from `rest`.
   */
  async digestsAt(
    id: string,
    size: number,
    algorithms: readonly DigestAlgorithm[],
    rest: (from: number) => Promise<AsyncIterable<Buffer>>,
  ): Promise<Map<DigestAlgorithm, string>> {
    const usable = (await this.#checkpoints.get(id)).filter(
      (checkpoint) => checkpoint.offset <= size && covers(checkpoint, algorithms),
    );
    const start: Checkpoint = { offset: 0, hashes: new Map() };
    const from = usable.reduce(
      (last, checkpoint) => (checkpoint.offset > last.offset ? checkpoint : last),
      start,
    );
    // Reading the whole object, nothing needs saving: Node's hashes are faster.
    const hashes = await this.#start(from, algorithms, from.offset === 0 ? nodeHashes : this.#hashes);
    if (from.offset < size) {
      for await (const chunk of await rest(from.offset)) for (const [, hash] of hashes) hash.update(chunk);
    }
    return new Map([...hashes].map(([algorithm, hash]) => [algorithm, hash.hex()]));
  }

  forget(id: string): Promise<void> {
    return this.#checkpoints.delete(id);
  }

  async #start(
    from: Checkpoint,
    algorithms: readonly DigestAlgorithm[],
    kind: HashKind,
  ): Promise<Map<DigestAlgorithm, RunningHash>> {
    const hashes = await Promise.all(
      algorithms.map((algorithm) => kind(algorithm, from.hashes.get(algorithm))),
    );
    return new Map(algorithms.map((algorithm, index) => [algorithm, hashes[index] as RunningHash]));
  }
}

/** The checkpoint at `offset` with every one of `algorithms`, if there is one. */
function matching(
  checkpoints: readonly Checkpoint[],
  offset: number,
  algorithms: readonly DigestAlgorithm[],
): Checkpoint | undefined {
  return checkpoints.find((checkpoint) => checkpoint.offset === offset && covers(checkpoint, algorithms));
}

/** Whether `checkpoint` holds a state for every one of `algorithms`. */
function covers(checkpoint: Checkpoint, algorithms: readonly DigestAlgorithm[]): boolean {
  return algorithms.every((algorithm) => checkpoint.hashes.has(algorithm));
}

function recordKey(id: string): string {
  return `digests:${id}`;
}
