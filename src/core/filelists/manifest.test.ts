import { describe, expect, it } from 'vitest';
import { contextOfFiles, listFile } from '../../../tests/unit/filelists/list-files';
import { buildManifest, formulaPathWarnings } from '#core/filelists/manifest';
import type { ListContext, ListFile } from '#core/filelists/types';

const file = listFile;
const context = (files: ListFile[], extra: Partial<ListContext> = {}): ListContext =>
  contextOfFiles('custom', files, extra);
const uploaded = {
  sha256: 'ab12',
  storedPath: 'b1/data/x.tif',
  uploadUrl: 'https://r.example/files/1',
  verified: 'sha-256',
};
/** What a plain tus server leaves: no stored path, nothing verified. */
const plainArrival = {
  sha256: 'ab12',
  storedPath: '',
  uploadUrl: 'https://tus.example/files/1f',
  verified: '',
};
const messages = (files: ListFile[]): string[] => formulaPathWarnings(files).map((p) => p.message);

describe('buildManifest', () => {
  it('names itself after the batch, as a CSV with a byte order mark for Excel', () => {
    const list = buildManifest(context([], { batch: 'Kidney 2024' }));
    expect([list.kind, list.title, list.fileName, list.format, list.bom]).toEqual([
      'manifest',
      'Manifest',
      'Kidney_2024-manifest.csv',
      'csv',
      true,
    ]);
    expect(list.table.columns).toEqual(['path', 'bytes', 'sha256', 'stored_path', 'upload_url', 'verified']);
  });

  it.each([
    [
      'a file not uploaded yet, without checksum',
      file('a/x.tif'),
      'b1',
      ['a/x.tif', '100', '', 'b1/data/a/x.tif', '', ''],
    ],
    [
      'a file not uploaded yet, with no batch',
      file('a/x.tif'),
      '',
      ['a/x.tif', '100', '', 'a/x.tif', '', ''],
    ],
    [
      'an uploaded file placed under another name',
      file('x.tif', { ...uploaded, storedPath: 'b1/data/x (2).tif' }),
      'b1',
      ['x.tif', '100', 'ab12', 'b1/data/x (2).tif', 'https://r.example/files/1', 'yes'],
    ],
    [
      'a file that arrived at a plain tus server',
      file('x.tif', plainArrival),
      'b1',
      [
        'x.tif',
        '100',
        'ab12',
        'not returned by the receiver',
        'https://tus.example/files/1f',
        'not verified by the receiver',
      ],
    ],
    [
      'a file the receiver verified by SHA-256 only, though its MD5 was sent too',
      file('x.tif', { ...uploaded, md5: 'cd34' }),
      'b1',
      ['x.tif', '100', 'ab12', 'b1/data/x.tif', 'https://r.example/files/1', 'not verified by the receiver'],
    ],
  ])('writes %s', (_case, listed, batch, row) => {
    expect(buildManifest(context([listed], { batch })).table.rows).toEqual([row]);
  });

  it('names the folder’s own path of a file uploaded under its barcode, after the path it is uploaded under', () => {
    const list = buildManifest(
      context([file('1390992.jpg', { originalPath: 'IMG_0001.JPG' }), file('MICH-V-1.jpg')], { batch: 'b1' }),
    );
    expect(list.table.columns).toEqual([
      'path',
      'original_path',
      'bytes',
      'sha256',
      'stored_path',
      'upload_url',
      'verified',
    ]);
    expect(list.table.rows.map((row) => row.slice(0, 2))).toEqual([
      ['1390992.jpg', 'IMG_0001.JPG'],
      ['MICH-V-1.jpg', ''],
    ]);
    expect(list.table.rows[0]?.[4]).toBe('b1/data/1390992.jpg');
  });

  it('keeps one row per file, in the order given', () => {
    const rows = buildManifest(context([file('a.tif'), file('b.tif'), file('c/d.tif')])).table.rows;
    expect(rows.map((row) => row[0])).toEqual(['a.tif', 'b.tif', 'c/d.tif']);
  });
});

describe('buildManifest notes', () => {
  it('says what is still empty or planned before the upload', () => {
    expect(
      buildManifest(context([file('x.tif'), file('y.tif', uploaded)], { heldBack: [file('z.tif')] })).notes,
    ).toEqual([
      '1 file with errors is left out, as from the upload; fix it, or tick "Upload files with errors too".',
      'The sha256 column is empty for 1 file whose checksums are not computed yet; compute checksums first to fill it.',
      'The stored_path of 1 file not uploaded yet is where the receiver will place it, under b1/data/; once uploaded, it is where each file was actually placed, which differs when another file already had the name.',
      'The upload_url column is empty for 1 file not uploaded yet; it is filled once it is uploaded.',
    ]);
  });

  it('counts in the plural, and leaves out "under" without a batch', () => {
    expect(buildManifest(context([file('x.tif'), file('y.tif')], { batch: '' })).notes.slice(1)).toEqual([
      'The stored_path of 2 files not uploaded yet is where the receiver will place them; once uploaded, it is where each file was actually placed, which differs when another file already had the name.',
      'The upload_url column is empty for 2 files not uploaded yet; it is filled once they are uploaded.',
    ]);
  });

  it('has nothing to say once every file is uploaded with its checksum', () => {
    expect(buildManifest(context([file('x.tif', uploaded)])).notes).toEqual([]);
  });

  it('says which arrivals a plain tus server neither verified nor placed', () => {
    expect(buildManifest(context([file('x.tif', plainArrival), file('y.tif', uploaded)])).notes).toEqual([
      '1 file arrived without the receiver confirming its checksums (verified: not verified by the receiver): the receiver does not verify them (a plain tus server), or the file arrived before it did; the checksums travelled as tus metadata, so compare the sha256 column with the stored files to be sure.',
      'The receiver did not say where it stored 1 file (stored_path: not returned by the receiver): a plain tus server keeps uploads under names of its own, with the path and batch in their tus metadata.',
    ]);
  });
});

describe('formulaPathWarnings', () => {
  it.each([
    ['=', '=sum.tif'],
    ['+', '+1.tif'],
    ['-', '-scan.tif'],
    ['@', '@x.tif'],
  ])('warns about a top-level name starting with %s', (_start, path) => {
    expect(formulaPathWarnings([file(path)])).toHaveLength(1);
  });

  it.each([
    ['a name deeper down', 'a/-scan.tif'],
    ['a plain negative number, which a spreadsheet reads as a number', '-12.5'],
    ['an ordinary name', 'scan-1.tif'],
  ])('lets %s pass', (_case, path) => {
    expect(formulaPathWarnings([file(path)])).toEqual([]);
  });

  it('names the file, the apostrophe it gets and the fix', () => {
    expect(messages([file('-scan.tif')])).toEqual([
      "-scan.tif starts with '-', so the list writes it with an apostrophe in front ('-scan.tif) to keep spreadsheets from running it as a formula, and the listed path no longer matches the file; rename the file so it starts with a letter or digit.",
    ]);
  });

  it('warns once per top-level folder, counting its files', () => {
    expect(messages([file('@raw/a.tif'), file('@raw/b/c.tif'), file('raw/d.tif')])).toEqual([
      "The folder @raw starts with '@', so the list writes the paths of its 2 files with an apostrophe in front ('@raw/…) to keep spreadsheets from running them as formulas, and they no longer match the files; rename the folder so it starts with a letter or digit.",
    ]);
  });

  it('lists 20 names, then counts the rest in one sentence', () => {
    const files = Array.from({ length: 25 }, (_, i) => file(`-${String(i).padStart(2, '0')}x.tif`));
    const found = messages(files);
    expect(found).toHaveLength(21);
    expect(found[19]).toMatch(/^-19x\.tif starts/);
    expect(found[20]).toBe(
      '5 more files and folders at the top of the folder start like a formula too; rename them the same way.',
    );
  });
});

describe('buildManifest problems', () => {
  it('warns about a batch name that starts like a formula, since every stored_path starts with it', () => {
    expect(buildManifest(context([file('x.tif')], { batch: '-b' })).problems).toEqual([
      {
        status: 'warning',
        message:
          "The batch name -b starts with '-', so the list writes every stored_path with an apostrophe in front ('-b/…) to keep spreadsheets from running them as formulas; choose a batch name that starts with a letter or digit.",
      },
    ]);
  });

  it('has none for ordinary names', () => {
    expect(buildManifest(context([file('a/x.tif')], { batch: 'b-1' })).problems).toEqual([]);
  });
});

describe('buildManifest with web copies', () => {
  const copy = (path: string, copyOf: string) => ({ path, size: 10, copyOf, role: 'thumbnail' as const });

  it('lists the copies that travel in place of originals left home, in path order, and says so', () => {
    const list = buildManifest(
      context([file('a.tif', { leftHome: true }), file('b.jpg')], {
        copies: [copy('a_tn.jpg', 'a.tif'), { ...copy('a_lg.jpg', 'a.tif'), uploadUrl: 'https://r/files/9' }],
      }),
    );
    expect(list.table.rows.map((row) => [row[0], row[4]])).toEqual([
      ['a_lg.jpg', 'https://r/files/9'],
      ['a_tn.jpg', ''],
      ['b.jpg', ''],
    ]);
    expect(list.notes).toContain(
      "1 original stays home, as the image settings ask; 2 web copies made in Prepare travel with the upload and are listed in its place, their SHA-256 left empty, as only the folder's files are checksummed.",
    );
  });
});
