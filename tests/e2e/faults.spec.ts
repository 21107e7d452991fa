/**
 * Journeys through real faults on the way to the receiver: a receiver process killed mid-transfer, transient
 * 5xx and 429 answers, refusals that no retry can fix, and a full disk. Every fault happens over real HTTP.
 */
import path from 'node:path';
import { BIG_FILE, DATA_FILES, throttleUploads, type FixtureFile } from './fixture-tree.ts';
import { creationsOf, type Fault } from './receiver-faults.ts';
import { expect, listFiles, seedPickerWithFixture, test } from './test.ts';
import {
  expectBatchArrived,
  expectFilesArrived,
  expectRunComplete,
  scanForUpload,
} from './upload-journey.ts';

const bigFile = DATA_FILES.find((f) => f.path === BIG_FILE) as FixtureFile;

test('a receiver killed in the middle of the 50 MB file and started again: the batch completes, the file resumes from the receiver’s offset, nothing is stored twice', async ({
  page,
  receiverProcess: receiver,
}) => {
  await page.goto(receiver.url);
  await seedPickerWithFixture(page);
  await scanForUpload(page);
  const batch = await page.getByLabel('Batch name').inputValue();

  // The big file's traffic as the page saw it: its creation requests, and the offsets it was asked for and sent.
  const creations: string[] = [];
  let uploadUrl: string | undefined;
  const offsetsReported: { at: number; status: number; offset: number }[] = [];
  const offsetsSent: { at: number; offset: number }[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.headers()['upload-length'] === String(bigFile.size)) {
      creations.push(request.url());
    }
    if (request.method() === 'PATCH' && request.url() === uploadUrl) {
      offsetsSent.push({ at: Date.now(), offset: Number(request.headers()['upload-offset']) });
    }
  });
  page.on('response', (response) => {
    const request = response.request();
    if (request.method() === 'POST' && request.headers()['upload-length'] === String(bigFile.size)) {
      uploadUrl = new URL(response.headers()['location'] ?? '', response.url()).href;
    }
    if (request.method() === 'HEAD' && request.url() === uploadUrl) {
      const offset = Number(response.headers()['upload-offset']);
      offsetsReported.push({ at: Date.now(), status: response.status(), offset });
    }
  });

  const unthrottle = await throttleUploads(page, 8 * 1024 * 1024);
  await page.getByRole('button', { name: 'Start upload' }).click();
  const progress = page.getByRole('progressbar', { name: 'Upload progress' });
  await expect
    .poll(
      async () => Number(await progress.getAttribute('value')) / Number(await progress.getAttribute('max')),
      { intervals: [100] },
    )
    .toBeGreaterThan(0.2);
  const cutOff = page.waitForEvent('requestfailed', (request) => request.url() === uploadUrl);
  await receiver.kill();
  // The page has met the outage: the big file's transfer broke off.
  await cutOff;
  await receiver.restart();
  const restartedAt = Date.now();
  await unthrottle();

  await expectRunComplete(page);
  await expect(page.getByRole('status')).toHaveText(/Upload complete: 7 files/);
  await expectBatchArrived(page, receiver);
  for (const file of DATA_FILES) {
    const finished = receiver.log.filter((line) => line.includes(`  ${batch}/data/${file.path}  `));
    expect(finished, `finished log lines of ${file.path} across both receivers`).toHaveLength(1);
  }
  expect(
    await listFiles(path.join(receiver.uploadDir, '.partial')),
    'unfinished uploads left behind',
  ).toEqual([]);

  // Resumed, not started over: created once, the restarted receiver was asked for its offset, and the next
  // PATCH continued from exactly there, so fewer bytes than the whole file were sent again.
  expect(creations, 'creation requests for the big file').toHaveLength(1);
  const answered = offsetsReported.find((r) => r.at >= restartedAt && r.status === 200);
  expect(answered, 'a HEAD to the big file answered by the restarted receiver').toBeDefined();
  const resumedFrom = answered?.offset ?? NaN;
  expect(resumedFrom).toBeGreaterThan(0);
  expect(resumedFrom).toBeLessThan(bigFile.size);
  expect(offsetsSent.find((p) => p.at >= (answered?.at ?? Infinity))?.offset, 'the resuming PATCH').toBe(
    resumedFrom,
  );
});

test.describe('a receiver that answers one file with 503 twice, then 429 twice', () => {
  const flaky = 'images/ASU-L-0001234_a.jpg';
  test.use({
    receiverFaults: {
      answer(request, earlier): Fault | undefined {
        if (!creationsOf(flaky)(request)) return undefined;
        const before = earlier.filter(creationsOf(flaky)).length;
        if (before < 2) return { status: 503, body: 'The receiver is busy starting up.' };
        if (before < 4) return { status: 429, body: 'Too many uploads at once.' };
        return undefined;
      },
    },
  });

  test('retries them with growing pauses and the batch arrives byte-identical', async ({
    page,
    receiver,
  }) => {
    await page.goto(receiver.url);
    await seedPickerWithFixture(page);
    await scanForUpload(page);
    await page.getByRole('button', { name: 'Start upload' }).click();
    await expectRunComplete(page);
    await expectBatchArrived(page, receiver);

    const tries = receiver.requests.filter(creationsOf(flaky));
    expect(tries.map((r) => r.fault)).toEqual([503, 503, 429, 429, undefined]);
    const gaps = tries.slice(1).map((r, i) => r.at - (tries[i]?.at ?? NaN));
    for (let i = 1; i < gaps.length; i += 1) {
      expect(gaps[i], `pause before try ${i + 2}, after pauses of ${gaps.join(', ')} ms`).toBeGreaterThan(
        gaps[i - 1] ?? Infinity,
      );
    }
    // No storm: at most two requests per file (creation, and the big file's PATCHes), one per fault, and slack.
    const faults = receiver.requests.filter((r) => r.fault !== undefined).length;
    expect(faults).toBe(4);
    expect(receiver.requests.length).toBeLessThanOrEqual(DATA_FILES.length * 2 + faults + 2);
  });
});

test.describe('a receiver that refuses three files with 401, 403 and 413', () => {
  const refused = [
    { path: 'README.txt', status: 401, body: 'The access token is missing or wrong.', says: 'access token' },
    {
      path: 'images/ASU-L-0001234_b.jpg',
      status: 403,
      body: 'Uploads from this page are not allowed.',
      says: 'does not allow',
    },
    {
      path: 'nested/a/b/c/deep (copy).png',
      status: 413,
      body: 'Files above 10 kB are not accepted here.',
      says: 'larger than the receiver accepts (413 Payload Too Large): Files above 10 kB are not accepted here',
    },
  ];
  test.use({
    receiverFaults: {
      answer(request): Fault | undefined {
        return refused.find((r) => creationsOf(r.path)(request));
      },
    },
  });

  test('stops each of them at once with a sentence, and the other files arrive', async ({
    page,
    receiver,
  }) => {
    await page.goto(receiver.url);
    await seedPickerWithFixture(page);
    await scanForUpload(page);
    await page.getByRole('button', { name: 'Start upload' }).click();

    await expect(page.getByRole('status')).toHaveText(
      'Upload finished with problems: 4 files arrived, 3 files failed. See the failed files below.',
    );
    const table = page.getByRole('table', { name: /Files/ });
    for (const file of refused) {
      const row = table.getByRole('row', { name: path.basename(file.path) });
      await expect(row).toContainText(`Failed: "${file.path}"`);
      await expect(row).toContainText(file.says);
      expect(
        receiver.requests.filter((r) => r.relativePath === file.path),
        `requests for ${file.path}`,
      ).toHaveLength(1);
    }
    const batch = await page.getByLabel('Batch name').inputValue();
    await expectFilesArrived(
      receiver,
      batch,
      DATA_FILES.filter((f) => !refused.some((r) => r.path === f.path)),
    );
  });
});

test.describe('a receiver with a size limit, which it names in Tus-Max-Size', () => {
  test.use({ receiverOptions: { maxFileSize: 100_000 } });

  test('files over it fail before a byte is sent, with a sentence naming both sizes, and the others arrive', async ({
    page,
    receiver,
  }) => {
    await page.goto(receiver.url);
    await seedPickerWithFixture(page);
    await scanForUpload(page);
    await page.getByRole('button', { name: 'Start upload' }).click();

    const over = DATA_FILES.filter((f) => f.size > 100_000);
    expect(over.length).toBe(2);
    await expect(page.getByRole('status')).toHaveText(
      `Upload finished with problems: ${DATA_FILES.length - over.length} files arrived, ${over.length} files failed. See the failed files below.`,
    );
    const failed = page.getByRole('region', { name: 'Failed files' });
    await expect(failed.getByRole('heading')).toHaveText(
      `Failed files: ${over.length} × larger than the server takes (Tus-Max-Size)`,
    );
    for (const file of over) {
      await expect(failed).toContainText(
        `"${file.path}" is ${file.size} bytes, more than the 100000 bytes the server at ${receiver.url}files/ takes (its Tus-Max-Size), so it was not sent.`,
      );
      expect(
        receiver.requests.filter((r) => r.relativePath === file.path),
        file.path,
      ).toEqual([]);
    }
    const batch = await page.getByLabel('Batch name').inputValue();
    await expectFilesArrived(
      receiver,
      batch,
      DATA_FILES.filter((f) => f.size <= 100_000),
    );
  });
});

test.describe('a receiver whose disk is full', () => {
  // The receiver keeps a petabyte free, so every creation finds the disk too full (507).
  test.use({ receiverOptions: { minFreeSpace: 10 ** 15 } });

  test('fails every file that needs space with the disk-full sentence at once, settles, and stores only the empty one', async ({
    page,
    receiver,
  }) => {
    await page.goto(receiver.url);
    await seedPickerWithFixture(page);
    await scanForUpload(page);
    await page.getByRole('button', { name: 'Start upload' }).click();

    // Settles rather than hangs, and without retrying: a full disk does not empty itself in seconds.
    const status = page.getByRole('status');
    await expect(status).toHaveText(
      'Upload finished with problems: 1 file arrived, 6 files failed. See the failed files below.',
      { timeout: 15_000 },
    );
    const failures = page.getByRole('region', { name: 'Failed files' });
    const needSpace = DATA_FILES.filter((f) => f.size > 0);
    for (const file of needSpace) {
      await expect(failures).toContainText(
        `"${file.path}" could not be stored: the receiver's disk is full (507). Free space on the receiver, then retry.`,
      );
      expect(receiver.requests.filter(creationsOf(file.path)), `requests for ${file.path}`).toHaveLength(1);
    }
    // A zero-byte file needs no space, so it is the one that arrives.
    const batch = await page.getByLabel('Batch name').inputValue();
    expect(await listFiles(receiver.uploadDir)).toEqual([`${batch}/data/images/empty.dat`]);
  });
});
