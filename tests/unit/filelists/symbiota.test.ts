import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDwcMultimedia, dwcMetaXml } from '#core/filelists/dwc-multimedia';
import { buildSymbiotaFieldMap } from '#core/filelists/symbiota-field-map';
import { buildSymbiotaSkeletal } from '#core/filelists/symbiota-skeletal';
import type { ListContext, ListFile } from '#core/filelists/types';
import { symbiotaDefaultSettings } from '#core/profiles/symbiota';
import { stem } from '#core/validation/path-parts';
import { asuPattern, recordListPath, symbiotaFolder } from '../../fixtures/filelists/symbiota-folder';
import { contextOf, EXPECTED_DIR, expectGolden } from './golden';

const baseUrl = 'https://images.example.org/herbarium';

/** The folder checked as the app checks it, against its own records.csv unless told otherwise. */
const checked = (options: { recordList?: boolean; withChecksums?: boolean } = {}): ListContext =>
  contextOf(symbiotaFolder, {
    profile: 'symbiota',
    settings: { ...symbiotaDefaultSettings, pattern: asuPattern },
    ...(options.recordList === false ? {} : { recordListPath }),
    withChecksums: options.withChecksums ?? true,
  });

/** As the Prepare step leaves it: every image with a catalog number has thumbnail, web and large JPEG copies beside it. */
const withCopies = (context: ListContext): ListContext => ({
  ...context,
  files: context.files.map((file): ListFile => {
    if (file.identifier === '') return file;
    const copy = (suffix: string): string => `${stem(file.path)}${suffix}.jpg`;
    return { ...file, derivatives: { thumbnail: copy('_tn'), web: copy('_med'), large: copy('_lg') } };
  }),
});

/** Like expectGolden, for text that is not a table (meta.xml). */
const expectGoldenText = (text: string, expectedName: string): void => {
  const path = join(EXPECTED_DIR, expectedName);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, text);
  else if (!existsSync(path))
    throw new Error(`No golden file ${expectedName}; run with UPDATE_GOLDEN=1 to write it.`);
  expect(text).toBe(readFileSync(path, 'utf8'));
};

const heldBack =
  '1 file with errors is left out, as from the upload; fix it, or tick "Upload files with errors too".';
const oldThumbnail = (listName: string) => ({
  status: 'warning',
  message: `1 file has no catalog number the pattern could read (ASU-L-0001234_a_tn.jpg), so ${listName} leaves it out; rename it to start with the catalog number, or adjust the pattern.`,
});

describe('the Symbiota fixture folder', () => {
  it('is checked as expected: the nameless file held back, the record list kept as the upload keeps it', () => {
    const context = checked();
    expect(context.heldBack.map((file) => `${file.path} ${file.identifier}`)).toEqual([
      '@ASU-L-0002222.jpg ',
    ]);
    expect(context.files.map((file) => `${file.path} ${file.identifier} ${file.record}`)).toEqual([
      'ASU-L-0001234_a.jpg ASU-L-0001234 linked',
      'ASU-L-0001234_a_tn.jpg  unchecked',
      'ASU-L-0001234_b.jpg ASU-L-0001234 linked',
      'ASU-L-0007777.tif ASU-L-0007777 missing',
      'ASU-L-0009999.jpg ASU-L-0009999 missing',
      'drawer 2/ASU-L-0004321 label.jpeg ASU-L-0004321 linked',
      'records.csv  unchecked',
    ]);
  });
});

describe('Symbiota image field map', () => {
  const list = buildSymbiotaFieldMap(checked(), { baseUrl });

  it('matches symbiota-field-map.csv', () => expectGolden(list, 'symbiota-field-map.csv'));

  it('warns about the old thumbnail it leaves out', () => {
    expect(list.problems).toEqual([oldThumbnail('the field map')]);
  });

  it('notes the held-back file, the TIFF, the record list, the missing copies and the catalog number without a record', () => {
    expect(list.notes).toEqual([
      heldBack,
      '1 image is in a format a browser does not show (ASU-L-0007777.tif), so the field map has no row for it; let the Prepare step make its JPEG copies to map it.',
      '1 file of the upload is not an image (records.csv), so the field map has no row for it.',
      '4 images have no web or thumbnail copy yet, so url and thumbnailUrl are empty where the copy is missing; the portal then shows the original image (and may make its own copies from it), and making the copies in the Prepare step fills them.',
      '1 catalog number in the field map (ASU-L-0009999) is not in records.csv; when importing, tick the option to link images to new blank records, or import the skeletal file first.',
    ]);
  });
});

describe('Symbiota image field map with the copies Prepare makes', () => {
  const list = buildSymbiotaFieldMap(withCopies(checked()), { baseUrl });

  it('matches symbiota-field-map-with-copies.csv', () =>
    expectGolden(list, 'symbiota-field-map-with-copies.csv'));

  it('maps the TIFF through its copies, and leaves out mediaMD5, which the copies do not have yet', () => {
    expect(list.table.rows.map((row) => row[0])).toContain('ASU-L-0007777');
    expect(list.problems).toEqual([]);
    expect(list.notes).toEqual([
      heldBack,
      '1 file of the upload is not an image (records.csv), so the field map has no row for it.',
      'The mediaMD5 column is left out, as 5 images have no MD5 checksum yet; compute checksums first to add it.',
      '2 catalog numbers in the field map (ASU-L-0007777 and ASU-L-0009999) are not in records.csv; when importing, tick the option to link images to new blank records, or import the skeletal file first.',
    ]);
  });
});

describe('Symbiota skeletal file', () => {
  const fields = [
    ['country', 'United States'],
    ['stateProvince', 'Arizona'],
    ['family', '=SUM(1)'],
    ['county', ''],
  ] as const;
  const list = buildSymbiotaSkeletal(checked(), { fields });

  it('matches symbiota-skeletal.csv', () => expectGolden(list, 'symbiota-skeletal.csv'));

  it('warns that the formula-like value is written with an apostrophe', () => {
    expect(list.problems).toEqual([
      {
        status: 'warning',
        message:
          "The value of the skeletal field family, '=SUM(1)', starts with '=', so it is written with a leading apostrophe that the portal will store as part of it; remove that first character if it is not meant.",
      },
    ]);
  });

  it('notes the field without a value', () => {
    expect(list.notes).toEqual([
      'The skeletal field county has no value, so its column is left out; enter a value to fill it in the new records.',
    ]);
  });

  it('lists every catalog number when there is no record list', () => {
    const unchecked = buildSymbiotaSkeletal(checked({ recordList: false }), { fields });
    expect(unchecked.table.rows.map((row) => row[0])).toEqual([
      'ASU-L-0001234',
      'ASU-L-0007777',
      'ASU-L-0009999',
      'ASU-L-0004321',
    ]);
  });
});

describe('Darwin Core multimedia extension', () => {
  const list = buildDwcMultimedia(withCopies(checked()), {
    baseUrl,
    rights: 'https://creativecommons.org/licenses/by/4.0/',
    owner: 'Arizona State University',
    creator: 'ASU Lichen Herbarium',
  });

  it('matches dwc-multimedia.txt', () => expectGolden(list, 'dwc-multimedia.txt'));

  it('matches dwc-meta.xml', () => expectGoldenText(dwcMetaXml(list), 'dwc-meta.xml'));

  it('matches dwc-multimedia-originals.txt before any copies are made, with the same meta.xml', () => {
    const originals = buildDwcMultimedia(checked(), {
      baseUrl,
      rights: 'https://creativecommons.org/licenses/by/4.0/',
      owner: 'Arizona State University',
      creator: 'ASU Lichen Herbarium',
    });
    expectGolden(originals, 'dwc-multimedia-originals.txt');
    expect(dwcMetaXml(originals)).toBe(dwcMetaXml(list));
  });

  it('takes the old thumbnail for the copy at its path, and says the file is an extension', () => {
    // ASU-L-0001234_a_tn.jpg is where the Prepare step puts the thumbnail of ASU-L-0001234_a.jpg, so it is that
    // copy (placed and named as the upload placed it), not a file left out for want of a catalog number.
    expect(list.problems).toEqual([]);
    expect(list.table.rows[0]?.[3]).toBe(`${baseUrl}/batch-1/data/ASU-L-0001234_a_tn.jpg`);
    expect(list.notes).toEqual([
      heldBack,
      '1 file of the upload is not an image (records.csv), so the multimedia file has no row for it.',
      'multimedia.txt is an extension, not a whole archive: add it and the <extension> element of its meta.xml to the Darwin Core Archive of your occurrence records, whose core id must be the catalog number so that coreid links each image.',
    ]);
  });
});
