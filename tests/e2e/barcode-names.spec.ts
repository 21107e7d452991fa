/**
 * Names from barcodes, end to end: camera-named images whose labels carry generated barcodes are uploaded under
 * those barcodes with one click. The receiver stores `<barcode>.jpg`, `_a`, `_b` … byte for byte, the files in the
 * folder keep their names and bytes, the batch's completion and the receipt name both, and the rename list
 * reads back through papaparse. A batch reloaded in the middle goes on under the same names. Reading the barcodes
 * shows its progress and can be cancelled and taken up again.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import Papa from 'papaparse';
import { drawSheet, type Sheet } from './barcode-sheets.ts';
import { fixtureBytes } from './fixture-tree.ts';
import { creationsOf } from './receiver-faults.ts';
import { reloadMidUpload } from './reload-journey.ts';
import { expectEveryFileIn } from './upload-journey.ts';
import { expect, listFiles, sha256File, test } from './test.ts';

/** A 13-MP sheet (42 cm high, so 107 pixels per centimetre): small enough to draw quickly, large enough to search. */
const SHEET = { width: 3000, height: 4500, heightCm: 42 } as const;

function sheet(seed: number, text?: string): Sheet {
  return {
    ...SHEET,
    seed,
    labels:
      text === undefined ? [] : [{ text, format: 'Code128', x: 0.78, y: 0.92, cm: 1.2, angle: 1 + seed }],
  };
}

/** Draws the sheets into `folder` ({ path: sheet }), each once. */
async function drawFolder(
  page: Page,
  folder: string,
  sheets: Readonly<Record<string, Sheet>>,
): Promise<void> {
  const drawing = await page.context().newPage();
  for (const [name, drawn] of Object.entries(sheets)) {
    await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
    await writeFile(path.join(folder, name), await drawSheet(drawing, drawn));
  }
  await drawing.close();
}

async function openSymbiota(page: Page, url: string, folder: string): Promise<void> {
  await page.addInitScript(() => {
    // Headless Chromium has no save dialog to answer: downloads take the link path.
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  await page.goto(url);
  await page.getByLabel('Target').selectOption({ label: 'Symbiota' });
  await page.getByLabel('Pattern syntax').selectOption('javascript');
  await page.getByLabel('Catalog number pattern').fill('^(BR\\d{13})');
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    'Checked against Symbiota: ',
  );
}

/** Presses a download button and reads the CSV back through papaparse, by header. */
async function downloadCsv(
  page: Page,
  scratch: string,
  button: string,
): Promise<Papa.ParseResult<Record<string, string>>> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const saved = path.join(scratch, (await download).suggestedFilename());
  await (await download).saveAs(saved);
  const text = (await readFile(saved, 'utf8')).replace(/^\ufeff/, '');
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed;
}

const SPECIMEN = 'BR0000013284861';
const NAMES: Readonly<Record<string, Sheet>> = {
  'day1/IMG_0001.JPG': sheet(1, 'BR0000013284830'),
  // Two images of one specimen.
  'day1/IMG_0002.JPG': sheet(2, SPECIMEN),
  'day1/IMG_0003.JPG': sheet(3, SPECIMEN),
  // Named right already: it keeps its name.
  'day1/BR0000013284878.jpg': sheet(4, 'BR0000013284878'),
};
const RENAMED: Readonly<Record<string, string>> = {
  'day1/IMG_0001.JPG': 'day1/BR0000013284830.jpg',
  'day1/IMG_0002.JPG': `day1/${SPECIMEN}_a.jpg`,
  'day1/IMG_0003.JPG': `day1/${SPECIMEN}_b.jpg`,
};

/**
 * Draws the camera folder (NAMES; `alter` may change it), notes each file's SHA-256, and opens it under Symbiota
 * until all its barcodes are read.
 */
async function readCameraFolder(
  page: Page,
  url: string,
  scratch: string,
  alter?: (folder: string) => Promise<void>,
) {
  const folder = path.join(scratch, 'camera');
  await drawFolder(page, folder, NAMES);
  await alter?.(folder);
  const before = new Map<string, string>();
  for (const name of Object.keys(NAMES)) before.set(name, await sha256File(path.join(folder, name)));
  await openSymbiota(page, url, folder);
  const panel = page.getByRole('region', { name: 'Barcodes' });
  await expect(panel.locator('.figures')).toContainText('4 of 4 images read · 4 with a barcode', {
    timeout: 120_000,
  });
  return { folder, before, panel };
}

/**
 * The bag the receiver made of the batch once it accepted the page's completion: each file by the path it was
 * sent under, with its SHA-256 (manifest-sha256.txt) and, for a file sent under another name, the path the
 * completion gave as its own (original-paths.tsv, which only the completion's `originalPath` fills); sorted.
 */
async function bagged(uploadDir: string, batch: string) {
  const bag = path.join(uploadDir, batch);
  const lines = async (name: string) =>
    (await readFile(path.join(bag, name), 'utf8')).split('\n').filter((line) => line !== '');
  const originals = new Map(
    (await lines('original-paths.tsv')).slice(1).map((row) => row.split('\t') as [string, string]),
  );
  return (await lines('manifest-sha256.txt'))
    .map((line) => {
      const [sha256 = '', file = ''] = line.split('  ');
      return [file.slice('data/'.length), sha256, originals.get(file)];
    })
    .sort();
}

/** What `bagged` should read: every file of the folder under its upload name, with its SHA-256 and own name. */
function expectedBag(before: ReadonlyMap<string, string>) {
  return [...before]
    .map(([name, sha256]) => [RENAMED[name] ?? name, sha256, name in RENAMED ? name : undefined])
    .sort();
}

test('one click uploads camera-named images under their barcodes: the receiver holds <barcode>.jpg, _a, _b byte for byte, and the completion, the receipt and the rename list name both', async ({
  page,
  receiver,
  scratch,
}) => {
  test.setTimeout(300_000);
  const { folder, before, panel } = await readCameraFolder(page, receiver.url, scratch);
  await expect(panel).toContainText('3 images have no identifier in the name but a barcode on the label.');
  await panel.getByRole('button', { name: 'Upload under barcode names' }).click();
  await expect(panel).toContainText('3 images are uploaded under the name its barcode gives.');
  await expect(panel.getByRole('button', { name: 'Upload under barcode names' })).toHaveCount(0);

  // The check sees the new names: each label now matches the name it is uploaded under.
  const report = await downloadCsv(page, scratch, 'Download report');
  const barcodeRows = report.data
    .filter((row) => row['rule']?.startsWith('barcode.'))
    .map((row) => [row['path'], row['rule']]);
  expect(barcodeRows).toEqual([
    ['day1/BR0000013284830.jpg', 'barcode.match'],
    ['day1/BR0000013284861_a.jpg', 'barcode.match'],
    ['day1/BR0000013284861_b.jpg', 'barcode.match'],
    ['day1/BR0000013284878.jpg', 'barcode.match'],
  ]);

  const renames = await downloadCsv(page, scratch, 'Download rename list');
  expect(renames.meta.fields).toEqual(['old', 'new']);
  expect(renames.data.map((row) => [row['old'], row['new']])).toEqual(Object.entries(RENAMED));

  await page.getByRole('button', { name: 'Start upload' }).click();
  await expectEveryFileIn(page);
  await expect(page.getByRole('region', { name: 'Batch completion' })).toContainText(
    'is complete on the receiver',
  );

  // The receiver holds each image under its barcode's name, with the folder's bytes.
  const batch = await page.getByLabel('Batch name').inputValue();
  const stored = path.join(receiver.uploadDir, batch, 'data');
  const uploadName = (name: string) => RENAMED[name] ?? name;
  expect(await listFiles(stored)).toEqual(Object.keys(NAMES).map(uploadName).sort());
  for (const [name, sha256] of before) {
    expect(await sha256File(path.join(stored, uploadName(name))), name).toBe(sha256);
    // The folder's own file is untouched.
    expect(await sha256File(path.join(folder, name)), name).toBe(sha256);
  }
  expect((await listFiles(folder)).sort()).toEqual(Object.keys(NAMES).sort());

  // The completion the receiver bagged names both.
  expect(await bagged(receiver.uploadDir, batch)).toEqual(expectedBag(before));

  const receipt = await downloadCsv(page, scratch, 'Download receipt');
  expect(receipt.meta.fields?.slice(0, 3)).toEqual(['path', 'original_path', 'bytes']);
  expect(receipt.data.map((row) => [row['path'], row['original_path'], row['stored_path']]).sort()).toEqual(
    Object.keys(NAMES)
      .map((name) => [uploadName(name), name in RENAMED ? name : '', `${batch}/data/${uploadName(name)}`])
      .sort(),
  );
});

test('a batch sent under barcode names and reloaded in the middle goes on under the same names: each file is created once, under its barcode name, and the completion names both', async ({
  page,
  receiver,
  scratch,
}) => {
  test.setTimeout(300_000);
  const { folder, before, panel } = await readCameraFolder(page, receiver.url, scratch, (at) =>
    // Bytes after the JPEG's end (which decoders ignore) make one renamed image larger than the page's chunk
    // (32 MiB), so it is created empty first and is half sent, with its upload's address known, when the page goes.
    appendFile(path.join(at, 'day1/IMG_0001.JPG'), fixtureBytes(17, 40 * 1024 * 1024)),
  );
  await panel.getByRole('button', { name: 'Upload under barcode names' }).click();
  await expect(panel).toContainText('3 images are uploaded under the name its barcode gives.');
  const batch = await page.getByLabel('Batch name').inputValue();

  await reloadMidUpload(page, receiver, 0.2);
  const banner = page.getByRole('region', { name: 'Previous upload' });
  await banner.getByRole('button', { name: 'Resume previous upload' }).click();
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expectEveryFileIn(page);
  await expect(page.getByLabel('Batch name')).toHaveValue(batch);
  await expect(page.getByRole('region', { name: 'Batch completion' })).toContainText(
    'is complete on the receiver',
  );

  const uploadName = (name: string) => RENAMED[name] ?? name;
  const stored = path.join(receiver.uploadDir, batch, 'data');
  expect(await listFiles(stored)).toEqual(Object.keys(NAMES).map(uploadName).sort());
  for (const [name, sha256] of before) {
    expect(await sha256File(path.join(stored, uploadName(name))), name).toBe(sha256);
    // Created once, under its barcode name only: nothing went under the name of the file in the folder.
    expect(receiver.requests.filter(creationsOf(uploadName(name))), name).toHaveLength(1);
    if (name in RENAMED) expect(receiver.requests.filter(creationsOf(name)), name).toHaveLength(0);
  }
  expect(await bagged(receiver.uploadDir, batch)).toEqual(expectedBag(before));
});

test('reading barcodes shows its progress, can be cancelled, and reads what is left when asked again', async ({
  page,
  receiver,
  scratch,
}) => {
  test.setTimeout(300_000);
  const folder = path.join(scratch, 'many');
  const sheets: Record<string, Sheet> = {};
  for (let i = 1; i <= 12; i += 1) {
    sheets[`BR00000132848${String(i).padStart(2, '0')}.jpg`] = sheet(
      i,
      `BR00000132848${String(i).padStart(2, '0')}`,
    );
  }
  await drawFolder(page, folder, sheets);
  await openSymbiota(page, receiver.url, folder);

  const panel = page.getByRole('region', { name: 'Barcodes' });
  const progress = panel.getByRole('progressbar', { name: 'Barcode progress' });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute('max', '12');
  // The page answers while the workers read: the batch name takes typing.
  const batchName = page.getByLabel('Batch name');
  await batchName.fill('while-reading');
  await expect(batchName).toHaveValue('while-reading');
  await expect(panel.getByRole('button', { name: 'Cancel barcodes' })).toBeVisible();
  await panel.getByRole('button', { name: 'Cancel barcodes' }).click();
  await expect(panel.locator('.figures')).toContainText('cancelled');
  const figures = (await panel.locator('.figures').innerText()).trim();
  const done = Number(/^(\d+) of 12/.exec(figures)?.[1]);
  expect(done).toBeLessThan(12);

  await panel.getByRole('button', { name: 'Read barcodes' }).click();
  await expect(panel.locator('.figures')).toHaveText('12 of 12 images read · 12 with a barcode · 0 without', {
    timeout: 120_000,
  });
});
