/**
 * The raw upload baseline's receiver: `PUT /bench-raw/<name>` streams the body into `<dir>/<name>` and answers
 * 204. Deliberately plain (no parsing, no hashing, no placement), so it measures what the browser, the loopback
 * and the disk can do.
 */
import { createWriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export const RAW_PREFIX = '/bench-raw/';

export function createRawHandler(dir: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!pathname.startsWith(RAW_PREFIX)) return false;
    if (req.method !== 'PUT') {
      res.writeHead(405, { Allow: 'PUT' }).end();
      return true;
    }
    const name = decodeURIComponent(pathname.slice(RAW_PREFIX.length)).replace(/[^\w.-]/g, '_');
    pipeline(req, createWriteStream(path.join(dir, name))).then(
      () => res.writeHead(204).end(),
      (error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
      },
    );
    return true;
  };
}
