/**
 * The receiver's CPU per small file, without a browser (`npx tsx bench/receiver-cpu.ts [files]`): N whole-file tus
 * creations (creation-with-upload, the SHA-256 announced, as the page sends 10 KB files) against N raw PUTs to the
 * bench's plain handler, over 6 keep-alive connections from this process to the receiver in a child process of its
 * own, twice each, alternating. Prints the receiver's CPU per file; with PROFILE=/some/prefix, also keeps its CPU
 * profile of each side in `<prefix>-raw` and `<prefix>-tus` (open them in Chromium's DevTools).
 */
import { createHash, randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';

const N = Number(process.argv[2]) || 3000;
const SIZE = 10_000;
const CONNECTIONS = 6;

if (process.env.RECEIVER_CPU_CHILD) {
  const { startServer } = await import('../server/app-server.ts');
  const { createRawHandler } = await import('./raw-handler.ts');
  const dir = process.env.RECEIVER_CPU_CHILD;
  const server = await startServer({
    port: 0,
    uploadDir: path.join(dir, 'up'),
    log: () => undefined,
    extraHandler: createRawHandler(path.join(dir, 'raw')),
  });
  let since = process.cpuUsage();
  let session: import('node:inspector/promises').Session | null = null;
  process.on('message', async (m: string) => {
    if (m === 'reset') since = process.cpuUsage();
    if (m === 'profile') {
      const { Session } = await import('node:inspector/promises');
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
    }
    if (m === 'report') {
      const cpu = process.cpuUsage(since);
      let profile = null;
      if (session) {
        profile = (await session.post('Profiler.stop')).profile;
        session = null;
      }
      process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000, profile });
    }
  });
  process.send?.({ port: server.port });
} else {
  const dir = await mkdtemp(path.join(tmpdir(), 'receiver-cpu-'));
  await mkdir(path.join(dir, 'raw'), { recursive: true });
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, RECEIVER_CPU_CHILD: dir },
    execArgv: ['--import', 'tsx'],
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => child.once('message', resolve));
  const { port } = (await next()) as { port: number };
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const body = randomBytes(SIZE);
  const sha = createHash('sha256').update(body).digest('hex');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const send = (opts: http.RequestOptions) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, agent, ...opts }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  const run = async (label: string, one: (i: number) => Promise<number>) => {
    child.send('reset');
    if (process.env.PROFILE) child.send('profile');
    let i = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (i < N) {
          const n = i++;
          const status = await one(n);
          if (status !== 201 && status !== 204) throw new Error(`${label} ${n}: ${status}`);
        }
      }),
    );
    const wall = performance.now() - t;
    child.send('report');
    const { cpuMs, profile } = (await next()) as { cpuMs: number; profile: unknown };
    console.log(
      `${label}: ${N} files, wall ${wall.toFixed(0)} ms, receiver CPU ${cpuMs.toFixed(0)} ms = ${(cpuMs / N).toFixed(3)} ms/file`,
    );
    if (profile) await writeFile(`${process.env.PROFILE}-${label}`, JSON.stringify(profile));
  };
  for (let round = 0; round < 2; round += 1) {
    await run('raw', (n) => send({ method: 'PUT', path: `/bench-raw/r${round}-${n}` }));
    await run('tus', (n) =>
      send({
        method: 'POST',
        path: '/files/',
        headers: {
          'Tus-Resumable': '1.0.0',
          'Upload-Length': String(SIZE),
          'Content-Type': 'application/offset+octet-stream',
          'Content-Length': String(SIZE),
          'Upload-Metadata': `relativePath ${b64(`f${Math.floor(n / 1000)}/file-${n}.dat`)},batch ${b64(`b${round}`)},name ${b64(`file-${n}.dat`)},type ${b64('application/octet-stream')},sha256 ${b64(sha)}`,
        },
      }),
    );
  }
  child.kill();
  await rm(dir, { recursive: true, force: true });
}
