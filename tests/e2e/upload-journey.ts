/**
 * The steps the upload journeys share: scan the fixture folder against the permissive custom pattern, start the
 * upload, and compare what the receiver stored with the fixture.
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { DATA_FILES, fixtureSha256, type FixtureFile } from './fixture-tree.ts';
import { expect, listFiles, sha256File, type Receiver } from './test.ts';

const SUMMARY = /7 files \(50\.\d MiB\) in \d+ folders, 2 system files skipped/;

/** Every fixture file is in the batch folder with its own bytes, and the receiver logged each batch file once. */
export async function expectBatchArrived(page: Page, receiver: Receiver): Promise<void> {
  const batch = await page.getByLabel('Batch name').inputValue();
  await expectFilesArrived(receiver, batch, DATA_FILES);
  // One line per file (the completion's lines name the batch too, not a file in it).
  expect(receiver.log.filter((line) => line.includes(`${batch}/data/`))).toHaveLength(DATA_FILES.length);
}

/** Exactly `files` are in the batch folder, each byte-identical to the fixture. */
export async function expectFilesArrived(
  receiver: Receiver,
  batch: string,
  files: readonly FixtureFile[],
): Promise<void> {
  const batchDir = path.join(receiver.uploadDir, batch, 'data');
  expect(await listFiles(batchDir)).toEqual(files.map((f) => f.path).sort());
  for (const file of files) {
    expect(await sha256File(path.join(batchDir, file.path)), file.path).toBe(fixtureSha256(file));
  }
}

/**
 * These journeys are about moving bytes: check against the permissive custom pattern, and let the one file the
 * check flags (the zero-byte file, an error) go too, as a curator would after reading the finding.
 */
export async function scanForUpload(page: Page, summary: RegExp = SUMMARY): Promise<void> {
  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  await page.getByRole('button', { name: 'Choose folder' }).click();
  await expect(page.getByRole('region', { name: 'Folder' }).getByText(summary)).toBeVisible();
  await acceptCheck(page);
}

/** The webkitdirectory input's path to the same state scanForUpload reaches. */
export async function expectScanned(page: Page): Promise<void> {
  await expect(page.getByRole('region', { name: 'Folder' }).getByText(SUMMARY)).toBeVisible();
  await acceptCheck(page);
}

async function acceptCheck(page: Page): Promise<void> {
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    'Checked against Custom pattern: ',
  );
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText('1 error');
  await page.getByLabel('Upload files with errors too').check();
}

export async function uploadAll(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expectRunComplete(page);
}

/** The run ended with every file in, and the progress bar at the batch's full size. */
export async function expectRunComplete(
  page: Page,
  files: readonly FixtureFile[] = DATA_FILES,
): Promise<void> {
  await expectEveryFileIn(page);
  await expect(page.getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute(
    'value',
    String(files.reduce((sum, f) => sum + f.size, 0)),
  );
}

/**
 * Waits for the upload step to say every file is in. A run that stalls or fails instead ends the test with what
 * the step showed last: its figures and its failed files.
 */
export async function expectEveryFileIn(page: Page): Promise<void> {
  const step = page.getByRole('region', { name: 'Upload', exact: true });
  await expect
    .poll(async () => (await step.innerText()).replace(/\s+/g, ' '), { timeout: 90_000 })
    .toContain('complete: every file is in batch');
}
