import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERRORS, TUS_RESUMABLE, type Locker, type ServerOptions, type Upload } from '@tus/server';
import { TUS_PATH, TUS_DATA_TYPE } from '#core/protocol';
import { answerLikeTus, tusRefusal } from './whole-file-post.ts';

/** Headers tus checks or acts on in a PATCH beyond those read here: a request with any of them goes to tus. */
const LEFT_TO_TUS = [
  'upload-length',
  'upload-defer-length',
  'upload-concat',
  'upload-metadata',
  'tus-version',
  'tus-extension',
  'tus-max-size',
  'x-http-method-override',
];
const ID = new RegExp(`^${TUS_PATH}/([^/?#]+)/?$`);
const DIGITS = /^\d+$/;

export type DirectPatch = { id: string; offset: number; length: number };

/**
 * A PATCH that tus would take as far as its headers go, with a declared length, or undefined for any other
 * request: tus handles those, its refusals included.
 */
export function readDirectPatch(req: IncomingMessage): DirectPatch | undefined {
  const { headers } = req;
  const offset = headers['upload-offset'];
  const length = headers['content-length'];
  const forwarded = headers['x-forwarded-proto'];
  const id = ID.exec(req.url ?? '')?.[1];
  if (
    req.method !== 'PATCH' ||
    id === undefined ||
    headers['tus-resumable'] !== TUS_RESUMABLE ||
    headers['content-type'] !== TUS_DATA_TYPE ||
    typeof offset !== 'string' ||
    !DIGITS.test(offset) ||
    length === undefined ||
    !DIGITS.test(length) ||
    (forwarded !== undefined && forwarded !== 'http' && forwarded !== 'https') ||
    LEFT_TO_TUS.some((name) => headers[name] !== undefined)
  ) {
    return undefined;
  }
  try {
    return { id: decodeURIComponent(id), offset: Number(offset), length: Number(length) };
  } catch {
    return undefined;
  }
}

/** What the receiver's own PATCH needs of a store (on disk or S3): tus's calls, and a write that takes the body as chunks. */
export interface PatchStore {
  getUpload(id: string): Promise<Upload>;
  getExpiration(): number;
  hasExtension(extension: string): boolean;
  /** Writes `length` bytes (fewer when the sender goes away) of `body` at `offset`; resolves to the new offset. */
  write(body: AsyncIterable<Buffer>, id: string, offset: number, length: number): Promise<number>;
}

/** How long a request asked to give up its upload's lock goes on before it stops reading (tus's default). */
export const LOCK_DRAIN_TIMEOUT_MS = 3000;

export interface DirectPatchParts {
  readonly store: PatchStore;
  /**
   * The same locks as tus's, so that a PATCH here and a request to tus never write one upload at once; by request
   * where the lock watches whether the request's body still moves.
   */
  readonly locker: Locker | ((req: IncomingMessage) => Locker);
  /** How long a request asked to give up its upload's lock may go on before it stops reading. */
  readonly lockDrainTimeout: number;
  readonly maxFileSize: number | undefined;
  readonly hooks: Required<Pick<ServerOptions, 'onIncomingRequest' | 'onUploadFinish' | 'onResponseError'>>;
  /** The tus headers of an answer to a page of this origin. */
  readonly headers: (req: IncomingMessage) => Record<string, string>;
}

/**
 * A PATCH to an upload, taken as tus takes it (the same hooks, lock, checks and answers) but with the body read
 * straight from Node's request: tus turns it into a web stream and back, which cost the receiver about as much
 * CPU again as hashing and writing the bytes (most of it in garbage collection).
 */
export async function receiveDirectPatch(
  parts: DirectPatchParts,
  req: IncomingMessage,
  res: ServerResponse,
  patch: DirectPatch,
): Promise<void> {
  const { store, hooks } = parts;
  const headers = parts.headers(req);
  // The hooks read what tus gives them: a web request with the headers.
  const request = new Request(`http://receiver${req.url ?? ''}`, {
    method: 'PATCH',
    headers: Object.entries(req.headers).flatMap(([name, value]) =>
      value === undefined
        ? []
        : [[name, Array.isArray(value) ? value.join(', ') : value] as [string, string]],
    ),
  });
  const stop = new AbortController();
  try {
    await hooks.onIncomingRequest(request, patch.id);
    const locker = typeof parts.locker === 'function' ? parts.locker(req) : parts.locker;
    const lock = locker.newLock(patch.id);
    await lock.lock(stop.signal, () => {
      // The lock wants this request to stop (another request wants the upload, or this one's sender went silent):
      // it stops reading after a while, keeping what it wrote, as tus's own PATCH does.
      setTimeout(() => stop.abort(), parts.lockDrainTimeout).unref();
    });
    let upload;
    try {
      upload = await store.getUpload(patch.id);
      const expiry = store.getExpiration();
      const created = upload.creation_date ? new Date(upload.creation_date).getTime() : Date.now();
      if (store.hasExtension('expiration') && expiry > 0 && Date.now() > created + expiry) {
        throw ERRORS.FILE_NO_LONGER_EXISTS;
      }
      if (upload.offset !== patch.offset) throw ERRORS.INVALID_OFFSET;
      const limit = upload.size ?? (parts.maxFileSize || Number.MAX_SAFE_INTEGER);
      if (patch.offset + patch.length > limit) throw ERRORS.ERR_SIZE_EXCEEDED;
      upload.offset = await store.write(bodyUntil(req, stop.signal), patch.id, patch.offset, patch.length);
    } finally {
      await lock.unlock();
    }
    const answer: Record<string, string> = { ...headers, 'Upload-Offset': String(upload.offset) };
    let status = 204;
    let body = '';
    if (upload.offset === upload.size) {
      const finished = await hooks.onUploadFinish(request, upload);
      if (finished.status_code) status = finished.status_code;
      if (finished.body) body = finished.body;
      Object.assign(answer, finished.headers);
    }
    const expiry = store.getExpiration();
    if (expiry > 0 && upload.creation_date && (upload.size === undefined || upload.offset < upload.size)) {
      answer['Upload-Expires'] = new Date(new Date(upload.creation_date).getTime() + expiry).toUTCString();
    }
    answerLikeTus(res, status, answer, body, stop.signal.aborted);
  } catch (error) {
    const failure = (await hooks.onResponseError(request, error as Error)) ?? tusRefusal(error);
    // Like tus, which closes the connection after a failed PATCH, since the rest of the body may be left unread.
    answerLikeTus(res, failure.status_code, headers, failure.body, true);
  }
}

/**
 * The request's body, ending rather than failing when the sender goes away or `signal` asks it to stop: what
 * arrived is kept, and the upload resumes from there.
 */
async function* bodyUntil(req: IncomingMessage, signal: AbortSignal): AsyncGenerator<Buffer> {
  const stop = () => req.destroy();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) yield chunk;
  } catch {
    // The sender went away, or the request was stopped.
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
