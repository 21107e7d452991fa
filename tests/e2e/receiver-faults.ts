/**
 * Faults injected in front of the real receiver: every request to the tus endpoint is recorded, and a plan may
 * answer one itself (with a status and a short text) instead of passing it on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraHandler } from '../../server/app-server.ts';
import { TUS_PATH } from '#core/protocol';

export interface SeenRequest {
  readonly method: string;
  readonly pathname: string;
  /** From the tus Upload-Metadata of a creation request. */
  readonly relativePath: string | undefined;
  /** Milliseconds since the epoch, when the request's headers arrived. */
  readonly at: number;
  /** The status the plan answered with, when it did. */
  readonly fault?: number;
}

/** Picks the creation requests of one file out of the requests seen. */
export const creationsOf =
  (file: string) =>
  (request: SeenRequest): boolean =>
    request.method === 'POST' && request.relativePath === file;

export interface Fault {
  readonly status: number;
  readonly body: string;
}

/** Lets the request through to the receiver with some headers changed, as if they were damaged on the way. */
export interface Tamper {
  readonly headers: Readonly<Record<string, string>>;
}

/** Wrapped in an object because Playwright takes a function given to test.use for a fixture. */
export interface ReceiverFaults {
  /** `earlier` holds the requests seen before this one, oldest first. */
  answer(request: SeenRequest, earlier: readonly SeenRequest[]): Fault | Tamper | undefined;
}

/** Records requests to the tus endpoint into `seen`, answering those the plan picks. */
export function injectFaults(faults: ReceiverFaults | undefined, seen: SeenRequest[]): ExtraHandler {
  return (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== TUS_PATH && !pathname.startsWith(`${TUS_PATH}/`)) return false;
    const request: SeenRequest = {
      method: req.method ?? '',
      pathname,
      relativePath: metadataValue(req, 'relativePath'),
      at: Date.now(),
    };
    const fault = faults?.answer(request, seen);
    if (fault && 'headers' in fault) {
      for (const [name, value] of Object.entries(fault.headers)) setHeader(req, name, value);
    }
    if (!fault || 'headers' in fault) {
      seen.push(request);
      return false;
    }
    seen.push({ ...request, fault: fault.status });
    answerAfterBody(req, res, fault);
    return true;
  };
}

/** Reads the whole body first: a browser still sending it would otherwise see a reset instead of the status. */
function answerAfterBody(req: IncomingMessage, res: ServerResponse, fault: Fault): void {
  req.on('end', () => {
    res
      .writeHead(fault.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Tus-Resumable': '1.0.0' })
      .end(fault.body);
  });
  req.resume();
}

/** One value of tus's Upload-Metadata header: comma-separated `key base64value` pairs. */
function metadataValue(req: IncomingMessage, key: string): string | undefined {
  const header = req.headers['upload-metadata'];
  if (typeof header !== 'string') return undefined;
  for (const pair of header.split(',')) {
    const [name, value] = pair.trim().split(' ');
    if (name === key) return Buffer.from(value ?? '', 'base64').toString('utf8');
  }
  return undefined;
}

/** Changes a request header everywhere Node keeps it (the parsed object and the raw list tus reads). */
function setHeader(req: IncomingMessage, name: string, value: string): void {
  req.headers[name.toLowerCase()] = value;
  const raw = req.rawHeaders;
  const at = raw.findIndex((key, i) => i % 2 === 0 && key.toLowerCase() === name.toLowerCase());
  if (at === -1) raw.push(name, value);
  else raw[at + 1] = value;
}
