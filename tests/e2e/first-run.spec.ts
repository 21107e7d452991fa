/**
 * A new user's first run, and the names that must not slip through: the README's quick start followed word for
 * word on a fresh profile, a folder whose every file is held back, hidden files, and a name Chromium's folder
 * input rewrites.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { seedPickerWithFixture, writeFixtureFolder, type FixtureFile } from './fixture-tree.ts';
import { expect, listFiles, test } from './test.ts';
import { expectEveryFileIn, expectFilesArrived } from './upload-journey.ts';

const JPEG = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52];
const TEXT = [...'plate,well,count\n'].map((c) => c.charCodeAt(0));

/** A folder as a lab keeps it: images, data files, a hidden file a tool left, and macOS litter. */
const ORDINARY: readonly FixtureFile[] = [
  { path: 'photos/IMG_0001.jpg', size: 120_000, seed: 11, head: JPEG },
  { path: 'photos/IMG_0002.jpg', size: 90_000, seed: 12, head: JPEG },
  { path: 'photos/scan 3.png', size: 40_000, seed: 13, head: PNG },
  { path: 'data/measurements.csv', size: 2_000, seed: 14, head: TEXT },
  { path: 'data/run 1/readings.tsv', size: 3_000, seed: 15, head: TEXT },
  { path: 'notes.txt', size: 500, seed: 16, head: TEXT },
  { path: '.hidden-settings', size: 300, seed: 17, hidden: true },
  { path: 'photos/.DS_Store', size: 6_148, seed: 18, system: true },
];
const ORDINARY_DATA = ORDINARY.filter((f) => !f.system && !f.hidden);
const ORDINARY_NAME = 'Field day';

function region(page: Page, name: string) {
  return page.getByRole('region', { name, exact: true });
}

test('the README’s quick start on a fresh profile: Choose folder, then Start upload, and an ordinary folder arrives byte-identical', async ({
  page,
  receiver,
}) => {
  // Open the printed address in Chrome …
  await page.goto(receiver.url);
  await seedPickerWithFixture(page, ORDINARY, ORDINARY_NAME);
  await expect(page.getByLabel('Target')).toHaveValue('any');
  // … press Choose folder …
  await page.getByRole('button', { name: 'Choose folder' }).click();
  // … then Start upload.
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expectEveryFileIn(page);

  // Files land in ./uploads/<batch>/<relative path>, byte-identical; hidden and system files stay home.
  const batch = await page.getByLabel('Batch name').inputValue();
  await expectFilesArrived(receiver, batch, ORDINARY_DATA);
  await expect(region(page, 'Folder')).toContainText(
    'Field day: 6 files (250 KiB) in 5 folders, 1 system file skipped, 1 hidden file skipped, 1 empty folder.',
  );
  await expect(region(page, 'Check')).toContainText(
    'Checked against Any files: 6 ok, 0 warnings, 0 errors, 2 skipped.',
  );
  // The choice is remembered: a reload opens on the same target.
  await page.reload();
  await expect(page.getByLabel('Target')).toHaveValue('any');
});

test('when every file is held back by errors, the Upload step says so beside the disabled button, with the way out', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await writeFixtureFolder(scratch, ORDINARY_NAME, ORDINARY);
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'GUDMAP/RBK' });
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(region(page, 'Check')).toContainText('Checked against GUDMAP/RBK: 0 ok, 0 warnings, 6 errors');

  const upload = region(page, 'Upload');
  await expect(page.getByRole('button', { name: 'Start upload' })).toBeDisabled();
  await expect(upload).toContainText(
    'None of the 6 files can be uploaded: each has an error (see Check). Tick “Upload files with errors too” under Check to send them anyway, or choose the target that fits this folder (Any files checks only what every target needs).',
  );
  // Either way out lets the upload start.
  await page.getByLabel('Upload files with errors too').check();
  await expect(page.getByRole('button', { name: 'Start upload' })).toBeEnabled();
  await page.getByLabel('Upload files with errors too').uncheck();
  await expect(page.getByRole('button', { name: 'Start upload' })).toBeDisabled();
  await page.getByLabel('Target').selectOption({ label: 'Any files' });
  await expect(region(page, 'Check')).toContainText('Checked against Any files: 6 ok');
  await expect(upload).not.toContainText('None of the');
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expectEveryFileIn(page);
  await expectFilesArrived(receiver, await page.getByLabel('Batch name').inputValue(), ORDINARY_DATA);
});

test('hidden files are listed as skipped with a sentence in every target; Include hidden files scans them as data, and the setting travels', async ({
  page,
  receiver,
  scratch,
}) => {
  const withHiddenFolder: readonly FixtureFile[] = [
    ...ORDINARY,
    { path: '.git/config', size: 200, seed: 19, hidden: true },
  ];
  const folder = await writeFixtureFolder(scratch, ORDINARY_NAME, withHiddenFolder);
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'BioImage Archive' });
  await page.getByTestId('folder-input').setInputFiles(folder);

  await expect(region(page, 'Folder')).toContainText('1 hidden file and 1 hidden folder skipped');
  await page.getByText(/notes? about the folder/).click();
  await expect(region(page, 'Folder')).toContainText(
    'Skipped the hidden folder ".git": its name starts with a dot, so it holds a program\'s own files, not data. Tick Include hidden files to upload it.',
  );
  const table = page.getByRole('table', { name: /Files/ });
  await expect(table.getByRole('row', { name: /\.hidden-settings/ })).toContainText('Skipped');
  await expect(table.getByRole('row', { name: /\.hidden-settings/ })).toContainText(
    'Hidden file (its name starts with a dot), not uploaded; tick Include hidden files to upload it.',
  );
  await expect(region(page, 'Check')).toContainText('2 skipped.');

  await page.getByLabel('Include hidden files').check();
  await expect(region(page, 'Folder')).toContainText(
    // The folder input delivers files only, so no empty folder is seen on this path.
    'Field day: 8 files (250 KiB) in 5 folders, 1 system file skipped.',
  );
  await expect(table.getByRole('row', { name: /\.hidden-settings/ })).toContainText('Ready');
  await expect(region(page, 'Check')).toContainText('0 errors, 1 skipped.');
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expectEveryFileIn(page);
  const batch = await page.getByLabel('Batch name').inputValue();
  await expectFilesArrived(
    receiver,
    batch,
    withHiddenFolder.filter((f) => !f.system),
  );

  // The setting is remembered, and carried by the setup link.
  await page.reload();
  await expect(page.getByLabel('Include hidden files')).toBeChecked();
  await page.getByText('Settings: share or save this setup').click();
  await page.getByRole('button', { name: 'Copy setup link' }).click();
  const link = await page.getByLabel(/Setup link|Copied to the clipboard/).inputValue();
  expect(link).toContain('includeHidden=true');
});

test('a file name holding a backslash, which Chromium’s folder input turns into a folder, is named as an error with its real name and never sent', async ({
  page,
  receiver,
  scratch,
}) => {
  const files: readonly FixtureFile[] = [
    { path: 'plates/plate 1.csv', size: 800, seed: 21, head: TEXT },
    { path: 'plates/well A1\\B2.tif', size: 5_000, seed: 22 },
  ];
  const folder = await writeFixtureFolder(scratch, ORDINARY_NAME, files);
  await page.goto(receiver.url);
  await page.getByTestId('folder-input').setInputFiles(folder);

  const check = region(page, 'Check');
  await expect(check).toContainText('Checked against Any files: 1 ok, 0 warnings, 1 error');
  await expect(check).toContainText(
    "The file name 'well A1\\B2.tif' (plates/well A1\\B2.tif) holds a backslash (\\), which browsers and the receiver read as a folder separator, so it would arrive as plates/well A1/B2.tif, under a folder that does not exist on your disk; it stays out of the upload even with Upload files with errors too, so rename it without that character and choose the folder again.",
  );
  const table = page.getByRole('table', { name: /Files/ });
  await expect(table.getByRole('row', { name: /well A1\\B2\.tif/ })).toBeVisible();

  // Even with files with errors let through, the file stays home and nothing lands in a made-up folder.
  await page.getByLabel('Upload files with errors too').check();
  await expect(region(page, 'Upload')).toContainText(
    '1 file whose name the receiver cannot take stays out of the upload (see Check).',
  );
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expect(region(page, 'Upload')).toContainText('complete: every file is in batch');
  const batch = await page.getByLabel('Batch name').inputValue();
  expect(await listFiles(path.join(receiver.uploadDir, batch))).toEqual(['plates/plate 1.csv']);
  expect(existsSync(path.join(receiver.uploadDir, batch, 'plates', 'well A1'))).toBe(false);
});

/** Drops a folder from disk on the Folder step as the OS would (Chromium's own drag events, not a synthetic one). */
async function dropFolder(page: Page, folder: string): Promise<void> {
  const box = await region(page, 'Folder').boundingBox();
  if (!box) throw new Error('the Folder step is not on screen');
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: [folder], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
    await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  }
}

test('a dropped folder: the files whose names the browser’s folder access does not list are named with the character at fault, not lost silently', async ({
  page,
  receiver,
  scratch,
}) => {
  const files: readonly FixtureFile[] = [
    { path: 'plates/plate 1.csv', size: 800, seed: 31, head: TEXT },
    { path: 'plates/well A1:B2.tif', size: 5_000, seed: 32 },
    { path: 'plates/well C3\\D4.tif', size: 5_000, seed: 33 },
  ];
  const folder = await writeFixtureFolder(scratch, ORDINARY_NAME, files);
  await page.goto(receiver.url);
  await dropFolder(page, folder);

  const step = region(page, 'Folder');
  await expect(step).toContainText(
    'Field day: 1 file (800 B) in 3 folders, 1 empty folder, 2 files the browser could not list (see the notes).',
  );
  await step.getByText(/notes? about the folder/).click();
  await expect(step).toContainText(
    `"plates/well A1:B2.tif" was left out by the browser, which does not list names holding ':'; it will not be uploaded. Rename it without that character and drop the folder again.`,
  );
  await expect(step).toContainText(
    `"plates/well C3\\D4.tif" was left out by the browser, which does not list names holding '\\'; it will not be uploaded. Rename it without that character and drop the folder again.`,
  );
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expectEveryFileIn(page);
  const batch = await page.getByLabel('Batch name').inputValue();
  await expectFilesArrived(receiver, batch, files.slice(0, 1));
});
