/**
 * The Uppy instance an upload run drives, with @uppy/tus set up as the run needs it, and what each file is given
 * as Uppy adds it. Nothing else in the app builds an Uppy or reads its files.
 */
import Uppy, { type UppyFile } from '@uppy/core';
import Tus, { type TusOptions } from '@uppy/tus';
import type { FileDigests } from '#core/digest';
import { METADATA } from '#core/protocol';
import type { TransferPlan } from '#core/tus-capabilities';
import { UploadHttpStack, WatchedRequest } from './upload-http-stack';
import type { UploadJob, UploadSettings } from './upload-types';
import { wholeFileReader } from './whole-file-reader';

const BASE_META_FIELDS = [METADATA.relativePath, METADATA.batch, 'name', 'type'];

export type Meta = { relativePath: string; batch: string; jobId: number; sha256?: string; md5?: string };
export type Body = Record<string, never>;
export type EngineFile = UppyFile<Meta, Body>;
export type HttpRequest = Parameters<NonNullable<TusOptions<Meta, Body>['onBeforeRequest']>>[0];
export type TusFileOptions = NonNullable<EngineFile['tus']>;
type ShouldRetry = NonNullable<TusOptions<Meta, Body>['onShouldRetry']>;

/** What the run decides for the engine. */
export interface EngineHooks {
  /** The transfer options of a file being added (see transferOptions), if it has any. */
  optionsOf(jobId: number): TusFileOptions | undefined;
  /** Called before each request of a file goes out; may add headers. */
  beforeRequest(req: HttpRequest, file: EngineFile): Promise<void>;
  /** Whether tus-js-client may try a failed request again; `next` is its own rule. */
  shouldRetry(error: Parameters<ShouldRetry>[0], next: Parameters<ShouldRetry>[3]): boolean;
  /** The server answered a request at `at` (ms since the epoch). */
  answered(at: number): void;
}

export function createEngine(
  settings: Required<UploadSettings>,
  plan: TransferPlan,
  hooks: EngineHooks,
): Uppy<Meta, Body> {
  // The instance id is part of every tus fingerprint, so a partial upload is only ever resumed into its own batch.
  const uppy = new Uppy<Meta, Body>({
    id: `batch-${settings.batch}`,
    autoProceed: false,
    allowMultipleUploadBatches: true,
    // Each file gets its transfer options as it is added: setting them afterwards would cost a state update
    // of every file in the window, per file.
    onBeforeFileAdded: (file) => {
      const tus = hooks.optionsOf(file.meta.jobId);
      return tus ? { ...file, tus } : true;
    },
  });
  const { token } = settings;
  uppy.use(Tus<Meta, Body>, {
    endpoint: settings.endpoint,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    limit: settings.connections,
    chunkSize: settings.chunkSize,
    // Backs off to 20 s between tries (about 40 s in all), enough for a receiver restart or a network blip;
    // after that the file fails with a sentence and Retry sends it again.
    retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
    // Most files fit in one chunk: they travel inside the creation request, one round trip instead of two,
    // where the server lists creation-with-upload. Larger files opt out one by one. Resume addresses are kept
    // by the page (IndexedDB), never localStorage.
    uploadDataDuringCreation: plan.dataInCreation,
    storeFingerprintForResuming: false,
    allowedMetaFields: BASE_META_FIELDS,
    fileReader: wholeFileReader(),
    httpStack: new UploadHttpStack(undefined, (at) => hooks.answered(at), plan.chunkChecksum),
    onBeforeRequest: (req, file) => {
      if (req instanceof WatchedRequest) req.owner = file.meta.jobId;
      return hooks.beforeRequest(req, file);
    },
    onShouldRetry: (error, _attempt, _options, next) => hooks.shouldRetry(error, next),
  });
  return uppy;
}

/**
 * Per-file transfer options, by job id, for the files about to be added:
 * - a file larger than one chunk is created empty first, so that an interruption during its first chunk can
 *   still resume from the receiver's offset (an interrupted creation request leaves no upload URL), and is then
 *   sent in requests of `requestSize` (larger than a chunk where the server prefers larger requests);
 * - a file with an upload from before a reload continues it;
 * - checksums known before the upload starts are announced as tus metadata at creation too (Uppy would send
 *   "undefined" for a field a file lacks, so the fields are allowed file by file).
 */
export function transferOptions(
  added: readonly { readonly job: UploadJob; readonly data: File }[],
  resumes: ReadonlyMap<number, string>,
  known: ReadonlyMap<number, FileDigests>,
  chunkSize: number,
  requestSize = chunkSize,
): Map<number, TusFileOptions> {
  const options = new Map<number, TusFileOptions>();
  for (const { job, data } of added) {
    const uploadUrl = resumes.get(job.id);
    const large = data.size > chunkSize;
    const digests = known.get(job.id);
    if (!large && uploadUrl === undefined && digests === undefined) continue;
    const tus: TusFileOptions = {};
    if (large) tus.chunkSize = requestSize;
    if (large || uploadUrl) tus.uploadDataDuringCreation = false;
    if (uploadUrl) tus.uploadUrl = uploadUrl;
    if (digests) {
      tus.allowedMetaFields = [...BASE_META_FIELDS, METADATA.sha256, ...(digests.md5 ? [METADATA.md5] : [])];
    }
    options.set(job.id, tus);
  }
  return options;
}

/** The file as Uppy adds it. */
export function fileDescriptor(job: UploadJob, data: File, batch: string, known: FileDigests | undefined) {
  const meta: Meta = { relativePath: job.uploadPath ?? job.path, batch, jobId: job.id };
  // Checksums known before the upload starts also travel as tus metadata, announced at creation.
  if (known) {
    meta.sha256 = known.sha256;
    if (known.md5 !== undefined) meta.md5 = known.md5;
  }
  return { name: data.name, type: job.mime, data, meta };
}

/**
 * A response header, read only when a page may read it: the browser logs an error for each one it hides. Our
 * receiver exposes its headers (`exposed`); another server's answer is asked which it exposes first.
 */
export function responseHeader(
  xhr: XMLHttpRequest | undefined,
  name: string,
  exposed: boolean,
): string | null {
  if (!xhr) return null;
  if (!exposed && !xhr.getAllResponseHeaders().toLowerCase().includes(`${name.toLowerCase()}:`)) return null;
  return xhr.getResponseHeader(name);
}
