import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ERRORS, Server, Upload } from '@tus/server';
import {
  describeError,
  hasToken,
  logLine,
  originRules,
  quote,
  readMetadata,
  refusal,
  refuseToken,
  storedName,
  type TusRefusal,
} from './receiver-requests.ts';
import {
  CHECKSUM_MISMATCH,
  DISK_FULL,
  PAYLOAD_DIR,
  RECEIVER_EXTENSIONS,
  REPR_DIGEST_HEADER,
  STORED_PATH_HEADER,
  storedPathFor,
  TUS_PATH,
  UPLOAD_CHECKSUM_HEADER,
  VERIFIED_HEADER,
} from '#core/protocol';
import { announceChecksumAlgorithms, CHECKSUM_CORS, takeChecksumHeader } from './chunk-checksum.ts';
import {
  algorithmsOf,
  digestFile,
  digestLabel,
  readAnnouncements,
  type Announcement,
  type DigestAlgorithm,
} from './digests.ts';
import { createBatchCompletion, type CompletionSettings } from './batch-complete.ts';
import { freeBytes, FreeSpaceGauge, isDiskFull } from './disk-space.ts';
import { describeDuration } from './durations.ts';
import { AT_ONCE_LIMIT, PartialStore, removeInterrupted } from './partial-store.ts';
import { createObjectReceiver, type ObjectStorage } from './object-receiver.ts';
import { PlacedFiles } from './placed-files.ts';
import { PlacementError, placeFile, type Placement } from './placement.ts';
import { describeBytes } from './sizes.ts';
import {
  answerLikeTus,
  bodyChunksOf,
  bodyOf,
  readWholeFilePost,
  tusHeadersFor,
  tusRefusal,
  WHOLE_FILE_LIMIT,
  type WholeFilePost,
} from './whole-file-post.ts';

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
  /** Stops the periodic removal of expired partial uploads. */
  close(): void;
};

/** Response headers a page on another site may read, besides those of tus. */
const EXPOSED_HEADERS = [STORED_PATH_HEADER, VERIFIED_HEADER, ...CHECKSUM_CORS.exposedHeaders];
/** Where onUploadCreate keeps a Repr-Digest sent with the creation, for the check when the upload finishes. */
const CREATION_DIGEST_KEY = 'reprDigestAtCreation';
const EXPIRY_SWEEP_INTERVAL = 60 * 60_000;

export function createReceiver(options: ReceiverOptions): Receiver {
  return options.storage ? createObjectReceiver(options, options.storage) : createDiskReceiver(options);
}

function createDiskReceiver(options: ReceiverOptions): Receiver {
  const uploadDir = path.resolve(options.uploadDir);
  const partialDir = path.join(uploadDir, '.partial');
  mkdirSync(partialDir, { recursive: true });
  const log = options.log ?? ((line: string) => console.log(line));
  const logAt = (text: string) => log(`${new Date().toISOString()}  ${text}`);
  const interrupted = removeInterrupted(partialDir);
  if (interrupted > 0) {
    logAt(
      `REMOVED ${interrupted} partial file${interrupted === 1 ? '' : 's'} of uploads cut off while the receiver stopped, from ${partialDir} (their senders start them again)`,
    );
  }
  const { maxFileSize, minFreeSpace, partialExpiry } = options;
  const { allowed, allowedOrigin, corsOrigin } = originRules(options.allowedOrigins);
  const wholeFileLimit = Math.min(WHOLE_FILE_LIMIT, maxFileSize || Infinity);
  const wholeFileHeaders = tusHeadersFor(EXPOSED_HEADERS);
  const finishing = new Map<string, Promise<{ headers: Record<string, string> }>>();
  const store = new PartialStore({
    directory: partialDir,
    ...(partialExpiry ? { expirationPeriodInMilliseconds: partialExpiry } : {}),
  });
  // Listed in Tus-Extension: the page sends its whole-file digests, and completes batches, only where the
  // server says it can.
  store.extensions = [...store.extensions, RECEIVER_EXTENSIONS.reprDigest, RECEIVER_EXTENSIONS.batchComplete];
  const placed = new PlacedFiles(uploadDir);
  const batches = createBatchCompletion({
    uploadDir,
    settings: options.completion ?? {},
    placed,
    log: logAt,
    cors: corsOrigin,
  });
  batches.resume().catch((error: unknown) => logAt(`ERROR resuming hand-offs: ${describeError(error)}`));
  /** The upload id of a POST or PATCH, for errors that tus reports without it. */
  const uploadOfRequest = new WeakMap<object, string>();

  const reserve = minFreeSpace ?? 0;
  const space = reserve ? new FreeSpaceGauge(() => freeBytes(uploadDir), reserve) : null;

  /** Refuses with 507 when `needed` more bytes would leave less than `minFreeSpace` free. */
  const ensureSpace = async (stored: string, needed: number, resuming: boolean) => {
    if (!space || needed <= 0) return;
    const free = await space.refuses(needed).catch((error: unknown) => {
      logAt(`ERROR cannot read the free space of ${uploadDir}: ${describeError(error)}`);
      return undefined;
    });
    if (free === undefined) return;
    logAt(`REFUSED ${stored}: needs ${needed} bytes, ${free} free, ${reserve} kept in reserve`);
    throw refusal(
      DISK_FULL,
      `The receiver's disk has ${describeBytes(free)} free and keeps ${describeBytes(reserve)} of it in reserve, but ${quote(stored)} ${resuming ? 'still needs' : 'needs'} ${describeBytes(needed)}; free space on the receiver (or lower its MIN_FREE_SPACE), then ${resuming ? 'resume the upload' : 'send the file again'}.`,
    );
  };

  /** The answer to a write that failed for want of space; `kept` when what was written stays for a resume. */
  const diskFullRefusal = async (
    upload: Upload | undefined,
    method: string,
    kept: boolean,
  ): Promise<TusRefusal> => {
    const free = await freeBytes(uploadDir).catch(() => undefined);
    const freeNote = free === undefined ? '' : ` (${describeBytes(free)} free)`;
    if (upload?.size === undefined || !upload.metadata?.['batch']) {
      logAt('FAILED an upload: the disk is full.');
      return refusal(
        DISK_FULL,
        `The receiver's disk is full${freeNote}, so it could not take the upload; free space on the receiver, then send the file again.`,
      );
    }
    const stored = storedName(upload);
    logAt(
      `FAILED ${stored}: the disk is full (${upload.offset} of ${upload.size} bytes ${kept ? 'kept' : 'written, none kept'}).`,
    );
    return refusal(
      DISK_FULL,
      `The receiver's disk is full${freeNote}, so ${quote(stored)} stopped after ${describeBytes(upload.offset)} of ${describeBytes(upload.size)}; free space on the receiver, then ${method === 'PATCH' ? 'resume the upload, which keeps what has arrived' : 'send the file again'}.`,
    );
  };

  /** Checks every announced digest in one read of the file; on a mismatch drops it and refuses with 460. */
  const verify = async (
    upload: Upload,
    source: string,
    announced: Announcement[],
  ): Promise<DigestAlgorithm[]> => {
    const algorithms = algorithmsOf(announced);
    if (algorithms.length === 0) return [];
    // Digests computed as the bytes were written; whatever is missing is read from the file.
    const arrived = store.takeDigests(upload.id, upload.size ?? upload.offset, algorithms);
    const missing = algorithms.filter((algorithm) => !arrived.has(algorithm));
    if (missing.length > 0) for (const [a, hex] of await digestFile(source, missing)) arrived.set(a, hex);
    const wrong = announced.find((digest) => arrived.get(digest.algorithm) !== digest.hex);
    if (!wrong) return algorithms;
    const label = digestLabel(wrong.algorithm);
    const actual = arrived.get(wrong.algorithm);
    const stored = storedName(upload);
    logAt(`REFUSED ${stored}: ${label} ${actual}, announced ${wrong.hex}`);
    // Dropped, so that sending it again starts a new upload rather than finding this one complete.
    await store.discard(upload.id);
    throw refusal(
      CHECKSUM_MISMATCH,
      `${quote(stored)} arrived with other bytes than were sent (its ${label} is ${actual}, the sender announced ${wrong.hex}), so it was not stored; send it again.`,
    );
  };

  const finish = async (upload: Upload, completingDigest: string | null) => {
    const { batch, relativePath } = readMetadata(upload);
    const source = path.join(partialDir, upload.id);
    const announced = readAnnouncements(
      upload.metadata,
      [upload.metadata?.[CREATION_DIGEST_KEY], completingDigest],
      quote(`${batch}/${relativePath}`),
    );
    if (!announced.ok) throw refusal(400, announced.message);
    const verified = await verify(upload, source, announced.announced);
    let placement: Placement;
    try {
      placement = await placeFile(source, uploadDir, batch, relativePath);
    } catch (error) {
      const problem = describeStorageError(error);
      logAt(`FAILED ${batch}/${relativePath}: ${problem.reason}`);
      // Drop the upload so a client retry starts over instead of finding it complete and unplaced.
      await store.discard(upload.id);
      throw refusal(
        problem.status,
        `The receiver could not store ${quote(`${batch}/${relativePath}`)}: ${problem.reason}`,
      );
    }
    await store.discard(upload.id);
    store.finished(upload);
    recordPlaced(batch, relativePath, placement, announced.announced, verified);
    logAt(logLine(placement, upload.size ?? upload.offset, storedPathFor(batch, relativePath), verified));
    return {
      headers: {
        [STORED_PATH_HEADER]: placement.storedPath.split('/').map(encodeURIComponent).join('/'),
        ...(verified.length > 0 ? { [VERIFIED_HEADER]: verified.join(', ') } : {}),
      },
    };
  };

  /** Notes the digests checked on arrival, so completing the batch does not read the file again. */
  const recordPlaced = (
    batch: string,
    relativePath: string,
    placement: Placement,
    announced: readonly Announcement[],
    verified: readonly DigestAlgorithm[],
  ) => {
    const file = path.join(uploadDir, ...placement.storedPath.split('/'));
    const digest = (algorithm: DigestAlgorithm) =>
      verified.includes(algorithm) ? announced.find((a) => a.algorithm === algorithm)?.hex : undefined;
    try {
      const { size, mtimeMs } = statSync(file);
      placed.record(batch, {
        path: relativePath,
        stored: placement.storedPath.slice(`${batch}/${PAYLOAD_DIR}/`.length),
        bytes: size,
        mtimeMs,
        sha256: digest('sha-256'),
        md5: digest('md5'),
      });
    } catch (error) {
      // The file is stored; completing the batch reads it instead.
      logAt(`ERROR cannot note the digests of ${placement.storedPath}: ${describeError(error)}`);
    }
  };

  /**
   * Checks a new upload's metadata, its announced digests and the space it needs; returns the metadata to keep for
   * it and the algorithms to hash its bytes with.
   */
  const admit = async (upload: Upload, digest: string | null) => {
    const { batch, relativePath } = readMetadata(upload);
    const announced = readAnnouncements(upload.metadata, [digest], quote(`${batch}/${relativePath}`));
    if (!announced.ok) throw refusal(400, announced.message);
    if (upload.size !== undefined) await ensureSpace(`${batch}/${relativePath}`, upload.size, false);
    const { [CREATION_DIGEST_KEY]: _notTheSenders, ...sent } = upload.metadata ?? {};
    return {
      metadata: {
        ...sent,
        batch,
        relativePath,
        ...(digest === null ? {} : { [CREATION_DIGEST_KEY]: digest }),
      },
      algorithms: algorithmsOf(announced.announced),
    };
  };

  /** Verifies and places a finished upload once: a retried final PATCH may arrive while the first is at it. */
  const finishOnce = (upload: Upload, completingDigest: string | null) => {
    let job = finishing.get(upload.id);
    if (!job) {
      job = finish(upload, completingDigest).finally(() => {
        finishing.delete(upload.id);
        store.dropped(upload.id);
      });
      finishing.set(upload.id, job);
    }
    return job;
  };

  /**
   * A whole file in its creation request, taken as tus would take it, with only its data file written and nothing
   * read back: for many small files, that and tus's handling of a request cost more than the bytes.
   */
  const receiveWhole = async (req: IncomingMessage, res: ServerResponse, post: WholeFilePost) => {
    const headers = wholeFileHeaders(allowedOrigin(req));
    // Ids as tus makes them (32 hexadecimal digits), from the cheaper pooled randomness of randomUUID.
    const id = randomUUID().replaceAll('-', '');
    const upload = new Upload({ id, size: post.size, offset: 0, metadata: post.metadata });
    let stage: 'checking' | 'writing' | 'finishing' = 'checking';
    try {
      const digest = req.headers['repr-digest'];
      const admitted = await admit(upload, typeof digest === 'string' ? digest : null);
      upload.metadata = admitted.metadata;
      stage = 'writing';
      upload.offset =
        post.size <= AT_ONCE_LIMIT
          ? store.writeWholeAtOnce(await bodyChunksOf(req), upload.id, admitted.algorithms)
          : await store.writeWhole(bodyOf(req), upload.id, admitted.algorithms);
      stage = 'finishing';
      // The creation's Repr-Digest is checked from the metadata.
      const finished = await finishOnce(upload, null);
      answerLikeTus(res, 201, {
        ...headers,
        'Upload-Offset': String(upload.offset),
        ...finished.headers,
        Location: `${TUS_PATH}/${upload.id}`,
      });
    } catch (error) {
      const diskFull = stage === 'writing' && isDiskFull(error);
      if (diskFull)
        upload.offset = (await stat(path.join(partialDir, upload.id)).catch(() => undefined))?.size ?? 0;
      if (stage !== 'checking') await store.discard(upload.id);
      if (error instanceof Error && !diskFull) logAt(`ERROR ${error.message}`);
      const failure = diskFull
        ? await diskFullRefusal(upload, 'POST', false)
        : tusRefusal(stage === 'writing' && !req.complete ? ERRORS.ABORTED : error);
      // Like tus, which closes the connection after a failed write, since the rest of the body is left unread.
      answerLikeTus(res, failure.status_code, headers, failure.body, stage === 'writing');
    }
  };

  /** A body announced with an Upload-Checksum is checked as it is written (see PartialStore). */
  const expectChecksum = (header: string | null, id: string) =>
    takeChecksumHeader(header, id, (upload, checksum) => store.expectChecksum(upload, checksum));

  const tus = new Server({
    path: TUS_PATH,
    datastore: store,
    relativeLocation: true,
    allowedHeaders: [REPR_DIGEST_HEADER, ...CHECKSUM_CORS.allowedHeaders],
    exposedHeaders: EXPOSED_HEADERS,
    ...(allowed ? { allowedOrigins: (origin: string) => allowed.has(origin) } : {}),
    ...(maxFileSize ? { maxSize: maxFileSize } : {}),
    async onIncomingRequest(req, id) {
      uploadOfRequest.set(req, id);
      if (req.method !== 'PATCH') return;
      expectChecksum(req.headers.get(UPLOAD_CHECKSUM_HEADER), id);
      const digest = req.headers.get('repr-digest');
      if (digest === null && !minFreeSpace) return;
      // Without it the PATCH handler answers 404 or 410 itself.
      const upload = await store.getUpload(id).catch(() => undefined);
      if (!upload) return;
      // A malformed digest is refused before the data is sent rather than after.
      const stored = storedName(upload);
      const announced = readAnnouncements(undefined, [digest], quote(stored));
      if (!announced.ok) throw refusal(400, announced.message);
      if (upload.size !== undefined) await ensureSpace(stored, upload.size - upload.offset, true);
    },
    async onUploadCreate(req, upload) {
      if (req.headers.get('content-type') === 'application/offset+octet-stream') {
        expectChecksum(req.headers.get(UPLOAD_CHECKSUM_HEADER), upload.id);
      }
      const { metadata } = await admit(upload, req.headers.get('repr-digest'));
      return { metadata };
    },
    onUploadFinish(req, upload) {
      return finishOnce(upload, req.headers.get('repr-digest'));
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
        return diskFullRefusal(upload, req.method, true);
      }
      if (error instanceof Error) logAt(`ERROR ${error.message}`);
      return undefined;
    },
  });

  const removeExpired = () =>
    tus.cleanUpExpiredUploads().then(
      (removed) => {
        if (removed > 0 && partialExpiry) {
          logAt(
            `EXPIRED ${removed} unfinished upload${removed === 1 ? '' : 's'} started over ${describeDuration(partialExpiry)} ago, removed from ${partialDir}`,
          );
        }
      },
      (error: unknown) => logAt(`ERROR while removing expired unfinished uploads: ${describeError(error)}`),
    );
  let sweeper: NodeJS.Timeout | undefined;
  if (partialExpiry) {
    void removeExpired();
    sweeper = setInterval(removeExpired, Math.min(EXPIRY_SWEEP_INTERVAL, partialExpiry)).unref();
  }

  return {
    path: TUS_PATH,
    handle(req, res) {
      if (options.token && req.method !== 'OPTIONS' && !hasToken(req, options.token)) {
        refuseToken(req, res, corsOrigin(req));
        return;
      }
      if (batches.handles(req, res)) return;
      if (req.method === 'OPTIONS') announceChecksumAlgorithms(res);
      const whole = readWholeFilePost(req, wholeFileLimit);
      (whole ? receiveWhole(req, res, whole) : tus.handle(req, res)).catch((error: unknown) => {
        logAt(`ERROR ${describeError(error)}`);
        if (res.headersSent) res.destroy();
        else res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The receiver failed.');
      });
    },
    close() {
      clearInterval(sweeper);
      batches.close();
    },
  };
}

function describeStorageError(error: unknown): { status: number; reason: string } {
  if (error instanceof PlacementError) return { status: error.status, reason: error.reason };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { status: DISK_FULL, reason: 'the disk is full.' };
    case 'EACCES':
    case 'EPERM':
      return {
        status: 500,
        reason: 'it is not allowed to write there (check the upload folder’s permissions).',
      };
    case 'EROFS':
      return { status: 500, reason: 'the upload folder is on a read-only disk.' };
    case 'ENOTDIR':
    case 'EEXIST':
    case 'EISDIR':
      return { status: 409, reason: 'a file already stored there has the name of a folder on this path.' };
    case 'ENAMETOOLONG':
      return { status: 400, reason: 'a name on the path is too long for the disk.' };
    default:
      return { status: 500, reason: `an unexpected error occurred (${code ?? String(error)}).` };
  }
}
