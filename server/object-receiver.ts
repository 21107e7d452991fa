import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERRORS, Server, type Locker, type Upload } from '@tus/server';
import {
  CHECKSUM_MISMATCH,
  DISK_FULL,
  PAYLOAD_DIR,
  RECEIVER_EXTENSIONS,
  REPR_DIGEST_HEADER,
  REQUEST_SIZE_HEADER,
  STORED_PATH_HEADER,
  storedPathFor,
  TUS_PATH,
  UPLOAD_CHECKSUM_HEADER,
  VERIFIED_HEADER,
  TUS_DATA_TYPE,
  UPLOAD_LOCKED,
} from '#core/protocol';
import { createBatchCompletion } from './batch-complete.ts';
import { announceChecksumAlgorithms, CHECKSUM_CORS, takeChecksumHeader } from './chunk-checksum.ts';
import { algorithmsOf, digestLabel, readAnnouncements } from './digests.ts';
import { readDirectPatch, receiveDirectPatch, type DirectPatchParts } from './direct-patch.ts';
import { describeDuration } from './durations.ts';
import { PlacementError } from './placement.ts';
import type { Receiver, ReceiverOptions } from './receiver.ts';
import {
  admission,
  CREATION_DIGEST_KEY,
  describeError,
  hasToken,
  logLine,
  originRules,
  quote,
  readMetadata,
  refusal,
  refuseToken,
  type TusRefusal,
} from './receiver-requests.ts';
import { objectBags, placedKey } from './s3-bags.ts';
import { placeObject, type ObjectPlacement } from './s3-placement.ts';
import { ObjectStore } from './s3-store.ts';
import { bodyMoving, nodeRequestOf } from './request-moving.ts';
import { lockedSentence, MemoryState, RedisState, UploadLocked, type SharedState } from './shared-state.ts';
import { describeBytes } from './sizes.ts';
import { tusHeadersFor } from './whole-file-post.ts';

/** Where the receiver keeps files instead of its disk: `STORAGE=s3://bucket/prefix` and the S3_* settings. */
export type ObjectStorage = {
  bucket: string;
  /** '' or a key prefix ending in '/'. */
  prefix: string;
  endpoint?: string | undefined;
  region?: string | undefined;
  forcePathStyle?: boolean | undefined;
  /** The Redis that several receivers on one bucket share their locks and running digests through. */
  redisUrl?: string | undefined;
  /** How long an upload stays locked by a request whose body stopped moving, or by a killed receiver. */
  lockLeaseMs?: number | undefined;
};

const EXPOSED_HEADERS = [
  STORED_PATH_HEADER,
  VERIFIED_HEADER,
  REQUEST_SIZE_HEADER,
  ...CHECKSUM_CORS.exposedHeaders,
];
const EXPIRY_SWEEP_INTERVAL = 60 * 60_000;
/** How often each receiver looks for completions another receiver left unfinished when it stopped. */
const HANDOFF_SWEEP_INTERVAL = 60_000;
/** How long the answer to a finished upload is kept for a client whose final response was lost. */
const ANSWER_KEPT_MS = 60 * 60_000;
/** Verifying needs no read of the object, but placing a large one is a copy inside the store. */
const FINISH_LOCK_WAIT_MS = 10 * 60_000;
/**
 * How long a request told to stop by its lock goes on: at once, since the lock only tells a request whose body
 * stopped moving for a lease, or whose lease lapsed (tus takes 0 for its default of 3 s).
 */
const STOP_AT_ONCE_MS = 1;
/** A lock that is always free: a HEAD reads an upload's offset while a PATCH writes it, as tus 1.0 allows. */
const UNLOCKED: Locker = {
  newLock: () => ({ lock: () => Promise.resolve(), unlock: () => Promise.resolve() }),
};

type Answer = { headers: Record<string, string> };

/**
 * The receiver on S3-compatible object storage: tus uploads are S3 multipart uploads (see ObjectStore), a finished
 * one is verified from the digests computed as its bytes passed and copied to `<prefix><batch>/data/<path>`
 * without overwriting. With REDIS_URL, several receivers share one bucket: any of them continues any upload, two
 * requests on one upload never run at once, and each upload is verified and placed once. A batch is completed,
 * bagged in the bucket and handed on once, whichever receiver is asked (see s3-bags.ts).
 */
export function createObjectReceiver(options: ReceiverOptions, storage: ObjectStorage): Receiver {
  const log = options.log ?? ((line: string) => console.log(line));
  const logAt = (text: string) => log(`${new Date().toISOString()}  ${text}`);
  const { allowed, allowedOrigin, corsOrigin } = originRules(options.allowedOrigins);
  const where = `s3://${storage.bucket}/${storage.prefix}`;
  let sweeper: NodeJS.Timeout | undefined;
  let handoffSweeper: NodeJS.Timeout | undefined;
  let closed = false;

  const started = (async () => {
    const lease = { leaseMs: storage.lockLeaseMs };
    const state: SharedState = storage.redisUrl
      ? await RedisState.connect(
          storage.redisUrl,
          `specimen-receiver:${storage.bucket}/${storage.prefix}:`,
          lease,
        )
      : new MemoryState(lease);
    const store = new ObjectStore({
      bucket: storage.bucket,
      prefix: storage.prefix,
      client: {
        ...(storage.endpoint ? { endpoint: storage.endpoint } : {}),
        ...(storage.region ? { region: storage.region } : {}),
        ...(storage.forcePathStyle ? { forcePathStyle: true } : {}),
        // Without "Expect: 100-continue" the SDK keeps its connections open; with it, each part of 2 MiB or more
        // goes on a connection it closes ("Connection: close"), and Ceph's gateway then answers an early refusal
        // (a full quota) and closes without reading the rest of the part, so the reset could reach the receiver
        // before the answer: a 500 "socket hang up" instead of the 507 sentence. On a kept connection the gateway
        // reads the rest of the part and the answer always arrives.
        expectContinueHeader: false,
      },
      state,
      maxFileSize: options.maxFileSize,
      partialExpiry: options.partialExpiry,
    });
    store.extensions = [
      ...store.extensions,
      RECEIVER_EXTENSIONS.reprDigest,
      RECEIVER_EXTENSIONS.batchComplete,
      RECEIVER_EXTENSIONS.requestSize,
    ];
    store.onUnplaced = (upload) => finishOnce(store, state, upload, null);
    const { tus, patches } = createTusServer(store, state);
    const completion = createBatchCompletion({
      storage: objectBags({
        client: store.s3,
        bucket: storage.bucket,
        prefix: storage.prefix,
        state,
        log: logAt,
      }),
      settings: options.completion ?? {},
      log: logAt,
      cors: corsOrigin,
    });
    if (!closed) {
      const resume = () =>
        completion
          .resume()
          .catch((error: unknown) => logAt(`ERROR resuming hand-offs: ${describeError(error)}`));
      void resume();
      handoffSweeper = setInterval(resume, HANDOFF_SWEEP_INTERVAL).unref();
    }
    if (options.partialExpiry && !closed) {
      const expiry = options.partialExpiry;
      const removeExpired = () =>
        tus.cleanUpExpiredUploads().then(
          (removed) => {
            if (removed > 0) {
              logAt(
                `EXPIRED ${removed} unfinished upload${removed === 1 ? '' : 's'} started over ${describeDuration(expiry)} ago, removed from ${where}`,
              );
            }
          },
          (error: unknown) =>
            logAt(`ERROR while removing expired unfinished uploads: ${describeError(error)}`),
        );
      void removeExpired();
      sweeper = setInterval(removeExpired, Math.min(EXPIRY_SWEEP_INTERVAL, expiry)).unref();
    }
    return { tus, patches, store, state, completion };
  })();

  const finish = async (
    store: ObjectStore,
    state: SharedState,
    upload: Upload,
    completingDigest: string | null,
  ) => {
    const { batch, relativePath } = readMetadata(upload);
    const name = `${batch}/${relativePath}`;
    const announced = readAnnouncements(
      upload.metadata,
      [upload.metadata?.[CREATION_DIGEST_KEY], completingDigest],
      quote(name),
    );
    if (!announced.ok) throw refusal(400, announced.message);
    const size = upload.size ?? upload.offset;
    const digests = await store.digestsOf(upload, size);
    // It hashes SHA-256 and MD5 only, and does not ask for XXH3-128 (no Want-Repr-Digest): other digests are ignored.
    const checked = announced.announced.filter((digest) => digests.has(digest.algorithm));
    const wrong = checked.find((digest) => digests.get(digest.algorithm) !== digest.hex);
    if (wrong) {
      const label = digestLabel(wrong.algorithm);
      const actual = digests.get(wrong.algorithm);
      logAt(`REFUSED ${name}: ${label} ${actual}, announced ${wrong.hex}`);
      // Removed, so that sending it again starts a new upload rather than finding this one complete.
      await store.discard(upload.id);
      throw refusal(
        CHECKSUM_MISMATCH,
        `${quote(name)} arrived with other bytes than were sent (its ${label} is ${actual}, the sender announced ${wrong.hex}), so it was not stored; send it again.`,
      );
    }
    const verified = algorithmsOf(checked);
    const sha256 = digests.get('sha-256') ?? '';
    let placement;
    try {
      placement = await placeObject(
        { client: store.s3, bucket: store.bucketName, key: upload.id, size, sha256, md5: digests.get('md5') },
        storage.prefix,
        batch,
        relativePath,
        state,
      );
    } catch (error) {
      const problem = describeObjectStoreError(error, where);
      logAt(`FAILED ${name}: ${problem.reason}`);
      await store.discard(upload.id).catch(() => undefined);
      throw refusal(problem.status, `The receiver could not store ${quote(name)}: ${problem.reason}`);
    }
    await recordPlaced(state, batch, relativePath, placement, size, sha256, digests.get('md5'));
    await store.finished(upload);
    await store.discard(upload.id);
    logAt(logLine(placement, size, storedPathFor(batch, relativePath), verified));
    return {
      headers: {
        [STORED_PATH_HEADER]: placement.storedPath.split('/').map(encodeURIComponent).join('/'),
        ...(verified.length > 0 ? { [VERIFIED_HEADER]: verified.join(', ') } : {}),
      },
    };
  };

  /** Notes the digests computed as the bytes arrived, so completing the batch reads no object again. */
  const recordPlaced = async (
    state: SharedState,
    batch: string,
    relativePath: string,
    placement: ObjectPlacement,
    bytes: number,
    sha256: string,
    md5: string | undefined,
  ) => {
    const record = {
      path: relativePath,
      stored: placement.storedPath.slice(`${batch}/${PAYLOAD_DIR}/`.length),
      bytes,
      mtimeMs: 0,
      etag: placement.etag,
      sha256,
      md5,
    };
    await state.append(placedKey(batch), JSON.stringify(record)).catch((error: unknown) => {
      // The object is placed; completing the batch takes its digests from the object's metadata instead.
      logAt(`ERROR cannot note the digests of ${placement.storedPath}: ${describeError(error)}`);
    });
  };

  /** Verifies and places a finished upload once, whichever receiver is asked, however often. */
  const finishOnce = (
    store: ObjectStore,
    state: SharedState,
    upload: Upload,
    completingDigest: string | null,
  ) =>
    state.exclusive(`finish:${upload.id}`, FINISH_LOCK_WAIT_MS, async (): Promise<Answer> => {
      const done = await state.get(`answer:${upload.id}`);
      if (done !== undefined) return JSON.parse(done) as Answer;
      const answer = await finish(store, state, upload, completingDigest);
      await state.set(`answer:${upload.id}`, JSON.stringify(answer), ANSWER_KEPT_MS);
      return answer;
    });

  /** tus, and the receiver's own PATCH (see direct-patch.ts) with the same hooks, lock and answers. */
  function createTusServer(
    store: ObjectStore,
    state: SharedState,
  ): { tus: Server; patches: DirectPatchParts } {
    /** A body announced with an Upload-Checksum is checked before any of it goes to S3 (see ObjectStore). */
    const expectChecksum = (header: string | null, id: string) =>
      takeChecksumHeader(header, id, (upload, checksum) => store.expectChecksum(upload, checksum));
    const hooks: DirectPatchParts['hooks'] = {
      onIncomingRequest(req, id) {
        if (req.method === 'PATCH') expectChecksum(req.headers.get(UPLOAD_CHECKSUM_HEADER), id);
        return Promise.resolve();
      },
      onUploadFinish(req, upload) {
        return finishOnce(store, state, upload, req.headers.get(REPR_DIGEST_HEADER));
      },
      async onResponseError(_req, error) {
        if (error instanceof UploadLocked)
          return refusal(UPLOAD_LOCKED, await lockedRefusal(store, error.id));
        if (options.maxFileSize && 'body' in error && error.body === ERRORS.ERR_MAX_SIZE_EXCEEDED.body) {
          return refusal(
            413,
            `The file is too large: this receiver accepts files up to ${describeBytes(options.maxFileSize)} (${options.maxFileSize} bytes).`,
          );
        }
        const refused = storeRefusal(error, where);
        if (refused) {
          logAt(`REFUSED by the store: ${describeError(error)}`);
          return refused;
        }
        if (error instanceof Error) logAt(`ERROR ${error.message}`);
        return undefined;
      },
    };
    const tus = new Server({
      path: TUS_PATH,
      datastore: store,
      // The node request's body tells whether a lock's holder is still alive.
      locker: (req: Request) => {
        if (req.method === 'HEAD') return UNLOCKED;
        const node = nodeRequestOf(req);
        return state.uploadLocker(node && bodyMoving(node));
      },
      lockDrainTimeout: STOP_AT_ONCE_MS,
      relativeLocation: true,
      allowedHeaders: [REPR_DIGEST_HEADER, ...CHECKSUM_CORS.allowedHeaders],
      exposedHeaders: EXPOSED_HEADERS,
      ...(allowed ? { allowedOrigins: (origin: string) => allowed.has(origin) } : {}),
      ...(options.maxFileSize ? { maxSize: options.maxFileSize } : {}),
      // Ids are the objects' keys; the address carries only their last part.
      namingFunction: () => store.keyFor(randomHex()),
      generateUrl: (_req, { path, id }) => `${path}/${id.slice(id.lastIndexOf('/') + 1)}`,
      getFileIdFromRequest: (_req, last) => uploadIdOf(store, last),
      async onUploadCreate(req, upload) {
        const { metadata } = admission(upload, req.headers.get(REPR_DIGEST_HEADER));
        if (req.headers.get('content-type') === TUS_DATA_TYPE) {
          expectChecksum(req.headers.get(UPLOAD_CHECKSUM_HEADER), upload.id);
        }
        return { metadata };
      },
      ...hooks,
    });
    const headers = tusHeadersFor(EXPOSED_HEADERS);
    const patches: DirectPatchParts = {
      store,
      locker: (req) => state.uploadLocker(bodyMoving(req)),
      lockDrainTimeout: STOP_AT_ONCE_MS,
      maxFileSize: options.maxFileSize,
      hooks,
      headers: (req) => headers(allowedOrigin(req)),
    };
    return { tus, patches };
  }

  return {
    path: TUS_PATH,
    handle(req: IncomingMessage, res: ServerResponse) {
      if (options.token && req.method !== 'OPTIONS' && !hasToken(req, options.token)) {
        refuseToken(req, res, corsOrigin(req));
        return;
      }
      started
        .then(({ tus, patches, store, completion }) => {
          if (completion.handles(req, res)) return undefined;
          if (req.method === 'OPTIONS') {
            announceChecksumAlgorithms(res);
            res.setHeader(REQUEST_SIZE_HEADER, String(store.requestSize));
          }
          const patch = readDirectPatch(req);
          const id = uploadIdOf(store, patch?.id);
          return patch && id ? receiveDirectPatch(patches, req, res, { ...patch, id }) : tus.handle(req, res);
        })
        .catch((error: unknown) => {
          logAt(`ERROR ${describeError(error)}`);
          if (res.headersSent) res.destroy();
          else
            res
              .writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', ...corsOrigin(req) })
              .end(`The receiver cannot reach its storage or lock server: ${describeError(error)}`);
        });
    },
    close() {
      closed = true;
      clearInterval(sweeper);
      clearInterval(handoffSweeper);
      return started
        .then(async ({ state, completion }) => {
          await completion.close();
          await state.close();
        })
        .catch(() => undefined);
    },
  };
}

/** The refusal of a request to an upload that another request is writing to, naming its file when it can. */
async function lockedRefusal(store: ObjectStore, id: string): Promise<string> {
  const name = await store.getUpload(id).then(
    (upload) => {
      const { batch, relativePath } = readMetadata(upload);
      return quote(`${batch}/${relativePath}`);
    },
    () => 'this upload',
  );
  return lockedSentence(name);
}

/** The upload (its object's key) an address's last part names, if it names one. */
function uploadIdOf(store: ObjectStore, last: string | undefined): string | undefined {
  return last && /^[0-9a-f]{32}$/.test(last) ? store.keyFor(last) : undefined;
}

function randomHex(): string {
  return randomUUID().replaceAll('-', '');
}

/** The S3 error codes of a full quota, and of a refusal to write. */
const QUOTA_CODES = new Set(['QuotaExceeded', 'EntityTooLarge', 'InsufficientStorage']);
const DENIED_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AllAccessDisabled',
]);

function errorName(error: unknown): string | undefined {
  const named = error as { name?: unknown; Code?: unknown } | undefined;
  if (typeof named?.Code === 'string') return named.Code;
  return typeof named?.name === 'string' ? named.name : undefined;
}

/** A sentence for a quota or permission refusal from the store, instead of tus's bare 500. */
function storeRefusal(error: unknown, where: string): TusRefusal | undefined {
  const name = errorName(error);
  if (name === undefined || (!QUOTA_CODES.has(name) && !DENIED_CODES.has(name))) return undefined;
  const problem = describeObjectStoreError(error, where);
  return refusal(problem.status, `The receiver could not take the upload: ${problem.reason}`);
}

function describeObjectStoreError(error: unknown, where: string): { status: number; reason: string } {
  if (error instanceof PlacementError) return { status: error.status, reason: error.reason };
  const name = errorName(error) ?? '';
  if (QUOTA_CODES.has(name)) {
    return {
      status: DISK_FULL,
      reason: `the storage quota of ${where} is used up (${name}); ask the receiver's administrator to raise it or free space, then send the file again.`,
    };
  }
  if (DENIED_CODES.has(name)) {
    return {
      status: 403,
      reason: `the object store refused the receiver's credentials for ${where} (${name}); ask the receiver's administrator to check its S3 keys and bucket policy.`,
    };
  }
  return { status: 500, reason: `the object store failed (${name || describeError(error)}).` };
}
