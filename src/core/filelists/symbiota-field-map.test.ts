import { describe, expect, it } from 'vitest';
import { contextOfFiles, listFile } from '../../../tests/unit/filelists/list-files';
import {
  buildSymbiotaFieldMap,
  formulaCatalogNumberProblems,
  LISTED_CATALOG_NUMBERS,
  selectMappedImages,
} from '#core/filelists/symbiota-field-map';
import type { ListContext, ListFile } from '#core/filelists/types';

const file = (path: string, identifier: string, extra: Partial<ListFile> = {}): ListFile =>
  listFile(path, { identifier, ...extra });
const context = (files: ListFile[], extra: Partial<ListContext> = {}): ListContext =>
  contextOfFiles('symbiota', files, extra);
const base = 'https://img.example.org/h';
const fieldMap = (files: ListFile[], extra: Partial<ListContext> = {}, baseUrl = base) =>
  buildSymbiotaFieldMap(context(files, extra), { baseUrl });
const copies = { thumbnail: 'x_tn.jpg', web: 'x_med.jpg', large: 'x_lg.jpg' };
const records = { name: 'records.csv', columns: ['catalogNumber'], rows: [], lines: [] };

describe('buildSymbiotaFieldMap', () => {
  it('names itself after the batch, as a CSV without byte order mark for the importer', () => {
    const list = fieldMap([], { batch: 'Lichens 2024' });
    expect([list.kind, list.title, list.fileName, list.format, list.bom]).toEqual([
      'symbiota-field-map',
      'Symbiota image field map',
      'Lichens_2024-image-field-map.csv',
      'csv',
      false,
    ]);
  });

  it('adds mediaMD5 when every image has an MD5', () => {
    const list = fieldMap([file('A1_a.jpg', 'A1', { md5: 'aa' }), file('A1_b.png', 'A1', { md5: 'bb' })]);
    expect(list.table).toEqual({
      columns: ['catalogNumber', 'originalUrl', 'url', 'thumbnailUrl', 'format', 'mediaMD5'],
      rows: [
        ['A1', `${base}/b1/data/A1_a.jpg`, '', '', 'image/jpeg', 'aa'],
        ['A1', `${base}/b1/data/A1_b.png`, '', '', 'image/png', 'bb'],
      ],
    });
  });

  it('leaves mediaMD5 out, with a note, when an image has no MD5 yet', () => {
    const list = fieldMap([file('A1.jpg', 'A1', { md5: 'aa' }), file('A2.jpg', 'A2')]);
    expect(list.table.columns).toEqual(['catalogNumber', 'originalUrl', 'url', 'thumbnailUrl', 'format']);
    expect(list.notes).toContain(
      'The mediaMD5 column is left out, as 1 image has no MD5 checksum yet; compute checksums first to add it.',
    );
  });

  it('says once that url and thumbnailUrl stay empty without copies', () => {
    const list = fieldMap([file('A1.jpg', 'A1', { md5: 'aa' }), file('A2.jpg', 'A2', { md5: 'bb' })]);
    expect(list.notes).toEqual([
      '2 images have no web or thumbnail copy yet, so url and thumbnailUrl are empty where the copy is missing; the portal then shows the original image (and may make its own copies from it), and making the copies in the Prepare step fills them.',
    ]);
  });

  it('maps the large copy as originalUrl, the web copy as url and the thumbnail as thumbnailUrl', () => {
    const list = fieldMap([file('d/x.jpg', 'X1', { derivatives: copies })]);
    expect(list.table.rows).toEqual([
      [
        'X1',
        `${base}/b1/data/x_lg.jpg`,
        `${base}/b1/data/x_med.jpg`,
        `${base}/b1/data/x_tn.jpg`,
        'image/jpeg',
      ],
    ]);
    expect(list.notes).toEqual([
      'The mediaMD5 column is left out, as 1 image has no MD5 checksum yet; compute checksums first to add it.',
    ]);
  });

  it('takes a copy that is among the files as placed by the upload, with its MD5, and gives it no row of its own', () => {
    const list = fieldMap([
      file('x.jpg', 'X1', { derivatives: copies, md5: 'original' }),
      file('x_lg.jpg', '', { storedPath: 'b1/data/x_lg (2).jpg', md5: 'large' }),
      file('x_med.jpg', 'X1'),
      file('x_tn.jpg', ''),
    ]);
    expect(list.table.rows).toEqual([
      [
        'X1',
        `${base}/b1/data/x_lg%20(2).jpg`,
        `${base}/b1/data/x_med.jpg`,
        `${base}/b1/data/x_tn.jpg`,
        'image/jpeg',
        'large',
      ],
    ]);
    expect(list.problems).toEqual([]);
  });

  it('keeps the file itself as originalUrl when it has web and thumbnail copies but no large one', () => {
    const list = fieldMap([
      file('x.png', 'X1', { derivatives: { web: 'x_med.jpg', thumbnail: 'x_tn.jpg' } }),
    ]);
    expect(list.table.rows[0]?.slice(1)).toEqual([
      `${base}/b1/data/x.png`,
      `${base}/b1/data/x_med.jpg`,
      `${base}/b1/data/x_tn.jpg`,
      'image/png',
    ]);
  });

  it.each([
    ['a large copy', { large: 't_lg.jpg', thumbnail: 't_tn.jpg' }, `${base}/b1/data/t_lg.jpg`],
    ['only a web copy', { web: 't_med.jpg' }, `${base}/b1/data/t_med.jpg`],
  ])('maps a TIFF with %s through that copy', (_case, derivatives, originalUrl) => {
    const list = fieldMap([file('t.tif', 'T1', { derivatives })]);
    expect(list.table.rows.map((row) => [row[1], row[4]])).toEqual([[originalUrl, 'image/jpeg']]);
  });

  it('places files as the upload placed them, and encodes spaces and # in addresses', () => {
    const list = fieldMap([
      file('drawer 2/A#1.jpg', 'A1'),
      file('A2.jpg', 'A2', { storedPath: 'b1/data/A2 (2).jpg' }),
    ]);
    expect(list.table.rows.map((row) => row[1])).toEqual([
      `${base}/b1/data/drawer%202/A%231.jpg`,
      `${base}/b1/data/A2%20(2).jpg`,
    ]);
  });

  it('notes images a browser does not show and files that are not images, and leaves them out', () => {
    const list = fieldMap([
      file('a.jpg', 'A'),
      file('b.tif', 'B'),
      file('c.heic', 'C'),
      file('d.cr2', 'D'),
      file('records.csv', ''),
    ]);
    expect(list.table.rows.map((row) => row[0])).toEqual(['A']);
    expect(list.problems).toEqual([]);
    expect(list.notes.slice(0, 2)).toEqual([
      '2 images are in a format a browser does not show (b.tif and c.heic), so the field map has no row for them; let the Prepare step make their JPEG copies to map them.',
      '2 files of the upload are not images (d.cr2 and records.csv), so the field map has no row for them.',
    ]);
  });

  it('warns once about files without a catalog number, naming a few', () => {
    const names = ['n1.jpg', 'n2.jpg', 'n3.jpg', 'n4.jpg', 'n5.jpg'];
    const list = fieldMap([file('a.jpg', 'A'), ...names.map((name) => file(name, ''))]);
    expect(list.table.rows).toHaveLength(1);
    expect(list.problems).toEqual([
      {
        status: 'warning',
        message:
          '5 files have no catalog number the pattern could read (n1.jpg, n2.jpg, n3.jpg and 2 more), so the field map leaves them out; rename them to start with the catalog number, or adjust the pattern.',
      },
    ]);
  });

  it('builds the rows with empty addresses when the base URL is unusable, and says why', () => {
    const list = fieldMap(
      [file('a.jpg', 'A', { md5: 'aa', derivatives: { thumbnail: 'a_tn.jpg' } })],
      {},
      '',
    );
    expect(list.table.rows).toEqual([['A', '', '', '', 'image/jpeg', 'aa']]);
    expect(list.problems.map((p) => p.status)).toEqual(['error']);
    expect(list.problems[0]?.message).toMatch(/^The Public base URL is empty/);
  });

  it('writes http addresses with a warning', () => {
    const list = fieldMap([file('a.jpg', 'A')], {}, 'http://img.example.org/');
    expect(list.table.rows[0]?.[1]).toBe('http://img.example.org/b1/data/a.jpg');
    expect(list.problems.map((p) => p.status)).toEqual(['warning']);
  });

  it('refuses a catalog number a spreadsheet would take for a formula, errors first', () => {
    const list = fieldMap([file('n.jpg', ''), file('=1.jpg', '=1'), file('=1_b.jpg', '=1')]);
    expect(list.table.rows.map((row) => row[0])).toEqual(['=1', '=1']);
    expect(list.problems.map((p) => p.status)).toEqual(['error', 'warning']);
    expect(list.problems[0]?.message).toBe(
      "Catalog number '=1' starts with '=', so the field map writes it with a leading apostrophe and the portal will not match it to its record; rename the files so the catalog number starts with a letter or digit, or change the replace step.",
    );
  });

  it('notes catalog numbers the record list lacks, once each', () => {
    const list = fieldMap(
      [
        file('a.jpg', 'A', { record: 'linked' }),
        file('b_1.jpg', 'B', { record: 'missing' }),
        file('b_2.jpg', 'B', { record: 'missing' }),
      ],
      { records },
    );
    expect(list.notes).toContain(
      '1 catalog number in the field map (B) is not in records.csv; when importing, tick the option to link images to new blank records, or import the skeletal file first.',
    );
  });

  it('says when it has no rows at all, and that files were held back', () => {
    const list = fieldMap([], { heldBack: [file('h1.jpg', 'H1'), file('h2.jpg', 'H2')] });
    expect(list.table.rows).toEqual([]);
    expect(list.notes).toEqual([
      '2 files with errors are left out, as from the upload; fix them, or tick "Upload files with errors too".',
      'The field map has no rows, as no file is an image with a catalog number that a browser shows.',
    ]);
  });
});

describe('selectMappedImages', () => {
  it('does not give a derivative that is its own file a second row, unless it is the file itself', () => {
    const selection = selectMappedImages(
      context([file('x.jpg', 'X', { derivatives: { large: 'x.jpg', thumbnail: 'x_tn.jpg' } })]),
      'the list',
    );
    expect(selection.images.map((image) => [image.file.path, image.original.storedPath])).toEqual([
      ['x.jpg', 'b1/data/x.jpg'],
    ]);
  });
});

describe('formulaCatalogNumberProblems', () => {
  it('passes plain negative numbers and ordinary catalog numbers', () => {
    expect(formulaCatalogNumberProblems(['-12', 'ASU-L-1', '12'], 'the list')).toEqual([]);
  });

  it.each([['=1'], ['+1'], ['-1a'], ['@x']])('refuses %j', (catalogNumber) => {
    expect(formulaCatalogNumberProblems([catalogNumber], 'the list').map((p) => p.status)).toEqual(['error']);
  });

  it('names the first ones, then counts the rest in one sentence', () => {
    const many = Array.from({ length: LISTED_CATALOG_NUMBERS + 3 }, (_, i) => `=${i}`);
    const problems = formulaCatalogNumberProblems(many, 'the list');
    expect(problems).toHaveLength(LISTED_CATALOG_NUMBERS + 1);
    expect(problems.at(-1)?.message).toBe(
      '3 more catalog numbers start like a formula and will not match their records either; rename those files too.',
    );
  });
});
