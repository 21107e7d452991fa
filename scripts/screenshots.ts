/**
 * Renders the README's screenshots from the real app and receiver: `npm run screenshots` (after `npm run build`).
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { startServer } from '../server/app-server.ts';
import { drawSheet, type Sheet } from '../tests/e2e/barcode-sheets.ts';
import { seedPickerWithFixture, throttleUploads } from '../tests/e2e/fixture-tree.ts';
import { biaExtraCsv, biaFolder } from '../tests/fixtures/filelists/bia-folder.ts';
import { chromiumLaunchOptions } from './chromium.ts';

const out = path.resolve('docs/screenshots');

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
  console.log(`wrote docs/screenshots/${name}.png`);
}

/** Seeds the journeys' fixture folder behind the picker, picks it under Custom pattern and waits for its check. */
async function pickFixture(page: Page): Promise<void> {
  await seedPickerWithFixture(page);
  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  await page.getByRole('button', { name: 'Choose folder' }).click();
  await page.getByRole('region', { name: 'Check', exact: true }).getByText('Checked against').waitFor();
}

const scratch = await mkdtemp(path.join(tmpdir(), 'uploader-shots-'));
const server = await startServer({
  port: 0,
  uploadDir: path.join(scratch, 'uploads'),
  staticDir: path.resolve('dist'),
  token: 'lab-token',
  log: () => undefined,
});
const browser = await chromium.launch(chromiumLaunchOptions());
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url);
  await shoot(page, '1-start');
  await pickFixture(page);
  await shoot(page, '2-scanned');
  await page.getByLabel('Upload files with errors too').check();

  const unthrottle = await throttleUploads(page, 6 * 1024 * 1024);
  await page.getByLabel('Access token').fill('lab-token');
  await page.getByRole('button', { name: 'Start upload' }).click();
  await page
    .getByRole('row', { name: /large-sheet\.tif/ })
    .getByText(/Uploading [3-9]\d%/)
    .waitFor();
  await shoot(page, '3-uploading');
  await unthrottle();
  await page.getByText('complete: every file is in batch').waitFor({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Download receipt' }).waitFor();
  await shoot(page, '4-complete');

  const reloaded = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await reloaded.goto(server.url);
  await pickFixture(reloaded);
  await reloaded.getByLabel('Upload files with errors too').check();
  await reloaded.getByLabel('Access token').fill('lab-token');
  const slow = await throttleUploads(reloaded, 4 * 1024 * 1024);
  await reloaded.getByRole('button', { name: 'Start upload' }).click();
  await reloaded
    .getByRole('row', { name: /large-sheet\.tif/ })
    .getByText(/Uploading [3-9]\d%/)
    .waitFor();
  await reloaded.waitForTimeout(1200);
  await reloaded.reload();
  await slow();
  await reloaded.getByRole('button', { name: 'Resume previous upload' }).waitFor();
  await shoot(reloaded, '8-resume');

  const refused = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await refused.goto(server.url);
  await pickFixture(refused);
  await refused.getByLabel('Upload files with errors too').check();
  await refused.getByLabel('Access token').fill('wrong-token');
  await refused.getByRole('button', { name: 'Start upload' }).click();
  await refused.getByText('Retry all failed').waitFor();
  await refused.getByRole('status').filter({ hasText: 'finished with problems' }).waitFor();
  await shoot(refused, '5-refused-token');

  const lists = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const study = path.join(scratch, biaFolder.name);
  for (const file of biaFolder.files) {
    await mkdir(path.dirname(path.join(study, file.path)), { recursive: true });
    await writeFile(path.join(study, file.path), file.content);
  }
  await lists.goto(server.url);
  await lists.getByLabel('Target').selectOption({ label: 'BioImage Archive' });
  await lists.getByTestId('folder-input').setInputFiles(study);
  await lists.getByRole('region', { name: 'Check', exact: true }).getByText('Checked against').waitFor();
  await lists.getByLabel('Batch name').fill('plate-screen-2026');
  const prepare = lists.getByRole('region', { name: 'File lists' });
  await prepare.getByLabel('Path template').fill('{Plate}/{Well}/{Field}_{Channel}.tif');
  await prepare
    .getByLabel('Extra columns table')
    .setInputFiles({ name: 'treatments.csv', mimeType: 'text/csv', buffer: Buffer.from(biaExtraCsv) });
  await prepare
    .getByRole('table', { name: /^Preview of/ })
    .getByText('Treatment')
    .waitFor();
  // Computed by the page itself after the check.
  await lists.getByText(/computed for all/).waitFor();
  await prepare
    .getByRole('button', { name: /^Download/ })
    .and(lists.locator(':enabled'))
    .waitFor();
  await lists.getByRole('heading', { name: 'Prepare' }).scrollIntoViewIfNeeded();
  await shoot(lists, '6-file-lists');

  const copies = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const photos = path.join(scratch, 'Lichens 2026');
  await mkdir(photos, { recursive: true });
  for (const [from, to] of [
    ['exif-orientation/Landscape_6.jpg', 'ASU-L-0001234_a.jpg'],
    ['exif-orientation/Portrait_1.jpg', 'ASU-L-0001234_b.jpg'],
    ['exif-orientation/Landscape_1.jpg', 'ASU-L-0004321.jpg'],
    ['tiff/rgb-3c-8b.tiff', 'ASU-L-0007777.tif'],
    ['tricky/heic/hopper_hevc.heif', 'ASU-L-0009999.heif'],
  ] as const) {
    await copyFile(path.resolve('tests/fixtures/images', from), path.join(photos, to));
  }
  await copies.goto(server.url);
  await copies.getByLabel('Target').selectOption({ label: 'Symbiota' });
  await copies.getByLabel('Catalog number pattern').fill('/^(ASU-L-\\d{7})\\D*/');
  await copies.getByTestId('folder-input').setInputFiles(photos);
  await copies.getByRole('region', { name: 'Check', exact: true }).getByText('Checked against').waitFor();
  await copies.getByRole('button', { name: 'Make web copies' }).click();
  await copies
    .getByRole('status')
    .filter({ hasText: /^Web copies made/ })
    .waitFor({ timeout: 120_000 });
  await copies
    .getByRole('img', { name: /^Web copy/ })
    .first()
    .waitFor();
  await copies.getByRole('heading', { name: 'Prepare' }).scrollIntoViewIfNeeded();
  await shoot(copies, '7-web-copies');

  const sheets = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // tsx wraps inner named functions of page-side code in __name(); make it the identity on the page.
  await sheets.addInitScript('globalThis.__name = (f) => f;');
  await sheets.goto(server.url);
  const herbarium = path.join(scratch, 'Herbarium day 1');
  await mkdir(herbarium, { recursive: true });
  const sheet = (seed: number, text: string): Sheet => ({
    width: 3000,
    height: 4500,
    heightCm: 42,
    seed,
    labels: [{ text, format: 'Code128', x: 0.78, y: 0.92, cm: 1.2, angle: seed }],
  });
  for (const [name, drawn] of [
    ['IMG_0001.JPG', sheet(1, 'BR0000013284830')],
    ['IMG_0002.JPG', sheet(2, 'BR0000013284861')],
    ['IMG_0003.JPG', sheet(3, 'BR0000013284861')],
    ['BR0000013284878.jpg', sheet(4, 'BR0000013284878')],
    // Typed wrong: the label says …879.
    ['BR0000013284897.jpg', sheet(5, 'BR0000013284879')],
  ] as const) {
    await writeFile(path.join(herbarium, name), await drawSheet(sheets, drawn));
  }
  await sheets.reload();
  await sheets.getByLabel('Target').selectOption({ label: 'Symbiota' });
  await sheets.getByLabel('Pattern syntax').selectOption('javascript');
  await sheets.getByLabel('Catalog number pattern').fill('^(BR\\d{13})');
  await sheets.getByTestId('folder-input').setInputFiles(herbarium);
  const barcodes = sheets.getByRole('region', { name: 'Barcodes' });
  await barcodes.getByText('5 of 5 images read').waitFor({ timeout: 120_000 });
  await barcodes.getByRole('button', { name: 'Upload under barcode names' }).waitFor();
  await barcodes.scrollIntoViewIfNeeded();
  await shoot(sheets, '9-barcodes');
} finally {
  await browser.close();
  await server.close();
  await rm(scratch, { recursive: true, force: true });
}
