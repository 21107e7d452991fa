import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import Papa from 'papaparse';
import { expect, seedPickerWithFixture, test } from './test.ts';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 9, 9]);
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
]);
const TIFF = Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]);

async function makeFolder(
  parent: string,
  name: string,
  files: Record<string, Buffer | string>,
): Promise<string> {
  const root = path.join(parent, name);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return root;
}

async function check(
  page: Page,
  target: string,
  folder: string,
  recordList?: { name: string; text: string },
) {
  await page.addInitScript(() => {
    // Headless Chromium has no save dialog to answer: downloads take the link path.
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  await page.goto(page.url());
  await page.getByLabel('Target').selectOption({ label: target });
  if (recordList) {
    await page.getByLabel('Record list').setInputFiles({
      name: recordList.name,
      mimeType: 'text/csv',
      buffer: Buffer.from(recordList.text),
    });
  }
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
    `Checked against ${target}: `,
  );
}

/** Downloads the report and returns its rows as [path, status, identifier, rule], sorted, for the problems. */
async function reportProblems(page: Page, scratch: string): Promise<string[][]> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download report' }).click();
  const saved = path.join(scratch, (await download).suggestedFilename());
  await (await download).saveAs(saved);
  const text = (await readFile(saved, 'utf8')).replace(/^\ufeff/, '');
  const { data } = Papa.parse<string[]>(text, { skipEmptyLines: true });
  expect(data[0]).toEqual(['path', 'status', 'identifier', 'rule', 'message']);
  return data
    .slice(1)
    .filter((row) => row[1] !== 'ok')
    .map((row) => row.slice(0, 4));
}

test('Symbiota: catalog numbers from a portal pattern, checked against a record list export', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await makeFolder(scratch, 'lichens', {
    'ASU-L-0001234_a.jpg': JPEG,
    'ASU-L-0001234_b.jpg': JPEG,
    'ASU-L-00012345.jpg': JPEG,
    'ASU-L-0009999.jpg': PNG,
    'sheets/ASU-L-0002222.tif': TIFF,
    'skeletal.csv': 'catalogNumber,country\nASU-L-0009999,USA\n',
  });
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'Symbiota' });
  await page.getByLabel('Catalog number pattern').fill('/^(ASU-L-\\d{7})\\D*/');
  await check(page, 'Symbiota', folder, {
    name: 'records.csv',
    text: 'catalogNumber,sciname\nASU-L-0001234,Lichen a\nASU-L-0005555,Lichen b\nASU-L-0002222,Lichen c\n',
  });

  const region = page.getByRole('region', { name: 'Check', exact: true });
  await expect(region).toContainText('Checked against Symbiota: 2 ok, 3 warnings, 0 errors, 1 skipped.');
  await expect(page.getByLabel('Identifier column')).toHaveValue('');
  await expect(page.getByLabel('Identifier column')).toContainText('Detect (catalogNumber)');
  expect(await reportProblems(page, scratch)).toEqual([
    ['ASU-L-00012345.jpg', 'warning', 'ASU-L-0001234', 'pattern.cut-short'],
    ['ASU-L-0009999.jpg', 'warning', 'ASU-L-0009999', 'common.content-type'],
    ['ASU-L-0009999.jpg', 'warning', 'ASU-L-0009999', 'records.missing'],
    ['records.csv', 'warning', 'ASU-L-0005555', 'records.no-image'],
    ['sheets/ASU-L-0002222.tif', 'warning', 'ASU-L-0002222', 'symbiota.tiff'],
    ['skeletal.csv', 'skipped', '', 'symbiota.skeletal-file'],
  ]);

  // The findings table filters by status and sorts by column.
  const findings = page.getByRole('table', { name: 'Findings' });
  await region.getByRole('button', { name: /skipped/ }).click();
  await expect(findings.getByRole('row')).toHaveCount(2);
  await expect(findings).toContainText('skeletal data file');
  await region.getByRole('button', { name: /skipped/ }).click();
  await page.getByLabel('Rule').selectOption('records.missing');
  await expect(findings.getByRole('row')).toHaveCount(2);
  await expect(findings).toContainText('not in records.csv; the portal will leave the image unlinked');
});

test('Symbiota: a pattern without a capture group is refused with the portal reason, and nothing uploads', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await makeFolder(scratch, 'lichens', { 'ASU-L-0001234_a.jpg': JPEG });
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'Symbiota' });
  await page.getByLabel('Catalog number pattern').fill('/^ASU-L-\\d{7}/');
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(page.getByRole('region', { name: 'Check', exact: true }).getByRole('alert')).toContainText(
    'capture',
  );
  await expect(page.getByRole('region', { name: 'Upload' })).toContainText(
    "Fix the target's settings (see Check) so the files can be checked first.",
  );
  await expect(page.getByRole('button', { name: 'Start upload' })).toBeDisabled();
});

test('GUDMAP/RBK: Deriva locations, and Specimen_simple.csv found in the folder as the record list', async ({
  page,
  receiver,
  scratch,
}) => {
  const folder = await makeFolder(scratch, 'kidney', {
    'deriva/images/Abc-1-1.tif': TIFF,
    'deriva/images/Abc-1-2.ome.tif': TIFF,
    'deriva/images/XYZ-9-1.jpg': JPEG,
    'deriva/image_3d/Abc-1-volume.tif': TIFF,
    'notes/readme.txt': 'lab notes',
    'deriva/records/Gene_Expression/Specimen_simple.csv':
      'Internal_ID,Title,Species,Consortium,Principal_Investigator,Assay_Type,Preparation,Stage_ID,Sex,Stage_Detail,Embedding,Fixation,Upload_Notes\n' +
      'Abc-1,Kidney E15,Mus musculus,GUDMAP,Doe,ISH,section,,Male,,Paraffin,PFA,\n' +
      'Q-2,Bladder,Mouse,GUDMAP,Doe,ISH,section,,Male,,Paraffin,PFA,\n',
  });
  await page.goto(receiver.url);
  await check(page, 'GUDMAP/RBK', folder);

  await expect(page.getByRole('region', { name: 'Folder' })).toContainText(
    'using deriva/records/Gene_Expression/Specimen_simple.csv from the folder',
  );
  expect(await reportProblems(page, scratch)).toEqual([
    ['deriva/images/XYZ-9-1.jpg', 'error', 'XYZ-9', 'records.missing'],
    ['deriva/records/Gene_Expression/Specimen_simple.csv', 'error', 'Q-2', 'gudmap.specimen-vocabulary'],
    ['deriva/records/Gene_Expression/Specimen_simple.csv', 'warning', 'Q-2', 'records.no-image'],
    ['notes/readme.txt', 'error', '', 'gudmap.location'],
  ]);

  // Errors stay out of the upload unless the curator overrides.
  await expect(page.getByRole('region', { name: 'Upload' })).toContainText(
    '3 files with errors stay out of the upload (see Check); tick “Upload files with errors too” to send them.',
  );
  await page.getByRole('button', { name: 'Start upload' }).click();
  await expect(page.getByRole('status')).toHaveText(/Upload complete: 3 files/);
  await expect(page.getByRole('region', { name: 'Upload' })).toContainText('3 with errors held back');
  // The receiver bags the batch after the last file: the journey ends once it has, not while it still writes.
  await expect(page.getByRole('region', { name: 'Batch completion' })).toContainText(
    'is complete on the receiver',
  );
});

test('BioImage Archive: characters outside the allowed set, found through the folder picker', async ({
  page,
  receiver,
}) => {
  await page.goto(receiver.url);
  await seedPickerWithFixture(page);
  await page.getByLabel('Target').selectOption({ label: 'BioImage Archive' });
  await page.getByRole('button', { name: 'Choose folder' }).click();
  const region = page.getByRole('region', { name: 'Check', exact: true });
  await expect(region).toContainText('Checked against BioImage Archive: ');
  await page.getByLabel('Rule').selectOption('bia.characters');
  const findings = page.getByRole('table', { name: 'Findings' });
  await expect(findings).toContainText('images/Sammlung Müller/Käfer 01.tif contains');
  await expect(findings.getByRole('row')).toHaveCount(2);
});

test('Custom pattern: named group, duplicates and case clashes', async ({ page, receiver, scratch }) => {
  const folder = await makeFolder(scratch, 'beetles', {
    'S001_dorsal.jpg': JPEG,
    'S001_dorsal.JPG': JPEG,
    'x_label.jpg': JPEG,
  });
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  await page.getByLabel('Identifier pattern').fill('^(?<id>S\\d+)_');
  await check(page, 'Custom pattern', folder);
  expect(await reportProblems(page, scratch)).toEqual([
    ['S001_dorsal.JPG', 'warning', 'S001', 'common.case-clash'],
    ['S001_dorsal.JPG', 'warning', 'S001', 'common.duplicate'],
    ['S001_dorsal.jpg', 'warning', 'S001', 'common.case-clash'],
    ['S001_dorsal.jpg', 'warning', 'S001', 'common.duplicate'],
    ['x_label.jpg', 'error', '', 'custom.no-match'],
  ]);
});
