/**
 * The journeys' shared set-up: a real receiver (the same server `npm start` runs) on a free port with a fresh
 * upload folder, serving the built app. Tests that need a token set `receiverToken`.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startServer } from '../../server/app-server.ts';
import { FIXTURE, FOLDER_NAME, fixtureBytes } from './fixture-tree.ts';

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

/**
 * Seeds the page's origin-private file system with the fixture folder and makes showDirectoryPicker return that
 * real FileSystemDirectoryHandle, so the app's own handle and worker code runs unchanged.
 */
export async function seedPickerWithFixture(page: Page): Promise<void> {
  await page.evaluate(
    async ({ files, folder, generator }) => {
      const make = new Function(`return (${generator})`)() as (seed: number, size: number) => Uint8Array;
      const opfs = await navigator.storage.getDirectory();
      await opfs.removeEntry(folder, { recursive: true }).catch(() => undefined);
      const root = await opfs.getDirectoryHandle(folder, { create: true });
      for (const file of files) {
        const parts = file.path.split('/');
        const name = parts.pop() as string;
        let dir = root;
        for (const part of parts) dir = await dir.getDirectoryHandle(part, { create: true });
        const handle = await dir.getFileHandle(name, { create: true });
        const writable = await handle.createWritable();
        await writable.write(make(file.seed, file.size) as Uint8Array<ArrayBuffer>);
        await writable.close();
      }
      await root.getDirectoryHandle('empty folder', { create: true });
      (
        window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }
      ).showDirectoryPicker = async () => root;
    },
    { files: FIXTURE, folder: FOLDER_NAME, generator: fixtureBytes.toString() },
  );
}
