/**
 * The page's cores, shared out to the image workers (web copies, barcodes): every core while the page has nothing
 * else to do, one fewer while other heavy work runs (the folder worker's scan, check or checksums) and while the
 * person types or scrolls, so the page stays fluid and that work keeps a core. (Long tasks are no sign of need: on a
 * shared machine most of a long task is waiting for a core, and shrinking on them left the copies one worker.) An image job takes a permit before it starts and gives it back when it ends; a running job
 * is never stopped (a decode cannot be), so the share shrinks as the next image would start.
 */

/** How long the page counts as in use after an input. */
export const IN_USE_MS = 1500;

export class CoreShare {
  readonly cores: number;
  readonly #now: () => number;
  #running = 0;
  #claims = 0;
  #inUseUntil = -Infinity;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #listeners = new Set<() => void>();

  constructor(cores: number, now: () => number = () => performance.now()) {
    this.cores = Math.max(1, Math.floor(cores) || 1);
    this.#now = now;
  }

  /** Image jobs allowed at once now. */
  get allowed(): number {
    const shared = this.#claims > 0 || this.#now() < this.#inUseUntil;
    return shared ? Math.max(1, this.cores - 1) : this.cores;
  }

  get running(): number {
    return this.#running;
  }

  /** Takes a permit for one image job; false when the share is used up (wait for {@link onFreed}). */
  take(): boolean {
    if (this.#running >= this.allowed) return false;
    this.#running += 1;
    return true;
  }

  give(): void {
    this.#running = Math.max(0, this.#running - 1);
    this.#freed();
  }

  /** Other heavy work claims a core while it runs; call the returned function (once) when it ends. */
  claim(): () => void {
    this.#claims += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#claims -= 1;
      this.#freed();
    };
  }

  /** The person used the page: keep a core free for a while. */
  pageInUse(): void {
    this.#inUseUntil = this.#now() + IN_USE_MS;
    // One timer per stretch of use, re-armed at its end while the stretch goes on.
    if (this.#timer === null) this.#arm();
  }

  /** Calls `listener` whenever a permit may have become free. */
  onFreed(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #arm(): void {
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        if (this.#now() < this.#inUseUntil) this.#arm();
        else this.#freed();
      },
      Math.max(0, this.#inUseUntil - this.#now()),
    );
  }

  #freed(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** The page's one share; on a page, input marks it in use. */
export const coreShare = new CoreShare(globalThis.navigator?.hardwareConcurrency || 2);

if (typeof document !== 'undefined') {
  const inUse = () => coreShare.pageInUse();
  // Typing and scrolling, not clicks: a click is over at once, and it is often the one that asks for image work
  // (Make web copies), which a core held back for 1.5 s would then wait for behind the barcode reader.
  for (const type of ['keydown', 'wheel', 'touchmove']) {
    addEventListener(type, inUse, { capture: true, passive: true });
  }
}
