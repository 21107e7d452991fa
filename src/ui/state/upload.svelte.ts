/**
 * The upload step: the running batch, and what the page shows of it. The engine reports finished and failed
 * files as they happen; bytes in flight are read from it four times a second, so a progress tick never touches
 * Svelte state. Figures are for the whole folder, so retrying one file shows it joining the others. The form's
 * fields are in upload-form, the failed files in upload-failures, the journal in upload-journal, the batch's
 * completion in upload-completion, where files went in upload-arrivals, what the page says of the server in
 * upload-server-notes and why the transfer waits in upload-notice.
 */
import { formatBytes, plural } from '#core/format';
import { suggestBatchName } from '#core/paths';
import { profileList } from '#core/profiles/registry';
import { RECEIVER_EXTENSIONS, storedPathFor } from '#core/protocol';
import { supports, type TusCapabilities } from '#core/tus-capabilities';
import type { FileDigests } from '#core/digest';
import type { BatchJournal, FileChange, SavedBatch } from '../../platform/batch-journal';
import { yieldToPage } from '../../platform/pick-folder';
import type { CompletionView } from './completion-view';
import { discoverTus } from '../../upload/tus-discovery';
import { UploadRun } from '../../upload/upload-run';
import type { Arrival, UploadJob } from '../../upload/upload-types';
import type { ArrivalsDelta } from '../../workers/folder-bridge';
import type { Announcer } from './announcer.svelte';
import type { FileRow } from './file-row';
import type { FolderState } from './folder.svelte';
import { Arrivals } from './upload-arrivals';
import { BatchCompletionState } from './upload-completion.svelte';
import { FailureTally, type Failure } from './upload-failures.svelte';
import { UploadFigureCounter, type UploadFigures } from './upload-figures.svelte';
import { UploadForm } from './upload-form.svelte';
import { UploadJournal } from './upload-journal';
import { TransferNotice } from './upload-notice.svelte';
import { ServerNotes } from './upload-server-notes.svelte';

export type UploadPhase = 'idle' | 'uploading' | 'paused' | 'done' | 'cancelled';
export type { UploadFigures } from './upload-figures.svelte';

/** What the journal needs to know of the batch besides the upload settings. */
export interface BatchContext {
  readonly target: string;
  readonly allowErrors: boolean;
  /** Send MD5 as well as SHA-256. */
  readonly md5: boolean;
}

const TICK_MS = 250;
/** Rows handed to the run per task: 1,000 cost the page a few milliseconds. */
const FEED_SLICE = 1000;

export class UploadState {
  readonly #form = new UploadForm();
  #phase = $state<UploadPhase>('idle');
  readonly #figures = new UploadFigureCounter();
  readonly #failures = new FailureTally();
  readonly #completion = new BatchCompletionState();
  #run: UploadRun | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  readonly #arrivals = new Arrivals();
  readonly #notice: TransferNotice;
  readonly #server: ServerNotes;
  /** Files queued while the server is being asked what it supports, before the run exists. */
  #starting: UploadJob[] | null = null;
  #startCount = 0;
  /** Rows queued for upload, not yet handed to the run (see #feedSlice). */
  #feed: number[] = [];
  /** The run settled while rows were still being handed over; said once they are. */
  #settledMeanwhile = false;
  /** The run was paused because the browser went offline (not by the user), so coming online resumes it. */
  #offlinePaused = false;
  /** Files that arrived, counted when a run settles (not per file), so the file lists refresh once. */
  #arrivalCount = $state(0);
  readonly #folder: FolderState;
  readonly #announcer: Announcer;
  readonly #admitter: () => (rowId: number) => boolean;
  readonly #context: () => BatchContext;
  readonly #journal: UploadJournal;
  /** Told when the batch's name changes or its arrivals are counted (see onBatchChange). */
  readonly #batchListeners: (() => void)[] = [];

  /**
   * `admitter` gives what says whether the check lets a file into the upload (errors stay out unless
   * overridden), asked once for a pass over the rows; the journal, when there is one, keeps the batch for
   * resuming after a reload.
   */
  constructor(
    folder: FolderState,
    announcer: Announcer,
    admitter: () => (rowId: number) => boolean = () => () => true,
    context: () => BatchContext = () => ({ target: 'custom', allowErrors: false, md5: false }),
    journal: BatchJournal | null = null,
  ) {
    this.#folder = folder;
    this.#announcer = announcer;
    this.#admitter = admitter;
    this.#context = context;
    this.#journal = new UploadJournal(journal);
    this.#notice = new TransferNotice(announcer);
    this.#server = new ServerNotes(announcer);
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', () => this.#connection(false));
      window.addEventListener('online', () => this.#connection(true));
      window.addEventListener('pagehide', () => this.#journal.flush());
    }
  }

  // The form's fields, bound to its inputs; a running batch keeps the values it started with.
  get endpoint(): string {
    return this.#form.endpoint;
  }
  set endpoint(value: string) {
    this.#form.endpoint = value;
  }
  get token(): string {
    return this.#form.token;
  }
  set token(value: string) {
    this.#form.token = value;
  }
  get batch(): string {
    return this.#form.batch;
  }
  set batch(value: string) {
    this.#form.batch = value;
    this.#batchChanged();
  }
  /** Why the form's fields cannot be used, as last checked. */
  get settingsError(): string {
    return this.#form.error;
  }

  get phase(): UploadPhase {
    return this.#phase;
  }
  get figures(): UploadFigures {
    return this.#figures.figures;
  }
  /** The first failures, for the list on screen. */
  get failures(): readonly Failure[] {
    return this.#failures.shown;
  }
  get failureCount(): number {
    return this.#failures.count;
  }
  /** How many files failed for each cause, most common first. */
  get failureCauses(): readonly (readonly [string, number])[] {
    return this.#failures.causes;
  }
  /** The batch's completion on the receiver, once the upload has settled; null before. */
  get completion(): CompletionView | null {
    return this.#completion.view;
  }
  /** Why the transfer is waiting, when it is: offline, or the receiver not answering. '' otherwise. */
  get notice(): string {
    return this.#notice.text;
  }
  /** What the server of the last run said it supports (asked once per run); null before the first. */
  get capabilities(): TusCapabilities | null {
    return this.#server.capabilities;
  }
  /** Lasting sentences about the server: what it lacks, and limits met on the way, each said once. */
  get serverNotes(): readonly string[] {
    return this.#server.list;
  }
  get arrivalCount(): number {
    return this.#arrivalCount;
  }

  /** `listener` is told when the batch's name changes or its arrivals are counted (see `arrivalCount`). */
  onBatchChange(listener: () => void): void {
    this.#batchListeners.push(listener);
  }

  #batchChanged(): void {
    for (const listener of this.#batchListeners) listener();
  }

  get active(): boolean {
    return this.#phase === 'uploading' || this.#phase === 'paused';
  }

  /** Forgets the last batch when a new folder is picked, and suggests a fresh batch name for it. */
  reset(folderName: string): void {
    if (this.active) return;
    this.#run?.cancel();
    this.#run = null;
    this.#phase = 'idle';
    this.#arrivals.clear();
    this.#journal.forget();
    this.#notice.clear();
    this.#server.clear();
    this.#arrivalCount = 0;
    this.#failures.clear();
    this.#figures.clear();
    this.#form.clearError();
    this.#completion.reset();
    this.#form.batch = suggestBatchName(folderName, new Date());
    this.#batchChanged();
  }

  /** Where the receiver placed the files uploaded since `worker` was last told, packed for it (see ArrivalsDelta). */
  arrivalsFor(worker: object): ArrivalsDelta | null {
    return this.#arrivals.handOver(worker);
  }

  /**
   * Takes up a batch an earlier page left unfinished, once its folder has been scanned and checked again: files
   * that arrived then (same size and date) are done, unfinished uploads continue from the receiver's offset, and
   * the rest is sent. Returns how many files had arrived.
   */
  resumeWith(saved: SavedBatch): number {
    if (this.active) return 0;
    this.#form.endpoint = saved.batch.endpoint;
    this.#form.batch = saved.batch.batch;
    this.#journal.resume(saved.files);
    const byPath = new Map(saved.files.map((f) => [f.path, f]));
    const arrived: number[] = [];
    for (const row of this.#folder.rows) {
      const record = byPath.get(row.path);
      if (!record || record.size !== row.size || record.lastModified !== row.lastModified) continue;
      if (record.arrived) {
        arrived.push(row.id);
        this.#arrivals.set(
          row,
          { ...record.arrived, sha256: record.sha256 ?? '', md5: record.md5 ?? '' },
          this.#folder.names.of(row.path),
        );
      } else {
        this.#journal.continueUpload(row.id, record);
      }
    }
    this.#folder.markArrivedBefore(arrived);
    this.#arrivalCount = this.#arrivals.size;
    this.#batchChanged();
    this.start();
    return arrived.length;
  }

  /** Uploads every file that has not arrived yet. */
  start(): void {
    if (this.active || this.#folder.phase !== 'ready') return;
    const admits = this.#admitter();
    const ids: number[] = [];
    let heldBack = 0;
    for (const row of this.#folder.rows) {
      if (row.status === 'skipped' || row.status === 'done') continue;
      if (admits(row.id)) ids.push(row.id);
      else heldBack += 1;
    }
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
    this.#send(this.#failures.ids());
  }

  pause(): void {
    if (this.#phase !== 'uploading' || !this.#run) return;
    this.#run.pause();
    this.#phase = 'paused';
    this.#tick();
    this.#announcer.say('Upload paused. Press Resume to continue where it stopped.');
  }

  resume(): void {
    if (this.#phase !== 'paused' || !this.#run) return;
    this.#offlinePaused = false;
    this.#figures.restartRate();
    this.#phase = 'uploading';
    this.#run.resume();
    this.#announcer.say('Upload resumed.');
  }

  cancel(): void {
    if (!this.active || (!this.#run && !this.#starting)) return;
    this.#run?.cancel();
    this.#run = null;
    this.#starting = null;
    this.#feed = [];
    this.#settledMeanwhile = false;
    this.#notice.clear();
    this.#journal.clear();
    this.#folder.markCancelled();
    this.#stop('cancelled');
    this.#announcer.say(
      `Upload cancelled. ${plural(this.#figures.arrivedCount, 'file')} had arrived; Start upload sends the rest.`,
    );
  }

  /**
   * Tells the receiver the batch is complete with the files that arrived: by itself once every file has, or when
   * the user gives up the failed ones (or tries again after a failed completion).
   */
  complete(): void {
    if (this.active || this.#phase !== 'done' || this.completion?.phase === 'completing') return;
    this.#complete(this.#failures.size);
  }

  /**
   * Queues rows for upload: into the running batch when there is one (its settings are locked while it runs),
   * else into a new run that takes the settings as they are now, such as a corrected access token. The rows are
   * handed over a slice a task (see #feed), so Start upload on 100,000 files never holds the page.
   */
  #send(ids: readonly number[]): void {
    if (!this.#folder.source) return;
    if (!this.#run || !this.active) {
      const problem = this.#form.check();
      if (problem) {
        this.#announcer.say(problem);
        return;
      }
    }
    const feeding = this.#feed.length > 0;
    for (const id of ids) this.#feed.push(id);
    if (!feeding) this.#feedSlice();
  }

  /**
   * Hands the next slice of queued rows to the run, or starts a run with it; the rest follow one slice a task,
   * once the run exists (while the server is asked what it supports, the feed waits: the run then starts with
   * one slice, not all).
   */
  #feedSlice(): void {
    if (this.#starting) return;
    const ids = this.#feed.splice(0, FEED_SLICE);
    const jobs: UploadJob[] = [];
    for (const id of ids) {
      const row = this.#folder.queueForUpload(id);
      if (!row) continue;
      this.#failures.remove(id);
      const uploadPath = this.#folder.names.of(row.path);
      jobs.push({
        id,
        path: row.path,
        size: row.size,
        lastModified: row.lastModified,
        mime: row.mime,
        ...(uploadPath === row.path ? {} : { uploadPath }),
        ...this.#journal.takeResume(id),
      });
    }
    if (jobs.length > 0) {
      this.#settledMeanwhile = false;
      if (this.#run && this.active) this.#run.send(jobs);
      else this.#begin(jobs);
      this.#tick();
    }
    if (this.#feed.length > 0) this.#feedLater();
    else if (this.#settledMeanwhile) this.#settled();
  }

  #feedLater(): void {
    const feed = this.#feed;
    void yieldToPage().then(() => {
      // Cancelled meanwhile (the feed was emptied), or fed already by a run that just started.
      if (feed === this.#feed && feed.length > 0) this.#feedSlice();
    });
  }

  /** Asks the server what it supports, once per run, then starts the run with what it said. */
  #begin(jobs: UploadJob[]): void {
    this.#run?.cancel();
    this.#completion.reset();
    this.#run = null;
    this.#figures.count(this.#folder.rows, this.#admitter());
    this.#phase = 'uploading';
    this.#starting = jobs;
    const count = ++this.#startCount;
    void discoverTus(this.#form.endpoint).then((discovery) => {
      const queued = this.#starting;
      // Cancelled, or started again, while the server was being asked.
      if (count !== this.#startCount || !queued || this.#phase !== 'uploading') return;
      this.#starting = null;
      this.#server.learned(discovery, this.#form.endpoint);
      this.#startRun(queued, discovery.capabilities, (path) => this.#folder.open(path));
    });
  }

  #startRun(jobs: UploadJob[], capabilities: TusCapabilities, open: (path: string) => Promise<File>): void {
    this.#figures.restartRate();
    performance.mark('queue-start');
    const rows = this.#folder.rows;
    const context = this.#context();
    this.#keepBatch(context);
    const worker = this.#folder.worker;
    const record = (id: number, change: FileChange) => {
      const row = rows[id];
      if (row) this.#journal.update(row, change);
    };
    const { endpoint, token, batch } = this.#form.target;
    this.#run = new UploadRun(
      jobs,
      { endpoint, token, batch, md5: context.md5, capabilities },
      (job) => open(job.path),
      {
        known: async (jobs) => (worker ? worker.knownChecksums(jobs, context.md5) : jobs.map(() => null)),
        digest: (job, file) =>
          worker
            ? worker.digest(job.path, file, context.md5)
            : Promise.reject(new Error('No folder is open.')),
        fastDigest: (job, file) =>
          worker ? worker.fastDigest(job.path, file) : Promise.reject(new Error('No folder is open.')),
        hold: (jobs) => void worker?.holdChecksums(jobs.map((job) => job.path)).catch(() => undefined),
        release: (jobs) => void worker?.releaseChecksums(jobs.map((job) => job.path)).catch(() => undefined),
        adopt: (job, digests) => worker?.adoptChecksums(job, digests),
      },
      {
        onFileDone: (id, arrival) => this.#arrived(rows[id], arrival),
        onFileFailed: (id, message, cause) => {
          const row = rows[id];
          if (!row) return;
          this.#folder.markFailed(id, message);
          this.#failures.add({ id, path: row.path, message, cause });
        },
        onUploadUrl: (id, url) => record(id, { uploadUrl: url ?? undefined }),
        onDigests: (id, digests: FileDigests) => record(id, digests),
        onRetrying: (status) => this.#retrying(status),
        onChunkSize: (chunkSize, refusedBytes, refused) =>
          this.#server.chunkSizeLimited(this.#form.endpoint, chunkSize, refusedBytes, refused),
        onSettled: () => this.#settled(),
      },
    );
    this.#run.start();
    this.#announcer.say(
      `Upload started: ${plural(jobs.length + this.#feed.length, 'file')} to ${this.#form.endpoint}.`,
    );
    if (this.#feed.length > 0) this.#feedLater();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  /** Starts the journal of a new batch, or goes on with the one being resumed. */
  #keepBatch(context: BatchContext): void {
    const { copies, held } = this.#folder.travelling();
    this.#journal.begin({
      folderName: this.#folder.name,
      handle: this.#folder.handle,
      target: context.target,
      allowErrors: context.allowErrors,
      endpoint: this.#form.endpoint,
      batch: this.#form.batch,
      startedAt: Date.now(),
      copies,
      held,
      names: this.#folder.names.pairs(),
    });
  }

  #arrived(row: Readonly<FileRow> | undefined, arrival: Arrival): void {
    if (!row) return;
    const name = this.#folder.names.of(row.path);
    const expected = storedPathFor(this.#form.batch, name);
    // '' where the server does not say (a plain tus server): the lists say so rather than guess.
    const storedPath = arrival.storedPath ?? '';
    const arrived = { storedPath, uploadUrl: arrival.uploadUrl ?? '', verified: arrival.verified };
    this.#arrivals.set(
      row,
      { ...arrived, sha256: arrival.digests?.sha256 ?? '', md5: arrival.digests?.md5 ?? '' },
      name,
    );
    this.#journal.update(row, { ...arrival.digests, uploadUrl: undefined, arrived });
    this.#notice.arrived();
    this.#folder.markUploaded(
      row.id,
      storedPath !== '' && storedPath !== expected
        ? `Stored as ${storedPath} (a different file had that name).`
        : '',
    );
    this.#figures.arrived(row.size);
  }

  #tick(): void {
    const snap = this.#run?.snapshot();
    const inFlight = snap?.inFlight ?? new Map<number, number>();
    this.#failures.publish();
    this.#figures.publish(inFlight, snap?.paused ?? false, this.#failures.size);
    this.#folder.showProgress(inFlight);
  }

  #settled(): void {
    // Rows are still being handed over: the run settles again once they are in.
    if (this.#feed.length > 0) {
      this.#settledMeanwhile = true;
      return;
    }
    this.#settledMeanwhile = false;
    this.#tick();
    this.#arrivalCount = this.#arrivals.size;
    this.#batchChanged();
    this.#notice.clear();
    this.#stop('done');
    const { done, failed, bytes, files } = this.#figures.figures;
    // A complete batch has nothing left to resume; one with failures keeps its journal for Retry after a reload.
    if (failed === 0 && done === files) {
      this.#journal.clear();
      this.#complete(0);
    } else this.#journal.flush();
    this.#announcer.say(
      failed > 0
        ? `Upload finished with problems: ${plural(done, 'file')} arrived, ${plural(failed, 'file')} failed. See the failed files below.`
        : `Upload complete: ${plural(done, 'file')} (${formatBytes(bytes)}) arrived in batch ${this.#form.batch}.`,
    );
  }

  /** Declares the batch complete with the files that arrived and their checksums; `leftOut` were given up. */
  #complete(leftOut: number): void {
    const profile = this.#context().target;
    const target = this.#form.target;
    this.#completion.start({
      target,
      manifest: () =>
        this.#arrivals.manifest(this.#folder.rows, (path) => this.#folder.names.of(path), {
          completionId: crypto.randomUUID(),
          target: profileList.find((p) => p.id === profile)?.label ?? profile,
          leftOut,
        }),
      // A batch resumed after a reload may not have asked the server yet.
      completes: async () =>
        supports(
          this.#server.capabilities ?? (await discoverTus(target.endpoint)).capabilities,
          RECEIVER_EXTENSIONS.batchComplete,
        ),
    });
  }

  /** The browser lost or found its connection: the transfer engine waits by itself; the page says so. */
  #connection(online: boolean): void {
    if (!this.active || !this.#run) return;
    if (!online) {
      // Requests already under way may still trickle out or hang: stop them, and continue from the offsets.
      if (this.#phase === 'uploading') {
        this.#run.pause();
        this.#offlinePaused = true;
      }
      this.#notice.offline();
      return;
    }
    if (this.#offlinePaused && this.#phase === 'uploading') {
      this.#figures.restartRate();
      this.#run.resume();
    }
    this.#offlinePaused = false;
    this.#notice.online();
  }

  /** A request failed in a way worth another try; the engine waits longer each time (up to 20 s). */
  #retrying(status: number): void {
    if (!this.active || !navigator.onLine) return;
    this.#notice.retrying(status, this.#form.endpoint);
  }

  #stop(phase: UploadPhase): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#phase = phase;
  }
}
