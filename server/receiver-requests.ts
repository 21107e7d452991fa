import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Upload } from '@tus/server';
import { sanitizeBatchName, sanitizeRelativePath } from '#core/paths';
import { METADATA } from '#core/protocol';
import { readAnnouncements, type Announcement, type DigestAlgorithm } from './digests.ts';
import type { Placement } from './placement.ts';

/** What every receiver shares whatever its storage: the token, CORS, the metadata checks and their sentences. */

export const TOKEN_REFUSED = 'The access token is missing or wrong.';

/** What @tus/server expects to be thrown from a hook to answer with a status and body. */
/** Where the receivers keep a Repr-Digest sent with the creation, for the check when the upload finishes. */
export const CREATION_DIGEST_KEY = 'reprDigestAtCreation';
/** Where the receivers keep a creation's Want-Repr-Digest: the digests to hand back when the upload finishes. */
export const WANTED_DIGESTS_KEY = 'wantReprDigest';

export type TusRefusal = { status_code: number; body: string };
export const refusal = (status_code: number, body: string): TusRefusal => ({ status_code, body });

/** The checked batch and path of an upload, or a 400 refusal naming the problem. */
export function readMetadata(upload: Upload): { batch: string; relativePath: string } {
  const rawPath = upload.metadata?.[METADATA.relativePath];
  const rawBatch = upload.metadata?.[METADATA.batch];
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
export function quote(text: string): string {
  const chars = [...text];
  return JSON.stringify(chars.length > 200 ? `${chars.slice(0, 200).join('')}…` : text);
}

/** `<batch>/<path>` of an upload whose metadata onUploadCreate has checked. */
export function storedName(upload: Upload): string {
  return `${upload.metadata?.[METADATA.batch] ?? ''}/${upload.metadata?.[METADATA.relativePath] ?? ''}`;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function hasToken(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return false;
  // Hashing first gives equal-length buffers, so the comparison leaks neither content nor length.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}

export function refuseToken(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): void {
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

/** Which origins may upload: any when `origins` is absent; the page the receiver serves always may. */
export function originRules(origins: readonly string[] | undefined) {
  const allowed = origins ? new Set(origins) : undefined;
  /** The Access-Control-Allow-Origin a response carries: any origin, the request's own if allowed, or none. */
  const allowedOrigin = (req: IncomingMessage): string | undefined => {
    if (!allowed) return '*';
    const from = req.headers.origin;
    return from !== undefined && allowed.has(from) ? from : undefined;
  };
  /** The CORS headers of the receiver's own refusals, which say that they depend on the origin when they do. */
  const corsOrigin = (req: IncomingMessage): Record<string, string> => {
    const origin = allowedOrigin(req);
    if (origin === undefined) return {};
    return allowed
      ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
      : { 'Access-Control-Allow-Origin': origin };
  };
  return { allowed, allowedOrigin, corsOrigin };
}

/** The log line of a placed file. */
export function logLine(
  placement: Placement,
  bytes: number,
  requested: string,
  verified: readonly DigestAlgorithm[],
): string {
  const note =
    placement.outcome === 'identical'
      ? '  (identical, kept existing)'
      : placement.outcome === 'renamed'
        ? `  (renamed: a different file is already stored as ${quote(requested)})`
        : '';
  const check = verified.length > 0 ? `  (verified ${verified.join(', ')})` : '';
  return `${placement.storedPath}  ${bytes} bytes${check}${note}`;
}

/**
 * What a receiver keeps of a new upload: its batch and path made safe, the sender's metadata with a Repr-Digest
 * and a Want-Repr-Digest sent with the creation kept for the finish, and the digests announced; throws a 400 refusal for a malformed one.
 */
export function admission(
  upload: Upload,
  digest: string | null,
  wanted: string | null = null,
): {
  batch: string;
  relativePath: string;
  metadata: Record<string, string | null>;
  announced: Announcement[];
} {
  const { batch, relativePath } = readMetadata(upload);
  const announced = readAnnouncements(upload.metadata, [digest], quote(`${batch}/${relativePath}`));
  if (!announced.ok) throw refusal(400, announced.message);
  const {
    [CREATION_DIGEST_KEY]: _notTheSenders,
    [WANTED_DIGESTS_KEY]: _norThis,
    ...sent
  } = upload.metadata ?? {};
  return {
    batch,
    relativePath,
    metadata: {
      ...sent,
      batch,
      relativePath,
      ...(digest === null ? {} : { [CREATION_DIGEST_KEY]: digest }),
      ...(wanted === null ? {} : { [WANTED_DIGESTS_KEY]: wanted }),
    },
    announced: announced.announced,
  };
}
