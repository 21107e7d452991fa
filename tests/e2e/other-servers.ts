/**
 * tus servers other than ours, for the journeys that prove the app works with any of them: the official
 * @tus/server with @tus/file-store and its default options, and Debian's nginx as a reverse proxy with its default
 * body limit (client_max_body_size 1m). Each listens on 127.0.0.1 at a port of its own, so it is another origin
 * than the page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Transform } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { UPLOAD_CHECKSUM_HEADER } from '#core/protocol';
import {
  announceChecksumAlgorithms,
  CHECKSUM_CORS,
  takeChecksumHeader,
} from '../../server/chunk-checksum.ts';
import { PartialStore } from '../../server/partial-store.ts';

export const NGINX = process.env['NGINX_PATH'] ?? '/usr/sbin/nginx';

export interface OtherServer {
  /** The tus endpoint, ending in /files/. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The official @tus/server with a plain @tus/file-store in `directory`, default options (and its own CORS). */
export async function startOfficialTus(directory: string): Promise<OtherServer> {
  await mkdir(directory, { recursive: true });
  const tus = new Server({ path: '/files', datastore: new FileStore({ directory }) });
  const server = createServer((req, res) => void tus.handle(req, res));
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}/files/`,
    stop: () => close(server),
  };
}

/**
 * The official @tus/server with tus's checksum extension and nothing of our receiver's own: the receiver's store,
 * which checks each request's Upload-Checksum, without the whole-file check, the placement or the batches. As a
 * portal on tusd would look to the page. Data files and info files lie in `directory` as @tus/file-store's do.
 */
export async function startChecksumTus(directory: string): Promise<OtherServer> {
  await mkdir(directory, { recursive: true });
  const store = new PartialStore({ directory });
  const tus = new Server({
    path: '/files',
    datastore: store,
    ...CHECKSUM_CORS,
    onIncomingRequest(req, id) {
      if (req.method === 'PATCH')
        takeChecksumHeader(req.headers.get(UPLOAD_CHECKSUM_HEADER), id, (upload, checksum) =>
          store.expectChecksum(upload, checksum),
        );
      return Promise.resolve();
    },
  });
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') announceChecksumAlgorithms(res);
    void tus.handle(req, res);
  });
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}/files/`,
    stop: () => close(server),
  };
}

/**
 * A proxy in front of `upstream` (an http://host:port origin) that damages one byte of the first PATCH body of
 * `minBytes` or more on its way, as a faulty network card or middlebox would; `damaged()` says whether it has.
 */
export async function startDamagingProxy(
  upstream: string,
  minBytes: number,
): Promise<OtherServer & { damaged(): boolean }> {
  const target = new URL(upstream);
  let damaged = false;
  const server = createServer((req, res) => {
    const length = Number(req.headers['content-length'] ?? 0);
    const damage = !damaged && req.method === 'PATCH' && length >= minBytes;
    if (damage) damaged = true;
    let seen = 0;
    const flip = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const at = Math.floor(minBytes / 2) - seen;
        if (damage && at >= 0 && at < chunk.length) chunk[at] = (chunk[at] ?? 0) ^ 0xff;
        seen += chunk.length;
        done(null, chunk);
      },
    });
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(flip).pipe(forward);
  });
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}/files/`,
    damaged: () => damaged,
    stop: () => close(server),
  };
}

/** What a @tus/file-store holds: each upload's bytes and its info file. */
export interface StoredUpload {
  readonly id: string;
  readonly size: number | undefined;
  /** The bytes stored (the file store keeps no offset of its own: it is the data file's length). */
  readonly offset: number;
  readonly metadata: Readonly<Record<string, string | null>>;
  readonly sha256: string;
}

export async function readFileStore(directory: string): Promise<StoredUpload[]> {
  const names = await readdir(directory);
  const uploads: StoredUpload[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const id = name.slice(0, -'.json'.length);
    const info = JSON.parse(await readFile(path.join(directory, name), 'utf8')) as {
      size?: number;
      metadata?: Record<string, string | null>;
    };
    const bytes = await readFile(path.join(directory, id));
    uploads.push({
      id,
      size: info.size,
      offset: bytes.length,
      metadata: info.metadata ?? {},
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  // Every data file has its info file: nothing else lies about.
  expectOnly(names, uploads);
  return uploads;
}

function expectOnly(names: readonly string[], uploads: readonly StoredUpload[]): void {
  const known = new Set(uploads.flatMap((u) => [u.id, `${u.id}.json`]));
  const stray = names.filter((n) => !known.has(n));
  if (stray.length > 0) throw new Error(`files in the store that belong to no upload: ${stray.join(', ')}`);
}

/**
 * Debian's nginx in front of `upstream` (an http://host:port origin), with its default client_max_body_size of
 * 1 MiB, as a site would put it there: the Host passed on (so the server's Location points at the proxy), and
 * CORS headers on every answer, its own 413 included (`always`), in place of the upstream's.
 */
export interface NginxOptions {
  /**
   * Answers CORS preflights with this Access-Control-Allow-Headers in place of the upstream's, as a proxy with
   * CORS rules of its own does.
   */
  readonly allowHeaders?: string;
  /**
   * Answers every OPTIONS itself with CORS headers alone, as a common proxy recipe does, so the server's tus
   * headers never reach the page.
   */
  readonly answersOptions?: boolean;
}

export async function startNginx(
  directory: string,
  upstream: string,
  options: NginxOptions = {},
): Promise<OtherServer> {
  await mkdir(directory, { recursive: true });
  const port = await freePort();
  const temp = (name: string) => path.join(directory, name);
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 256; }
http {
  access_log ${temp('access.log')};
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  server {
    listen 127.0.0.1:${port};
    location / {
${
  options.answersOptions
    ? `      if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin * always;
        add_header Access-Control-Allow-Methods "POST, HEAD, PATCH, OPTIONS, DELETE" always;
        add_header Access-Control-Allow-Headers "Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Metadata, Upload-Offset" always;
        add_header Access-Control-Max-Age 600 always;
        return 204;
      }`
    : ''
}
      proxy_pass ${upstream};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_hide_header Access-Control-Allow-Origin;
      add_header Access-Control-Allow-Origin * always;
${
  options.allowHeaders === undefined
    ? ''
    : `      proxy_hide_header Access-Control-Allow-Headers;
      add_header Access-Control-Allow-Headers "${options.allowHeaders}" always;`
}
    }
  }
}
`;
  const configFile = temp('nginx.conf');
  await writeFile(configFile, config);
  const child = spawn(NGINX, ['-p', directory, '-c', configFile, '-e', temp('error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(new Error(`${NGINX}: ${error.message} (install Debian's nginx-light, or set NGINX_PATH)`)),
    );
  });
  await waitForPort(port, child, () => stderr);
  return {
    endpoint: `http://127.0.0.1:${port}/files/`,
    stop: () => stopChild(child),
  };
}

/** nginx's error log, for a journey that failed. */
export async function nginxLog(directory: string): Promise<string[]> {
  const text = await readFile(path.join(directory, 'error.log'), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

async function listen(server: HttpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function close(server: HttpServer): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr()}`);
    const up = await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' }).then(
      () => true,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on ${port} within 10 s: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGQUIT');
  });
}
