import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIG_FILE, DATA_FILES, throttleUploads, writeFixtureFolder } from './fixture-tree.ts';
import { expect, listFiles, seedPickerWithFixture, test } from './test.ts';
import {
  expectBatchArrived,
  expectEveryFileIn,
  expectScanned,
  scanForUpload,
  uploadAll,
} from './upload-journey.ts';

test('a folder picked with showDirectoryPicker is scanned in a worker and arrives byte-identical', async ({
  page,
  receiver,
}) => {
  // The folder worker starts with the page (see FolderState's spare), so it is watched for from the start.
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await page.goto(receiver.url);
  await seedPickerWithFixture(page);

  await scanForUpload(page);

  await expect(page.getByRole('region', { name: 'Folder' })).toContainText('1 empty folder');
  expect(workers.some((url) => url.includes('folder.worker'))).toBe(true);
  // The fixture's images are random bytes, so the first-bytes check warns about all five of them.
  await expect(page.getByRole('status')).toHaveText(
    'Checked against Custom pattern: 1 ok, 5 warnings, 1 error, 2 skipped.',
  );
  const table = page.getByRole('table', { name: /Files/ });
  await expect(table.getByRole('row', { name: /Käfer 01\.tif/ })).toContainText('Ready');
  await expect(table.getByRole('row', { name: /\.DS_Store/ })).toContainText('Skipped');
  await expect(page.getByLabel('Upload endpoint')).toHaveValue(`${receiver.url}files/`);

  await uploadAll(page);
  await expectBatchArrived(page, receiver);
  await expect(table.getByRole('row', { name: /large-sheet\.tif/ })).toContainText('Uploaded');
  await expect(page.getByRole('status')).toHaveText(/Upload complete: 7 files/);
  // The 7 sent and the 2 skipped leave nothing waiting (counted from the rows that no longer wait).
  await expect(page.getByRole('region', { name: 'Upload', exact: true })).toContainText(
    'Nothing to upload: every file is skipped or already uploaded.',
  );
  await expect(page.getByRole('button', { name: 'Start upload' })).toBeDisabled();
});

test('a folder chosen through the webkitdirectory input arrives byte-identical', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await writeFixtureFolder(scratch);
  await page.goto(receiver.url);

  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  await page.getByTestId('folder-input').setInputFiles(folder);

  await expectScanned(page);
  await uploadAll(page);
  await expectBatchArrived(page, receiver);
});

test('pausing in the middle of a 50 MB file stops the transfer, and resuming finishes it from its offset', async ({
  page,
  receiver,
}) => {
  await page.goto(receiver.url);
  await seedPickerWithFixture(page);
  await scanForUpload(page);

  // Slow the uploads down (Chromium's own throttling) so there is a middle to pause in.
  const unthrottle = await throttleUploads(page, 8 * 1024 * 1024);
  const resumedAt: number[] = [];
  page.on('request', (request) => {
    const offset = Number(request.headers()['upload-offset'] ?? 0);
    if (request.method() === 'PATCH' && offset > 0) resumedAt.push(offset);
  });

  // Upload requests the page starts while paused (there should be none).
  let paused = false;
  const sentWhilePaused: string[] = [];
  page.on('request', (request) => {
    if (paused && ['POST', 'PATCH'].includes(request.method())) sentWhilePaused.push(request.url());
  });

  await page.getByRole('button', { name: 'Start upload' }).click();
  const bigRow = page.getByRole('table', { name: /Files/ }).getByRole('row', { name: /large-sheet\.tif/ });
  await expect(bigRow).toContainText(/Uploading ([1-9]\d)%/);
  // Only the big file (over one 32 MiB chunk) travels in PATCH requests.
  const stopped = page.waitForEvent('requestfailed', (request) => request.method() === 'PATCH');
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('status')).toHaveText(/Upload paused/);
  const progress = page.getByRole('progressbar', { name: 'Upload progress' });
  const pausedAt = Number(await progress.getAttribute('value'));

  // The transfer stopped: the big file's request was aborted, so nothing more of it reaches the receiver.
  await stopped;
  paused = true;
  expect(await listFiles(receiver.uploadDir).then((files) => files.some((f) => f.endsWith(BIG_FILE)))).toBe(
    false,
  );

  await unthrottle();
  expect(Number(await progress.getAttribute('value'))).toBe(pausedAt);
  paused = false;
  expect(sentWhilePaused, 'upload requests started while paused').toEqual([]);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expectEveryFileIn(page);
  await expectBatchArrived(page, receiver);
  expect(resumedAt.length, 'a PATCH continued from a non-zero offset').toBeGreaterThan(0);
});

test.describe('a receiver that requires a token', () => {
  test.use({ receiverToken: 'the-right-token' });

  test('refuses a wrong token with a clear message, and takes the right one on retry', async ({
    page,
    receiver,
  }) => {
    await page.goto(receiver.url);
    await seedPickerWithFixture(page);
    await scanForUpload(page);

    await page.getByLabel('Access token').fill('a-wrong-token');
    await page.getByRole('button', { name: 'Start upload' }).click();

    const failures = page.getByRole('region', { name: 'Failed files' });
    await expect(failures).toContainText(
      '"README.txt" was refused: the receiver did not accept the access token (401 Unauthorized). Enter the token your receiver expects under Access token, then retry.',
    );
    await expect(page.getByText('7 failed')).toBeVisible();
    expect(await listFiles(receiver.uploadDir)).toEqual([]);

    // Corrected token: one file retried alone arrives while the others still wait, then the rest.
    await page.getByLabel('Access token').fill('the-right-token');
    await page.getByRole('button', { name: 'Retry README.txt' }).click();
    const table = page.getByRole('table', { name: /Files/ });
    await expect(table.getByRole('row', { name: /README\.txt/ })).toContainText('Uploaded');
    await expect(page.getByText('6 failed')).toBeVisible();
    await expect(failures).toContainText('Failed files: 6 × access token refused (401)');

    await page.getByRole('button', { name: 'Retry all failed' }).click();
    await expectEveryFileIn(page);
    await expect(failures).toBeHidden();
    await expectBatchArrived(page, receiver);
  });
});

test('the receiver refuses a relative path that climbs out of the batch, sent straight to it', async ({
  request,
  receiver,
}) => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const response = await request.post(`${receiver.url}files/`, {
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': '5',
      'Upload-Metadata': `relativePath ${b64('../../escape.txt')},batch ${b64('b1')}`,
    },
  });
  expect(response.status()).toBe(400);
  expect(await response.text()).toContain('..');
  expect(await listFiles(receiver.uploadDir)).toEqual([]);
});

test('a file changed after the scan is not uploaded; it fails with a sentence and the batch goes on', async ({
  page,
  receiver,
}) => {
  await page.goto(receiver.url);
  await seedPickerWithFixture(page);
  await scanForUpload(page);

  await page.evaluate(async () => {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('Herbarium 2026');
    const writable = await (await root.getFileHandle('README.txt')).createWritable();
    await writable.write('edited after the scan');
    await writable.close();
  });
  await page.getByRole('button', { name: 'Start upload' }).click();

  await expect(page.getByRole('region', { name: 'Failed files' })).toContainText(
    '"README.txt" changed since the scan (size or date differ). Scan the folder again so the new version is checked before upload.',
  );
  await expect(page.getByRole('status')).toHaveText(/6 files arrived, 1 file failed/);
  const batch = await page.getByLabel('Batch name').inputValue();
  expect(await listFiles(path.join(receiver.uploadDir, batch, 'data'))).toEqual(
    DATA_FILES.filter((f) => f.path !== 'README.txt')
      .map((f) => f.path)
      .sort(),
  );
});

test('Start upload on 2,500 files hands them to the run a slice at a time: each arrives once and the batch completes', async ({
  page,
  receiver,
  scratch,
}) => {
  test.setTimeout(300_000);
  const FILES = 2500;
  const folder = path.join(scratch, 'many small');
  for (let d = 0; d < 5; d++) {
    await mkdir(path.join(folder, `plate ${d}`), { recursive: true });
    await Promise.all(
      Array.from({ length: FILES / 5 }, (_, f) =>
        writeFile(path.join(folder, `plate ${d}`, `plate ${d} well ${f}.txt`), `plate ${d} well ${f}\n`),
      ),
    );
  }
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    'Checked against Custom pattern: 2,500 ok',
    { timeout: 60_000 },
  );

  await page.getByRole('button', { name: 'Start upload' }).click();
  const step = page.getByRole('region', { name: 'Upload', exact: true });
  await expect
    .poll(async () => (await step.innerText()).replace(/\s+/g, ' '), { timeout: 240_000 })
    .toContain('complete: every file is in batch');
  const batch = await page.getByLabel('Batch name').inputValue();
  const stored = await listFiles(path.join(receiver.uploadDir, batch, 'data'));
  expect(stored).toHaveLength(FILES);
  expect(new Set(stored).size).toBe(FILES);
  expect(receiver.log.filter((line) => line.includes(`${batch}/data/`))).toHaveLength(FILES);
});
