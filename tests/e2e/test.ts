/**
 * The journeys' shared set-up: a real receiver (the same server `npm start` runs) on a free port with a fresh
 * upload folder, serving the built app. Tests that need a token set `receiverToken`.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { startServer } from '../../server/app-server.ts';

export interface Receiver {
  readonly url: string;
  readonly uploadDir: string;
  readonly log: string[];
}

export const test = base.extend<{ receiverToken: string | undefined; receiver: Receiver; scratch: string }>({
  receiverToken: [undefined, { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  scratch: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'uploader-e2e-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  // Any uncaught error in the page fails the journey, even when what the journey checks still came out right.
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
  receiver: async ({ receiverToken, scratch }, use) => {
    const uploadDir = path.join(scratch, 'uploads');
    const log: string[] = [];
    const server = await startServer({
      port: 0,
      uploadDir,
      staticDir: path.resolve('dist'),
      token: receiverToken,
      log: (line) => log.push(line),
    });
    await use({ url: server.url, uploadDir, log });
    await server.close();
  },
});

export { expect };

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** Every file below `dir`, as '/'-separated paths relative to it. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

export { seedPickerWithFixture } from './fixture-tree.ts';
