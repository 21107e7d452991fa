/**
 * The upload's failed files: every one of them by row, the first ones for the list on screen, and how many failed
 * for each cause. What the page shows is published when the upload's figures are (not per failure).
 */

export interface Failure {
  readonly id: number;
  readonly path: string;
  readonly message: string;
  readonly cause: string;
}

const FAILURES_SHOWN = 100;

export class FailureTally {
  /** The first failures, for the list on screen; all of them are in #all. */
  #shown = $state.raw<readonly Failure[]>([]);
  #count = $state(0);
  /** How many files failed for each cause, most common first. */
  #causes = $state.raw<readonly (readonly [string, number])[]>([]);
  readonly #all = new Map<number, Failure>();
  #changed = false;

  get shown(): readonly Failure[] {
    return this.#shown;
  }

  get count(): number {
    return this.#count;
  }

  get causes(): readonly (readonly [string, number])[] {
    return this.#causes;
  }

  /** Failures so far, published or not. */
  get size(): number {
    return this.#all.size;
  }

  ids(): number[] {
    return [...this.#all.keys()];
  }

  add(failure: Failure): void {
    this.#all.set(failure.id, failure);
    this.#changed = true;
  }

  /** The file is sent again. */
  remove(id: number): void {
    this.#all.delete(id);
    this.#changed = true;
  }

  clear(): void {
    this.#all.clear();
    this.#changed = true;
    this.publish();
  }

  publish(): void {
    if (!this.#changed) return;
    this.#changed = false;
    this.#count = this.#all.size;
    const shown: Failure[] = [];
    const causes = new Map<string, number>();
    for (const failure of this.#all.values()) {
      if (shown.length < FAILURES_SHOWN) shown.push(failure);
      causes.set(failure.cause, (causes.get(failure.cause) ?? 0) + 1);
    }
    this.#shown = shown;
    this.#causes = [...causes].sort((a, b) => b[1] - a[1]);
  }
}
