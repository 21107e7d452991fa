/**
 * Barcodes in the running app: the labels of real specimen images are read in the image workers, compared with
 * the names, and the findings join the check and its report; the ZXing WASM comes from the app's own server and
 * no other host is contacted.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import Papa from 'papaparse';
import { drawSheet, type Sheet } from './barcode-sheets.ts';
import { expect, test } from './test.ts';

const FIXTURES = path.resolve('tests/fixtures/barcodes');

/** Copies fixtures into a folder under new names: { 'new name': 'fixture file' }. */
async function folderOf(scratch: string, name: string, files: Record<string, string>): Promise<string> {
  const root = path.join(scratch, name);
  await mkdir(root, { recursive: true });
  for (const [to, from] of Object.entries(files)) await cp(path.join(FIXTURES, from), path.join(root, to));
  return root;
}

async function open(page: Page, url: string, folder: string, pattern: string): Promise<void> {
  await page.addInitScript(() => {
    // Headless Chromium has no save dialog to answer: downloads take the link path.
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  await page.goto(url);
  await page.getByLabel('Target').selectOption({ label: 'Symbiota' });
  await page.getByLabel('Pattern syntax').selectOption('javascript');
  await page.getByLabel('Catalog number pattern').fill(pattern);
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    'Checked against Symbiota: ',
  );
}

/**
 * Waits for the barcode run that began by itself after the check, and for the check that takes its results in
 * (its findings table offers the barcode rules); returns the panel's figures.
 */
async function barcodesRead(page: Page, images: number): Promise<string> {
  const panel = page.getByRole('region', { name: 'Barcodes' });
  await expect(panel.getByRole('button', { name: 'Read barcodes' })).toBeVisible({ timeout: 120_000 });
  const figures = panel.locator('.figures');
  await expect(figures).toContainText(`${images} of ${images} images read`);
  await expect(page.getByRole('option', { name: /^barcode\./ }).first()).toBeAttached();
  return (await figures.innerText()).trim();
}

/** Presses a download button and returns the CSV's rows, header first. */
async function downloadCsv(page: Page, scratch: string, button: string): Promise<string[][]> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const saved = path.join(scratch, (await download).suggestedFilename());
  await (await download).saveAs(saved);
  const text = (await readFile(saved, 'utf8')).replace(/^\ufeff/, '');
  return Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
}

/** Downloads the report and returns its rows (path, status, identifier, rule, message). */
async function report(page: Page, scratch: string): Promise<string[][]> {
  const data = await downloadCsv(page, scratch, 'Download report');
  expect(data[0]).toEqual(['path', 'status', 'identifier', 'rule', 'message']);
  return data.slice(1);
}

function barcodeRows(rows: readonly string[][]): string[][] {
  return rows.filter((row) => row[3]?.startsWith('barcode.')).map((row) => row.slice(0, 4));
}

test('real labels: Code 39 without the prefix matches, another number is an error, a bare name gets a suggestion, and only our server is asked', async ({
  page,
  receiver,
  scratch,
}) => {
  const hosts = new Set<string>();
  const wasm: string[] = [];
  page.context().on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'http:' || url.protocol === 'https:') hosts.add(url.host);
    if (url.pathname.endsWith('.wasm')) wasm.push(request.url());
  });
  const folder = await folderOf(scratch, 'sheets', {
    'MICH-V-1390992.jpg': 'MICH-V-1390992.jpg',
    'MICH-V-1450813.jpg': 'MICH-V-1450812.jpg',
    'IMG_0001.JPG': 'NHM_pinned_insect_Augochlora_festiva.JPG',
    'NHMUK-1681110.jpg': 'inselect_barcodes.jpg',
  });
  await open(page, receiver.url, folder, '^([A-Z]+(?:-[A-Z])?-\\d+)');
  const panel = page.getByRole('region', { name: 'Barcodes' });
  await expect(panel.getByRole('checkbox', { name: 'Read barcodes' })).toBeChecked();
  expect(await barcodesRead(page, 4)).toBe('4 of 4 images read · 4 with a barcode · 0 without');

  expect(barcodeRows(await report(page, scratch))).toEqual([
    ['IMG_0001.JPG', 'warning', '014024979', 'barcode.suggested'],
    ['MICH-V-1390992.jpg', 'ok', 'MICH-V-1390992', 'barcode.match'],
    ['MICH-V-1450813.jpg', 'error', 'MICH-V-1450813', 'barcode.mismatch'],
    ['NHMUK-1681110.jpg', 'warning', 'NHMUK-1681110', 'barcode.several'],
  ]);
  const findings = page.getByRole('region', { name: 'Check', exact: true });
  await expect(findings).toContainText(
    'MICH-V-1450813.jpg shows 1450812 (Code 39) on its label; the name says MICH-V-1450813.',
  );
  await expect(panel).toContainText('1 image has no identifier in the name but a barcode on the label.');
  expect(await downloadCsv(page, scratch, 'Download rename list')).toEqual([
    ['old', 'new'],
    ['IMG_0001.JPG', '014024979.jpg'],
  ]);

  // The WASM came from the app's own server, and nothing else was asked of any other host.
  expect(wasm.length).toBeGreaterThan(0);
  for (const url of wasm) expect(new URL(url).host).toBe(new URL(receiver.url).host);
  expect([...hosts]).toEqual([new URL(receiver.url).host]);
});

/** A 60-MP herbarium sheet (42 cm high, so about 226 pixels per centimetre). */
const SIXTY_MP = { width: 6336, height: 9504, heightCm: 42 } as const;
const TWENTY_FOUR_MP = { width: 4000, height: 6000, heightCm: 42 } as const;

const SHEETS: Readonly<Record<string, Sheet>> = {
  // One Code 128 label 1 cm high, slightly askew, in the corner where herbaria put it.
  'BR0000013284830.jpg': {
    ...SIXTY_MP,
    seed: 1,
    labels: [{ text: 'BR0000013284830', format: 'Code128', x: 0.8, y: 0.93, cm: 1, angle: 2 }],
  },
  // Two specimens on one sheet, two labels: a Code 128 and a 1-cm Data Matrix turned 30°.
  'BR0000013284861.jpg': {
    ...SIXTY_MP,
    seed: 2,
    labels: [
      { text: 'BR0000013284861', format: 'Code128', x: 0.25, y: 0.9, cm: 1, angle: -3 },
      { text: 'BR0000013284878', format: 'DataMatrix', x: 0.75, y: 0.2, cm: 1, angle: 30 },
    ],
  },
  // The name says another number than its 1-cm Data Matrix label, which stands on its side.
  'BR0000099999999.jpg': {
    ...TWENTY_FOUR_MP,
    seed: 3,
    labels: [{ text: 'BR0000013284847', format: 'DataMatrix', x: 0.15, y: 0.5, cm: 1, angle: 97 }],
  },
  // A camera's name: the label, the digits alone as other herbaria print them, gives it one.
  'IMG_0002.JPG': {
    ...TWENTY_FOUR_MP,
    seed: 4,
    labels: [{ text: '0000013284854', format: 'Code128', x: 0.5, y: 0.85, cm: 1.2, angle: 90 }],
  },
  // A close-up with no label.
  'BR0000013284885.jpg': { ...TWENTY_FOUR_MP, seed: 5, labels: [] },
};

test('generated sheets: a 1-cm label on 60 MP, two labels on one sheet, labels at angles, named right, wrong and not at all', async ({
  page,
  receiver,
  scratch,
}) => {
  test.setTimeout(300_000);
  const folder = path.join(scratch, 'generated');
  await mkdir(folder, { recursive: true });
  const drawing = await page.context().newPage();
  for (const [name, sheet] of Object.entries(SHEETS)) {
    await writeFile(path.join(folder, name), await drawSheet(drawing, sheet));
  }
  await drawing.close();
  await open(page, receiver.url, folder, '^(BR\\d{13})');
  expect(await barcodesRead(page, 5)).toBe('5 of 5 images read · 4 with a barcode · 1 without');
  const rows = await report(page, scratch);
  expect(barcodeRows(rows)).toEqual([
    ['BR0000013284830.jpg', 'ok', 'BR0000013284830', 'barcode.match'],
    ['BR0000013284861.jpg', 'warning', 'BR0000013284861', 'barcode.several'],
    ['BR0000013284885.jpg', 'ok', 'BR0000013284885', 'barcode.none'],
    ['BR0000099999999.jpg', 'error', 'BR0000099999999', 'barcode.mismatch'],
    ['IMG_0002.JPG', 'warning', '0000013284854', 'barcode.suggested'],
  ]);
  const message = (file: string) =>
    rows.find((row) => row[0] === file && row[3]?.startsWith('barcode.'))?.[4];
  expect(message('BR0000013284861.jpg')).toContain(
    'several barcodes: BR0000013284878 (Data Matrix) and BR0000013284861 (Code 128); only BR0000013284861 matches',
  );
  expect(message('BR0000099999999.jpg')).toContain(
    'shows BR0000013284847 (Data Matrix) on its label; the name says BR0000099999999.',
  );
});

test('Read barcodes is a setting of each target, remembered for the next visit', async ({
  page,
  receiver,
  scratch,
}) => {
  // The Prepare step shows once a folder is chosen; a text file has no barcode to read.
  const folder = path.join(scratch, 'notes');
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'notes.txt'), 'no images here');
  const target = page.getByLabel('Target');
  const readBarcodes = page
    .getByRole('region', { name: 'Barcodes' })
    .getByRole('checkbox', { name: 'Read barcodes' });
  const choose = async (label: string) => {
    await target.selectOption({ label });
    await page.getByTestId('folder-input').setInputFiles(folder);
  };
  await page.goto(receiver.url);
  await choose('Symbiota');
  await expect(readBarcodes).toBeChecked();
  await readBarcodes.uncheck();
  await choose('Custom pattern');
  await expect(readBarcodes).not.toBeChecked();
  await readBarcodes.check();

  await page.reload();
  await expect(target).toHaveValue('custom');
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(readBarcodes).toBeChecked();
  await target.selectOption({ label: 'Symbiota' });
  await expect(readBarcodes).not.toBeChecked();
});
