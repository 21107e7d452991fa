import http from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { Upload } from 'tus-js-client';
import { startServer, type AppServerOptions, type RunningServer } from '../../server/app-server.ts';

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export async function makeTempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'specimen-receiver-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A receiver on a free port with its upload folder in a fresh temp dir, and the log lines it wrote. */
export async function startTestServer(options: Partial<AppServerOptions> = {}): Promise<
  RunningServer & {
    root: string;
    uploadDir: string;
    endpoint: string;
    logs: string[];
    stop(): Promise<void>;
  }
> {
  const temp = await makeTempDir();
  const uploadDir = path.join(temp.dir, 'uploads');
  const logs: string[] = [];
  const server = await startServer({ uploadDir, port: 0, log: (line) => logs.push(line), ...options });
  return {
    ...server,
    root: temp.dir,
    uploadDir,
    endpoint: new URL('files/', server.url).href,
    logs,
    stop: async () => {
      await server.close();
      await temp.remove();
    },
  };
}

/** The receiver's own records beside the batches: what it placed, and the completions handed on. */
const RECORDS = /^\.(?:batches|handoff)(?:\/|\\|$)/;

/** Every file below `dir` but the receiver's records, as sorted `/`-separated relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (RECORDS.test(entry)) continue;
    if ((await stat(path.join(dir, entry))).isFile()) files.push(entry.split(path.sep).join('/'));
  }
  return files.sort();
}

export type TusResult = { storedPath: string | undefined; patches: number };

/** Uploads with tus-js-client, without retries, and reports the decoded `Upload-Stored-Path`. */
export function tusUpload(
  endpoint: string,
  data: Buffer,
  metadata: Record<string, string>,
  options: { chunkSize?: number; headers?: Record<string, string> } = {},
): Promise<TusResult> {
  let patches = 0;
  return new Promise((resolve, reject) => {
    const upload = new Upload(data, {
      endpoint,
      metadata: { filename: path.posix.basename(metadata['relativePath'] ?? 'x'), ...metadata },
      retryDelays: [],
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      onAfterResponse: (req) => {
        if (req.getMethod() === 'PATCH') patches += 1;
      },
      onSuccess: ({ lastResponse }) => {
        const header = lastResponse.getHeader('Upload-Stored-Path');
        resolve({ storedPath: header === undefined ? undefined : decodeURIComponent(header), patches });
      },
      onError: reject,
    });
    upload.start();
  });
}

/** A bare tus creation POST, as a hand-written client would send it; with `body`, creation-with-upload. */
export function createUpload(
  endpoint: string,
  metadata: Record<string, string>,
  options: { length?: number; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<Response> {
  const encoded = Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');
  return fetch(endpoint, {
    method: 'POST',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(options.length ?? options.body?.length ?? 3),
      ...(encoded ? { 'Upload-Metadata': encoded } : {}),
      ...(options.body ? { 'Content-Type': 'application/offset+octet-stream' } : {}),
      ...options.headers,
    },
    ...(options.body ? { body: new Uint8Array(options.body) } : {}),
  });
}

/** The URL of the upload a creation answered with. */
export const uploadUrl = (created: Response, server: { url: string }): URL =>
  new URL(created.headers.get('location') ?? '', server.url);

/** A new upload of `data` at `batch/relativePath`, its SHA-256 announced; its URL. */
export async function newUpload(
  server: { endpoint: string; url: string },
  batch: string,
  relativePath: string,
  data: Buffer,
): Promise<URL> {
  const created = await createUpload(
    server.endpoint,
    { batch, relativePath, sha256: sha256(data) },
    { length: data.length },
  );
  return uploadUrl(created, server);
}

/**
 * Two uploads of `data` in `batch`, `direct.bin` and `tus.bin`, with the headers that send their PATCHes to the
 * receiver's own PATCH path and to tus itself (a Tus-Version header is one that goes to tus), to compare the two.
 */
export async function directAndTusUploads(
  server: { endpoint: string; url: string },
  batch: string,
  data: Buffer,
): Promise<{ relativePath: string; url: URL; headers: Record<string, string> }[]> {
  const uploads = [];
  for (const [relativePath, headers] of [
    ['direct.bin', {}],
    ['tus.bin', { 'Tus-Version': '1.0.0' }],
  ] as const) {
    uploads.push({
      relativePath,
      url: await newUpload(server, batch, relativePath, data),
      headers: { ...headers },
    });
  }
  return uploads;
}

/** A bare tus PATCH of `data` at `offset`. */
export function patchUpload(
  url: URL,
  data: Buffer,
  options: { offset?: number; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(url, {
    method: 'PATCH',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': String(options.offset ?? 0),
      'Content-Type': 'application/offset+octet-stream',
      ...options.headers,
    },
    body: new Uint8Array(data),
  });
}

/** A Repr-Digest header value (RFC 9530) for `data`, e.g. `sha-256=:<base64>:, md5=:<base64>:`. */
export function reprDigest(data: Buffer, algorithms: readonly ('sha-256' | 'md5')[] = ['sha-256']): string {
  return algorithms
    .map((name) => `${name}=:${createHash(name.replace('-', '')).update(data).digest('base64')}:`)
    .join(', ');
}

/**
 * A `serve()` for a test file: each call starts a receiver (startTestServer's options), and every one started is
 * stopped after each test. Call at the top level of the file.
 */
export function serveFresh(): (
  options?: Parameters<typeof startTestServer>[0],
) => ReturnType<typeof startTestServer> {
  const servers: Awaited<ReturnType<typeof startTestServer>>[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0).reverse()) await server.stop();
  });
  return async (options = {}) => {
    const server = await startTestServer(options);
    servers.push(server);
    return server;
  };
}

/** A PATCH of `length` bytes at `offset`, left open for the test to write to. */
export const openPatch = (url: URL, offset: number, length: number, headers: Record<string, string> = {}) => {
  const request = http.request(url, {
    method: 'PATCH',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': String(offset),
      'Content-Length': String(length),
      'Content-Type': 'application/offset+octet-stream',
      ...headers,
    },
  });
  const answered = new Promise<http.IncomingMessage | undefined>((resolve) => {
    request.on('response', resolve);
    request.on('error', () => resolve(undefined));
    request.on('close', () => resolve(undefined));
  });
  return { request, answered };
};
