/**
 * The upload step: settings, the running batch, and what the page shows of it. The engine reports finished and
 * failed files as they happen; bytes in flight are read from it four times a second, so a progress tick never
 * touches Svelte state. Figures are for the whole folder, so retrying one file shows it joining the others.
 */
import { formatBytes, plural } from '#core/format';
import { sanitizeBatchName, suggestBatchName } from '#core/paths';
import { ProgressMeter } from '#core/progress-meter';
import { defaultEndpoint, endpointProblem } from '../../platform/endpoint';
import { UploadRun, type UploadJob } from '../../upload/upload-run';
import type { ArrivalsText } from '../../workers/folder-bridge';
import type { Announcer } from './announcer.svelte';
import type { FileRow } from './file-row';
import type { FolderState } from './folder.svelte';

export type UploadPhase = 'idle' | 'uploading' | 'paused' | 'done' | 'cancelled';

export interface Failure {
  readonly id: number;
  readonly path: string;
  readonly message: string;
  readonly cause: string;
}

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
const TICK_MS = 250;
const FAILURES_SHOWN = 100;

export class UploadState {
  endpoint = $state(defaultEndpoint());
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
  readonly #meter = new ProgressMeter();
  readonly #failures = new Map<number, Failure>();
  /** Where each uploaded file went, by path, for the file lists. */
  readonly #arrivals = new Map<string, { readonly storedPath: string; readonly uploadUrl: string }>();
  /** Files that arrived, counted when a run settles (not per file), so the file lists refresh once. */
  arrivalCount = $state(0);
  #failuresChanged = false;
  #totals = { files: 0, heldBack: 0, bytes: 0, done: 0, doneBytes: 0 };
  readonly #folder: FolderState;
  readonly #announcer: Announcer;
  readonly #admits: (rowId: number) => boolean;

  /** `admits` says whether the check lets a file into the upload (errors stay out unless overridden). */
  constructor(folder: FolderState, announcer: Announcer, admits: (rowId: number) => boolean = () => true) {
    this.#folder = folder;
    this.#announcer = announcer;
    this.#admits = admits;
  }

  get active(): boolean {
    return this.phase === 'uploading' || this.phase === 'paused';
  }

  /** Forgets the last batch when a new folder is picked, and suggests a fresh batch name for it. */
  reset(folderName: string): void {
    if (this.active) return;
    this.#run?.cancel();
    this.#run = null;
    this.phase = 'idle';
    this.#failures.clear();
    this.#arrivals.clear();
    this.arrivalCount = 0;
    this.#failuresChanged = true;
    this.#publishFailures();
    this.figures = NO_FIGURES;
    this.settingsError = '';
    this.batch = suggestBatchName(folderName, new Date());
  }

  /** Where the receiver placed each uploaded file, packed for the folder worker (see ArrivalsText). */
  arrivals(): ArrivalsText {
    const paths: string[] = [];
    const storedPaths: string[] = [];
    const uploadUrls: string[] = [];
    for (const [path, arrival] of this.#arrivals) {
      paths.push(path);
      storedPaths.push(arrival.storedPath);
      uploadUrls.push(arrival.uploadUrl);
    }
    return {
      paths: paths.join('\u0000'),
      storedPaths: storedPaths.join('\u0000'),
      uploadUrls: uploadUrls.join('\u0000'),
    };
  }

  /** Uploads every file that has not arrived yet. */
  start(): void {
    if (this.active || this.#folder.phase !== 'ready') return;
    const waiting = this.#folder.rows.filter((r) => r.status !== 'skipped' && r.status !== 'done');
    const ids = waiting.filter((r) => this.#admits(r.id)).map((r) => r.id);
    const heldBack = waiting.length - ids.length;
    if (ids.length === 0) {
      this.#announcer.say(
        heldBack > 0
          ? `Nothing to upload: ${plural(heldBack, 'file')} with errors stay out. Fix them, or tick "Upload files with errors too".`
          : 'Nothing left to upload: every file is uploaded or skipped.',
      );
      return;
    }
    this.#send(ids);
  }

  /** Sends one failed file again, while the rest of the batch goes on. */
  retry(id: number): void {
    this.#send([id]);
  }

  retryAll(): void {
    this.#send([...this.#failures.keys()]);
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
    this.#run.cancel();
    this.#run = null;
    for (const row of this.#folder.rows) {
      if (row.status === 'queued' || row.status === 'uploading') {
        row.status = 'cancelled';
        row.uploaded = 0;
      }
    }
    this.#stop('cancelled');
    this.#announcer.say(
      `Upload cancelled. ${plural(this.#totals.done, 'file')} had arrived; Start upload sends the rest.`,
    );
  }

  /**
   * Queues rows for upload: into the running batch when there is one (its settings are locked while it runs),
   * else into a new run that takes the settings as they are now, such as a corrected access token.
   */
  #send(ids: readonly number[]): void {
    const rows = this.#folder.rows;
    if (!this.#folder.source) return;
    if (!this.#run || !this.active) {
      const problem = this.#checkSettings();
      this.settingsError = problem;
      if (problem) {
        this.#announcer.say(problem);
        return;
      }
    }
    const jobs: UploadJob[] = [];
    for (const id of ids) {
      const row = rows[id];
      if (!row || row.status === 'skipped' || row.status === 'done') continue;
      row.status = 'queued';
      row.uploaded = 0;
      row.message = '';
      this.#failures.delete(id);
      jobs.push({ id, path: row.path, size: row.size, lastModified: row.lastModified, mime: row.mime });
    }
    this.#failuresChanged = true;
    if (jobs.length === 0) return;
    if (this.#run && this.active) {
      this.#run.send(jobs);
    } else {
      this.#begin(jobs, (path) => this.#folder.open(path));
    }
    this.#tick();
  }

  #begin(jobs: UploadJob[], open: (path: string) => Promise<File>): void {
    this.#run?.cancel();
    this.#countFolder();
    this.#meter.reset();
    performance.mark('queue-start');
    const rows = this.#folder.rows;
    this.#run = new UploadRun(
      jobs,
      { endpoint: this.endpoint, token: this.token.trim(), batch: this.batch },
      (job) => open(job.path),
      {
        onFileDone: (id, storedPath, uploadUrl) => this.#arrived(rows[id], storedPath, uploadUrl),
        onFileFailed: (id, message, cause) => {
          const row = rows[id];
          if (!row) return;
          row.status = 'failed';
          row.message = message;
          this.#failures.set(id, { id, path: row.path, message, cause });
          this.#failuresChanged = true;
        },
        onSettled: () => this.#settled(),
      },
    );
    this.phase = 'uploading';
    this.#run.start();
    this.#announcer.say(`Upload started: ${plural(jobs.length, 'file')} to ${this.endpoint}.`);
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  #arrived(row: FileRow | undefined, storedPath: string | null, uploadUrl: string | null): void {
    if (!row) return;
    row.status = 'done';
    row.uploaded = row.size;
    const expected = `${this.batch}/${row.path}`;
    this.#arrivals.set(row.path, { storedPath: storedPath ?? expected, uploadUrl: uploadUrl ?? '' });
    row.message =
      storedPath && storedPath !== expected
        ? `Stored as ${storedPath} (a different file had that name).`
        : '';
    this.#totals.done += 1;
    this.#totals.doneBytes += row.size;
  }

  /** Folder-wide totals, counted once per run rather than on every tick. */
  #countFolder(): void {
    const totals = { files: 0, heldBack: 0, bytes: 0, done: 0, doneBytes: 0 };
    for (const row of this.#folder.rows) {
      if (row.status === 'skipped') continue;
      if (row.status !== 'done' && !this.#admits(row.id)) {
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

  #checkSettings(): string {
    const problem = endpointProblem(this.endpoint);
    if (problem) return problem;
    const batch = sanitizeBatchName(this.batch);
    return batch.ok ? '' : `The batch name cannot be used: ${batch.reason}`;
  }

  #tick(): void {
    const rows = this.#folder.rows;
    let inFlightBytes = 0;
    const snap = this.#run?.snapshot();
    if (snap) {
      for (const [id, bytes] of snap.inFlight) {
        const row = rows[id];
        inFlightBytes += bytes;
        if (row && row.status === 'queued') row.status = 'uploading';
        if (row && row.status === 'uploading') row.uploaded = bytes;
      }
    }
    const { files, heldBack, bytes, done, doneBytes } = this.#totals;
    const uploadedBytes = doneBytes + inFlightBytes;
    const paused = snap?.paused ?? false;
    const reading = this.#meter.record(performance.now(), uploadedBytes, bytes);
    this.#publishFailures();
    this.figures = {
      files,
      heldBack,
      done,
      failed: this.#failures.size,
      bytes,
      uploadedBytes,
      bytesPerSecond: paused ? 0 : reading.bytesPerSecond,
      secondsLeft: paused ? Infinity : reading.secondsLeft,
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
      if (shown.length < FAILURES_SHOWN) shown.push(failure);
      causes.set(failure.cause, (causes.get(failure.cause) ?? 0) + 1);
    }
    this.failures = shown;
    this.failureCauses = [...causes].sort((a, b) => b[1] - a[1]);
  }

  #settled(): void {
    this.#tick();
    this.arrivalCount = this.#arrivals.size;
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
