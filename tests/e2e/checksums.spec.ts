import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from './test.ts';

const FILES = 6;
const SIZE = 64 * 1024 * 1024;
const TAG_SIZES = [10_000, 100_000, 2_000_000] as const;

test('checksums are computed in the background after the check; Cancel stops them for good, Compute checksums finishes them', async ({
  page,
  receiver,
  scratch,
}) => {
  // Big enough that hashing takes a few seconds, so there is a pass to cancel.
  const folder = path.join(scratch, 'plates');
  await mkdir(folder);
  const sums: string[] = [];
  for (let i = 1; i <= FILES; i += 1) {
    const bytes = randomBytes(SIZE);
    sums.push(createHash('sha256').update(bytes).digest('hex'));
    await writeFile(path.join(folder, `plate-${i}.bin`), bytes);
  }
  await page.addInitScript(() => {
    // Headless Chromium has no save dialog to answer: the report below takes the link path.
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  await page.getByTestId('folder-input').setInputFiles(folder);

  const panel = page.getByRole('region', { name: 'Checksums' });
  await expect(panel).toContainText('Computed in the background while you review');
  await panel.getByRole('button', { name: 'Cancel checksums' }).click();
  await expect(panel.getByText(/· cancelled/)).toBeVisible();
  await expect(page.getByRole('status')).toContainText('Checksums cancelled after');
  const stopped = await panel.innerText();
  expect(stopped).not.toContain(`computed for all ${FILES} files`);
  // The pass does not begin again by itself once the user stopped it, even when the check runs again.
  const check = page.getByRole('region', { name: 'Check', exact: true });
  await page.getByLabel('Target').selectOption({ label: 'BioImage Archive' });
  await expect(check).toContainText('Checked against BioImage Archive: ');
  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  await expect(check).toContainText('Checked against Custom pattern: ');
  // As this check finished, the panel asked the folder worker to count the checksums again, and would have begun
  // a pass at once on the answer. The worker answers in order, so once the report asked for after that count is
  // saved, a pass that began again would already be showing.
  const report = page.waitForEvent('download');
  await check.getByRole('button', { name: 'Download report' }).click();
  await report;
  await expect(panel.getByRole('button', { name: 'Compute checksums' })).toBeEnabled();
  await expect(panel.getByRole('button', { name: 'Cancel checksums' })).toHaveCount(0);

  await panel.getByRole('button', { name: 'Compute checksums' }).click();
  await expect(panel).toContainText(`computed for all ${FILES} files`, { timeout: 60_000 });
  await expect(page.getByRole('status')).toContainText(`SHA-256 computed for`);
  const manifest = page
    .getByRole('region', { name: 'File lists' })
    .getByRole('table', { name: 'Preview of Manifest' });
  for (const [i, sum] of sums.entries()) {
    await expect(manifest.getByRole('row', { name: new RegExp(`plate-${i + 1}\\.bin`) })).toContainText(sum);
  }
});

test('Start upload pressed while the checksums are computed: files not hashed yet are proven by XXH3-128, and the lists hold the receiver’s SHA-256 of them', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = path.join(scratch, 'sheets');
  await mkdir(folder);
  const sums = new Map<string, string>();
  for (let i = 1; i <= 4 + 10; i += 1) {
    const name = i <= 4 ? `sheet-${i}.bin` : `tag-${i}.txt`;
    // Tags named to come after the sheets, so the upload reaches them before the checksum pass, and all of them are
    // proven by XXH3-128: those of 10 KB and 100 KB read together for it, the others streamed, as the sheets are.
    const bytes = randomBytes(i <= 4 ? SIZE : (TAG_SIZES[i % TAG_SIZES.length] ?? 0));
    sums.set(name, createHash('sha256').update(bytes).digest('hex'));
    await writeFile(path.join(folder, name), bytes);
  }
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  await page.getByTestId('folder-input').setInputFiles(folder);
  const panel = page.getByRole('region', { name: 'Checksums' });
  await expect(panel).toContainText('Computed in the background while you review');
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expect(page.getByRole('status')).toContainText(`Upload complete: ${sums.size} files`, {
    timeout: 90_000,
  });

  // Each file was verified: by the SHA-256 the page had computed, or by the XXH3-128 it sent instead.
  const placed = receiver.log.filter((line) => /\/data\/\S+ {2}\d+ bytes/.test(line));
  expect(placed).toHaveLength(sums.size);
  for (const line of placed) expect(line).toMatch(/\(verified (sha-256|xxh3-128)\)/);
  const tags = placed.filter((line) => line.includes('/tag-'));
  expect(tags).toHaveLength(sums.size - 4);
  for (const line of tags) expect(line).toContain('(verified xxh3-128)');
  expect(receiver.log.join('\n')).not.toContain('REFUSED');
  const manifest = page
    .getByRole('region', { name: 'File lists' })
    .getByRole('table', { name: 'Preview of Manifest' });
  await expect(manifest).toContainText('yes, by XXH3-128');
  await expect(page.getByRole('region', { name: 'File lists' })).toContainText(
    "the checksum columns hold the receiver's SHA-256",
  );
  for (const [name, sum] of sums) {
    await expect(manifest.getByRole('row', { name: new RegExp(name.replace('.', '\\.')) })).toContainText(
      sum,
    );
  }
});
