/**
 * The folder the journeys upload, described once and materialised twice: on disk (for the webkitdirectory input
 * and for comparing what arrived) and in the page's origin-private file system (behind showDirectoryPicker).
 * Contents come from a seeded xorshift generator, so a shifted or repeated chunk changes the checksum.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';

export interface FixtureFile {
  readonly path: string;
  readonly size: number;
  readonly seed: number;
  /** A system file the app must skip. */
  readonly system?: boolean;
  /** A hidden file (its name starts with a dot), which the app skips unless told to include hidden files. */
  readonly hidden?: boolean;
  /** Bytes the file starts with in place of the generated ones, such as an image format's signature. */
  readonly head?: readonly number[];
}

export const FOLDER_NAME = 'Herbarium 2026';
export const BIG_FILE = 'scans/large-sheet.tif';

export const FIXTURE: readonly FixtureFile[] = [
  { path: 'README.txt', size: 1_200, seed: 1 },
  { path: '.DS_Store', size: 6_148, seed: 2, system: true },
  { path: 'images/ASU-L-0001234_a.jpg', size: 180_000, seed: 3 },
  { path: 'images/ASU-L-0001234_b.jpg', size: 95_000, seed: 4 },
  { path: 'images/Sammlung Müller/Käfer 01.tif', size: 64_000, seed: 5 },
  { path: 'images/._ASU-L-0001234_a.jpg', size: 4_096, seed: 6, system: true },
  { path: 'images/empty.dat', size: 0, seed: 7 },
  { path: 'nested/a/b/c/deep (copy).png', size: 33_333, seed: 8 },
  { path: BIG_FILE, size: 50 * 1024 * 1024, seed: 9 },
];

export const DATA_FILES = FIXTURE.filter((f) => !f.system);

/** Deterministic bytes; also run inside the page, so it must stay self-contained. */
export function fixtureBytes(seed: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
    if (i + 1 < size) out[i + 1] = (x >>> 8) & 0xff;
    if (i + 2 < size) out[i + 2] = (x >>> 16) & 0xff;
    if (i + 3 < size) out[i + 3] = (x >>> 24) & 0xff;
  }
  return out;
}

/** A fixture file's bytes: generated, with its `head` in front. */
export function fixtureFileBytes(file: FixtureFile): Uint8Array {
  const bytes = fixtureBytes(file.seed, file.size);
  bytes.set((file.head ?? []).slice(0, file.size));
  return bytes;
}

export function fixtureSha256(file: FixtureFile): string {
  return createHash('sha256').update(fixtureFileBytes(file)).digest('hex');
}

/** Writes the fixture folder (or `files`) under `parent` (named `name`) and returns its path. */
export async function writeFixtureFolder(
  parent: string,
  name = FOLDER_NAME,
  files: readonly FixtureFile[] = FIXTURE,
): Promise<string> {
  const root = path.join(parent, name);
  for (const file of files) {
    const target = path.join(root, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, fixtureFileBytes(file));
  }
  await mkdir(path.join(root, 'empty folder'), { recursive: true });
  return root;
}

/**
 * Seeds the page's origin-private file system with the fixture folder and makes showDirectoryPicker return that
 * real FileSystemDirectoryHandle, so the app's own handle and worker code runs unchanged.
 */
export async function seedPickerWithFixture(
  page: Page,
  fixture: readonly FixtureFile[] = FIXTURE,
  folderName = FOLDER_NAME,
): Promise<void> {
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
        const bytes = make(file.seed, file.size);
        bytes.set((file.head ?? []).slice(0, file.size));
        await writable.write(bytes as Uint8Array<ArrayBuffer>);
        await writable.close();
      }
      await root.getDirectoryHandle('empty folder', { create: true });
      (
        window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }
      ).showDirectoryPicker = async () => root;
    },
    { files: fixture, folder: folderName, generator: fixtureBytes.toString() },
  );
}

/**
 * Limits the page's upload speed with Chromium's own network throttling, so there is a middle to pause in;
 * call the returned function to lift it.
 */
export async function throttleUploads(page: Page, bytesPerSecond: number): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const limit = (uploadThroughput: number) =>
    cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput,
    });
  await limit(bytesPerSecond);
  return async () => {
    await limit(-1);
  };
}
