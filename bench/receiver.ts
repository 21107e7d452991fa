/** Starts bench/receiver-child.ts as its own Node process and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ReceiverCall, ReceiverReport, ReceiverSettings } from './receiver-protocol.ts';

export interface BenchReceiver {
  /** The app's URL, e.g. http://127.0.0.1:PORT/. */
  readonly url: string;
  /** Forgets the requests seen so far and starts counting the receiver's CPU anew. */
  reset(): Promise<void>;
  /** The receiver's requests and CPU time since the last reset. */
  report(): Promise<ReceiverReport>;
  /** Starts a V8 CPU profile of the receiver process; `stopProfile` returns it. */
  startProfile(): Promise<void>;
  stopProfile(): Promise<unknown>;
  close(): Promise<void>;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'receiver-child.ts');
const STARTUP_LIMIT_MS = 30_000;

export async function startBenchReceiver(
  settings: ReceiverSettings,
  onProblem: (line: string) => void,
): Promise<BenchReceiver> {
  const child = fork(CHILD, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_RECEIVER: JSON.stringify(settings) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let exited = false;
  child.once('exit', (code, signal) => {
    exited = true;
    for (const { reject } of waiting.values())
      reject(new Error(`the bench receiver exited (${signal ?? code}) before it answered`));
    waiting.clear();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the bench receiver did not start within ${STARTUP_LIMIT_MS} ms`)),
      STARTUP_LIMIT_MS,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bench receiver exited (${code}) before listening`));
    });
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'ready') {
        clearTimeout(timer);
        resolve(message.url);
      } else if (message.kind === 'problem') {
        onProblem(message.line);
      } else {
        const call = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.error !== undefined) call?.reject(new Error(message.error));
        else call?.resolve(message.value);
      }
    });
  });

  const ask = (call: ReceiverCall): Promise<unknown> => {
    if (exited) return Promise.reject(new Error('the bench receiver is not running'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      child.send({ id, call });
    });
  };
  return {
    url,
    reset: async () => void (await ask('reset')),
    report: async () => (await ask('report')) as ReceiverReport,
    startProfile: async () => void (await ask('profile-start')),
    stopProfile: () => ask('profile-stop'),
    close: () => closeChild(child, ask),
  };
}

async function closeChild(child: ChildProcess, ask: (call: ReceiverCall) => Promise<unknown>) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await ask('close').catch(() => undefined);
  child.disconnect();
  await gone;
}
