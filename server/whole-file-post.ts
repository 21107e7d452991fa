import type { IncomingMessage, ServerResponse } from 'node:http';
import { finished, PassThrough } from 'node:stream';
import { ERRORS, HEADERS, Metadata, TUS_RESUMABLE } from '@tus/server';
import { TUS_DATA_TYPE } from '#core/protocol';

/**
 * The largest file the receiver takes apart from tus when it arrives whole in its creation request. Bigger ones
 * go through tus, for which the cost of a request hardly matters beside that of the bytes.
 */
export const WHOLE_FILE_LIMIT = 64 * 2 ** 20;

/** Headers tus checks or acts on in a creation beyond those read here: a request with any of them goes to tus. */
const LEFT_TO_TUS = [
  'upload-defer-length',
  'upload-concat',
  'upload-offset',
  'tus-version',
  'x-forwarded-proto',
  // Checked by the store as it writes (tus's checksum extension).
  'upload-checksum',
];

export type WholeFilePost = { size: number; metadata: Record<string, string | null> };

/**
 * A tus creation POST carrying a whole file of at most `limit` bytes that tus would take as far as its headers go,
 * or undefined for any other request: tus handles those, its refusals included.
 */
export function readWholeFilePost(req: IncomingMessage, limit: number): WholeFilePost | undefined {
  const { headers } = req;
  const length = headers['upload-length'];
  const metadata = headers['upload-metadata'];
  if (
    req.method !== 'POST' ||
    length === undefined ||
    headers['content-length'] !== length ||
    headers['content-type'] !== TUS_DATA_TYPE ||
    headers['tus-resumable'] !== TUS_RESUMABLE ||
    typeof metadata !== 'string' ||
    LEFT_TO_TUS.some((name) => headers[name] !== undefined)
  ) {
    return undefined;
  }
  const size = Number(length);
  // The check tus makes of Upload-Length: a non-negative integer written plainly.
  if (!Number.isInteger(size) || String(size) !== length || size < 0 || size > limit) return undefined;
  try {
    return { size, metadata: Metadata.parse(metadata) };
  } catch {
    return undefined;
  }
}

/**
 * The headers tus gives every answer but GET's, by the origin allowed: its version, CORS, and the headers a page
 * may read (tus joins `exposed` to its own list without spaces). The list is joined once, not per answer.
 */
export function tusHeadersFor(
  exposed: readonly string[],
): (allowedOrigin: string | undefined) => Record<string, string> {
  const readable = [...HEADERS, exposed.join(',')].join(', ');
  return (allowedOrigin) => ({
    'Tus-Resumable': TUS_RESUMABLE,
    ...(allowedOrigin === undefined ? {} : { 'Access-Control-Allow-Origin': allowedOrigin }),
    'Access-Control-Expose-Headers': readable,
  });
}

/** What tus answers for an error thrown in its handling of a request, before the receiver rewords it. */
export function tusRefusal(error: unknown): { status_code: number; body: string } {
  const { status_code, body, message } = (error ?? {}) as Partial<Record<string, unknown>>;
  return {
    status_code: typeof status_code === 'number' ? status_code : ERRORS.UNKNOWN_ERROR.status_code,
    body:
      typeof body === 'string'
        ? body
        : `${ERRORS.UNKNOWN_ERROR.body}${typeof message === 'string' ? message : ''}\n`,
  };
}

/** Answers as tus does, whose body is always text; `closing` when the request body may be left unread. */
export function answerLikeTus(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body = '',
  closing = false,
): void {
  if (res.destroyed) return;
  res
    .writeHead(status, {
      ...headers,
      'Content-Type': 'text/plain;charset=UTF-8',
      // Also for an empty body: without a length, Node sends the answer chunked, its end in a write of its own.
      'Content-Length': String(Buffer.byteLength(body)),
      ...(closing ? { Connection: 'close' } : {}),
    })
    .end(body);
}

/**
 * The request's whole body, as the chunks it came in; rejects with tus's "aborted" when the client goes away before
 * sending it all, even if it went away before this was called. For bodies small enough to hold in memory.
 */
export function bodyChunksOf(req: IncomingMessage): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    finished(req, (error) => (error ? reject(ERRORS.ABORTED) : resolve(chunks)));
  });
}

/**
 * The request's body as a stream whose failure leaves the request alone, so that it can still be answered. It
 * fails when the client goes away before sending it all, even if it went away before this was called.
 */
export function bodyOf(req: IncomingMessage): PassThrough {
  const body = new PassThrough();
  finished(req, (error) => {
    if (error) body.destroy(error);
  });
  return req.pipe(body);
}
