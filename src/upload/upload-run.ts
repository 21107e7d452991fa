/**
 * One upload batch, and the only place that knows Uppy and tus.
 *
 * Uppy 6 is quadratic in the files it holds and updates its whole state on every progress tick, so it never holds
 * more than a small window: the master queue lives in core's UploadQueue, finished files leave Uppy at once, and
 * progress is kept here in plain maps that the page reads a few times a second (snapshot()).
 */
import Uppy, { type UppyFile } from '@uppy/core';
import Tus, { type TusOptions } from '@uppy/tus';
import { BodyLimit } from '#core/body-limit';
import { reprDigest, type FileDigests } from '#core/digest';
import { checkedInTransit } from '#core/filelists/common';
import {
  CHECKSUM_MISMATCH,
  DISK_FULL,
  METADATA,
  REPR_DIGEST_HEADER,
  STORED_PATH_HEADER,
  VERIFIED_HEADER,
} from '#core/protocol';
import { sizeRefusal, transferPlan, type TransferPlan } from '#core/tus-capabilities';
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
import { discoverTus } from './tus-discovery';
import { bodyOf, DigestFailure, findCause, findDigestFailure, statusOf, type TusError } from './tus-errors';
import { RequestStalled, UploadHttpStack, WatchedRequest } from './upload-http-stack';
import type {
  Arrival,
  DigestSource,
  UploadJob,
  UploadListener,
  UploadSettings,
  UploadSnapshot,
} from './upload-types';
import { wholeFileReader } from './whole-file-reader';

export type {
  Arrival,
  DigestSource,
  UploadJob,
  UploadListener,
  UploadSettings,
  UploadSnapshot,
} from './upload-types';

const BASE_META_FIELDS = [METADATA.relativePath, METADATA.batch, 'name', 'type'];

type Meta = { relativePath: string; batch: string; jobId: number; sha256?: string; md5?: string };
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
  readonly #checksums: DigestSource;
  readonly #listener: UploadListener;
  /** Each file's checksums while it is in the window; the request that completes its upload carries them. */
  readonly #digests = new Map<number, Promise<FileDigests>>();
  readonly #digestsKnown = new Map<number, FileDigests>();
  readonly #urls = new Map<number, string>();
  /** Files whose creation request announces their checksums as metadata (known before, and not resumed). */
  readonly #announced = new Set<number>();
  /** Per-file transfer options of the files being added to Uppy, by job id (see #transferOptions). */
  #adding = new Map<number, TusFileOptions>();
  /** Files already sent again once after the receiver found other bytes than announced. */
  readonly #resent = new Set<number>();
  /** What the server takes (creation with data, our digest header). */
  readonly #plan: TransferPlan;
  /** The chunk size, halved when requests meet a limit on their bodies. */
  readonly #limit: BodyLimit;
  /** The chunk size each file in the window was given. */
  readonly #chunkOf = new Map<number, number>();
  /** Files to send again in smaller chunks, with the address of their upload when it was created. */
  readonly #smaller = new Map<number, string | null>();
  /** Files refused with 413 even in the smallest chunks, with the size of the request refused. */
  readonly #bodyLimited = new Map<number, number>();
  /** Files whose requests went unanswered while the server answered others: how often, and when last. */
  readonly #unanswered = new Map<number, { evidence: number; last: number }>();
  #probing = false;
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
    this.#limit = new BodyLimit(this.#settings.chunkSize);
    this.#open = open;
    this.#checksums = checksums;
    this.#listener = listener;
    this.#register(jobs);
    // The instance id is part of every tus fingerprint, so a partial upload is only ever resumed into its own batch.
    this.#uppy = new Uppy<Meta, Body>({
      id: `batch-${settings.batch}`,
      autoProceed: false,
      allowMultipleUploadBatches: true,
      // Each file gets its transfer options as it is added: setting them afterwards would cost a state update
      // of every file in the window, per file.
      onBeforeFileAdded: (file) => {
        const tus = this.#adding.get(file.meta.jobId);
        return tus ? { ...file, tus } : true;
      },
    });
    const { token } = settings;
    this.#uppy.use(Tus<Meta, Body>, {
      endpoint: settings.endpoint,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      limit: this.#settings.connections,
      chunkSize: this.#settings.chunkSize,
      // Backs off to 20 s between tries (about 40 s in all), enough for a receiver restart or a network blip;
      // after that the file fails with a sentence and Retry sends it again.
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      // Most files fit in one chunk: they travel inside the creation request, one round trip instead of two,
      // where the server lists creation-with-upload. Larger files opt out one by one. Resume addresses are kept
      // by the page (IndexedDB), never localStorage.
      uploadDataDuringCreation: this.#plan.dataInCreation,
      storeFingerprintForResuming: false,
      allowedMetaFields: BASE_META_FIELDS,
      fileReader: wholeFileReader,
      httpStack: new UploadHttpStack(undefined, (at) => this.#limit.answered(at), this.#plan.chunkChecksum),
      onBeforeRequest: (req, file) => {
        if (req instanceof WatchedRequest) req.owner = file.meta.jobId;
        return this.#attachDigests(req, file);
      },
      onShouldRetry: (error, attempt, _options, next) => {
        // A full disk does not empty itself in seconds: say so at once rather than retrying for a minute.
        if (findDigestFailure(error) || statusOf(error) === DISK_FULL) return false;
        if (!this.#mayRetry(error)) return false;
        // A server with tus's checksum extension refused one damaged request and kept the upload: send it again.
        const retry =
          next(error) || (statusOf(error) === CHECKSUM_MISMATCH && this.#plan.chunkChecksum !== null);
        if (retry) this.#listener.onRetrying?.(statusOf(error));
        return retry;
      },
    });
    this.#uppy.on('upload-progress', (file, progress) => {
      if (!file) return;
      const id = file.meta.jobId;
      this.#sent.set(id, progress.bytesUploaded);
      const url = file.tus?.uploadUrl;
      if (url && this.#urls.get(id) !== url && (file.size ?? 0) > this.#chunkSizeOf(id)) {
        this.#urls.set(id, url);
        this.#listener.onUploadUrl?.(id, url);
      }
    });
    this.#uppy.on('upload-success', (file, response) => {
      if (!file) return;
      const xhr = (response.body as { xhr?: XMLHttpRequest } | undefined)?.xhr;
      const stored = this.#header(xhr, STORED_PATH_HEADER);
      const id = file.meta.jobId;
      const arrival: Arrival = {
        storedPath: stored ? decodeURIComponent(stored) : null,
        uploadUrl: response.uploadURL ?? null,
        digests: this.#digestsKnown.get(id) ?? null,
        verified: this.#header(xhr, VERIFIED_HEADER) ?? checkedInTransit(this.#plan.chunkChecksum),
      };
      this.#finish(file, () => {
        this.#queue.markDone(id);
        this.#listener.onFileDone(id, arrival);
      });
    });
    this.#uppy.on('upload-error', (file, error, response) => {
      if (!file || this.#stopped) return;
      const id = file.meta.jobId;
      if (this.#smaller.has(id)) {
        this.#sendSmaller(file, this.#smaller.get(id) ?? null);
        return;
      }
      const digestFailure = findDigestFailure(error);
      const status = response?.status ?? statusOf(error);
      const limited = this.#bodyLimited.get(id);
      const blocked = status === 0 && (this.#unanswered.get(id)?.evidence ?? 0) > 0;
      this.#bodyLimited.delete(id);
      this.#unanswered.delete(id);
      if (limited !== undefined || blocked) {
        const path = file.meta.relativePath;
        this.#finish(file, () => {
          this.#queue.markFailed(id);
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
      if (status === CHECKSUM_MISMATCH && !this.#resent.has(id)) {
        // Bytes were changed on the way; the receiver dropped them. Send the file once more, from the start.
        this.#resent.add(id);
        this.#finish(
          file,
          // The receiver dropped that upload: a resume after a reload must not look for it.
          () => this.#listener.onUploadUrl?.(id, null),
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
        this.#listener.onFileFailed(id, message, digestFailure ? 'unreadable now' : failureCause(status));
      });
    });
  }

  /**
   * Puts the file's checksums on the request that completes its upload, as `Repr-Digest` (waiting for the hash
   * if it is still running, so hashing overlaps the transfer of earlier chunks and files).
   */
  async #attachDigests(req: HttpRequest, file: UppyFile<Meta, Body>): Promise<void> {
    // Only a server that says it checks them gets them: another may refuse the header in its CORS answer.
    if (!this.#plan.reprDigest) return;
    const size = file.size ?? 0;
    const method = req.getMethod();
    const chunk = this.#chunkSizeOf(file.meta.jobId);
    const completes =
      method === 'POST'
        ? size === 0 ||
          (this.#plan.dataInCreation && size <= chunk && file.tus?.uploadDataDuringCreation !== false)
        : method === 'PATCH' && Number(req.getHeader('Upload-Offset')) + chunk >= size;
    // Checksums its creation announced as metadata are checked by the receiver anyway: no need to repeat them.
    if (!completes || this.#announced.has(file.meta.jobId)) return;
    const digests = this.#digests.get(file.meta.jobId);
    if (digests) req.setHeader(REPR_DIGEST_HEADER, reprDigest(await digests));
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

  /**
   * Takes a finished file out of Uppy, in batches, so Uppy stays small and the next files get their turn.
   * `afterRemoval` runs once the file has left Uppy (a file sent again must not meet its old self there).
   */
  #finish(file: UppyFile<Meta, Body>, record: () => void, afterRemoval?: () => void): void {
    const id = file.meta.jobId;
    this.#sent.delete(id);
    this.#inWindow.delete(id);
    this.#digests.delete(id);
    this.#digestsKnown.delete(id);
    this.#urls.delete(id);
    this.#announced.delete(id);
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
        const free = this.#settings.window - this.#inWindow.size;
        const items = this.#queue.take(free);
        if (items.length === 0) break;
        const jobs = this.#withinMaxSize(items.map((item) => this.#jobs.get(item.id) as UploadJob));
        const [opened, known] = await Promise.all([
          Promise.all(jobs.map((job) => this.#prepare(job))),
          this.#knownDigests(jobs),
        ]);
        if (this.#stopped) return;
        const descriptors = opened.filter((d) => d !== null);
        for (const d of descriptors) this.#startDigest(d.job, d.data, known.get(d.job.id));
        const resumes = await this.#resumable(descriptors.map((d) => d.job));
        if (this.#stopped) return;
        if (descriptors.length > 0) {
          for (const [id, url] of resumes) this.#urls.set(id, url);
          for (const d of descriptors)
            if (known.has(d.job.id) && !resumes.has(d.job.id)) this.#announced.add(d.job.id);
          this.#adding = this.#transferOptions(descriptors, resumes, known);
          try {
            this.#uppy.addFiles(descriptors.map((d) => this.#descriptor(d.job, d.data, known.get(d.job.id))));
          } finally {
            this.#adding = new Map();
          }
          if (!this.#windowOpened) {
            this.#windowOpened = true;
            performance.mark('queue-ready');
          }
          for (const d of descriptors) this.#inWindow.add(d.job.id);
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
   * Per-file transfer options, by job id, for the files about to be added:
   * - a file larger than one chunk is created empty first, so that an interruption during its first chunk can
   *   still resume from the receiver's offset (an interrupted creation request leaves no upload URL);
   * - a file with an upload from before a reload continues it;
   * - checksums known before the upload starts are announced as tus metadata at creation too (Uppy would send
   *   "undefined" for a field a file lacks, so the fields are allowed file by file).
   */
  #transferOptions(
    added: readonly { readonly job: UploadJob; readonly data: File }[],
    resumes: ReadonlyMap<number, string>,
    known: ReadonlyMap<number, FileDigests>,
  ): Map<number, TusFileOptions> {
    const options = new Map<number, TusFileOptions>();
    const chunkSize = this.#limit.chunkSize;
    for (const { job, data } of added) {
      this.#chunkOf.set(job.id, chunkSize);
      const uploadUrl = resumes.get(job.id);
      const large = data.size > chunkSize;
      const digests = known.get(job.id);
      if (!large && uploadUrl === undefined && digests === undefined) continue;
      const tus: TusFileOptions = {};
      if (large) tus.chunkSize = chunkSize;
      if (large || uploadUrl) tus.uploadDataDuringCreation = false;
      if (uploadUrl) tus.uploadUrl = uploadUrl;
      if (digests) {
        tus.allowedMetaFields = [
          ...BASE_META_FIELDS,
          METADATA.sha256,
          ...(digests.md5 ? [METADATA.md5] : []),
        ];
      }
      options.set(job.id, tus);
    }
    return options;
  }

  #chunkSizeOf(id: number): number {
    return this.#chunkOf.get(id) ?? this.#limit.chunkSize;
  }

  /** A response header, read only when a page may read it: the browser logs an error for each one it hides. */
  #header(xhr: XMLHttpRequest | undefined, name: string): string | null {
    if (!xhr) return null;
    // Our receiver exposes its headers; another server's answer is asked which it exposes first.
    if (
      !this.#plan.reprDigest &&
      !xhr.getAllResponseHeaders().toLowerCase().includes(`${name.toLowerCase()}:`)
    )
      return null;
    return xhr.getResponseHeader(name);
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
   * Whether a failed request may be tried again by the engine as it is. Not when a limit on request bodies
   * explains it (the file goes again in smaller chunks, or fails when they cannot get smaller), nor once the
   * browser has blocked the file's requests a few times while the server answered others.
   */
  #mayRetry(error: unknown): boolean {
    const request = (error as TusError | null)?.originalRequest;
    if (!(request instanceof WatchedRequest) || request.owner === undefined) return true;
    const id = request.owner;
    const status = statusOf(error);
    // Offline, a stalled connection: no answer, but nothing the server refused (the engine handles those).
    const silent = status === 0 && navigator.onLine && !(findCause(error) instanceof RequestStalled);
    if (request.bodySize > 0 && (status === 413 || silent)) {
      const verdict =
        status === 413
          ? this.#limit.refused(request.bodySize)
          : this.#limit.networkFailure(request.bodySize, Date.now());
      if (verdict.kind === 'smaller') {
        if (verdict.shrunk) this.#listener.onChunkSize?.(verdict.chunkSize, request.bodySize, status === 413);
        this.#smaller.set(id, request.getMethod() === 'PATCH' ? request.getURL() : null);
        return false;
      }
      if (status === 413 && request.getMethod() === 'PATCH') {
        this.#bodyLimited.set(id, request.bodySize);
        return false;
      }
    }
    if (!silent) return true;
    this.#probe();
    const seen = this.#unanswered.get(id) ?? { evidence: 0, last: request.sentAt };
    if (this.#limit.answeredSince(seen.last)) seen.evidence += 1;
    seen.last = Date.now();
    this.#unanswered.set(id, seen);
    return seen.evidence < BLOCKED_TRIES;
  }

  /**
   * After a request got no answer, asks the endpoint a plain OPTIONS (which no CORS rule of a tus server blocks):
   * if it answers, the server is there, and what failed was that request (blocked by the browser, or too large for
   * a proxy). The engine's next try of the file reads the result. One probe at a time.
   */
  #probe(): void {
    if (this.#probing) return;
    this.#probing = true;
    void discoverTus(this.#settings.endpoint)
      .then((discovery) => {
        if (discovery.problem === '') this.#limit.answered(Date.now());
      })
      .finally(() => {
        this.#probing = false;
      });
  }

  /**
   * Sends a file again in the smaller chunks a body limit asks for: from the receiver's offset when its upload
   * was created, else anew (a creation refused for its body created nothing).
   */
  #sendSmaller(file: UppyFile<Meta, Body>, uploadUrl: string | null): void {
    const id = file.meta.jobId;
    this.#smaller.delete(id);
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

  async #knownDigests(jobs: readonly UploadJob[]): Promise<Map<number, FileDigests>> {
    const known = new Map<number, FileDigests>();
    try {
      const found = await this.#checksums.known(jobs);
      jobs.forEach((job, i) => {
        const digests = found[i];
        if (digests) known.set(job.id, digests);
      });
    } catch {
      // Nothing known: each file is hashed as it is sent.
    }
    return known;
  }

  /** Starts hashing a file now, so its digests are ready by the time its last request goes out. */
  #startDigest(job: UploadJob, file: File, known: FileDigests | undefined): void {
    const digests = known ? Promise.resolve(known) : this.#checksums.digest(job, file);
    const wrapped = digests.then(
      (d) => {
        this.#digestsKnown.set(job.id, d);
        this.#listener.onDigests?.(job.id, d);
        return d;
      },
      (error: unknown) => {
        throw new DigestFailure(error instanceof Error ? error.message : String(error));
      },
    );
    wrapped.catch(() => undefined);
    this.#digests.set(job.id, wrapped);
  }

  /**
   * The uploads from before a reload that may go on: the file's size and date were checked when it was opened;
   * its SHA-256, when it was known then, must be the same now, or the file starts anew.
   */
  async #resumable(jobs: readonly UploadJob[]): Promise<Map<number, string>> {
    const resumes = new Map<number, string>();
    await Promise.all(
      jobs.map(async (job) => {
        if (!job.resumeUrl) return;
        if (job.resumeSha256) {
          const now = await this.#digests.get(job.id)?.catch(() => null);
          if (now?.sha256 !== job.resumeSha256) {
            this.#listener.onUploadUrl?.(job.id, null);
            return;
          }
        }
        resumes.set(job.id, job.resumeUrl);
      }),
    );
    return resumes;
  }

  #descriptor(job: UploadJob, data: File, known: FileDigests | undefined) {
    const relativePath = job.uploadPath ?? job.path;
    const meta: Meta = { relativePath, batch: this.#settings.batch, jobId: job.id };
    // Checksums known before the upload starts also travel as tus metadata, announced at creation.
    if (known) {
      meta.sha256 = known.sha256;
      if (known.md5 !== undefined) meta.md5 = known.md5;
    }
    return { name: data.name, type: job.mime, data, meta };
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
    this.#listener.onFileFailed(job.id, message, cause);
  }
}

type HttpRequest = Parameters<NonNullable<TusOptions<Meta, Body>['onBeforeRequest']>>[0];
type TusFileOptions = NonNullable<UppyFile<Meta, Body>['tus']>;

/**
 * Failures of a file's requests with no answer while the server answered others, before it fails as blocked by
 * the browser (a CORS refusal does not go away by trying again).
 */
const BLOCKED_TRIES = 3;
