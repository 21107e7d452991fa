/**
 * One sentence per failed upload: the file, what went wrong, and what to do about it. The transfer engine reports
 * an HTTP status (0 when no answer came back) and the receiver's response body.
 */

import { formatBytes } from '#core/format';
import { CHECKSUM_MISMATCH, DISK_FULL } from '#core/protocol';

export interface UploadFailure {
  readonly path: string;
  readonly status: number;
  readonly body?: string;
  readonly endpoint: string;
  readonly detail?: string;
}

/** A short label for a kind of failure, to group many failed files under one cause. */
export function failureCause(status: number): string {
  if (status === 0) return 'receiver not reachable';
  if (status === 401) return 'access token refused (401)';
  if (status === 403) return 'not allowed (403)';
  if (status === 404) return 'no upload endpoint there (404)';
  if (status === 413) return 'larger than the receiver accepts (413)';
  if (status === CHECKSUM_MISMATCH) return 'changed on the way (460)';
  if (status === DISK_FULL) return "receiver's disk full (507)";
  if (status >= 500) return `receiver error (${status})`;
  return `refused by the receiver (${status})`;
}

export function describeUploadFailure({ path, status, body, endpoint, detail }: UploadFailure): string {
  const said = serverSentence(body);
  const file = `"${path}"`;
  switch (true) {
    case status === 0:
      return `${file} could not reach the receiver at ${endpoint}${detail ? ` (${detail})` : ''}. Check that the receiver is running and the Upload endpoint is right, then retry.`;
    case status === 401:
      return `${file} was refused: the receiver did not accept the access token (401 Unauthorized). Enter the token your receiver expects under Access token, then retry.`;
    case status === 403:
      return `${file} was refused: this receiver does not allow the upload (403 Forbidden). Ask its administrator for access, then retry.`;
    case status === 404:
      return `${file} found no upload endpoint at ${endpoint} (404 Not Found). Check the Upload endpoint, then retry.`;
    case status === 413:
      return `${file} is larger than the receiver accepts (413 Payload Too Large)${said ? `: ${said}` : ''}. Ask for a higher size limit, or leave this file out.`;
    case status === CHECKSUM_MISMATCH:
      return `${file} arrived with other bytes than were sent (460): the receiver's SHA-256 of what arrived differs from the file's, so it was not stored. Retry it; if it happens again, check the network or the file.`;
    case status === 400 && said !== '':
      return `${file} was refused by the receiver (400): ${said}.`;
    case status === DISK_FULL:
      return `${file} could not be stored: the receiver's disk is full (507). Free space on the receiver, then retry.`;
    case status >= 500:
      return `${file} failed on the receiver (${status})${said ? `: ${said}` : ''}. Retry; if it happens again, check the receiver's log.`;
    default:
      return `${file} was refused by the receiver (${status})${said ? `: ${said}` : ''}. Check the file and the upload settings, then retry.`;
  }
}

/** The cause of files whose requests the browser blocked while the server answered others. */
export const BLOCKED_CAUSE = 'blocked by the browser (CORS)';
/** The cause of files a body limit refused even in the smallest chunks. */
export const BODY_LIMIT_CAUSE = 'requests too large for the server or a proxy (413)';
/** The cause of files over the server's Tus-Max-Size, refused before a byte was sent. */
export const MAX_SIZE_CAUSE = 'larger than the server takes (Tus-Max-Size)';

/**
 * A file whose requests got no answer at all while the server answered others: the browser blocked them, which
 * it does when a server's CORS answer does not allow a header, a method or the page's origin.
 */
export function describeBlockedRequest(path: string, endpoint: string): string {
  return `"${path}" could not be sent: the server at ${originOf(endpoint)} answers this page, but the browser blocked this file's requests, so the server (or a proxy before it) most likely refuses a header the app sent, or this page, in its CORS answer. Ask its administrator to allow the tus headers and this page's origin (Access-Control-Allow-Headers, Access-Control-Allow-Origin), then retry.`;
}

/** A file refused with 413 even in requests of the smallest chunk: a body limit below it. */
export function describeBodyLimit(path: string, endpoint: string, bytes: number): string {
  return `"${path}" could not be sent: the server at ${originOf(endpoint)}, or a proxy before it, refuses requests of ${formatBytes(bytes)} (413 Payload Too Large), the smallest the app sends. Raise its limit on request bodies (for nginx, client_max_body_size), then retry.`;
}

/** `https://host:port` of an endpoint (core has no URL class). */
function originOf(endpoint: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+/i.exec(endpoint)?.[0] ?? endpoint;
}

/** The receiver's own words without their final stop, if it sent a short text rather than an HTML page. */
function serverSentence(body: string | undefined): string {
  const text = (body ?? '').trim();
  if (text === '' || text.length > 300 || text.startsWith('<')) return '';
  return text.replace(/[.!?]+$/, '');
}
