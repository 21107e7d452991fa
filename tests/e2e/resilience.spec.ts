/**
 * Journeys through what a long upload meets besides a broken receiver: bytes damaged on the way (the receiver's
 * verification refuses them and the app sends the file again), the browser going offline, and the page being
 * reloaded in the middle (Resume previous upload). Each ends with the files byte-identical on the receiver and a
 * receipt that says every file was verified.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page, Request } from '@playwright/test';
import Papa from 'papaparse';
import { BY_FAST_DIGEST } from '#core/filelists/common';
import {
  BIG_FILE,
  DATA_FILES,
  fixtureBytes,
  fixtureSha256,
  throttleUploads,
  writeFixtureFolder,
} from './fixture-tree.ts';
import { formatBytes } from '../../src/core/format.ts';
import { creationsOf } from './receiver-faults.ts';
import { progressShare, reloadMidUpload } from './reload-journey.ts';
import { expect, listFiles, seedPickerWithFixture, test, type Receiver } from './test.ts';
import {
  expectBatchArrived,
  expectEveryFileIn,
  expectFilesArrived,
  expectRunComplete,
  expectScanned,
  scanForUpload,
} from './upload-journey.ts';

const DAMAGED = 'images/ASU-L-0001234_b.jpg';

async function open(page: Page, receiver: Receiver): Promise<void> {
  await page.addInitScript(() => {
    // Headless Chromium has no save dialog to answer: downloads take the link path.
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  await page.goto(receiver.url);
}

/**
 * Whether the app's journal holds an unfinished batch, read once the page has read it: a read-write transaction
 * waits for the page's own earlier read, and the page decides on Resume previous upload as that read answers.
 */
async function journalHoldsBatch(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      new Promise<boolean>((resolve, reject) => {
        const open = indexedDB.open('specimen-uploader');
        open.onerror = () => reject(open.error ?? new Error('the journal could not be opened'));
        open.onsuccess = () => {
          const database = open.result;
          const transaction = database.transaction('batch', 'readwrite');
          const batch = transaction.objectStore('batch').get('batch');
          transaction.oncomplete = () => {
            database.close();
            resolve(batch.result !== undefined);
          };
          transaction.onerror = () => reject(transaction.error ?? new Error('the journal could not be read'));
        };
      }),
  );
}

/** Downloads the receipt and reads it back through papaparse; rows sorted by path. */
async function downloadReceipt(page: Page, scratch: string): Promise<Record<string, string>[]> {
  // Every batch here arrives whole, so it is completed, and the receipt names its bag.
  await expect(page.getByRole('region', { name: 'Batch completion' })).toContainText(
    'is complete on the receiver',
  );
  const saved = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download receipt' }).click();
  const file = await saved;
  const to = path.join(scratch, file.suggestedFilename());
  await file.saveAs(to);
  expect(file.suggestedFilename()).toMatch(/-receipt\.csv$/);
  const parsed = Papa.parse<Record<string, string>>((await readFile(to, 'utf8')).replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: true,
  });
  expect(parsed.errors).toEqual([]);
  expect(parsed.meta.fields).toEqual([
    'path',
    'bytes',
    'sha256',
    'stored_path',
    'upload_url',
    'verified',
    'bag',
  ]);
  return [...parsed.data].sort((a, b) => ((a['path'] ?? '') < (b['path'] ?? '') ? -1 : 1));
}

/** Downloads the receipt and checks it lists every file once, with its true SHA-256, verified by the receiver. */
async function expectReceipt(page: Page, scratch: string): Promise<void> {
  const rows = await downloadReceipt(page, scratch);
  const batch = await page.getByLabel('Batch name').inputValue();
  expect(rows.map((r) => r['path'])).toEqual(DATA_FILES.map((f) => f.path).sort());
  for (const row of rows) {
    const fixture = DATA_FILES.find((f) => f.path === row['path']);
    if (!fixture) throw new Error(`unexpected receipt row ${row['path']}`);
    expect(row['bytes']).toBe(String(fixture.size));
    expect(row['sha256'], row['path']).toBe(fixtureSha256(fixture));
    expect(row['stored_path']).toBe(`${batch}/data/${fixture.path}`);
    expect(row['upload_url']).toMatch(/\/files\/[0-9a-f]+$/);
    // By the SHA-256 the page had computed, or by the XXH3-128 it sent for a file not hashed yet (the receiver's
    // SHA-256, checked above against the fixture's own, is then the one listed).
    expect(['yes', BY_FAST_DIGEST], row['path']).toContain(row['verified']);
  }
}

test.describe('bytes damaged on the way', () => {
  // The first creation of one file reaches the receiver announcing the digest of other bytes, as if its body had
  // been damaged in transit: the receiver's SHA-256 of what arrived differs and it refuses with 460.
  const otherBytes = createHash('sha256').update(fixtureBytes(99, 1000)).digest('base64');
  test.use({
    receiverFaults: {
      answer(request, earlier) {
        if (!creationsOf(DAMAGED)(request) || earlier.some(creationsOf(DAMAGED))) return undefined;
        return { headers: { 'Repr-Digest': `sha-256=:${otherBytes}:` } };
      },
    },
  });

  test('are refused by the receiver, sent again once by the app, and the receipt says every file was verified', async ({
    page,
    receiver,
    scratch,
  }) => {
    await open(page, receiver);
    await seedPickerWithFixture(page);
    await scanForUpload(page);
    await page.getByRole('button', { name: 'Start upload' }).click();
    await expectRunComplete(page);
    await expectFilesArrived(receiver, await page.getByLabel('Batch name').inputValue(), DATA_FILES);

    expect(receiver.requests.filter(creationsOf(DAMAGED)), 'creations of the damaged file').toHaveLength(2);
    expect(receiver.log.filter((line) => line.includes('REFUSED') && line.includes(DAMAGED))).toHaveLength(1);
    for (const file of DATA_FILES.filter((f) => f.path !== DAMAGED && f.path !== BIG_FILE)) {
      expect(receiver.requests.filter(creationsOf(file.path)), file.path).toHaveLength(1);
    }
    await expectReceipt(page, scratch);
  });
});

test('going offline pauses the upload with a sentence, and it goes on by itself when the connection is back', async ({
  page,
  receiver,
  scratch,
}) => {
  await open(page, receiver);
  await seedPickerWithFixture(page);
  await scanForUpload(page);
  // The upload requests under way, and those started while offline (there should be none).
  const underWay = new Set<Request>();
  let offline = false;
  const startedOffline: string[] = [];
  page.on('request', (request) => {
    if (!['POST', 'PATCH'].includes(request.method())) return;
    underWay.add(request);
    if (offline) startedOffline.push(request.url());
  });
  page.on('requestfinished', (request) => underWay.delete(request));
  page.on('requestfailed', (request) => underWay.delete(request));
  const unthrottle = await throttleUploads(page, 6 * 1024 * 1024);
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expect.poll(() => progressShare(page), { intervals: [100] }).toBeGreaterThan(0.15);

  await page.context().setOffline(true);
  offline = true;
  const panel = page.getByRole('region', { name: 'Upload', exact: true });
  await expect(panel.getByText('You are offline: the upload waits')).toBeVisible();
  // Nothing moves while offline. The page has drawn the paused run (no rate, no time left), then every request
  // under way ends and no other begins, and the bar stands where it was drawn.
  await expect(panel).toContainText('– · – left');
  const whileOffline = await progressShare(page);
  expect(whileOffline).toBeLessThan(1);
  await expect.poll(() => underWay.size, { message: 'upload requests still under way' }).toBe(0);
  expect(startedOffline, 'upload requests started while offline').toEqual([]);
  expect(await progressShare(page)).toBe(whileOffline);

  offline = false;
  await page.context().setOffline(false);
  await unthrottle();
  await expect(page.getByRole('status')).toHaveText(/Back online|Upload complete/);
  await expectRunComplete(page);
  await expectBatchArrived(page, receiver);
  await expectReceipt(page, scratch);
});

test('a page reloaded in the middle of the upload offers Resume previous upload, which skips what arrived and continues the half-sent file from the receiver’s offset', async ({
  page,
  receiver,
  scratch,
}) => {
  await open(page, receiver);
  await seedPickerWithFixture(page);
  await scanForUpload(page);
  const batch = await page.getByLabel('Batch name').inputValue();
  const bigFile = DATA_FILES.find((f) => f.path === BIG_FILE);
  if (!bigFile) throw new Error('no big file in the fixture');

  const sentBeforeReload = await reloadMidUpload(page, receiver, 0.4);

  // The banner asks the receiver for the half-sent file's offset itself; once it has said so, the offsets the
  // receiver reports are those the resumed transfer starts from.
  const banner = page.getByRole('region', { name: 'Previous upload' });
  await expect(banner).toContainText(`The upload of "Herbarium 2026" to batch ${batch}`);
  await expect(banner).toContainText('1 file half sent');
  const offsets: number[] = [];
  page.on('response', (response) => {
    if (response.request().method() === 'HEAD') offsets.push(Number(response.headers()['upload-offset']));
  });
  await banner.getByRole('button', { name: 'Resume previous upload' }).click();
  await expect(page.getByRole('status')).toHaveText(/Resuming batch|Upload complete/);
  await expectRunComplete(page);
  await expect(page.getByLabel('Batch name')).toHaveValue(batch);
  await expectBatchArrived(page, receiver);

  // Every file was created once: what had arrived was not sent again, and the big file was continued.
  for (const file of DATA_FILES) {
    expect(receiver.requests.filter(creationsOf(file.path)), file.path).toHaveLength(1);
  }
  expect(offsets, 'the receiver asked for the half-sent file’s offset').toHaveLength(1);
  const [resumedFrom = 0] = offsets;
  // The receiver keeps the bytes of the request the reload cut off: little more than what was still on its way is
  // sent again, far less than a chunk (32 MiB).
  expect(resumedFrom).toBeGreaterThan(0);
  expect(sentBeforeReload - resumedFrom).toBeLessThanOrEqual(32 * 1024 * 1024);
  expect(resumedFrom).toBeLessThan(bigFile.size);
  await expect(banner).toBeHidden();
  await expectReceipt(page, scratch);

  // Complete: nothing is offered after another reload.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Choose folder' })).toBeVisible();
  expect(await journalHoldsBatch(page), 'a batch left in the journal').toBe(false);
  await expect(page.getByRole('region', { name: 'Previous upload' })).toBeHidden();
});

test('a folder chosen through the input has no handle to keep: after a reload Resume previous upload opens the folder chooser itself, and the folder is matched by name', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await writeFixtureFolder(scratch);
  const elsewhere = await writeFixtureFolder(path.join(scratch, 'other'), 'Another folder');
  // A browser without the File System Access API, where Choose folder is the folder input.
  await page.addInitScript(() => {
    delete (window as { showDirectoryPicker?: unknown }).showDirectoryPicker;
  });
  await open(page, receiver);
  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  const first = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Choose folder' }).click();
  await (await first).setFiles(folder);
  await expectScanned(page);
  const batch = await page.getByLabel('Batch name').inputValue();

  await reloadMidUpload(page, receiver, 0.3);

  const banner = page.getByRole('region', { name: 'Previous upload' });
  const resumeWith = async (chosen: string) => {
    const chooser = page.waitForEvent('filechooser');
    await banner.getByRole('button', { name: 'Resume previous upload' }).click();
    await (await chooser).setFiles(chosen);
  };
  // Another folder is named as not the one, and nothing is sent.
  await resumeWith(elsewhere);
  await expect(banner.getByRole('alert')).toHaveText(
    'This is "Another folder", not "Herbarium 2026" of the previous upload: choose "Herbarium 2026" to resume it, or Forget it to upload this folder as a new batch.',
  );
  await resumeWith(folder);
  await expectRunComplete(page);
  await expect(page.getByLabel('Batch name')).toHaveValue(batch);
  await expectBatchArrived(page, receiver);
  for (const file of DATA_FILES) {
    expect(receiver.requests.filter(creationsOf(file.path)), file.path).toHaveLength(1);
  }
});

test('the Resume banner counts every file the receiver stored just before the reload', async ({
  page,
  receiver,
}) => {
  await open(page, receiver);
  await seedPickerWithFixture(page);
  await scanForUpload(page);
  const batch = await page.getByLabel('Batch name').inputValue();
  const small = DATA_FILES.filter((f) => f.path !== BIG_FILE);
  const unthrottle = await throttleUploads(page, 2 * 1024 * 1024);
  await page.getByRole('button', { name: 'Start upload' }).click();
  // Reloaded as soon as the receiver has stored the small files, well within the journal's second.
  await expect
    .poll(() => receiver.log.filter((line) => line.includes(batch)).length, { intervals: [20] })
    .toBe(small.length);
  await page.reload();
  await unthrottle();

  const banner = page.getByRole('region', { name: 'Previous upload' });
  const bytes = formatBytes(small.reduce((sum, f) => sum + f.size, 0));
  await expect(banner).toContainText(`at least ${small.length} files (${bytes}) had arrived`);
  await banner.getByRole('button', { name: 'Resume previous upload' }).click();
  await expectRunComplete(page);
  await expectBatchArrived(page, receiver);
  for (const file of small) {
    expect(receiver.requests.filter(creationsOf(file.path)), file.path).toHaveLength(1);
  }
});

test('a half-sent file that changed before Resume is sent anew, never appended to its old upload', async ({
  page,
  receiver,
}) => {
  await open(page, receiver);
  await seedPickerWithFixture(page);
  await scanForUpload(page);
  const batch = await page.getByLabel('Batch name').inputValue();
  await reloadMidUpload(page, receiver, 0.4);

  // The big file is rewritten in the folder with other bytes of the same size, as a re-export would.
  const changed = fixtureBytes(42, 50 * 1024 * 1024);
  await page.evaluate(
    async ({ folder, path: filePath, seed, size, generator }) => {
      const make = new Function(`return (${generator})`)() as (s: number, n: number) => Uint8Array;
      let dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(folder);
      const parts = filePath.split('/');
      const name = parts.pop() as string;
      for (const part of parts) dir = await dir.getDirectoryHandle(part);
      const writable = await (await dir.getFileHandle(name)).createWritable();
      await writable.write(make(seed, size) as Uint8Array<ArrayBuffer>);
      await writable.close();
    },
    {
      folder: 'Herbarium 2026',
      path: BIG_FILE,
      seed: 42,
      size: changed.length,
      generator: fixtureBytes.toString(),
    },
  );

  const banner = page.getByRole('region', { name: 'Previous upload' });
  // The banner asks the receiver once for the half-sent file's offset, to count what arrived.
  await expect(banner).toContainText('1 file half sent');
  const heads = () => receiver.requests.filter((r) => r.method === 'HEAD');
  expect(heads()).toHaveLength(1);
  await banner.getByRole('button', { name: 'Resume previous upload' }).click();
  await expectRunComplete(page);
  const stored = await readFile(path.join(receiver.uploadDir, batch, 'data', BIG_FILE));
  expect(stored.length).toBe(changed.length);
  expect(createHash('sha256').update(stored).digest('hex')).toBe(
    createHash('sha256').update(changed).digest('hex'),
  );
  // Created anew: a second creation, and no further HEAD asking for the old upload's offset.
  expect(receiver.requests.filter(creationsOf(BIG_FILE))).toHaveLength(2);
  expect(heads()).toHaveLength(1);
});

test('a resumed batch gets its web copies back: they are not made again, they arrive once, and the receipt lists them', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = path.join(scratch, 'Study 7');
  await mkdir(folder);
  await cp(
    path.resolve('tests/fixtures/images/exif-orientation/Landscape_1.jpg'),
    path.join(folder, 'field_1.jpg'),
  );
  // Big enough that the reload comes in the middle of the upload.
  await writeFile(path.join(folder, 'volume.tif'), fixtureBytes(11, 50 * 1024 * 1024));
  await open(page, receiver);
  await page.getByLabel('Target').selectOption({ label: 'BioImage Archive' });
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    'Checked against BioImage Archive',
  );
  const copies = page.getByRole('region', { name: 'Web copies' });
  await copies.getByLabel('Make thumbnails').check();
  await copies.getByRole('button', { name: 'Make web copies' }).click();
  await expect(page.getByRole('status')).toContainText('Web copies made: 1 copy');
  const batch = await page.getByLabel('Batch name').inputValue();

  await reloadMidUpload(page, receiver, 0.3);
  const banner = page.getByRole('region', { name: 'Previous upload' });
  await banner.getByRole('button', { name: 'Resume previous upload' }).click();
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expectEveryFileIn(page);

  const stored = ['field_1.jpg', 'field_1_tn.jpg', 'volume.tif'];
  expect(await listFiles(path.join(receiver.uploadDir, batch, 'data'))).toEqual(stored);
  for (const name of stored) expect(receiver.requests.filter(creationsOf(name)), name).toHaveLength(1);
  const thumbnail = await readFile(path.join(receiver.uploadDir, batch, 'data', 'field_1_tn.jpg'));
  const rows = await downloadReceipt(page, scratch);
  expect(rows.map((row) => row['path'])).toEqual(stored);
  const copy = rows.find((row) => row['path'] === 'field_1_tn.jpg');
  expect(copy?.['bytes']).toBe(String(thumbnail.length));
  expect(copy?.['sha256']).toBe(createHash('sha256').update(thumbnail).digest('hex'));
  expect(copy?.['stored_path']).toBe(`${batch}/data/field_1_tn.jpg`);
  // A copy not hashed yet when it is sent is proven by XXH3-128, and the receipt holds the receiver's SHA-256.
  expect(['yes', BY_FAST_DIGEST]).toContain(copy?.['verified']);
});
