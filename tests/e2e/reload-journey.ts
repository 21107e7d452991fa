/**
 * A page reloaded in the middle of an upload, as a crash or a closed tab would leave it: the upload is slowed so
 * the reload comes while a file is half sent, and only once the app's journal holds what a reload needs.
 */
import type { Page } from '@playwright/test';
import { throttleUploads } from './fixture-tree.ts';
import { expect, type Receiver } from './test.ts';

/** The share of the batch's bytes the progress bar shows. */
export async function progressShare(page: Page): Promise<number> {
  const bar = page.getByRole('progressbar', { name: 'Upload progress' });
  return Number(await bar.getAttribute('value')) / Number(await bar.getAttribute('max'));
}

/**
 * Starts the upload at `bytesPerSecond` (6 MB/s by default), reloads the page once more than `share` of the bytes
 * were sent and the journal holds what a reload needs, and lifts the limit again; returns the bytes the progress
 * bar showed just before the reload.
 */
export async function reloadMidUpload(
  page: Page,
  receiver: Receiver,
  share: number,
  bytesPerSecond = 6 * 1024 * 1024,
): Promise<number> {
  const batch = await page.getByLabel('Batch name').inputValue();
  const unthrottle = await throttleUploads(page, bytesPerSecond);
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expect.poll(() => progressShare(page), { intervals: [100] }).toBeGreaterThan(share);
  // The journal is written once a second: wait until it has every file the receiver stored and the address of
  // the one half sent, as it would on a real crash's eve.
  await expect
    .poll(
      async () => {
        const files = await journalFiles(page);
        const stored = receiver.log.filter((line) => line.includes(`${batch}/data/`)).length;
        return {
          storedButNotJournalled: stored - files.filter((f) => f.arrived).length,
          halfSent: files.filter((f) => f.uploadUrl !== undefined && !f.arrived).length,
        };
      },
      { intervals: [100] },
    )
    .toEqual({ storedButNotJournalled: 0, halfSent: 1 });
  const sent = Number(await page.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('value'));
  await page.reload();
  await unthrottle();
  return sent;
}

/**
 * The file records a reload would find in the app's journal: its pages in IndexedDB, and the arrivals noted in
 * localStorage since the last write.
 */
async function journalFiles(page: Page): Promise<{ path: string; uploadUrl?: string; arrived?: object }[]> {
  return page.evaluate(
    () =>
      new Promise<{ path: string; uploadUrl?: string; arrived?: object }[]>((resolve, reject) => {
        const recent = JSON.parse(
          localStorage.getItem('specimen-uploader:recent-arrivals:specimen-uploader') ?? '[]',
        ) as { path: string }[];
        const open = indexedDB.open('specimen-uploader');
        open.onerror = () => reject(open.error ?? new Error('the journal could not be opened'));
        open.onsuccess = () => {
          const database = open.result;
          const transaction = database.transaction('batch', 'readonly');
          const all = transaction.objectStore('batch').getAll();
          transaction.oncomplete = () => {
            database.close();
            const byPath = new Map<string, { path: string }>();
            for (const value of all.result as unknown[]) {
              if (Array.isArray(value))
                for (const file of value as { path: string }[]) byPath.set(file.path, file);
            }
            for (const file of recent) byPath.set(file.path, file);
            resolve([...byPath.values()]);
          };
          transaction.onerror = () => reject(transaction.error ?? new Error('the journal could not be read'));
        };
      }),
  );
}
