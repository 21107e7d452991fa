import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sirv, { type RequestHandler } from 'sirv';
import { createReceiver, type ReceiverOptions } from './receiver.ts';

/** Returns true when it has answered the request itself. */
export type ExtraHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export type AppServerOptions = ReceiverOptions & {
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string | undefined;
  /** The built app (`dist/`); without an index.html there, pages answer 503. */
  staticDir?: string | undefined;
  extraHandler?: ExtraHandler | undefined;
};

export type RunningServer = { url: string; port: number; close(): Promise<void> };

export const NOT_BUILT =
  'The uploader app has not been built yet: run `npm run build` (or `npm start`) and reload this page.';

export async function startServer(options: AppServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const receiver = createReceiver(options);
  const serveStatic = createStaticHandler(options.staticDir);

  const server = createServer((req, res) => {
    if (options.extraHandler?.(req, res)) return;
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname === receiver.path || pathname.startsWith(`${receiver.path}/`)) receiver.handle(req, res);
    else serveStatic(req, res, pathname);
  });
  // A 1 GiB PATCH over a slow link takes long; only the wait for request headers is limited.
  server.requestTimeout = 0;
  server.headersTimeout = 5 * 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    close: async () => {
      const receiving = receiver.close();
      const serving = new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      });
      server.closeAllConnections();
      // A completion whose page went away is still writing its bag into the upload folder.
      await receiving;
      await serving;
    },
  };
}

function createStaticHandler(staticDir: string | undefined) {
  // Created once the app is built, because sirv lists the files when it is created.
  let assets: RequestHandler | undefined;
  return (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Only GET and HEAD are supported here; uploads go to /files/.', {
        Allow: 'GET, HEAD',
      });
      return;
    }
    if (!staticDir || !existsSync(path.join(staticDir, 'index.html'))) {
      sendText(res, 503, NOT_BUILT);
      return;
    }
    assets ??= sirv(staticDir, { dev: false, etag: true });
    assets(req, res, () => sendText(res, 404, `There is nothing at ${pathname}.`));
  };
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(text);
}
