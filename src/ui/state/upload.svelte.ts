/**
 * The upload step: settings, the running batch, and what the page shows of it. The engine reports finished and
 * failed files as they happen; bytes in flight are read from it four times a second, so a progress tick never
 * touches Svelte state.
 */
import { formatBytes, plural } from '#core/format';
import { sanitizeBatchName, suggestBatchName } from '#core/paths';
import { ProgressMeter } from '#core/progress-meter';
import { defaultEndpoint, endpointProblem } from '../../platform/endpoint';
import { loadSetting, saveSetting } from '../../platform/settings-store';
import { UploadRun, type UploadJob } from '../../upload/upload-run';
import type { Announcer } from './announcer.svelte';
import type { FolderState } from './folder.svelte';

export type UploadPhase = 'idle' | 'uploading' | 'paused' | 'done' | 'cancelled';

export interface Failure {
  readonly id: number;
  readonly path: string;
  readonly message: string;
  readonly cause: string;
  readonly retryable: boolean;
}

export interface UploadFigures {
  readonly files: number;
  readonly done: number;
  readonly failed: number;
  readonly bytes: number;
  readonly uploadedBytes: number;
  readonly bytesPerSecond: number;
  readonly secondsLeft: number;
}

const NO_FIGURES: UploadFigures = {
  files: 0,
  done: 0,
  failed: 0,
  bytes: 0,
  uploadedBytes: 0,
  bytesPerSecond: 0,
  secondsLeft: Infinity,
};
const TICK_MS = 250;

export class UploadState {
  endpoint = $state(loadSetting('endpoint') ?? defaultEndpoint());
  token = $state('');
  batch = $state('');
  phase = $state<UploadPhase>('idle');
  figures = $state.raw<UploadFigures>(NO_FIGURES);
  /** The first failures, for the list on screen; all of them are in #failures. */
  failures = $state.raw<readonly Failure[]>([]);
  failureCount = $state(0);
  /** How many files failed for each cause, most common first. */
  failureCauses = $state.raw<readonly (readonly [string, number])[]>([]);
  settingsError = $state('');
  #run: UploadRun | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #meter = new ProgressMeter();
  readonly #failures = new Map<number, Failure>();
  #failuresChanged = false;
  readonly #folder: FolderState;
  readonly #announcer: Announcer;

  constructor(folder: FolderState, announcer: Announcer) {
    this.#folder = folder;
    this.#announcer = announcer;
  }

  get active(): boolean {
    return this.phase === 'uploading' || this.phase === 'paused';
  }

  /** A fresh batch name for a newly scanned folder, unless the user already typed one. */
  suggestBatch(folderName: string): void {
    if (!this.active) this.batch = suggestBatchName(folderName, new Date());
  }

  start(): void {
    if (this.active || !this.#folder.source) return;
    const problem = this.#checkSettings();
    this.settingsError = problem;
    if (problem) {
      this.#announcer.say(problem);
      return;
    }
    saveSetting('endpoint', this.endpoint);
    const rows = this.#folder.rows;
    const jobs: UploadJob[] = [];
    for (const row of rows) {
      if (row.status === 'skipped' || row.status === 'done') continue;
      row.status = 'queued';
      row.uploaded = 0;
      row.message = '';
      jobs.push({
        id: row.id,
        path: row.path,
        size: row.size,
        lastModified: row.lastModified,
        mime: row.mime,
      });
    }
    if (jobs.length === 0) {
      this.#announcer.say('Nothing left to upload: every file is uploaded or skipped.');
      return;
    }
    const source = this.#folder.source;
    this.#run?.cancel();
    performance.mark('queue-start');
    this.#failures.clear();
    this.#failuresChanged = true;
    this.#publishFailures();
    this.#meter.reset();
    this.#run = new UploadRun(
      jobs,
      { endpoint: this.endpoint, token: this.token.trim(), batch: this.batch },
      (job) => source.open(job.path),
      {
        onFileDone: (id, storedPath) => {
          const row = rows[id];
          if (!row) return;
          row.status = 'done';
          row.uploaded = row.size;
          const expected = `${this.batch}/${row.path}`;
          row.message =
            storedPath && storedPath !== expected
              ? `Stored as ${storedPath} (a different file had that name).`
              : '';
        },
        onFileFailed: (id, message, cause, retryable) => {
          const row = rows[id];
          if (!row) return;
          row.status = 'failed';
          row.message = message;
          this.#failures.set(id, { id, path: row.path, message, cause, retryable });
          this.#failuresChanged = true;
        },
        onSettled: () => this.#settled(),
      },
    );
    this.phase = 'uploading';
    this.#run.start();
    this.#announcer.say(`Upload started: ${plural(jobs.length, 'file')} to ${this.endpoint}.`);
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#folder.touch();
  }

  pause(): void {
    if (this.phase !== 'uploading' || !this.#run) return;
    this.#run.pause();
    this.phase = 'paused';
    this.#tick();
    this.#announcer.say('Upload paused. Press Resume to continue where it stopped.');
  }

  resume(): void {
    if (this.phase !== 'paused' || !this.#run) return;
    this.#meter.reset();
    this.phase = 'uploading';
    this.#run.resume();
    this.#announcer.say('Upload resumed.');
  }

  cancel(): void {
    if (!this.active || !this.#run) return;
    const rows = this.#folder.rows;
    this.#run.cancel();
    for (const row of rows) {
      if (row.status === 'queued' || row.status === 'uploading') {
        row.status = 'cancelled';
        row.uploaded = 0;
      }
    }
    this.#stop('cancelled');
    this.#announcer.say(
      `Upload cancelled. ${plural(this.figures.done, 'file')} had arrived; Start upload sends the rest.`,
    );
  }

  retry(id: number): void {
    const row = this.#folder.rows[id];
    if (!row || !this.#run) return;
    if (this.phase === 'cancelled') {
      // A cancelled run cannot restart: a new one takes every file that has not arrived.
      this.start();
      return;
    }
    if (!this.#run.retry(id)) return;
    row.status = 'queued';
    row.message = '';
    this.#failures.delete(id);
    this.#failuresChanged = true;
    this.#publishFailures();
    if (this.phase === 'done') {
      this.phase = 'uploading';
      this.#meter.reset();
      this.#timer = setInterval(() => this.#tick(), TICK_MS);
    }
    this.#folder.touch();
  }

  retryAll(): void {
    for (const id of [...this.#failures.keys()]) this.retry(id);
  }

  #checkSettings(): string {
    const problem = endpointProblem(this.endpoint);
    if (problem) return problem;
    const batch = sanitizeBatchName(this.batch);
    return batch.ok ? '' : `The batch name cannot be used: ${batch.reason}`;
  }

  #tick(): void {
    const run = this.#run;
    if (!run) return;
    const snap = run.snapshot();
    const rows = this.#folder.rows;
    for (const [id, bytes] of snap.inFlight) {
      const row = rows[id];
      if (row && row.status !== 'done' && row.status !== 'failed') {
        row.status = 'uploading';
        row.uploaded = bytes;
      }
    }
    const reading = this.#meter.record(performance.now(), snap.uploadedBytes, snap.bytes);
    this.#publishFailures();
    this.figures = {
      files: snap.files,
      done: snap.done,
      failed: snap.failed,
      bytes: snap.bytes,
      uploadedBytes: snap.uploadedBytes,
      bytesPerSecond: snap.paused ? 0 : reading.bytesPerSecond,
      secondsLeft: snap.paused ? Infinity : reading.secondsLeft,
    };
    this.#folder.touch();
  }

  #publishFailures(): void {
    if (!this.#failuresChanged) return;
    this.#failuresChanged = false;
    this.failureCount = this.#failures.size;
    const shown: Failure[] = [];
    const causes = new Map<string, number>();
    for (const failure of this.#failures.values()) {
      if (shown.length < 100) shown.push(failure);
      causes.set(failure.cause, (causes.get(failure.cause) ?? 0) + 1);
    }
    this.failures = shown;
    this.failureCauses = [...causes].sort((a, b) => b[1] - a[1]);
  }

  #settled(): void {
    this.#tick();
    this.#stop('done');
    const { done, failed, bytes } = this.figures;
    this.#announcer.say(
      failed > 0
        ? `Upload finished with problems: ${plural(done, 'file')} arrived, ${plural(failed, 'file')} failed. See the failed files below.`
        : `Upload complete: ${plural(done, 'file')} (${formatBytes(bytes)}) arrived in batch ${this.batch}.`,
    );
  }

  #stop(phase: UploadPhase): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.phase = phase;
    this.#folder.touch();
  }
}
