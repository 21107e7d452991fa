/**
 * The upload's figures for the whole folder: totals counted once per run (not on every tick), the bytes in
 * flight added each time the figures are published, and the rate and time left from a progress meter.
 */
import { ProgressMeter } from '#core/progress-meter';
import type { FileRow } from './file-row';

export interface UploadFigures {
  readonly files: number;
  /** Files the check keeps out of the upload (errors, not overridden). */
  readonly heldBack: number;
  readonly done: number;
  readonly failed: number;
  readonly bytes: number;
  readonly uploadedBytes: number;
  readonly bytesPerSecond: number;
  readonly secondsLeft: number;
}

const NO_FIGURES: UploadFigures = {
  files: 0,
  heldBack: 0,
  done: 0,
  failed: 0,
  bytes: 0,
  uploadedBytes: 0,
  bytesPerSecond: 0,
  secondsLeft: Infinity,
};

const NO_TOTALS = { files: 0, heldBack: 0, bytes: 0, done: 0, doneBytes: 0 };

export class UploadFigureCounter {
  #figures = $state.raw<UploadFigures>(NO_FIGURES);
  #totals = { ...NO_TOTALS };
  readonly #meter = new ProgressMeter();

  /** As last published. */
  get figures(): UploadFigures {
    return this.#figures;
  }

  /** Files arrived so far, counted as they arrive (the figures show them at the next publish). */
  get arrivedCount(): number {
    return this.#totals.done;
  }

  clear(): void {
    this.#figures = NO_FIGURES;
  }

  /** The rate is measured afresh: the transfer starts or goes on after a pause. */
  restartRate(): void {
    this.#meter.reset();
  }

  /** Folder-wide totals of a run: every file not skipped, those `admits` keeps out counted apart. */
  count(rows: readonly Readonly<FileRow>[], admits: (rowId: number) => boolean): void {
    const totals = { ...NO_TOTALS };
    for (const row of rows) {
      if (row.status === 'skipped') continue;
      if (row.status !== 'done' && !admits(row.id)) {
        totals.heldBack += 1;
        continue;
      }
      totals.files += 1;
      totals.bytes += row.size;
      if (row.status === 'done') {
        totals.done += 1;
        totals.doneBytes += row.size;
      }
    }
    this.#totals = totals;
  }

  arrived(bytes: number): void {
    this.#totals.done += 1;
    this.#totals.doneBytes += bytes;
  }

  /** Publishes the figures with the bytes in flight by row; a paused transfer shows no rate. */
  publish(inFlight: ReadonlyMap<number, number>, paused: boolean, failed: number): void {
    let inFlightBytes = 0;
    for (const bytes of inFlight.values()) inFlightBytes += bytes;
    const { files, heldBack, bytes, done, doneBytes } = this.#totals;
    const uploadedBytes = doneBytes + inFlightBytes;
    const reading = this.#meter.record(performance.now(), uploadedBytes, bytes);
    this.#figures = {
      files,
      heldBack,
      done,
      failed,
      bytes,
      uploadedBytes,
      bytesPerSecond: paused ? 0 : reading.bytesPerSecond,
      secondsLeft: paused ? Infinity : reading.secondsLeft,
    };
  }
}
