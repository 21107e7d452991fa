/**
 * Barcodes in the running app: the labels of real specimen images are read in the image workers, compared with
 * the names, and the findings join the check and its report; the ZXing WASM comes from the app's own server and
 * no other host is contacted.
 */
import { cp, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import Papa from 'papaparse';
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

/** Waits for the barcode run that began by itself after the check (announced once the check has them). */
async function barcodesRead(page: Page): Promise<string> {
  const status = page.getByRole('status').filter({ hasText: /^Barcodes read/ });
  await expect(status).toBeVisible({ timeout: 120_000 });
  return (await status.innerText()).trim();
}

/** Downloads the report and returns its rows (path, status, identifier, rule, message). */
async function report(page: Page, scratch: string): Promise<string[][]> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download report' }).click();
  const saved = path.join(scratch, (await download).suggestedFilename());
  await (await download).saveAs(saved);
  const text = (await readFile(saved, 'utf8')).replace(/^\ufeff/, '');
  const { data } = Papa.parse<string[]>(text, { skipEmptyLines: true });
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
  expect(await barcodesRead(page)).toBe('Barcodes read: 4 images with a barcode, 0 without.');
  await expect(panel).toContainText('4 of 4 images read · 4 with a barcode · 0 without');

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

  // The WASM came from the app's own server, and nothing else was asked of any other host.
  expect(wasm.length).toBeGreaterThan(0);
  for (const url of wasm) expect(new URL(url).host).toBe(new URL(receiver.url).host);
  expect([...hosts]).toEqual([new URL(receiver.url).host]);
});
