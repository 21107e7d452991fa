import { createHash, randomUUID, type Hash } from 'node:crypto';
import { nodeHashName, type DigestAlgorithm } from './digests.ts';
import type { SharedState } from './shared-state.ts';

/** The hashes of one upload on this instance, `offset` bytes in, and the session named in the shared record. */
type Running = { token: string; offset: number; hashes: Map<DigestAlgorithm, Hash>; touched: number };

/** A write's share of an upload's running digests: each byte it keeps passes through `update`. */
export interface DigestRun {
  update(chunk: Buffer): void;
  /** The write kept every byte it passed to `update`, and the upload is now `offset` bytes in. */
  end(offset: number): void;
  /** The write failed: what was hashed may not match what was kept. */
  drop(): void;
}

/**
 * The whole-file digests of uploads, computed with Node's own hashes as the bytes pass this instance (WebAssembly
 * hashes, whose state can be saved, cost several times more CPU). Node cannot hand a running hash to another
 * instance, so an upload's digests live on the instance that took its requests, and a record in the shared state
 * names the session that wrote last: every write names itself there before it keeps a byte, so a session is only
 * continued, or its digests used, when no other instance wrote in between. When one did (a balancer that spreads
 * an upload's requests, an instance that died), the upload gets no running digests, and the finished object is
 * read once instead (ObjectStore.digestsOf).
 */
export class RunningDigests {
  readonly #state: SharedState;
  /** How long an upload's digests are kept, on this instance and in the record, after its last write. */
  readonly #keptMs: number;
  readonly #running = new Map<string, Running>();

  constructor(state: SharedState, keptMs: number) {
    this.#state = state;
    this.#keptMs = keptMs;
  }

  /**
   * The digests a write of `id` at `offset` continues, or undefined when this instance has none that saw every byte
   * before `offset`. Called under the upload's lock, before the write keeps anything.
   */
  async begin(
    id: string,
    offset: number,
    algorithms: readonly DigestAlgorithm[],
  ): Promise<DigestRun | undefined> {
    this.#sweep();
    let running = this.#running.get(id);
    if (offset === 0) {
      running = fresh(algorithms);
      await this.#state.set(recordKey(id), running.token, this.#keptMs);
    } else if (running?.offset !== offset || (await this.#state.get(recordKey(id))) !== running.token) {
      running = undefined;
      // No session of any instance may go on past this write, which nobody hashes.
      await this.#state.delete(recordKey(id));
    }
    this.#running.delete(id);
    if (!running) return undefined;
    const session = running;
    session.touched = Date.now();
    this.#running.set(id, session);
    return {
      update: (chunk) => {
        for (const hash of session.hashes.values()) hash.update(chunk);
      },
      end: (at) => {
        session.offset = at;
        session.touched = Date.now();
      },
      drop: () => {
        if (this.#running.get(id) === session) this.#running.delete(id);
      },
    };
  }

  /** The hexadecimal digests of `id` at `size` bytes, when this instance hashed all of them; else undefined. */
  async digestsAt(id: string, size: number): Promise<Map<DigestAlgorithm, string> | undefined> {
    const running = this.#running.get(id);
    if (running?.offset !== size || (await this.#state.get(recordKey(id))) !== running.token)
      return undefined;
    // Copies, so that asking again (a placement that failed and is tried again) gets the same answer.
    return new Map([...running.hashes].map(([algorithm, hash]) => [algorithm, hash.copy().digest('hex')]));
  }

  async forget(id: string): Promise<void> {
    this.#running.delete(id);
    await this.#state.delete(recordKey(id));
  }

  /** Drops the digests of uploads left alone for longer than they are kept. */
  #sweep(): void {
    const before = Date.now() - this.#keptMs;
    for (const [id, running] of this.#running) if (running.touched < before) this.#running.delete(id);
  }
}

function fresh(algorithms: readonly DigestAlgorithm[]): Running {
  return {
    token: randomUUID(),
    offset: 0,
    hashes: new Map(algorithms.map((algorithm) => [algorithm, createHash(nodeHashName(algorithm))])),
    touched: Date.now(),
  };
}

function recordKey(id: string): string {
  return `hashed-by:${id}`;
}
