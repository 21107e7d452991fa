import { readFile } from 'node:fs/promises';
import { expect, test } from './test.ts';

const PATTERN = '/^(WIS-L-\\d{7})\\D*/';

test('settings persist across visits and travel in a setup link, never with the token', async ({
  page,
  browser,
  receiver,
}) => {
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'Symbiota' });
  await page.getByLabel('Catalog number pattern').fill(PATTERN);
  await page.getByLabel('Access token').fill('secret-token');
  await page.getByLabel('Upload endpoint').fill(`${receiver.url}files/`);

  await page.reload();
  await expect(page.getByLabel('Target')).toHaveValue('symbiota');
  await expect(page.getByLabel('Catalog number pattern')).toHaveValue(PATTERN);
  await expect(page.getByLabel('Access token')).toHaveValue('');

  await page.getByLabel('Access token').fill('secret-token');
  await page.getByText('Settings: share or save this setup').click();
  await page.getByRole('button', { name: 'Copy setup link' }).click();
  const link = await page.getByLabel(/Setup link|Copied to the clipboard/).inputValue();
  expect(link).toContain('#setup?');
  expect(link).toContain('target=symbiota');
  expect(link).not.toContain('secret-token');

  // A colleague with nothing stored opens the link.
  const colleague = await browser.newPage();
  await colleague.goto(link);
  await expect(colleague.getByLabel('Target')).toHaveValue('symbiota');
  await expect(colleague.getByLabel('Catalog number pattern')).toHaveValue(PATTERN);
  await expect(colleague).toHaveURL(receiver.url);
  await colleague.close();
});

test('settings export to a JSON file and import from it, with a note for what was ignored', async ({
  page,
  browser,
  receiver,
  scratch,
}) => {
  await page.addInitScript(() => {
    // Headless Chromium has no save dialog to answer: take the download-link path.
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  await page.getByLabel('Identifier pattern').fill('^(?<id>S\\d+)_');
  await page.getByText('Settings: share or save this setup').click();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export settings' }).click();
  const file = `${scratch}/settings.json`;
  await (await download).saveAs(file);
  const exported = JSON.parse(await readFile(file, 'utf8')) as { target: string; version: number };
  expect(exported).toMatchObject({ version: 1, target: 'custom' });

  const other = await browser.newPage();
  await other.goto(receiver.url);
  await other.getByText('Settings: share or save this setup').click();
  const withToken = JSON.stringify({ ...exported, token: 'leaked' });
  await other.getByLabel('Settings file to import').setInputFiles({
    name: 'settings.json',
    mimeType: 'application/json',
    buffer: Buffer.from(withToken),
  });
  await expect(other.getByLabel('Target')).toHaveValue('custom');
  await expect(other.getByLabel('Identifier pattern')).toHaveValue('^(?<id>S\\d+)_');
  await expect(other.getByRole('alert')).toContainText('token');
  await expect(other.getByLabel('Access token')).toHaveValue('');

  await other.getByLabel('Settings file to import').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"version": 1, "target": "nowhere"}'),
  });
  await expect(other.getByRole('alert')).toContainText('"broken.json" was not imported');
  await expect(other.getByLabel('Target')).toHaveValue('custom');
  await other.close();
});
