/**
 * The master upload queue: which files wait, which are in the transfer window, which are done or failed.
 *
 * The transfer engine (Uppy) is slow with many files, so it only ever holds a bounded window; this queue decides
 * what enters it. Uppy's file id folds the path to lower case, so two files whose paths differ only in case (with
 * the same size and date) would clash inside the window: such a file waits until the other has left it.
 */

export type QueueState = 'waiting' | 'active' | 'done' | 'failed' | 'cancelled';

export interface QueueItem {
  readonly id: number;
  readonly size: number;
  /** Two items with the same key must not be in the window together. */
  readonly key: string;
}

export interface QueueTotals {
  readonly files: number;
  readonly bytes: number;
  readonly waiting: number;
  readonly active: number;
  readonly done: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly doneBytes: number;
}

export class UploadQueue {
  readonly #items = new Map<number, QueueItem>();
  readonly #state = new Map<number, QueueState>();
  #pending: number[] = [];
  #head = 0;
  #deferred: number[] = [];
  readonly #activeKeys = new Set<string>();
  #counts = { waiting: 0, active: 0, done: 0, failed: 0, cancelled: 0 };
  #bytes = 0;
  #doneBytes = 0;

  constructor(items: Iterable<QueueItem> = []) {
    this.add(items);
  }

  /** Appends new items at the end of the queue. */
  add(items: Iterable<QueueItem>): void {
    for (const item of items) {
      if (this.#items.has(item.id)) throw new Error(`Duplicate queue id ${item.id}`);
      this.#items.set(item.id, item);
      this.#state.set(item.id, 'waiting');
      this.#pending.push(item.id);
      this.#bytes += item.size;
      this.#counts.waiting += 1;
    }
  }

  has(id: number): boolean {
    return this.#items.has(id);
  }

  stateOf(id: number): QueueState | undefined {
    return this.#state.get(id);
  }

  get totals(): QueueTotals {
    return { files: this.#items.size, bytes: this.#bytes, doneBytes: this.#doneBytes, ...this.#counts };
  }

  /** True when nothing waits and nothing is in flight. */
  get settled(): boolean {
    return this.#counts.waiting === 0 && this.#counts.active === 0;
  }

  /** Moves up to `capacity` waiting items into the window and returns them, oldest first. */
  take(capacity: number): QueueItem[] {
    const taken: QueueItem[] = [];
    if (capacity <= 0) return taken;
    if (this.#deferred.length > 0) {
      const stillDeferred: number[] = [];
      for (const id of this.#deferred) {
        if (taken.length < capacity && this.#admit(id)) taken.push(this.#item(id));
        else stillDeferred.push(id);
      }
      this.#deferred = stillDeferred;
    }
    while (taken.length < capacity && this.#head < this.#pending.length) {
      const id = this.#pending[this.#head++] as number;
      if (this.#state.get(id) !== 'waiting') continue;
      if (this.#admit(id)) taken.push(this.#item(id));
      else this.#deferred.push(id);
    }
    if (this.#head > 4096 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    return taken;
  }

  markDone(id: number): void {
    if (this.#leave(id, 'done')) this.#doneBytes += this.#item(id).size;
  }

  markFailed(id: number): void {
    this.#leave(id, 'failed');
  }

  /** Puts a failed or cancelled item back at the end of the queue. */
  retry(id: number): boolean {
    const state = this.#state.get(id);
    if (state !== 'failed' && state !== 'cancelled') return false;
    this.#move(id, state, 'waiting');
    this.#pending.push(id);
    return true;
  }

  /** Ids of all failed items, in the order they were queued. */
  failedIds(): number[] {
    return [...this.#state].filter(([, s]) => s === 'failed').map(([id]) => id);
  }

  /** Every waiting and active item becomes cancelled; returns the ids that were active. */
  cancelAll(): number[] {
    const wasActive: number[] = [];
    for (const [id, state] of this.#state) {
      if (state === 'active') wasActive.push(id);
      if (state === 'waiting' || state === 'active') this.#move(id, state, 'cancelled');
    }
    this.#activeKeys.clear();
    this.#pending = [];
    this.#head = 0;
    this.#deferred = [];
    return wasActive;
  }

  #item(id: number): QueueItem {
    const item = this.#items.get(id);
    if (!item) throw new Error(`Unknown queue id ${id}`);
    return item;
  }

  #admit(id: number): boolean {
    const { key } = this.#item(id);
    if (this.#activeKeys.has(key)) return false;
    this.#activeKeys.add(key);
    this.#move(id, 'waiting', 'active');
    return true;
  }

  #leave(id: number, to: 'done' | 'failed'): boolean {
    if (this.#state.get(id) !== 'active') return false;
    this.#activeKeys.delete(this.#item(id).key);
    this.#move(id, 'active', to);
    return true;
  }

  #move(id: number, from: QueueState, to: QueueState): void {
    this.#state.set(id, to);
    this.#counts[from] -= 1;
    this.#counts[to] += 1;
  }
}
