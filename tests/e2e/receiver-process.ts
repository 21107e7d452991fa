/**
 * The receiver as its own process, started the way `npm start` starts it (server/main.ts under tsx, serving
 * dist/), so a journey can kill it outright and start it again on the same port and upload folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { Receiver } from './test.ts';

export interface ReceiverProcess extends Receiver {
  /** SIGKILL: no chance to close connections or tidy anything up, as in a crash or power cut. */
  kill(): Promise<void>;
  /** Starts it again on the same port and upload folder; resolves once it is listening. */
  restart(): Promise<void>;
  /** Ends it politely (SIGTERM), if it is running. */
  stop(): Promise<void>;
}

const READY = /^Specimen uploader is running at (\S+)/;
const STARTUP_LIMIT_MS = 30_000;

/** `settings` are more environment variables, such as ON_BATCH_COMPLETE; they hold across restarts. */
export async function startReceiverProcess(
  uploadDir: string,
  settings: Record<string, string> = {},
): Promise<ReceiverProcess> {
  const port = await freePort();
  const log: string[] = [];
  let child = await launch(port, uploadDir, log, settings);
  return {
    url: `http://127.0.0.1:${port}/`,
    uploadDir,
    log,
    async kill() {
      await signal(child, 'SIGKILL');
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null)
        throw new Error('The receiver is still running.');
      child = await launch(port, uploadDir, log, settings);
    },
    async stop() {
      await signal(child, 'SIGTERM');
    },
  };
}

/** Starts server/main.ts and waits for its "running at" line; every stdout line after it goes to `log`. */
async function launch(
  port: number,
  uploadDir: string,
  log: string[],
  settings: Record<string, string>,
): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    UPLOAD_DIR: uploadDir,
  };
  for (const setting of ['UPLOAD_TOKEN', 'MAX_FILE_SIZE', 'ALLOWED_ORIGINS']) delete env[setting];
  Object.assign(env, settings);
  // node itself, not npx: a signal must reach the receiver rather than a wrapper around it.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => stderr.push(line));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The receiver did not start within ${STARTUP_LIMIT_MS} ms: ${stderr.join(' ')}`));
    }, STARTUP_LIMIT_MS);
    const exited = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`The receiver exited (${code}) before listening: ${stderr.join(' ')}`));
    };
    child.once('exit', exited);
    let ready = false;
    lines.on('line', (line) => {
      if (ready) {
        log.push(line);
      } else if (READY.test(line)) {
        ready = true;
        clearTimeout(timer);
        child.off('exit', exited);
        resolve();
      }
    });
  });
  return child;
}

async function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(name);
  await exited;
}

/** A port nothing listens on right now; the receiver keeps it across restarts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('No free port was given.');
  return address.port;
}
