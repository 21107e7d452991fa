/**
 * File lists from the running app: each fixture folder of the golden-file unit tests is written to disk, picked,
 * checked and set up in the Prepare step as the unit test sets it up, and every list downloaded from the page
 * must equal its golden file byte for byte (the unit tests build the same files in Node).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import Papa from 'papaparse';
import { biaExtraCsv, biaFolder } from '../fixtures/filelists/bia-folder.ts';
import { biaMirroredWithStray } from '../fixtures/filelists/bia-mirrored-folder.ts';
import type { FixtureFolder } from '../fixtures/filelists/fixture-folder.ts';
import { derivaFolder } from '../fixtures/filelists/deriva-folder.ts';
import { gudmapFolder } from '../fixtures/filelists/gudmap-folder.ts';
import { asuPattern, recordListPath, symbiotaFolder } from '../fixtures/filelists/symbiota-folder.ts';
import { expect, listFiles, test } from './test.ts';

const EXPECTED = path.resolve('tests/fixtures/filelists/expected');

async function writeFolder(parent: string, folder: FixtureFolder): Promise<string> {
  const root = path.join(parent, folder.name);
  for (const file of folder.files) {
    await mkdir(path.dirname(path.join(root, file.path)), { recursive: true });
    await writeFile(path.join(root, file.path), file.content);
  }
  return root;
}

async function open(page: Page, url: string, target: string): Promise<void> {
  await page.addInitScript(() => {
    // Headless Chromium has no save dialog to answer: downloads take the link path.
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  await page.goto(url);
  await page.getByLabel('Target').selectOption({ label: target });
}

/** Picks the folder, waits for its check, and names the batch (picking a folder suggests a name of its own). */
async function pick(page: Page, folder: string, target: string, batch = 'batch-1'): Promise<void> {
  await page.getByTestId('folder-input').setInputFiles(folder);
  await page.getByLabel('Batch name').fill(batch);
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    `Checked against ${target}: `,
  );
}

/** Waits for the checksums the page computes by itself after the check. */
async function checksumsComputed(page: Page, files: number): Promise<void> {
  const panel = page.getByRole('region', { name: 'Checksums' });
  await expect(panel).toContainText(`computed for all ${files} files`);
}

/** Shows the list, waits until it is built for what the page now holds, and saves it; returns its bytes. */
async function download(
  page: Page,
  scratch: string,
  label: string,
): Promise<{ name: string; bytes: Buffer }> {
  const lists = page.getByRole('region', { name: 'File lists' });
  await lists
    .getByRole('radio', { name: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) })
    .check();
  const button = lists.getByRole('button', { name: `Download ${label}` });
  await expect(button).toBeEnabled();
  const saved = page.waitForEvent('download');
  await button.click();
  const file = await saved;
  const to = path.join(scratch, 'downloads', file.suggestedFilename());
  await file.saveAs(to);
  return { name: file.suggestedFilename(), bytes: await readFile(to) };
}

async function golden(name: string): Promise<Buffer> {
  return readFile(path.join(EXPECTED, name));
}

function recordListOf(
  folder: FixtureFolder,
  listPath: string,
): { name: string; mimeType: string; buffer: Buffer } {
  const file = folder.files.find((f) => f.path === listPath);
  if (!file) throw new Error(`${listPath} is not in ${folder.name}`);
  return { name: path.basename(listPath), mimeType: 'text/csv', buffer: Buffer.from(file.content) };
}

test('BioImage Archive: the file list with a path template and extra columns, and two annotation lists', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await writeFolder(scratch, biaFolder);
  await open(page, receiver.url, 'BioImage Archive');
  await pick(page, folder, 'BioImage Archive');

  const lists = page.getByRole('region', { name: 'File lists' });
  await lists.getByRole('radio', { name: /^BioImage Archive annotations file list/ }).check();
  await expect(lists).toContainText('No annotation set yet.');
  await lists.getByRole('button', { name: 'Add annotation set' }).click();
  await lists.getByLabel('Set name').fill('masks');
  await lists.getByLabel(/^Annotation files/).fill('study/masks/');
  await lists.getByLabel('Source image found by').selectOption('same-name');
  await lists.getByRole('button', { name: 'Add annotation set' }).click();
  await lists.getByLabel('Set name').fill('labels');
  await lists.getByLabel(/^Annotation files/).fill('*_mask.png');
  await lists.getByRole('checkbox', { name: 'class_labels' }).check();
  await lists.getByLabel('Source image found by').selectOption('suffix');
  await lists.getByLabel(/^Suffixes/).fill(' _labels , _mask');
  const labels = await download(page, scratch, 'BioImage Archive annotations file list');
  expect(labels.name).toBe('batch-1-annotations-labels.tsv');
  expect(labels.bytes).toEqual(await golden('bia-annotations-labels.tsv'));
  await expect(lists.getByRole('list', { name: 'Problems with the list' })).toContainText(
    '-f1_c2_mask.png starts with',
  );

  await lists.getByRole('combobox', { name: /^Annotation set/ }).selectOption({ label: 'masks' });
  const masks = await download(page, scratch, 'BioImage Archive annotations file list');
  expect(masks.name).toBe('batch-1-annotations-masks.tsv');
  expect(masks.bytes).toEqual(await golden('bia-annotations-masks.tsv'));

  await lists.getByRole('radio', { name: /^BioImage Archive file list/ }).check();
  await lists.getByLabel('Path template').fill('{Plate}/{Well}/{Field}_{Channel}.tif');
  await lists
    .getByLabel('Extra columns table')
    .setInputFiles({ name: 'extra.csv', mimeType: 'text/csv', buffer: Buffer.from(biaExtraCsv) });
  await expect(lists.getByRole('table', { name: 'Preview of BioImage Archive file list' })).toContainText(
    'Treatment',
  );
  const fileList = await download(page, scratch, 'BioImage Archive file list');
  expect(fileList.name).toBe('batch-1-file-list.tsv');
  expect(fileList.bytes).toEqual(await golden('bia-file-list.tsv'));
  await expect(lists.getByRole('list', { name: 'Notes on the list' })).toContainText(
    "Field is 'f1' for every file, so it was left out",
  );
  await expect(lists.getByRole('list', { name: 'Problems with the list' })).toContainText(
    "Column 'md5' of extra.csv is one of the names the BioImage Archive keeps for itself",
  );
});

test('BioImage Archive: masks in a tree that mirrors the images find their own source image', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await writeFolder(scratch, biaMirroredWithStray);
  await open(page, receiver.url, 'BioImage Archive');
  await pick(page, folder, 'BioImage Archive');

  const lists = page.getByRole('region', { name: 'File lists' });
  const label = 'BioImage Archive annotations file list';
  await lists.getByRole('radio', { name: /^BioImage Archive annotations file list/ }).check();
  await lists.getByRole('button', { name: 'Add annotation set' }).click();
  await lists.getByLabel('Set name').fill('masks');
  await lists.getByLabel(/^Annotation files/).fill('masks/');
  await lists.getByLabel('Source image found by').selectOption('suffix');
  await lists.getByLabel(/^Suffixes/).fill('_mask');

  // Before the download: the rows without a source are counted on the button and named in the problems.
  const button = lists.getByRole('button', { name: `Download ${label}` });
  await expect(button).toHaveText(`Download ${label} (5 of 9 rows incomplete)`);
  await expect(lists.getByText('Not ready to submit: 5 of 9 rows lack a value')).toBeVisible();
  const problems = lists.getByRole('list', { name: 'Problems with the list' });
  await expect(problems).toContainText(
    'masks/P1/A01/A01_GFP_labels.png has no source image: its name does not end in _mask',
  );
  await expect(problems).toContainText(
    'find sources by the path template images/{subdir}/{base}.tif with _labels among the suffixes, which takes images/P1/A01/A01_GFP.tif.',
  );
  const partial = await download(page, scratch, label);
  const partialRows = Papa.parse<string[]>(partial.bytes.toString('utf8'), { delimiter: '\t' }).data.slice(1);
  expect(partialRows).toHaveLength(9);
  expect(partialRows.filter(([, , source]) => source === '')).toHaveLength(5);

  // Following the suggestion, every mask but the stray one finds the image at its own place.
  await lists.getByLabel('Source image found by').selectOption('template');
  await lists.getByLabel(/^Source path template/).fill('images/{subdir}/{base}.tif');
  await lists.getByLabel(/^Suffixes/).fill('_mask, _labels');
  const example = lists.getByRole('region', { name: 'Worked example' });
  await expect(example).toContainText('In the first annotation of the set, masks/P1/A01/A01_DAPI_mask.png');
  await expect(example).toContainText('{subdir} P1/A01');
  await expect(example).toContainText('{base} A01_DAPI{ext}');
  await expect(example).toContainText('looks for the source at images/P1/A01/A01_DAPI.tif');
  await expect(button).toHaveText(`Download ${label} (1 of 9 rows incomplete)`);
  await expect(problems).toContainText('1 of 9 rows has no Source Image (masks/P2/C03/C03_DAPI_mask.png)');
  const linked = await download(page, scratch, label);
  expect(linked.name).toBe('batch-1-annotations-masks.tsv');
  const rows = Papa.parse<string[]>(linked.bytes.toString('utf8'), { delimiter: '\t' }).data;
  expect(rows[0]).toEqual(['Files', 'Annotation Type', 'Source Image']);
  const files = new Set(biaMirroredWithStray.files.map((file) => file.path));
  const annotations = rows.slice(1);
  expect(annotations.map(([annotation]) => annotation)).toEqual(
    [...files].filter((path) => path.startsWith('masks/')).sort(),
  );
  for (const [annotation = '', type, source] of annotations) {
    expect(type).toBe('segmentation_mask');
    const image = annotation.replace(/^masks\//, 'images/').replace(/_(?:mask|labels)\.png$/, '.tif');
    expect(source, annotation).toBe(files.has(image) ? image : '');
  }
  // The eight masks with an image are the mirrored tree's golden list, byte for byte.
  expect(linked.bytes.toString('utf8')).toBe(
    `${(await golden('bia-annotations-mirrored.tsv')).toString('utf8')}\nmasks/P2/C03/C03_DAPI_mask.png\tsegmentation_mask\t`,
  );
});

test('Symbiota: field map with MD5, skeletal file and the Darwin Core multimedia extension', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await writeFolder(scratch, symbiotaFolder);
  await open(page, receiver.url, 'Symbiota');
  await page.getByLabel('Catalog number pattern').fill(asuPattern);
  await page.getByLabel('Record list').setInputFiles(recordListOf(symbiotaFolder, recordListPath));
  await pick(page, folder, 'Symbiota');
  await checksumsComputed(page, 7);

  const lists = page.getByRole('region', { name: 'File lists' });
  await lists.getByLabel('Public base URL').fill('https://images.example.org/herbarium');
  const fieldMap = await download(page, scratch, 'Symbiota image field map');
  expect(fieldMap.name).toBe('batch-1-image-field-map.csv');
  expect(fieldMap.bytes).toEqual(await golden('symbiota-field-map.csv'));

  await lists.getByRole('radio', { name: /^Symbiota skeletal file/ }).check();
  await lists
    .getByLabel(/^Fields for new records/)
    .fill('country=United States\nstateProvince=Arizona\nfamily==SUM(1)\ncounty=');
  const skeletal = await download(page, scratch, 'Symbiota skeletal file');
  expect(skeletal.name).toBe('batch-1-skeletal.csv');
  expect(skeletal.bytes).toEqual(await golden('symbiota-skeletal.csv'));

  await lists.getByRole('radio', { name: /^Darwin Core multimedia extension/ }).check();
  await lists.getByLabel('Rights').fill('https://creativecommons.org/licenses/by/4.0/');
  await lists.getByLabel('Owner').fill('Arizona State University');
  await lists.getByLabel('Creator').fill('ASU Lichen Herbarium');
  const dwc = await download(page, scratch, 'Darwin Core multimedia extension');
  expect(dwc.name).toBe('batch-1-dwc-multimedia.zip');
  const zipped = unzipSync(new Uint8Array(dwc.bytes));
  expect(Object.keys(zipped)).toEqual(['multimedia.txt', 'meta.xml']);
  expect(Buffer.from(zipped['multimedia.txt'] ?? [])).toEqual(await golden('dwc-multimedia-originals.txt'));
  expect(Buffer.from(zipped['meta.xml'] ?? [])).toEqual(await golden('dwc-meta.xml'));

  // A click that lands as the list starts being built again (a field just changed, the barcodes just read) is
  // not lost, and saves the new list rather than the one shown before.
  await lists.getByRole('radio', { name: /^Symbiota image field map/ }).check();
  await expect(lists.getByText('batch-1-image-field-map.csv ·')).toBeVisible();
  const save = await lists.getByRole('button', { name: 'Download Symbiota image field map' }).elementHandle();
  const saved = page.waitForEvent('download');
  await lists.getByLabel('Public base URL').evaluate((input: HTMLInputElement, button) => {
    input.value = 'https://media.example.org/lichens';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    (button as HTMLButtonElement).click();
  }, save);
  const rebuilt = path.join(scratch, 'downloads', 'rebuilt.csv');
  await (await saved).saveAs(rebuilt);
  expect((await readFile(rebuilt)).toString('utf8')).toBe(
    (await golden('symbiota-field-map.csv'))
      .toString('utf8')
      .replaceAll('https://images.example.org/herbarium/', 'https://media.example.org/lichens/'),
  );
});

test('GUDMAP: manifest with the checksums computed after the check, GUDMAP manifest and new specimens, manifest after upload', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await writeFolder(scratch, gudmapFolder);
  await open(page, receiver.url, 'Custom pattern');
  await pick(page, folder, 'Custom pattern', 'kidney-2024');
  await checksumsComputed(page, 9);
  const custom = await download(page, scratch, 'Manifest');
  expect(custom.name).toBe('kidney-2024-manifest.csv');
  expect(custom.bytes).toEqual(await golden('manifest-custom-checksums.csv'));

  await page.getByLabel('Target').selectOption({ label: 'GUDMAP/RBK' });
  await page.getByLabel('Batch name').fill('batch-1');
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    'Checked against GUDMAP/RBK: ',
  );
  await page.getByRole('checkbox', { name: /Upload files with errors too/ }).check();
  await checksumsComputed(page, 9);
  const manifest = await download(page, scratch, 'GUDMAP upload manifest');
  expect(manifest.name).toBe('batch-1-gudmap-manifest.csv');
  expect(manifest.bytes).toEqual(await golden('gudmap-manifest.csv'));
  const specimens = await download(page, scratch, 'Specimen_simple.csv (new specimens)');
  expect(specimens.name).toBe('Specimen_simple.csv');
  expect(specimens.bytes).toEqual(await golden('gudmap-specimens.csv'));

  // After the upload the manifest says where each file went (the stored path and its tus upload address), and that
  // the receiver verified it.
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expect(page.getByRole('status')).toContainText('Upload complete: 9 files');
  const after = await download(page, scratch, 'Manifest');
  const { data } = Papa.parse<string[]>(after.bytes.toString('utf8').replace(/^\ufeff/, ''), {
    skipEmptyLines: true,
  });
  expect(data[0]).toEqual(['path', 'bytes', 'sha256', 'stored_path', 'upload_url', 'verified']);
  const rows = data.slice(1);
  expect(rows).toHaveLength(9);
  const stored = await listFiles(receiver.uploadDir);
  for (const [listed, , sha256, storedPath, uploadUrl, verified] of rows) {
    const source = gudmapFolder.files.find((f) => `'${f.path}` === listed || f.path === listed);
    expect(source, `${listed} is a file of the folder`).toBeDefined();
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).toContain(storedPath);
    expect(uploadUrl).toMatch(new RegExp(`^${receiver.url}files/[0-9a-f]+$`));
    // The app's receiver checks the SHA-256 and MD5 it is sent.
    expect(verified, listed).toBe('yes');
  }
});

test('Deriva upload config: the RBK config loaded, the folder checked, and the upload plan checked row by row', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await writeFolder(scratch, derivaFolder);
  await open(page, receiver.url, 'Deriva upload config');
  await page
    .getByLabel('Upload config', { exact: true })
    .setInputFiles('tests/fixtures/deriva/rbk-upload-config.json');
  await expect(page.getByTestId('deriva-config-summary')).toHaveText(
    '1 asset mapping: mapping 0 (RNASeq:File).',
  );
  // deriva-upload-cli uploads hidden files, so a curator checking for it includes them.
  await page.getByLabel('Include hidden files').check();
  await pick(page, folder, 'Deriva upload config');
  await expect(page.getByTestId('deriva-path-note')).toContainText(
    'Paths are matched as /rbk-batch/<path in the folder>',
  );
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    "README.txt (matched as /rbk-batch/README.txt) does not fit the config's only asset mapping, so the Deriva uploader will skip it",
  );
  await checksumsComputed(page, 10);

  const plan = await download(page, scratch, 'Deriva upload plan');
  expect(plan.name).toBe('batch-1-deriva-upload-plan.csv');
  const expected = await golden('deriva-plan-rbk.csv');
  const rowsOf = (bytes: Buffer) =>
    Papa.parse<string[]>(bytes.toString('utf8').replace(/^\ufeff/, ''), { skipEmptyLines: true }).data;
  const got = rowsOf(plan.bytes);
  const want = rowsOf(expected);
  expect(got[0]).toEqual(want[0]);
  expect(got.map((row) => row[0])).toEqual(want.map((row) => row[0]));
  for (const [i, row] of want.entries()) expect(got[i], `row ${i} (${row[0]})`).toEqual(row);
  expect(plan.bytes).toEqual(expected);
});
