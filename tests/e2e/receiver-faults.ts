/**
 * Faults injected in front of the real receiver: every request to the tus endpoint is recorded, and a plan may
 * answer one itself (with a status and a short text) instead of passing it on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraHandler } from '../../server/app-server.ts';
import { TUS_PATH } from '../../server/receiver.ts';

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

export interface Fault {
  readonly status: number;
  readonly body: string;
}

/** Wrapped in an object because Playwright takes a function given to test.use for a fixture. */
export interface ReceiverFaults {
  /** `earlier` holds the requests seen before this one, oldest first. */
  answer(request: SeenRequest, earlier: readonly SeenRequest[]): Fault | undefined;
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
    seen.push(fault ? { ...request, fault: fault.status } : request);
    if (!fault) return false;
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
