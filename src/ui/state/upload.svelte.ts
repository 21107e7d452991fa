/**
 * The upload step: the running batch, and what the page shows of it. The engine reports finished and failed
 * files as they happen; bytes in flight are read from it four times a second, so a progress tick never touches
 * Svelte state. Figures are for the whole folder, so retrying one file shows it joining the others. The form's
 * fields are in upload-form, the failed files in upload-failures, the journal in upload-journal and the batch's
 * completion in upload-completion.
 */
import { formatBytes, plural } from '#core/format';
import { suggestBatchName } from '#core/paths';
import { ProgressMeter } from '#core/progress-meter';
import { profileList } from '#core/profiles/registry';
import { RECEIVER_EXTENSIONS, storedPathFor, type ManifestEntry } from '#core/protocol';
import { supports, transferPlan, type TusCapabilities } from '#core/tus-capabilities';
import type { FileDigests } from '#core/digest';
import type { BatchJournal, FileChange, SavedBatch } from '../../platform/batch-journal';
import type { CompletionView } from './completion-view';
import { discoverTus, plainTusNotice, type Discovery } from '../../upload/tus-discovery';
import { UploadRun } from '../../upload/upload-run';
import type { Arrival, UploadJob } from '../../upload/upload-types';
import { packColumn, type ArrivalsText } from '../../workers/folder-bridge';
import type { Announcer } from './announcer.svelte';
import type { FileRow } from './file-row';
import type { FolderState } from './folder.svelte';
import { BatchCompletionState } from './upload-completion.svelte';
import { FailureTally, type Failure } from './upload-failures.svelte';
import { UploadForm } from './upload-form.svelte';
import { UploadJournal } from './upload-journal';

export type UploadPhase = 'idle' | 'uploading' | 'paused' | 'done' | 'cancelled';

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
/** What the journal needs to know of the batch besides the upload settings. */
export interface BatchContext {
  readonly target: string;
  readonly allowErrors: boolean;
  /** Send MD5 as well as SHA-256. */
  readonly md5: boolean;
}

interface Arrived {
  readonly storedPath: string;
  readonly uploadUrl: string;
  readonly sha256: string;
  readonly md5: string;
  /** What the receiver said it verified ('sha-256, md5'), '' when it did not say. */
  readonly verified: string;
}

const TICK_MS = 250;

export class UploadState {
  readonly #form = new UploadForm();
  #phase = $state<UploadPhase>('idle');
  #figures = $state.raw<UploadFigures>(NO_FIGURES);
  readonly #failures = new FailureTally();
  readonly #completion = new BatchCompletionState();
  #run: UploadRun | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  readonly #meter = new ProgressMeter();
  /** Where each uploaded file went, by path, for the file lists. */
  readonly #arrivals = new Map<string, Arrived>();
  /** Why the transfer is waiting, when it is: offline, or the receiver not answering. '' otherwise. */
  #notice = $state('');
  /** What the server of the last run said it supports (asked once per run); null before the first. */
  #capabilities = $state.raw<TusCapabilities | null>(null);
  /** Lasting sentences about the server: what it lacks, and limits met on the way, each said once. */
  #serverNoteList = $state.raw<readonly string[]>([]);
  readonly #serverNotes = new Map<string, string>();
  /** Files queued while the server is being asked what it supports, before the run exists. */
  #starting: UploadJob[] | null = null;
  #startCount = 0;
  /** The run was paused because the browser went offline (not by the user), so coming online resumes it. */
  #offlinePaused = false;
  /** Files that arrived, counted when a run settles (not per file), so the file lists refresh once. */
  #arrivalCount = $state(0);
  #totals = { files: 0, heldBack: 0, bytes: 0, done: 0, doneBytes: 0 };
  readonly #folder: FolderState;
  readonly #announcer: Announcer;
  readonly #admits: (rowId: number) => boolean;
  readonly #context: () => BatchContext;
  readonly #journal: UploadJournal;

  /**
   * `admits` says whether the check lets a file into the upload (errors stay out unless overridden); the
   * journal, when there is one, keeps the batch for resuming after a reload.
   */
  constructor(
    folder: FolderState,
    announcer: Announcer,
    admits: (rowId: number) => boolean = () => true,
    context: () => BatchContext = () => ({ target: 'custom', allowErrors: false, md5: false }),
    journal: BatchJournal | null = null,
  ) {
    this.#folder = folder;
    this.#announcer = announcer;
    this.#admits = admits;
    this.#context = context;
    this.#journal = new UploadJournal(journal);
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
  }
  /** Why the form's fields cannot be used, as last checked. */
  get settingsError(): string {
    return this.#form.error;
  }

  get phase(): UploadPhase {
    return this.#phase;
  }
  get figures(): UploadFigures {
    return this.#figures;
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
  get notice(): string {
    return this.#notice;
  }
  get capabilities(): TusCapabilities | null {
    return this.#capabilities;
  }
  get serverNotes(): readonly string[] {
    return this.#serverNoteList;
  }
  get arrivalCount(): number {
    return this.#arrivalCount;
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
    this.#notice = '';
    this.#serverNotes.clear();
    this.#serverNoteList = [];
    this.#arrivalCount = 0;
    this.#failures.clear();
    this.#figures = NO_FIGURES;
    this.#form.clearError();
    this.#completion.reset();
    this.#form.batch = suggestBatchName(folderName, new Date());
  }

  /** Where the receiver placed each uploaded file, packed for the folder worker (see ArrivalsText). */
  arrivals(): ArrivalsText {
    const entries = [...this.#arrivals];
    return {
      paths: packColumn(entries, ([path]) => path),
      storedPaths: packColumn(entries, ([, a]) => a.storedPath),
      uploadUrls: packColumn(entries, ([, a]) => a.uploadUrl),
      sha256s: packColumn(entries, ([, a]) => a.sha256),
      md5s: packColumn(entries, ([, a]) => a.md5),
      verified: packColumn(entries, ([, a]) => a.verified),
    };
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
        this.#arrivals.set(row.path, {
          ...record.arrived,
          sha256: record.sha256 ?? '',
          md5: record.md5 ?? '',
        });
      } else {
        this.#journal.continueUpload(row.id, record);
      }
    }
    this.#folder.markArrivedBefore(arrived);
    this.#arrivalCount = this.#arrivals.size;
    this.start();
    return arrived.length;
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
    this.#meter.reset();
    this.#phase = 'uploading';
    this.#run.resume();
    this.#announcer.say('Upload resumed.');
  }

  cancel(): void {
    if (!this.active || (!this.#run && !this.#starting)) return;
    this.#run?.cancel();
    this.#run = null;
    this.#starting = null;
    this.#notice = '';
    this.#journal.clear();
    this.#folder.markCancelled();
    this.#stop('cancelled');
    this.#announcer.say(
      `Upload cancelled. ${plural(this.#totals.done, 'file')} had arrived; Start upload sends the rest.`,
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
   * else into a new run that takes the settings as they are now, such as a corrected access token.
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
    if (jobs.length === 0) return;
    if (this.#starting) {
      this.#starting.push(...jobs);
    } else if (this.#run && this.active) {
      this.#run.send(jobs);
    } else {
      this.#begin(jobs);
    }
    this.#tick();
  }

  /** Asks the server what it supports, once per run, then starts the run with what it said. */
  #begin(jobs: UploadJob[]): void {
    this.#run?.cancel();
    this.#completion.reset();
    this.#run = null;
    this.#countFolder();
    this.#phase = 'uploading';
    this.#starting = jobs;
    const count = ++this.#startCount;
    void discoverTus(this.#form.endpoint).then((discovery) => {
      const queued = this.#starting;
      // Cancelled, or started again, while the server was being asked.
      if (count !== this.#startCount || !queued || this.#phase !== 'uploading') return;
      this.#starting = null;
      this.#learned(discovery);
      this.#startRun(queued, discovery.capabilities, (path) => this.#folder.open(path));
    });
  }

  /** Says once what the server lacks, or that it could not be asked. */
  #learned(discovery: Discovery): void {
    this.#capabilities = discovery.capabilities;
    const plan = transferPlan(discovery.capabilities);
    if (discovery.problem) {
      this.#noteOnce('plain', plainTusNotice(this.#form.endpoint, discovery.problem));
    } else if (plan.chunkChecksum) {
      this.#noteOnce(
        'unverified',
        `The server at ${this.#form.endpoint} checks the bytes of each request as they arrive (tus checksum extension, ${plan.chunkChecksum}), but not whole files, so the receipt and the manifest say "in transit" where they would say "yes"; it does not say where it stores each file.`,
      );
    } else if (!plan.verifies) {
      this.#noteOnce(
        'unverified',
        `The server at ${this.#form.endpoint} is a plain tus server: it does not check the files' checksums, so the receipt and the manifest say "not verified by the receiver" (the checksums still travel with each file as tus metadata), and it does not say where it stores each file.`,
      );
    }
  }

  /** A lasting note about the server, replacing the one of the same kind, announced when it is new. */
  #noteOnce(kind: string, sentence: string): void {
    if (this.#serverNotes.get(kind) === sentence) return;
    const isNew = !this.#serverNotes.has(kind);
    this.#serverNotes.set(kind, sentence);
    this.#serverNoteList = [...this.#serverNotes.values()];
    if (isNew) this.#announcer.say(sentence);
  }

  #startRun(jobs: UploadJob[], capabilities: TusCapabilities, open: (path: string) => Promise<File>): void {
    this.#meter.reset();
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
          this.#noteOnce(
            'chunk',
            `Requests of ${formatBytes(refusedBytes)} ${refused ? 'were refused (413 Payload Too Large)' : 'got no answer while smaller ones did'} at ${this.#form.endpoint}: the server, or a proxy before it, limits request bodies, so the upload now sends files in pieces of ${formatBytes(chunkSize)}.`,
          ),
        onSettled: () => this.#settled(),
      },
    );
    this.#run.start();
    this.#announcer.say(`Upload started: ${plural(jobs.length, 'file')} to ${this.#form.endpoint}.`);
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
    const expected = storedPathFor(this.#form.batch, this.#folder.names.of(row.path));
    // '' where the server does not say (a plain tus server): the lists say so rather than guess.
    const storedPath = arrival.storedPath ?? '';
    const arrived = { storedPath, uploadUrl: arrival.uploadUrl ?? '', verified: arrival.verified };
    this.#arrivals.set(row.path, {
      ...arrived,
      sha256: arrival.digests?.sha256 ?? '',
      md5: arrival.digests?.md5 ?? '',
    });
    this.#journal.update(row, { ...arrival.digests, uploadUrl: undefined, arrived });
    if (this.#notice && navigator.onLine) this.#notice = '';
    this.#folder.markUploaded(
      row.id,
      storedPath !== '' && storedPath !== expected
        ? `Stored as ${storedPath} (a different file had that name).`
        : '',
    );
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

  #tick(): void {
    let inFlightBytes = 0;
    const snap = this.#run?.snapshot();
    const inFlight = snap?.inFlight ?? new Map<number, number>();
    for (const bytes of inFlight.values()) inFlightBytes += bytes;
    const { files, heldBack, bytes, done, doneBytes } = this.#totals;
    const uploadedBytes = doneBytes + inFlightBytes;
    const paused = snap?.paused ?? false;
    const reading = this.#meter.record(performance.now(), uploadedBytes, bytes);
    this.#failures.publish();
    this.#figures = {
      files,
      heldBack,
      done,
      failed: this.#failures.size,
      bytes,
      uploadedBytes,
      bytesPerSecond: paused ? 0 : reading.bytesPerSecond,
      secondsLeft: paused ? Infinity : reading.secondsLeft,
    };
    this.#folder.showProgress(inFlight);
  }

  #settled(): void {
    this.#tick();
    this.#arrivalCount = this.#arrivals.size;
    this.#notice = '';
    this.#stop('done');
    const { done, failed, bytes } = this.#figures;
    // A complete batch has nothing left to resume; one with failures keeps its journal for Retry after a reload.
    if (failed === 0 && done === this.#figures.files) {
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
    const files: ManifestEntry[] = [];
    for (const row of this.#folder.rows) {
      const arrival = row.status === 'done' ? this.#arrivals.get(row.path) : undefined;
      // A file that arrived before a reload without its checksum kept is bagged with what the receiver holds.
      if (!arrival?.sha256) continue;
      const path = this.#folder.names.of(row.path);
      files.push({
        path,
        ...(path === row.path ? {} : { originalPath: row.path }),
        bytes: row.size,
        sha256: arrival.sha256,
        ...(arrival.md5 ? { md5: arrival.md5 } : {}),
      });
    }
    const profile = this.#context().target;
    const target = this.#form.target;
    this.#completion.start({
      target,
      files,
      profile: profileList.find((p) => p.id === profile)?.label ?? profile,
      leftOut,
      // A batch resumed after a reload may not have asked the server yet.
      completes: async () =>
        supports(
          this.#capabilities ?? (await discoverTus(target.endpoint)).capabilities,
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
      this.#notice =
        'You are offline: the upload waits, and goes on by itself from where it stopped when the connection is back.';
      this.#announcer.say(this.#notice);
      return;
    }
    if (this.#offlinePaused && this.#phase === 'uploading') {
      this.#meter.reset();
      this.#run.resume();
    }
    this.#offlinePaused = false;
    if (this.#notice) {
      this.#notice = '';
      this.#announcer.say('Back online: the upload goes on.');
    }
  }

  /** A request failed in a way worth another try; the engine waits longer each time (up to 20 s). */
  #retrying(status: number): void {
    if (!this.active || !navigator.onLine) return;
    const why =
      status === 0
        ? `The receiver at ${this.#form.endpoint} does not answer`
        : status === 429
          ? 'The receiver asks the upload to slow down (429 Too Many Requests)'
          : `The receiver answered with an error (${status})`;
    const notice = `${why}; the upload tries again, waiting a little longer each time, and goes on when it answers.`;
    if (notice === this.#notice) return;
    this.#notice = notice;
    this.#announcer.say(notice);
  }

  #stop(phase: UploadPhase): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#phase = phase;
  }
}
