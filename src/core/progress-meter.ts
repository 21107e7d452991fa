/**
 * Speed and time left from a running byte count. Speed is measured over a sliding window of recent samples so it
 * follows real changes (a pause, a slower network) without jumping on every progress tick.
 */

interface Sample {
  readonly at: number;
  readonly bytes: number;
}

export interface ProgressReading {
  readonly bytesPerSecond: number;
  /** Seconds left at the current speed; Infinity while the speed is unknown. */
  readonly secondsLeft: number;
}

export class ProgressMeter {
  readonly #windowMs: number;
  #samples: Sample[] = [];

  constructor(windowMs = 5000) {
    this.#windowMs = windowMs;
  }

  /** Records `bytesDone` at time `at` (ms) and returns the current reading towards `bytesTotal`. */
  record(at: number, bytesDone: number, bytesTotal: number): ProgressReading {
    this.#samples.push({ at, bytes: bytesDone });
    while (this.#samples.length > 2 && (this.#samples[0] as Sample).at < at - this.#windowMs)
      this.#samples.shift();
    const first = this.#samples[0] as Sample;
    const elapsed = (at - first.at) / 1000;
    const bytesPerSecond = elapsed > 0 ? Math.max(0, bytesDone - first.bytes) / elapsed : 0;
    const left = Math.max(0, bytesTotal - bytesDone);
    return {
      bytesPerSecond,
      secondsLeft: left === 0 ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : Infinity,
    };
  }

  /** Forgets the history, e.g. after a pause, so the speed does not count the idle time. */
  reset(): void {
    this.#samples = [];
  }
}
