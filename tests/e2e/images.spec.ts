/**
 * Web copies in the running app: every copy of the EXIF orientation set is upright (compared pixel by pixel with
 * the copy of the upright original), sizes follow Symbiota's widths without upscaling, and damaged or hostile
 * files end in a sentence for that file while the page and the rest of the batch go on.
 */
import { cp, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, listFiles, test } from './test.ts';

const FIXTURES = path.resolve('tests/fixtures/images');

async function open(page: Page, url: string, folder: string): Promise<void> {
  await page.addInitScript(() => {
    // Headless Chromium has no save dialog to answer: downloads take the link path.
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  await page.goto(url);
  await page.getByLabel('Target').selectOption({ label: 'Symbiota' });
  await page.getByLabel('Pattern syntax').selectOption('javascript');
  await page.getByLabel('Catalog number pattern').fill('^([A-Za-z]+)');
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    'Checked against Symbiota: ',
  );
  const override = page.getByRole('checkbox', { name: /Upload files with errors too/ });
  if ((await override.count()) > 0) await override.check();
}

async function makeCopies(page: Page): Promise<string> {
  const panel = page.getByRole('region', { name: 'Web copies' });
  await panel.getByRole('button', { name: 'Make web copies' }).click();
  const status = page.getByRole('status').filter({ hasText: /^Web copies (made|cancelled)/ });
  await expect(status).toBeVisible({ timeout: 60_000 });
  return (await status.innerText()).trim();
}

interface Shape {
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  /** The copy drawn at 48 × 48 in grey, to compare with another. */
  readonly grey: number[];
}

/** Reads copies from the app's OPFS folder and decodes each, as a browser would show it. */
function shapes(page: Page, folder: string, names: readonly string[]): Promise<Record<string, Shape>> {
  return page.evaluate(
    async ({ folder, names }) => {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('derivatives');
      const dir = await root.getDirectoryHandle(folder);
      const out: Record<string, Shape> = {};
      for (const name of names) {
        const file = await (await dir.getFileHandle(name)).getFile();
        const image = await createImageBitmap(file);
        const canvas = new OffscreenCanvas(48, 48);
        const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
        context.drawImage(image, 0, 0, 48, 48);
        const data = context.getImageData(0, 0, 48, 48).data;
        const grey: number[] = [];
        for (let i = 0; i < data.length; i += 4)
          grey.push(((data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0)) / 3);
        out[name] = { width: image.width, height: image.height, bytes: file.size, grey };
      }
      return out;
    },
    { folder, names },
  );
}

function meanDifference(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** The 48 × 48 grey image turned half a turn: what an orientation-3 file looks like if its tag is ignored. */
function halfTurn(grey: readonly number[]): number[] {
  return [...grey].reverse();
}

test('every web copy of the EXIF orientation set is upright and sized as Symbiota asks, never upscaled', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = path.join(scratch, 'orientation');
  await mkdir(folder);
  await cp(path.join(FIXTURES, 'exif-orientation'), folder, { recursive: true });
  await open(page, receiver.url, folder);
  expect(await makeCopies(page)).toMatch(/^Web copies made: 54 copies .* of 18 images\.$/);

  const names = (await readdir(folder)).map((name) => name.replace(/\.jpg$/, ''));
  const copies = names.flatMap((name) => ['_tn', '_med', '_lg'].map((suffix) => `${name}${suffix}.jpg`));
  const made = await shapes(page, 'orientation', copies);
  for (const kind of ['Landscape', 'Portrait']) {
    const [wide, high] = kind === 'Landscape' ? [1800, 1200] : [1200, 1800];
    for (const [suffix, width] of [
      ['_tn', 200],
      ['_med', 1400],
      ['_lg', 3200],
    ] as const) {
      const reference = made[`${kind}_1${suffix}.jpg`];
      if (!reference) throw new Error(`${kind}_1${suffix}.jpg was not made`);
      const expectedWidth = Math.min(width, wide);
      const expected = { width: expectedWidth, height: Math.round((high * expectedWidth) / wide) };
      // The test can fail: the upright reference differs clearly from itself turned half a turn.
      expect(meanDifference(reference.grey, halfTurn(reference.grey))).toBeGreaterThan(15);
      for (const n of [0, 2, 3, 4, 5, 6, 7, 8]) {
        const name = `${kind}_${n}${suffix}.jpg`;
        const copy = made[name];
        expect(copy, name).toBeDefined();
        expect({ width: copy?.width, height: copy?.height }, name).toEqual(expected);
        expect(copy?.bytes, name).toBeLessThanOrEqual(8_000_000);
        expect(meanDifference(copy?.grey ?? [], reference.grey), `${name} looks like ${kind}_1`).toBeLessThan(
          6,
        );
      }
    }
  }

  // An upright JPEG as large as its copy and under the limit is not re-encoded: the copy is its bytes.
  expect(made['Landscape_1_lg.jpg']?.bytes).toBe((await stat(path.join(folder, 'Landscape_1.jpg'))).size);
  expect(made['Landscape_6_lg.jpg']?.bytes).not.toBe((await stat(path.join(folder, 'Landscape_6.jpg'))).size);

  // The file table shows thumbnails of the rows in view, upright like the copies.
  const thumbnail = page.locator('[role="cell"].thumb img').first();
  await expect(thumbnail).toBeVisible();
  expect(await thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(48);

  // Originals stay home by default: the copies travel, named as Symbiota expects, and nothing else.
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expect(page.getByRole('status')).toContainText('Upload complete: 54 files', { timeout: 60_000 });
  // The receiver bags the batch after the last file: the journey goes on once it has, not while it still writes.
  await expect(page.getByRole('region', { name: 'Batch completion' })).toContainText(
    'is complete on the receiver',
  );
  const batch = await page.getByLabel('Batch name').inputValue();
  const uploaded = await listFiles(path.join(receiver.uploadDir, batch, 'data'));
  expect(uploaded).toEqual([...copies].sort());

  // The manifest lists what travelled: the copies, with where they went, not the originals left home.
  const lists = page.getByRole('region', { name: 'File lists' });
  await lists.getByRole('radio', { name: /^Manifest/ }).check();
  const button = lists.getByRole('button', { name: 'Download Manifest' });
  await expect(button).toBeEnabled();
  const saved = page.waitForEvent('download');
  await button.click();
  const manifest = (await (await saved).createReadStream()).setEncoding('utf8');
  let text = '';
  for await (const chunk of manifest) text += String(chunk);
  const rows = text
    .replace(/^\ufeff/, '')
    .split('\r\n')
    .slice(1)
    .map((line) => line.split(','));
  expect(rows.map((row) => row[0])).toEqual([...copies].sort());
  for (const row of rows) {
    expect(row[3]).toBe(`${batch}/data/${row[0]}`);
    expect(row[4]).toMatch(/\/files\/[0-9a-f]+$/);
  }
});

test('damaged, hostile and undecodable images end in a sentence each, and the rest get their copies', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = path.join(scratch, 'tricky');
  await mkdir(folder);
  for (const sub of ['jpeg', 'png', 'tiff', 'webp', 'heic']) {
    await cp(path.join(FIXTURES, 'tricky', sub), folder, { recursive: true });
  }
  await cp(path.join(FIXTURES, 'exif-orientation', 'Landscape_6.jpg'), path.join(folder, 'Good_6.jpg'));
  // A decompression bomb: a valid PNG signature and header declaring 65,536 × 65,536 pixels, and nothing else.
  const ihdr = Buffer.from([
    0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 1, 0, 0, 0, 1, 0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0,
  ]);
  await writeFile(
    path.join(folder, 'Bomb.png'),
    Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), ihdr]),
  );
  await open(page, receiver.url, folder);
  const status = await makeCopies(page);
  expect(status).toMatch(/^Web copies made: /);

  const problems = page.getByRole('list', { name: 'Images without web copies' });
  await expect(problems).toContainText('Bomb.png declares 65,536 × 65,536 pixels');
  const notes = page.getByRole('list', { name: 'Notes on the web copies' });
  const said = `${await problems.innerText()}\n${await notes.innerText()}`;
  for (const name of ['truncated_jpeg.jpg', 'broken.png', 'libtiff_segfault.tif', 'seek_too_large.tif']) {
    expect(said).toContain(name);
  }
  await expect(page.getByRole('list', { name: 'Notes on the web copies' })).toContainText(
    'hopper_hevc.heif is uploaded as it is: the browser cannot decode',
  );
  // The page still answers, and every copy it made is a JPEG under the limit that decodes.
  expect(await page.evaluate(() => 1 + 1)).toBe(2);
  const made = await page.evaluate(async () => {
    const dir = await (
      await (await navigator.storage.getDirectory()).getDirectoryHandle('derivatives')
    ).getDirectoryHandle('tricky');
    const out: { name: string; bytes: number; width: number }[] = [];
    for await (const [name, handle] of (
      dir as unknown as { entries(): AsyncIterable<[string, FileSystemFileHandle]> }
    ).entries()) {
      const file = await handle.getFile();
      const image = await createImageBitmap(file);
      out.push({ name, bytes: file.size, width: image.width });
    }
    return out;
  });
  expect(made.map((m) => m.name)).toEqual(
    expect.arrayContaining(['Good_6_tn.jpg', 'Good_6_med.jpg', 'Good_6_lg.jpg']),
  );
  for (const copy of made) {
    expect(copy.bytes, copy.name).toBeLessThanOrEqual(8_000_000);
    expect(copy.width, copy.name).toBeGreaterThan(0);
  }
});

test('the BioImage Archive uploads its originals unchanged, with 150 px thumbnails beside them only when asked', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = path.join(scratch, 'study');
  await mkdir(folder);
  await cp(path.join(FIXTURES, 'exif-orientation', 'Landscape_1.jpg'), path.join(folder, 'field_1.jpg'));
  await cp(path.join(FIXTURES, 'exif-orientation', 'Portrait_6.jpg'), path.join(folder, 'field_2.jpg'));
  await cp(path.join(FIXTURES, 'tiff', 'rgb-3c-8b.tiff'), path.join(folder, 'field_3.tif'));
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'BioImage Archive' });
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    'Checked against BioImage Archive',
  );
  const panel = page.getByRole('region', { name: 'Web copies' });
  await expect(panel).toContainText('Originals are uploaded as they are; no web copies are made.');
  await expect(panel.getByRole('button', { name: 'Make web copies' })).toHaveCount(0);

  await panel.getByLabel('Make thumbnails').check();
  expect(await makeCopies(page)).toMatch(/^Web copies made: 3 copies /);
  const made = await shapes(page, 'study', ['field_1_tn.jpg', 'field_2_tn.jpg', 'field_3_tn.jpg']);
  expect(Object.values(made).map((m) => [m.width, m.height])).toEqual([
    [150, 100],
    [100, 150],
    [150, 144],
  ]);

  await page.getByRole('button', { name: 'Start upload' }).click();
  await expect(page.getByRole('status')).toContainText('Upload complete: 6 files', { timeout: 60_000 });
  // The receiver bags the batch after the last file: the journey goes on once it has, not while it still writes.
  await expect(page.getByRole('region', { name: 'Batch completion' })).toContainText(
    'is complete on the receiver',
  );
  const batch = await page.getByLabel('Batch name').inputValue();
  expect(await listFiles(path.join(receiver.uploadDir, batch, 'data'))).toEqual([
    'field_1.jpg',
    'field_1_tn.jpg',
    'field_2.jpg',
    'field_2_tn.jpg',
    'field_3.tif',
    'field_3_tn.jpg',
  ]);
});

test('making web copies can be cancelled, keeps what was made, and can be started again', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = path.join(scratch, 'many');
  await mkdir(folder);
  for (let i = 0; i < 60; i += 1) {
    await cp(path.join(FIXTURES, 'exif-orientation', 'Landscape_1.jpg'), path.join(folder, `Sheet_${i}.jpg`));
  }
  await open(page, receiver.url, folder);
  const panel = page.getByRole('region', { name: 'Web copies' });
  await panel.getByRole('button', { name: 'Make web copies' }).click();
  await panel.getByRole('button', { name: 'Cancel web copies' }).click();
  const cancelled = page.getByRole('status').filter({ hasText: /^Web copies cancelled after \d+ images?/ });
  await expect(cancelled).toBeVisible();
  expect(Number(/after (\d+)/.exec(await cancelled.innerText())?.[1])).toBeLessThan(60);
  await panel.getByRole('button', { name: 'Make web copies' }).click();
  // Symbiota reads the barcodes too, from the same decodes and in a reading of its own: more work for two cores.
  await expect(page.getByRole('status')).toHaveText(/^Web copies made: 180 copies \(.+\) of 60 images\.$/, {
    timeout: 100_000,
  });
});
