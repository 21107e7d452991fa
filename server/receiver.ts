import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { ERRORS, Server, type Upload } from '@tus/server';
import { sanitizeBatchName, sanitizeRelativePath } from '#core/paths';
import { PlacementError, placeFile, type Placement } from './placement.ts';
import { describeBytes } from './sizes.ts';

export type ReceiverOptions = {
  uploadDir: string;
  token?: string | undefined;
  /** Largest accepted file in bytes; no limit when absent or 0. */
  maxFileSize?: number | undefined;
  log?: ((line: string) => void) | undefined;
  /** Origins of pages elsewhere that may upload; any when absent. The page the receiver serves always may. */
  allowedOrigins?: readonly string[] | undefined;
};

export type Receiver = {
  readonly path: typeof TUS_PATH;
  handle(req: IncomingMessage, res: ServerResponse): void;
};

export const TUS_PATH = '/files';
/** Response header on the final upload response: the stored `<batch>/<path>`, each segment URI-encoded. */
export const STORED_PATH_HEADER = 'Upload-Stored-Path';
export const TOKEN_REFUSED = 'The access token is missing or wrong.';
/** The status the tus checksum extension gives a body whose checksum does not match. */
export const CHECKSUM_MISMATCH = 460;

/** What @tus/server expects to be thrown from a hook to answer with a status and body. */
type TusRefusal = { status_code: number; body: string };
const refusal = (status_code: number, body: string): TusRefusal => ({ status_code, body });

export function createReceiver(options: ReceiverOptions): Receiver {
  const uploadDir = path.resolve(options.uploadDir);
  const partialDir = path.join(uploadDir, '.partial');
  mkdirSync(partialDir, { recursive: true });
  const log = options.log ?? ((line: string) => console.log(line));
  const maxFileSize = options.maxFileSize;
  const allowed = options.allowedOrigins ? new Set(options.allowedOrigins) : undefined;
  /** The Access-Control-Allow-Origin a response carries: any origin, the request's own if allowed, or none. */
  const corsOrigin = (req: IncomingMessage): Record<string, string> => {
    if (!allowed) return { 'Access-Control-Allow-Origin': '*' };
    const from = req.headers.origin;
    return from !== undefined && allowed.has(from)
      ? { 'Access-Control-Allow-Origin': from, Vary: 'Origin' }
      : {};
  };
  const finishing = new Map<string, Promise<{ headers: Record<string, string> }>>();

  const finish = async (upload: Upload) => {
    const { batch, relativePath } = readMetadata(upload);
    const source = path.join(partialDir, upload.id);
    const announced = upload.metadata?.['sha256']?.toLowerCase();
    if (announced) {
      const arrived = await sha256Of(source);
      if (arrived !== announced) {
        log(
          `${new Date().toISOString()}  REFUSED ${batch}/${relativePath}: SHA-256 ${arrived}, announced ${announced}`,
        );
        // Dropped, so that sending it again starts a new upload rather than finding this one complete.
        await discard(partialDir, upload.id);
        throw refusal(
          CHECKSUM_MISMATCH,
          `${quote(`${batch}/${relativePath}`)} arrived with other bytes than were sent (its SHA-256 is ${arrived}, the sender announced ${announced}), so it was not stored; send it again.`,
        );
      }
    }
    let placement: Placement;
    try {
      placement = await placeFile(source, uploadDir, batch, relativePath);
    } catch (error) {
      const problem = describeStorageError(error);
      log(`${new Date().toISOString()}  FAILED ${batch}/${relativePath}: ${problem.reason}`);
      // Drop the upload so a client retry starts over instead of finding it complete and unplaced.
      await discard(partialDir, upload.id);
      throw refusal(
        problem.status,
        `The receiver could not store ${quote(`${batch}/${relativePath}`)}: ${problem.reason}`,
      );
    }
    await discard(partialDir, upload.id);
    log(logLine(placement, upload.size ?? upload.offset, `${batch}/${relativePath}`));
    return {
      headers: { [STORED_PATH_HEADER]: placement.storedPath.split('/').map(encodeURIComponent).join('/') },
    };
  };

  const tus = new Server({
    path: TUS_PATH,
    datastore: new FileStore({ directory: partialDir }),
    relativeLocation: true,
    exposedHeaders: [STORED_PATH_HEADER],
    ...(allowed ? { allowedOrigins: (origin: string) => allowed.has(origin) } : {}),
    ...(maxFileSize ? { maxSize: maxFileSize } : {}),
    async onUploadCreate(_req, upload) {
      const { batch, relativePath } = readMetadata(upload);
      const announced = upload.metadata?.['sha256'];
      if (announced !== undefined && announced !== null && !/^[0-9a-f]{64}$/i.test(announced)) {
        throw refusal(
          400,
          `The "sha256" metadata of ${quote(`${batch}/${relativePath}`)} is not a SHA-256 in hexadecimal (64 characters 0-9 and a-f), so the file could not be verified; send the file's SHA-256, or none.`,
        );
      }
      return { metadata: { ...upload.metadata, batch, relativePath } };
    },
    onUploadFinish(_req, upload) {
      // A retried final PATCH may arrive while the first is still placing the file: share that work.
      let job = finishing.get(upload.id);
      if (!job) {
        job = finish(upload).finally(() => finishing.delete(upload.id));
        finishing.set(upload.id, job);
      }
      return job;
    },
    onResponseError(_req, error) {
      if (maxFileSize && 'body' in error && error.body === ERRORS.ERR_MAX_SIZE_EXCEEDED.body) {
        return refusal(
          413,
          `The file is too large: this receiver accepts files up to ${describeBytes(maxFileSize)} (${maxFileSize} bytes).`,
        );
      }
      if (error instanceof Error) log(`${new Date().toISOString()}  ERROR ${error.message}`);
      return undefined;
    },
  });

  return {
    path: TUS_PATH,
    handle(req, res) {
      if (options.token && req.method !== 'OPTIONS' && !hasToken(req, options.token)) {
        refuseToken(req, res, corsOrigin(req));
        return;
      }
      tus.handle(req, res).catch((error: unknown) => {
        log(`${new Date().toISOString()}  ERROR ${error instanceof Error ? error.message : String(error)}`);
        if (res.headersSent) res.destroy();
        else res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The receiver failed.');
      });
    },
  };
}

/** The checked batch and path of an upload, or a 400 refusal naming the problem. */
function readMetadata(upload: Upload): { batch: string; relativePath: string } {
  const rawPath = upload.metadata?.['relativePath'];
  const rawBatch = upload.metadata?.['batch'];
  if (!rawPath) {
    throw refusal(
      400,
      'The upload has no "relativePath" metadata, so the receiver does not know where to store it.',
    );
  }
  if (!rawBatch) {
    throw refusal(
      400,
      'The upload has no "batch" metadata, so the receiver does not know which batch it belongs to.',
    );
  }
  const batch = sanitizeBatchName(rawBatch);
  if (!batch.ok) throw refusal(400, `Refused the batch name ${quote(rawBatch)}: ${batch.reason}`);
  const relativePath = sanitizeRelativePath(rawPath);
  if (!relativePath.ok) throw refusal(400, `Refused ${quote(rawPath)}: ${relativePath.reason}`);
  return { batch: batch.name, relativePath: relativePath.path };
}

/** JSON quoting shows control characters visibly; long names are shortened. */
function quote(text: string): string {
  const chars = [...text];
  return JSON.stringify(chars.length > 200 ? `${chars.slice(0, 200).join('')}…` : text);
}

function logLine(placement: Placement, bytes: number, requested: string): string {
  const note =
    placement.outcome === 'identical'
      ? '  (identical, kept existing)'
      : placement.outcome === 'renamed'
        ? `  (renamed: a different file is already stored as ${quote(requested)})`
        : '';
  return `${new Date().toISOString()}  ${placement.storedPath}  ${bytes} bytes${note}`;
}

/** SHA-256 of a stored file in hexadecimal, read as a stream. */
async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** FileStore keeps the data as `<id>` and its info as `<id>.json` in the same folder. */
async function discard(partialDir: string, id: string): Promise<void> {
  const file = path.join(partialDir, id);
  await Promise.all([rm(file, { force: true }), rm(`${file}.json`, { force: true })]).catch(() => undefined);
}

function describeStorageError(error: unknown): { status: number; reason: string } {
  if (error instanceof PlacementError) return { status: error.status, reason: error.reason };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { status: 507, reason: 'the disk is full.' };
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

function hasToken(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return false;
  // Hashing first gives equal-length buffers, so the comparison leaks neither content nor length.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}

function refuseToken(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): void {
  const hasBody = Boolean(req.headers['transfer-encoding']) || Number(req.headers['content-length'] ?? 0) > 0;
  res.writeHead(401, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Tus-Resumable': '1.0.0',
    'WWW-Authenticate': 'Bearer',
    ...cors,
    // Do not read a large PATCH body just to throw it away.
    ...(hasBody ? { Connection: 'close' } : {}),
  });
  res.end(TOKEN_REFUSED);
}
