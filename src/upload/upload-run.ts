/**
 * One upload batch: the queue, the window of files handed to the engine (uppy-engine.ts, the only place that builds
 * an Uppy), and what becomes of each file. Its checksums come from run-digests.ts, its resume addresses are kept
 * by resume-addresses.ts, and what a failed request means is decided in request-failures.ts.
 *
 * Uppy 6 is quadratic in the files it holds and updates its whole state on every progress tick, so it never holds
 * more than a small window: the master queue lives in core's UploadQueue, finished files leave Uppy at once, and
 * progress is kept here in plain maps that the page reads a few times a second (snapshot()).
 */
import type Uppy from '@uppy/core';
import { BodyLimit } from '#core/body-limit';
import type { FileDigests } from '#core/digest';
import { CHECKSUM_MISMATCH, REPR_DIGEST_HEADER, STORED_PATH_HEADER, VERIFIED_HEADER } from '#core/protocol';
import { checkedInTransit } from '#core/filelists/common';
import { requestSizeFor, sizeRefusal, transferPlan, type TransferPlan } from '#core/tus-capabilities';
import {
  BLOCKED_CAUSE,
  BODY_LIMIT_CAUSE,
  MAX_SIZE_CAUSE,
  describeBlockedRequest,
  describeBodyLimit,
  describeUploadFailure,
  failureCause,
} from '#core/upload-failure';
import { UploadQueue } from '#core/upload-queue';
import { RequestFailures } from './request-failures';
import { ResumeAddresses } from './resume-addresses';
import { RunDigests } from './run-digests';
import { bodyOf, findDigestFailure, statusOf } from './tus-errors';
import {
  createEngine,
  fileDescriptor,
  responseHeader,
  transferOptions,
  type Body,
  type EngineFile,
  type Meta,
  type TusFileOptions,
} from './uppy-engine';
import type {
  Arrival,
  DigestSource,
  UploadJob,
  UploadListener,
  UploadSettings,
  UploadSnapshot,
} from './upload-types';

export type {
  Arrival,
  DigestSource,
  UploadJob,
  UploadListener,
  UploadSettings,
  UploadSnapshot,
} from './upload-types';

/** Files opened for the window, with the checksums known before they were sent. */
interface Prepared {
  /** Files taken from the queue: some may have failed to open. */
  readonly taken: number;
  readonly descriptors: readonly { readonly job: UploadJob; readonly data: File }[];
  readonly known: Map<number, FileDigests>;
}

const NOTHING_PREPARED: Prepared = { taken: 0, descriptors: [], known: new Map() };

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
  readonly #digests: RunDigests;
  readonly #addresses: ResumeAddresses;
  readonly #failures: RequestFailures;
  /** Per-file transfer options of the files being added to Uppy, by job id (see transferOptions). */
  #adding = new Map<number, TusFileOptions>();
  /** What the server takes (creation with data, our digest header). */
  readonly #plan: TransferPlan;
  /**
   * The size of request bodies: the usual chunk, or larger where the server prefers it; back to the usual chunk,
   * then halved, when requests meet a limit on their bodies.
   */
  readonly #limit: BodyLimit;
  /** The request size each file in the window was given. */
  readonly #chunkOf = new Map<number, number>();
  /** The files of the next refill, being opened while the window's files are sent (see #stage). */
  #staged: Promise<Prepared> | null = null;
  #leaving: string[] = [];
  #afterRemoval: (() => void)[] = [];
  #flushScheduled = false;
  #filling = false;
  #refillAgain = false;
  #paused = false;
  #stopped = false;
  #windowOpened = false;

  constructor(
    jobs: readonly UploadJob[],
    settings: UploadSettings,
    open: (job: UploadJob) => Promise<File>,
    checksums: DigestSource,
    listener: UploadListener,
  ) {
    this.#settings = { connections: 6, window: 16, chunkSize: 32 * 1024 * 1024, md5: false, ...settings };
    this.#plan = transferPlan(settings.capabilities);
    this.#limit = new BodyLimit(
      this.#settings.chunkSize,
      undefined,
      requestSizeFor(settings.capabilities, this.#settings.chunkSize),
    );
    this.#open = open;
    this.#listener = listener;
    this.#digests = new RunDigests(checksums, listener, this.#plan, this.#settings.md5);
    this.#addresses = new ResumeAddresses(listener);
    this.#failures = new RequestFailures(
      settings.endpoint,
      this.#limit,
      listener,
      this.#plan.chunkChecksum !== null,
    );
    this.#register(jobs);
    this.#uppy = createEngine(this.#settings, this.#plan, {
      optionsOf: (id) => this.#adding.get(id),
      beforeRequest: (req, file) => this.#digests.attach(req, file, this.#chunkSizeOf(file.meta.jobId)),
      shouldRetry: (error, next) => this.#failures.shouldRetry(error, next),
      answered: (at) => this.#limit.answered(at),
    });
    this.#uppy.on('upload-progress', (file, progress) => {
      if (!file) return;
      const id = file.meta.jobId;
      this.#sent.set(id, progress.bytesUploaded);
      this.#addresses.note(
        id,
        file.tus?.uploadUrl ?? undefined,
        file.size ?? 0,
        this.#createdEmptyAbove(this.#chunkSizeOf(id)),
      );
    });
    this.#uppy.on('upload-success', (file, response) => {
      if (!file) return;
      const xhr = (response.body as { xhr?: XMLHttpRequest } | undefined)?.xhr;
      // Read now: Uppy aborts the finished request right after this event, and its headers go with it.
      const header = (name: string) => responseHeader(xhr, name, this.#plan.reprDigest);
      const stored = header(STORED_PATH_HEADER);
      const verified = header(VERIFIED_HEADER) ?? checkedInTransit(this.#plan.chunkChecksum);
      const id = file.meta.jobId;
      const arrived = (digests: FileDigests | null) => {
        const arrival: Arrival = {
          storedPath: stored ? decodeURIComponent(stored) : null,
          uploadUrl: response.uploadURL ?? null,
          digests,
          verified,
        };
        this.#finish(file, () => {
          this.#queue.markDone(id);
          this.#listener.onFileDone(id, arrival);
        });
      };
      // A file proven by XXH3-128 gets its SHA-256 from the answer (or, from another server, hashed now).
      if (!this.#digests.isFast(id)) arrived(this.#digests.of(id));
      else
        void this.#digests.arrived(id, verified, header(REPR_DIGEST_HEADER)).then((digests) => {
          if (!this.#stopped) arrived(digests);
        });
    });
    this.#uppy.on('upload-error', (file, error, response) => {
      if (!file || this.#stopped) return;
      const id = file.meta.jobId;
      const smaller = this.#failures.takeSmaller(id);
      if (smaller !== undefined) {
        this.#sendSmaller(file, smaller);
        return;
      }
      const digestFailure = findDigestFailure(error);
      const status = response?.status ?? statusOf(error);
      const { limited, blocked } = this.#failures.evidence(id, status);
      if (limited !== undefined || blocked) {
        const path = file.meta.relativePath;
        this.#finish(file, () => {
          this.#queue.markFailed(id);
          this.#digests.release([id]);
          if (limited !== undefined)
            this.#listener.onFileFailed(
              id,
              describeBodyLimit(path, settings.endpoint, limited),
              BODY_LIMIT_CAUSE,
            );
          else
            this.#listener.onFileFailed(id, describeBlockedRequest(path, settings.endpoint), BLOCKED_CAUSE);
        });
        return;
      }
      if (status === CHECKSUM_MISMATCH && this.#failures.resendOnce(id)) {
        // Bytes were changed on the way; the receiver dropped them. Send the file once more, from the start.
        this.#finish(
          file,
          // The receiver dropped that upload: a resume after a reload must not look for it.
          () => this.#addresses.drop(id),
          () => {
            this.#queue.markFailed(id);
            this.#queue.retry(id);
          },
        );
        return;
      }
      const message = digestFailure
        ? digestFailure.message
        : describeUploadFailure({
            path: file.meta.relativePath,
            status,
            body: bodyOf(error),
            endpoint: settings.endpoint,
          });
      this.#finish(file, () => {
        this.#queue.markFailed(id);
        this.#digests.release([id]);
        this.#listener.onFileFailed(id, message, digestFailure ? 'unreadable now' : failureCause(status));
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
    this.#digests.releaseAll();
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
    this.#digests.hold(jobs);
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

  /**
   * Takes a finished file out of Uppy, in batches, so Uppy stays small and the next files get their turn.
   * `afterRemoval` runs once the file has left Uppy (a file sent again must not meet its old self there).
   */
  #finish(file: EngineFile, record: () => void, afterRemoval?: () => void): void {
    const id = file.meta.jobId;
    this.#sent.delete(id);
    this.#inWindow.delete(id);
    this.#digests.forget(id);
    this.#addresses.forget(id);
    this.#chunkOf.delete(id);
    record();
    this.#leaving.push(file.id);
    if (afterRemoval) this.#afterRemoval.push(afterRemoval);
    // Every change to Uppy's files costs in proportion to all it holds, and each upload() call builds an Error
    // per file held, so the window is small and refilled in large steps: finished files leave, and new ones come,
    // once no more files remain than connections (or nothing else waits).
    const due =
      this.#inWindow.size <= Math.min(this.#settings.window / 2, this.#settings.connections) ||
      this.#queue.totals.waiting === 0 ||
      this.#afterRemoval.length > 0;
    if (due && !this.#flushScheduled) {
      this.#flushScheduled = true;
      setTimeout(() => {
        this.#flushScheduled = false;
        const leaving = this.#leaving;
        const after = this.#afterRemoval;
        this.#leaving = [];
        this.#afterRemoval = [];
        if (this.#stopped) return;
        this.#uppy.removeFiles(leaving);
        for (const run of after) run();
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
        // A full window takes nothing now: the next file to finish refills it. Waiting here for the staged files
        // instead once let a refill asked for meanwhile be dropped, and the upload stood still.
        const free = this.#settings.window - this.#inWindow.size;
        if (free <= 0) break;
        const { taken, descriptors, known } = await this.#takePrepared(free);
        if (this.#stopped) return;
        // Nothing left to take, unless files were queued or finished while this one was being taken.
        if (taken === 0) {
          if (this.#refillAgain) continue;
          break;
        }
        const resumes = await this.#addresses.resumable(
          descriptors.map((d) => d.job),
          this.#digests,
        );
        if (this.#stopped) return;
        if (descriptors.length > 0) {
          this.#addresses.keep(resumes);
          for (const d of descriptors)
            if (known.has(d.job.id) && !resumes.has(d.job.id)) this.#digests.announce(d.job.id);
          const requestSize = this.#limit.chunkSize;
          for (const d of descriptors) this.#chunkOf.set(d.job.id, requestSize);
          this.#adding = transferOptions(
            descriptors,
            resumes,
            known,
            this.#createdEmptyAbove(requestSize),
            requestSize,
          );
          try {
            this.#uppy.addFiles(
              descriptors.map((d) =>
                fileDescriptor(d.job, d.data, this.#settings.batch, known.get(d.job.id)),
              ),
            );
          } finally {
            this.#adding = new Map();
          }
          if (!this.#windowOpened) {
            this.#windowOpened = true;
            performance.mark('queue-ready');
          }
          for (const d of descriptors) this.#inWindow.add(d.job.id);
          this.#startUploads();
        }
        this.#stage();
      } while (this.#refillAgain || this.#inWindow.size < this.#settings.window);
    } finally {
      this.#filling = false;
    }
    if (!this.#stopped && this.#queue.settled) this.#listener.onSettled();
  }

  /**
   * Up to `free` files for the window, opened, with their checksums known or being computed: the staged ones
   * first (see #stage), then more from the queue.
   */
  async #takePrepared(free: number): Promise<Prepared> {
    const staged = this.#staged;
    this.#staged = null;
    const ready = staged ? await staged : NOTHING_PREPARED;
    if (ready.descriptors.length > free) {
      const rest = ready.descriptors.slice(free);
      this.#staged = Promise.resolve({ taken: rest.length, descriptors: rest, known: ready.known });
      return { taken: free, descriptors: ready.descriptors.slice(0, free), known: ready.known };
    }
    const more = await this.#prepareNext(free - ready.descriptors.length);
    return {
      taken: ready.taken + more.taken,
      descriptors: [...ready.descriptors, ...more.descriptors],
      known: new Map([...ready.known, ...more.known]),
    };
  }

  /**
   * Opens the files of the next refill, and asks for their checksums, while the window's files are sent: a
   * refill then only hands them to Uppy, so the connections do not wait for files to be opened, for the folder
   * worker's answer or for a hash (when Start was pressed before the checksums were done).
   */
  #stage(): void {
    if (this.#staged || this.#stopped || this.#paused) return;
    const count = this.#settings.window - Math.min(this.#settings.window / 2, this.#settings.connections);
    if (this.#queue.totals.waiting === 0 || count <= 0) return;
    const staged = this.#prepareNext(count);
    staged.catch(() => undefined);
    this.#staged = staged;
  }

  /** Takes up to `count` files from the queue, opens them and starts their checksums. */
  async #prepareNext(count: number): Promise<Prepared> {
    const items = this.#queue.take(count);
    if (items.length === 0) return NOTHING_PREPARED;
    const jobs = this.#withinMaxSize(items.map((item) => this.#jobs.get(item.id) as UploadJob));
    const [opened, known] = await Promise.all([
      Promise.all(jobs.map((job) => this.#prepare(job))),
      this.#digests.known(jobs),
    ]);
    const descriptors = opened.filter((d) => d !== null);
    if (!this.#stopped) for (const d of descriptors) this.#digests.start(d.job, d.data, known.get(d.job.id));
    return { taken: items.length, descriptors, known };
  }

  /**
   * Has Uppy send the files just added. Each call first checks every file it holds for required metadata (we
   * require none) by building an Error per file, and capturing their stacks was a fifth of Uppy's time on
   * the main thread with 5,000 small files: they are built without stacks, in the synchronous part of the call.
   */
  #startUploads(): void {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      this.#uppy.upload().catch(() => {
        // Per-file failures arrive through 'upload-error'; nothing else to do here.
      });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }

  #chunkSizeOf(id: number): number {
    return this.#chunkOf.get(id) ?? this.#limit.chunkSize;
  }

  /** Files larger than this are created empty first, so that even their first request can be resumed. */
  #createdEmptyAbove(requestSize: number): number {
    return Math.min(this.#settings.chunkSize, requestSize);
  }

  /** Files over the server's Tus-Max-Size fail here, before a byte is read or sent. */
  #withinMaxSize(jobs: UploadJob[]): UploadJob[] {
    if (this.#settings.capabilities.maxSize === null) return jobs;
    return jobs.filter((job) => {
      const refusal = sizeRefusal(this.#settings.capabilities, job.path, job.size, this.#settings.endpoint);
      if (refusal) this.#failLocally(job, refusal, MAX_SIZE_CAUSE);
      return refusal === '';
    });
  }

  /**
   * Sends a file again in the smaller chunks a body limit asks for: from the receiver's offset when its upload
   * was created, else anew (a creation refused for its body created nothing).
   */
  #sendSmaller(file: EngineFile, uploadUrl: string | null): void {
    const id = file.meta.jobId;
    const job = this.#jobs.get(id);
    if (job && uploadUrl) {
      const { resumeSha256: _checkedAlready, ...rest } = job;
      this.#jobs.set(id, { ...rest, resumeUrl: uploadUrl });
    }
    this.#finish(
      file,
      () => undefined,
      () => {
        this.#queue.markFailed(id);
        this.#queue.retry(id);
      },
    );
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
    return { job, data: file };
  }

  #failLocally(job: UploadJob, message: string, cause: string): void {
    this.#queue.markFailed(job.id);
    this.#digests.release([job.id]);
    this.#listener.onFileFailed(job.id, message, cause);
  }
}
