/**
 * The journeys' shared set-up: a real receiver (the same server `npm start` runs) on a free port with a fresh
 * upload folder, serving the built app. Tests that need a token set `receiverToken`, other receiver settings
 * `receiverOptions`, and injected faults `receiverFaults`. `receiverProcess` is the receiver as a separate
 * process instead, for journeys that kill it.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base, expect, type TestInfo } from '@playwright/test';
import { startServer } from '../../server/app-server.ts';
import type { ReceiverOptions } from '../../server/receiver.ts';
import { injectFaults, type ReceiverFaults, type SeenRequest } from './receiver-faults.ts';
import { startReceiverProcess, type ReceiverProcess } from './receiver-process.ts';

export interface Receiver {
  readonly url: string;
  readonly uploadDir: string;
  readonly log: string[];
}

export interface InProcessReceiver extends Receiver {
  /** Every request to the tus endpoint, oldest first, with the status of those a fault answered. */
  readonly requests: readonly SeenRequest[];
}

/** Receiver settings a journey may change; the fixture sets the folder, the log and (receiverToken) the token. */
export type ExtraReceiverOptions = Partial<Omit<ReceiverOptions, 'uploadDir' | 'log' | 'token'>>;

export const test = base.extend<{
  receiverToken: string | undefined;
  receiverOptions: ExtraReceiverOptions;
  receiverFaults: ReceiverFaults | undefined;
  receiver: InProcessReceiver;
  receiverProcess: ReceiverProcess;
  scratch: string;
}>({
  receiverToken: [undefined, { option: true }],
  receiverOptions: [{}, { option: true }],
  receiverFaults: [undefined, { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  scratch: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'uploader-e2e-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  // Any uncaught error in the page fails the journey, even when what the journey checks still came out right.
  page: async ({ page }, use, testInfo) => {
    const errors: string[] = [];
    const logged: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') logged.push(message.text());
    });
    await use(page);
    if (failed(testInfo)) report('what the page logged', logged);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
  receiver: async ({ receiverToken, receiverOptions, receiverFaults, scratch }, use, testInfo) => {
    const uploadDir = path.join(scratch, 'uploads');
    const log: string[] = [];
    const requests: SeenRequest[] = [];
    const server = await startServer({
      ...receiverOptions,
      port: 0,
      uploadDir,
      staticDir: path.resolve('dist'),
      token: receiverToken,
      log: (line) => log.push(line),
      extraHandler: injectFaults(receiverFaults, requests),
    });
    await use({ url: server.url, uploadDir, log, requests });
    await server.close();
    if (failed(testInfo)) {
      const start = requests[0]?.at ?? 0;
      report(
        'requests the receiver saw (ms since the first)',
        requests.map(
          (r) => `${r.at - start} ${r.method} ${r.pathname} ${r.relativePath ?? ''} ${r.fault ?? ''}`,
        ),
      );
      report('what the receiver logged', log);
    }
  },
  receiverProcess: async ({ scratch }, use) => {
    const receiver = await startReceiverProcess(path.join(scratch, 'uploads'));
    await use(receiver);
    await receiver.stop();
  },
});

export { expect };

function failed(testInfo: TestInfo): boolean {
  return testInfo.status !== testInfo.expectedStatus;
}

/** A failed journey prints what happened around it (the last lines of each), since CI keeps only its output. */
function report(title: string, lines: readonly string[], last = 60): void {
  if (lines.length === 0) return;
  const shown = lines.slice(-last);
  const cut = lines.length > shown.length ? ` (last ${shown.length} of ${lines.length})` : '';
  process.stdout.write(`\n--- ${title}${cut}:\n${shown.join('\n')}\n`);
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** Every file below `dir`, as '/'-separated paths relative to it, but the receiver's records (.batches, .handoff). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((file) => !/^\.(?:batches|handoff)\//.test(file))
    .sort();
}

export { seedPickerWithFixture } from './fixture-tree.ts';
