/**
 * One upload batch, and the only place that knows Uppy and tus.
 *
 * Uppy 6 is quadratic in the files it holds and updates its whole state on every progress tick, so it never holds
 * more than a small window: the master queue lives in core's UploadQueue, finished files leave Uppy at once, and
 * progress is kept here in plain maps that the page reads a few times a second (snapshot()).
 */
import Uppy, { type UppyFile } from '@uppy/core';
import Tus from '@uppy/tus';
import { describeUploadFailure, failureCause } from '#core/upload-failure';
import { UploadQueue, type QueueTotals } from '#core/upload-queue';

export interface UploadJob {
  readonly id: number;
  readonly path: string;
  readonly size: number;
  readonly lastModified: number;
  readonly mime: string;
}

export interface UploadSettings {
  /** The tus endpoint, e.g. http://127.0.0.1:8080/files/ */
  readonly endpoint: string;
  readonly token: string;
  readonly batch: string;
  /** Parallel transfers. */
  readonly connections?: number;
  /** Files handed to Uppy at once. */
  readonly window?: number;
  /** Bytes per PATCH: at most this much is sent again after an interruption. */
  readonly chunkSize?: number;
}

export interface UploadListener {
  /** `storedPath` is where the receiver placed the file (when it says), `uploadUrl` the tus upload's address. */
  onFileDone(id: number, storedPath: string | null, uploadUrl: string | null): void;
  /** `cause` is a short label shared by files that failed for the same reason. */
  onFileFailed(id: number, message: string, cause: string): void;
  onSettled(): void;
}

export interface UploadSnapshot extends QueueTotals {
  readonly uploadedBytes: number;
  /** Bytes sent so far of each file in flight. */
  readonly inFlight: ReadonlyMap<number, number>;
  readonly paused: boolean;
}

type Meta = { relativePath: string; batch: string; jobId: number };
type Body = Record<string, never>;

export class UploadRun {
  readonly #uppy: Uppy<Meta, Body>;
  readonly #queue = new UploadQueue();
  readonly #jobs = new Map<number, UploadJob>();
  /** Job ids currently held by Uppy. */
  readonly #inWindow = new Set<number>();
  readonly #sent = new Map<number, number>();
  readonly #settings: Required<UploadSettings>;
  readonly #open: (job: UploadJob) => Promise<File>;
  readonly #listener: UploadListener;
  #leaving: string[] = [];
  #filling = false;
  #refillAgain = false;
  #paused = false;
  #stopped = false;
  #windowOpened = false;

  constructor(
    jobs: readonly UploadJob[],
    settings: UploadSettings,
    open: (job: UploadJob) => Promise<File>,
    listener: UploadListener,
  ) {
    this.#settings = { connections: 6, window: 48, chunkSize: 32 * 1024 * 1024, ...settings };
    this.#open = open;
    this.#listener = listener;
    this.#register(jobs);
    // The instance id is part of every tus fingerprint, so a partial upload is only ever resumed into its own batch.
    this.#uppy = new Uppy<Meta, Body>({
      id: `batch-${settings.batch}`,
      autoProceed: false,
      allowMultipleUploadBatches: true,
    });
    const { token } = settings;
    this.#uppy.use(Tus<Meta, Body>, {
      endpoint: settings.endpoint,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      limit: this.#settings.connections,
      chunkSize: this.#settings.chunkSize,
      retryDelays: [0, 1000, 3000, 5000],
      removeFingerprintOnSuccess: true,
      // Most files fit in one chunk: they travel inside the creation request, one round trip instead of two, and
      // keep no resume entry (a single request cannot resume midway). Larger files opt out one by one.
      uploadDataDuringCreation: true,
      storeFingerprintForResuming: false,
      allowedMetaFields: ['relativePath', 'batch', 'name', 'type'],
    });
    this.#uppy.on('upload-progress', (file, progress) => {
      if (file) this.#sent.set(file.meta.jobId, progress.bytesUploaded);
    });
    this.#uppy.on('upload-success', (file, response) => {
      if (!file) return;
      const header = (response.body as { xhr?: XMLHttpRequest } | undefined)?.xhr?.getResponseHeader(
        'Upload-Stored-Path',
      );
      this.#finish(file, () => {
        this.#queue.markDone(file.meta.jobId);
        this.#listener.onFileDone(
          file.meta.jobId,
          header ? decodeURIComponent(header) : null,
          response.uploadURL ?? null,
        );
      });
    });
    this.#uppy.on('upload-error', (file, error, response) => {
      if (!file || this.#stopped) return;
      const detailed = error as Error & {
        originalResponse?: { getStatus(): number; getBody(): string } | null;
      };
      const status = response?.status ?? detailed.originalResponse?.getStatus() ?? 0;
      const body = detailed.originalResponse?.getBody() ?? '';
      const message = describeUploadFailure({
        path: file.meta.relativePath,
        status,
        body,
        endpoint: settings.endpoint,
      });
      this.#finish(file, () => {
        this.#queue.markFailed(file.meta.jobId);
        this.#listener.onFileFailed(file.meta.jobId, message, failureCause(status));
      });
    });
  }

  start(): void {
    void this.#fill();
  }

  pause(): void {
    if (this.#stopped || this.#paused) return;
    this.#paused = true;
    this.#uppy.pauseAll();
  }

  resume(): void {
    if (this.#stopped || !this.#paused) return;
    this.#paused = false;
    this.#uppy.resumeAll();
    void this.#fill();
  }

  /** Stops everything; partial uploads are ended on the receiver. The run cannot be restarted. */
  cancel(): number[] {
    if (this.#stopped) return [];
    this.#stopped = true;
    const wasActive = this.#queue.cancelAll();
    this.#uppy.cancelAll();
    this.#sent.clear();
    this.#uppy.destroy();
    return wasActive;
  }

  /** Queues files again (failed ones) or for the first time (new ones); they go at the end of the queue. */
  send(jobs: readonly UploadJob[]): void {
    if (this.#stopped) return;
    this.#register(jobs.filter((job) => !this.#queue.has(job.id)));
    for (const job of jobs) this.#queue.retry(job.id);
    void this.#fill();
  }

  #register(jobs: readonly UploadJob[]): void {
    for (const job of jobs) this.#jobs.set(job.id, job);
    // Uppy's file id folds case: the key keeps case-only twins (same size and date) out of the window together.
    this.#queue.add(
      jobs.map((j) => ({
        id: j.id,
        size: j.size,
        key: `${j.path.toLowerCase()}\u0000${j.size}\u0000${j.lastModified}`,
      })),
    );
  }

  snapshot(): UploadSnapshot {
    const totals = this.#queue.totals;
    let inFlightBytes = 0;
    for (const bytes of this.#sent.values()) inFlightBytes += bytes;
    return {
      ...totals,
      uploadedBytes: totals.doneBytes + inFlightBytes,
      inFlight: this.#sent,
      paused: this.#paused,
    };
  }

  /** Takes a finished file out of Uppy, in batches, so Uppy stays small and the next files get their turn. */
  #finish(file: UppyFile<Meta, Body>, record: () => void): void {
    this.#sent.delete(file.meta.jobId);
    this.#inWindow.delete(file.meta.jobId);
    record();
    this.#leaving.push(file.id);
    if (this.#leaving.length === 1) {
      setTimeout(() => {
        const leaving = this.#leaving;
        this.#leaving = [];
        if (this.#stopped) return;
        this.#uppy.removeFiles(leaving);
        void this.#fill();
      }, 0);
    }
  }

  async #fill(): Promise<void> {
    if (this.#filling) {
      this.#refillAgain = true;
      return;
    }
    this.#filling = true;
    try {
      do {
        this.#refillAgain = false;
        if (this.#stopped || this.#paused) break;
        const free = this.#settings.window - this.#inWindow.size;
        const items = this.#queue.take(free);
        if (items.length === 0) break;
        const opened = await Promise.all(
          items.map((item) => this.#prepare(this.#jobs.get(item.id) as UploadJob)),
        );
        if (this.#stopped) return;
        const descriptors = opened.filter((d) => d !== null);
        if (descriptors.length > 0) {
          this.#uppy.addFiles(descriptors);
          if (!this.#windowOpened) {
            this.#windowOpened = true;
            performance.mark('queue-ready');
          }
          for (const d of descriptors) this.#inWindow.add(d.meta.jobId);
          const large = descriptors.filter((d) => d.data.size > this.#settings.chunkSize);
          if (large.length > 0) this.#makeLargeFilesResumable(new Set(large.map((d) => d.meta.jobId)));
          this.#uppy.upload().catch(() => {
            // Per-file failures arrive through 'upload-error'; nothing else to do here.
          });
        }
      } while (this.#refillAgain || this.#inWindow.size < this.#settings.window);
    } finally {
      this.#filling = false;
    }
    if (!this.#stopped && this.#queue.settled) this.#listener.onSettled();
  }

  /**
   * A file larger than one chunk is created empty first, so that an interruption during its first chunk can
   * still resume from the receiver's offset (an interrupted creation request leaves the client without an upload
   * URL), and it keeps a resume entry until it has arrived.
   */
  #makeLargeFilesResumable(jobIds: ReadonlySet<number>): void {
    for (const file of this.#uppy.getFiles()) {
      if (jobIds.has(file.meta.jobId) && (file.size ?? Infinity) > this.#settings.chunkSize) {
        this.#uppy.setFileState(file.id, {
          tus: { ...file.tus, uploadDataDuringCreation: false, storeFingerprintForResuming: true },
        });
      }
    }
  }

  /** Opens a file for upload, refusing one that changed since the scan: its bytes are no longer what was checked. */
  async #prepare(job: UploadJob) {
    let file: File;
    try {
      file = await this.#open(job);
    } catch (error) {
      const reason = error instanceof Error ? error.name || error.message : String(error);
      this.#failLocally(
        job,
        `"${job.path}" could not be read (${reason}); it may have been moved or deleted since the scan. Scan the folder again.`,
        'unreadable now',
      );
      return null;
    }
    if (file.size !== job.size || file.lastModified !== job.lastModified) {
      this.#failLocally(
        job,
        `"${job.path}" changed since the scan (size or date differ). Scan the folder again so the new version is checked before upload.`,
        'changed since the scan',
      );
      return null;
    }
    return {
      name: file.name,
      type: job.mime,
      data: file,
      meta: { relativePath: job.path, batch: this.#settings.batch, jobId: job.id },
    };
  }

  #failLocally(job: UploadJob, message: string, cause: string): void {
    this.#queue.markFailed(job.id);
    this.#listener.onFileFailed(job.id, message, cause);
  }
}
