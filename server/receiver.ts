import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ERRORS, MemoryLocker, Server, type ServerOptions } from '@tus/server';
import {
  RECEIVER_EXTENSIONS,
  REPR_DIGEST_HEADER,
  REQUEST_SIZE_HEADER,
  STORED_PATH_HEADER,
  TUS_PATH,
  UPLOAD_CHECKSUM_HEADER,
  VERIFIED_HEADER,
  TUS_DATA_TYPE,
  WANT_REPR_DIGEST_HEADER,
  RECEIVER_WANTS_DIGESTS,
} from '#core/protocol';
import { createBatchCompletion, type CompletionSettings } from './batch-complete.ts';
import { announceChecksumAlgorithms, CHECKSUM_CORS, takeChecksumHeader } from './chunk-checksum.ts';
import { readAnnouncements } from './digests.ts';
import {
  LOCK_DRAIN_TIMEOUT_MS,
  readDirectPatch,
  receiveDirectPatch,
  type DirectPatchParts,
} from './direct-patch.ts';
import { diskBags } from './disk-bags.ts';
import { DiskFinisher } from './disk-finisher.ts';
import { isDiskFull } from './disk-space.ts';
import { describeDuration } from './durations.ts';
import { createObjectReceiver, type ObjectStorage } from './object-receiver.ts';
import { PartialStore, removeInterrupted } from './partial-store.ts';
import { PlacedFiles } from './placed-files.ts';
import {
  describeError,
  hasToken,
  originRules,
  quote,
  refusal,
  refuseToken,
  storedName,
} from './receiver-requests.ts';
import { describeBytes } from './sizes.ts';
import { SpaceGuard } from './space-guard.ts';
import { receiveWholeFile, type WholeFileParts } from './whole-file-receive.ts';
import { readWholeFilePost, tusHeadersFor, WHOLE_FILE_LIMIT } from './whole-file-post.ts';

export type ReceiverOptions = {
  uploadDir: string;
  token?: string | undefined;
  /** Largest accepted file in bytes; no limit when absent or 0. */
  maxFileSize?: number | undefined;
  log?: ((line: string) => void) | undefined;
  /** Origins of pages elsewhere that may upload; any when absent. The page the receiver serves always may. */
  allowedOrigins?: readonly string[] | undefined;
  /** Bytes that must stay free on the upload disk; an upload that would eat into them gets 507. No check when absent or 0. */
  minFreeSpace?: number | undefined;
  /** Milliseconds after its creation when an unfinished upload is deleted; never when absent or 0. */
  partialExpiry?: number | undefined;
  /** The bag's contact fields and the hand-off of completed batches (hook, webhook). */
  completion?: CompletionSettings | undefined;
  /** Object storage instead of `uploadDir` (STORAGE=s3://…). */
  storage?: ObjectStorage | undefined;
};

export { TOKEN_REFUSED } from './receiver-requests.ts';

export type Receiver = {
  readonly path: typeof TUS_PATH;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Stops the periodic removal of expired partial uploads, once the batches being completed are bagged. */
  close(): Promise<void>;
};

/**
 * Response headers a page on another site may read, besides those of tus: with the digests the receiver verifies and
 * those it hands back (see WANT_REPR_DIGEST_HEADER).
 */
const EXPOSED_HEADERS = [
  STORED_PATH_HEADER,
  VERIFIED_HEADER,
  REQUEST_SIZE_HEADER,
  WANT_REPR_DIGEST_HEADER,
  REPR_DIGEST_HEADER,
  ...CHECKSUM_CORS.exposedHeaders,
];
const EXPIRY_SWEEP_INTERVAL = 60 * 60_000;
/**
 * The PATCH body the disk receiver asks for (its `request-size` extension). Each request of a large file ends with a
 * turn of a few milliseconds on each side (the answer, the page's next request, the partial file opened again): a
 * GiB in the page's usual 32 MiB chunks lost a tenth of its time to them. Larger requests lose nothing on a
 * dropped connection, since the bytes received are kept and the page resumes from them. The request that completes
 * a file carries its digest: one sent before its checksums were known waits for its XXH3-128 (a fraction of a
 * second for 128 MiB), or, larger, has it by then.
 */
export const DISK_REQUEST_SIZE = 128 * 2 ** 20;

export function createReceiver(options: ReceiverOptions): Receiver {
  return options.storage ? createObjectReceiver(options, options.storage) : createDiskReceiver(options);
}

function createDiskReceiver(options: ReceiverOptions): Receiver {
  const uploadDir = path.resolve(options.uploadDir);
  const partialDir = path.join(uploadDir, '.partial');
  mkdirSync(partialDir, { recursive: true });
  const log = options.log ?? ((line: string) => console.log(line));
  const logAt = (text: string) => log(`${new Date().toISOString()}  ${text}`);
  removeInterruptedUploads(partialDir, logAt);
  const { maxFileSize, minFreeSpace, partialExpiry } = options;
  const origins = originRules(options.allowedOrigins);
  const store = new PartialStore({
    directory: partialDir,
    ...(partialExpiry ? { expirationPeriodInMilliseconds: partialExpiry } : {}),
  });
  // Listed in Tus-Extension: the page sends its whole-file digests, and completes batches, only where the
  // server says it can.
  store.extensions = [
    ...store.extensions,
    RECEIVER_EXTENSIONS.reprDigest,
    RECEIVER_EXTENSIONS.batchComplete,
    RECEIVER_EXTENSIONS.requestSize,
  ];
  const placed = new PlacedFiles(uploadDir);
  const batches = createBatchCompletion({
    storage: diskBags(uploadDir, placed, logAt),
    settings: options.completion ?? {},
    log: logAt,
    cors: origins.corsOrigin,
  });
  batches.resume().catch((error: unknown) => logAt(`ERROR resuming hand-offs: ${describeError(error)}`));
  const space = new SpaceGuard(uploadDir, minFreeSpace ?? 0, logAt);
  const finisher = new DiskFinisher({ uploadDir, partialDir, store, placed, space, logAt });
  const wholeFileHeaders = tusHeadersFor(EXPOSED_HEADERS);
  const wholeFile: WholeFileParts = {
    partialDir,
    store,
    finisher,
    space,
    logAt,
    headers: (req) => wholeFileHeaders(origins.allowedOrigin(req)),
  };
  const wholeFileLimit = Math.min(WHOLE_FILE_LIMIT, maxFileSize || Infinity);
  const hooks = tusHooks({ store, finisher, space, logAt, maxFileSize, checkSpace: Boolean(minFreeSpace) });
  const locker = new MemoryLocker();
  const lockDrainTimeout = LOCK_DRAIN_TIMEOUT_MS;
  const patches: DirectPatchParts = {
    store,
    locker,
    lockDrainTimeout,
    maxFileSize,
    hooks,
    headers: wholeFile.headers,
  };
  const tus = new Server({
    path: TUS_PATH,
    datastore: store,
    relativeLocation: true,
    allowedHeaders: [REPR_DIGEST_HEADER, WANT_REPR_DIGEST_HEADER, ...CHECKSUM_CORS.allowedHeaders],
    exposedHeaders: EXPOSED_HEADERS,
    ...(origins.allowed ? { allowedOrigins: (origin: string) => origins.allowed?.has(origin) ?? false } : {}),
    ...(maxFileSize ? { maxSize: maxFileSize } : {}),
    locker,
    lockDrainTimeout,
    ...hooks,
  });
  const sweeper = sweepExpired(tus, partialDir, partialExpiry, logAt);

  return {
    path: TUS_PATH,
    handle(req, res) {
      if (options.token && req.method !== 'OPTIONS' && !hasToken(req, options.token)) {
        refuseToken(req, res, origins.corsOrigin(req));
        return;
      }
      if (batches.handles(req, res)) return;
      if (req.method === 'OPTIONS') {
        announceChecksumAlgorithms(res);
        res.setHeader(WANT_REPR_DIGEST_HEADER, RECEIVER_WANTS_DIGESTS);
        res.setHeader(REQUEST_SIZE_HEADER, String(DISK_REQUEST_SIZE));
      }
      const whole = readWholeFilePost(req, wholeFileLimit);
      const patch = whole ? undefined : readDirectPatch(req);
      const handling = whole
        ? receiveWholeFile(wholeFile, req, res, whole)
        : patch
          ? receiveDirectPatch(patches, req, res, patch)
          : tus.handle(req, res);
      handling.catch((error: unknown) => {
        logAt(`ERROR ${describeError(error)}`);
        if (res.headersSent) res.destroy();
        else res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The receiver failed.');
      });
    },
    close() {
      clearInterval(sweeper);
      return batches.close();
    },
  };
}

/** Removes the data files of whole-file creations cut off by a stop (see removeInterrupted), and says so. */
function removeInterruptedUploads(partialDir: string, logAt: (text: string) => void): void {
  const interrupted = removeInterrupted(partialDir);
  if (interrupted > 0) {
    logAt(
      `REMOVED ${interrupted} partial file${interrupted === 1 ? '' : 's'} of uploads cut off while the receiver stopped, from ${partialDir} (their senders start them again)`,
    );
  }
}

interface HookParts {
  readonly store: PartialStore;
  readonly finisher: DiskFinisher;
  readonly space: SpaceGuard;
  readonly logAt: (text: string) => void;
  readonly maxFileSize: number | undefined;
  /** A resumed upload's rest is checked against the space kept free. */
  readonly checkSpace: boolean;
}

/** The disk receiver's hooks into tus: what it checks when a request comes, an upload is created or finished, and how it words tus's errors. */
function tusHooks(
  parts: HookParts,
): Required<
  Pick<ServerOptions, 'onIncomingRequest' | 'onUploadCreate' | 'onUploadFinish' | 'onResponseError'>
> {
  const { store, finisher, space, logAt, maxFileSize } = parts;
  /** The upload id of a POST or PATCH, for errors that tus reports without it. */
  const uploadOfRequest = new WeakMap<object, string>();
  /** A body announced with an Upload-Checksum is checked as it is written (see PartialStore). */
  const expectChecksum = (header: string | null, id: string) =>
    takeChecksumHeader(header, id, (upload, checksum) => store.expectChecksum(upload, checksum));

  return {
    async onIncomingRequest(req, id) {
      uploadOfRequest.set(req, id);
      if (req.method !== 'PATCH') return;
      expectChecksum(req.headers.get(UPLOAD_CHECKSUM_HEADER), id);
      const digest = req.headers.get(REPR_DIGEST_HEADER);
      if (digest === null && !parts.checkSpace) return;
      // Without it the PATCH handler answers 404 or 410 itself.
      const upload = await store.getUpload(id).catch(() => undefined);
      if (!upload) return;
      // A malformed digest is refused before the data is sent rather than after.
      const stored = storedName(upload);
      const announced = readAnnouncements(undefined, [digest], quote(stored));
      if (!announced.ok) throw refusal(400, announced.message);
      if (upload.size !== undefined) await space.ensure(stored, upload.size - upload.offset, true);
    },
    async onUploadCreate(req, upload) {
      if (req.headers.get('content-type') === TUS_DATA_TYPE) {
        expectChecksum(req.headers.get(UPLOAD_CHECKSUM_HEADER), upload.id);
      }
      const { metadata } = await finisher.admit(
        upload,
        req.headers.get(REPR_DIGEST_HEADER),
        req.headers.get(WANT_REPR_DIGEST_HEADER),
      );
      return { metadata };
    },
    onUploadFinish(req, upload) {
      return finisher.finishOnce(upload, req.headers.get(REPR_DIGEST_HEADER));
    },
    async onResponseError(req, error) {
      if (maxFileSize && 'body' in error && error.body === ERRORS.ERR_MAX_SIZE_EXCEEDED.body) {
        return refusal(
          413,
          `The file is too large: this receiver accepts files up to ${describeBytes(maxFileSize)} (${maxFileSize} bytes).`,
        );
      }
      if (isDiskFull(error)) {
        const id = uploadOfRequest.get(req);
        const upload = id === undefined ? undefined : await store.getUpload(id).catch(() => undefined);
        return space.fullRefusal(upload, req.method, true);
      }
      if (error instanceof Error) logAt(`ERROR ${error.message}`);
      return undefined;
    },
  };
}

/** Removes unfinished uploads older than `partialExpiry` now and then periodically; returns the timer. */
function sweepExpired(
  tus: Server,
  partialDir: string,
  partialExpiry: number | undefined,
  logAt: (text: string) => void,
): NodeJS.Timeout | undefined {
  if (!partialExpiry) return undefined;
  const removeExpired = () =>
    tus.cleanUpExpiredUploads().then(
      (removed) => {
        if (removed > 0) {
          logAt(
            `EXPIRED ${removed} unfinished upload${removed === 1 ? '' : 's'} started over ${describeDuration(partialExpiry)} ago, removed from ${partialDir}`,
          );
        }
      },
      (error: unknown) => logAt(`ERROR while removing expired unfinished uploads: ${describeError(error)}`),
    );
  void removeExpired();
  return setInterval(removeExpired, Math.min(EXPIRY_SWEEP_INTERVAL, partialExpiry)).unref();
}
