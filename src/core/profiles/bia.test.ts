import { describe, expect, it } from 'vitest';
import { bia, disallowedCharacters, pathFormProblem } from '#core/profiles/bia';
import type { PreparedProfile } from '#core/profiles/types';

import { validate } from '#core/validation/validate';
import type { RecordTable } from '#core/validation/types';
import { readRecordList } from '../../workers/delimited-reader';

const preparation = bia.prepare(bia.defaultSettings);
const profile = (preparation as { profile: PreparedProfile }).profile;
const file = (path: string, size = 1000) => ({ path, size, lastModified: 0 });
const verdicts = (path: string, size = 1000): string[] =>
  profile.checkFile(file(path, size), undefined).map((f) => `${f.status} ${f.rule}`);
/** The archive server's own check, from domain-rules. */
const server = /^(?!\.\/)(?!.*\/$)(?!.*\.\.\/)[0-9A-Za-z!\-_*'(). /]+$/;

describe('BioImage Archive rules agree with the server’s check', () => {
  it.each([
    'plate1/well_A01/field-1.tif',
    "x(1)!*'.ome.tif",
    'plate 1/well.tif',
    'a#b.tif',
    'résumé.tif',
    'a:b/c.tif',
    'tab\there.tif',
    './a.tif',
    'a/../b.tif',
    '../b.tif',
    'a/',
    '.hidden.tif',
  ])('%j: an error exactly when the server refuses it', (path) => {
    const errors = verdicts(path).filter((v) => v.startsWith('error'));
    expect(errors.length > 0).toBe(!server.test(path));
  });
});

describe('BioImage Archive rules', () => {
  it.each([
    ['accept the allowed characters', "Plate_1/well-A01/(field).1!*'.tif", []],
    ['warn about a space, which the help page leaves out', 'plate 1/a.tif', ['warning bia.space']],
    ['refuse other characters', 'a#b.tif', ['error bia.characters']],
    ['refuse ./ at the start', './a.tif', ['error bia.path-form']],
    ['refuse ../ anywhere', 'a/../b.tif', ['error bia.path-form']],
    ['refuse a trailing /', 'a/', ['error bia.path-form']],
    ['refuse ./ in the middle, as the help page does', 'a/./b.tif', ['error bia.path-form']],
    ['refuse an empty folder name', 'a//b.tif', ['error bia.path-form']],
    ['warn about Windows device names', 'plate/CON.tif', ['warning bia.reserved-name']],
    ['warn about Windows device names in any case', 'lpt1/x.tif', ['warning bia.reserved-name']],
    ['leave names that only start like a device name', 'CONSOLE/icon.tif', []],
    ['warn about a file of 20 GB or more', 'big.tif', ['warning bia.file-size'], 20_000_000_001],
  ])('%s: %s', (_case, path, expected, size?: number) => expect(verdicts(path, size)).toEqual(expected));

  it('name each disallowed character once, and invisible ones by code point', () => {
    expect(disallowedCharacters('a#b#c é\u00a0.tif')).toEqual(['#', 'é', '\u00a0']);
    expect(profile.checkFile(file('a#b#c é\u00a0.tif'), undefined)[0]?.message).toBe(
      "a#b#c é\u00a0.tif contains '#', 'é' and U+00A0, which the BioImage Archive does not allow in file or folder names; use only letters, digits and ! - _ . * ' ( ) instead.",
    );
  });
  it.each([
    ['./a', 'starts with ./'],
    ['a/', 'ends with /'],
    ['a/../b', 'contains ../'],
    ['a/b', undefined],
  ])('describe the path form of %j as %j', (path, problem) => expect(pathFormProblem(path)).toBe(problem));
  it('identify every file by its path', () =>
    expect(profile.identify('plate1/a.tif')).toEqual({ identifier: 'plate1/a.tif', parts: {}, notes: [] }));
  it('treat a trailing space as an error, since the archive trims it from the list', () =>
    expect(profile.pathEndTrimmed).toBe(true));
});

describe('BioImage Archive validate', () => {
  const fileList =
    'Files\tPlate\tWell\nplate1/A01.tif\t1\tA01\nplate1/A02.tif \t1\tA02\nplate1/A03.tif\t1\tA03\n';
  const table = readRecordList(fileList, 'file-list.tsv').table as RecordTable;

  it('checks a small folder against its file list', () => {
    const files = [
      file('plate1/A01.tif'),
      file('plate1/A02.tif', 30_000_000_000),
      file('plate1/A04 copy.tif', 25_000_000_000),
      file('plate1/.DS_Store'),
    ];
    const result = validate(files, 'bia', bia.defaultSettings, { table });
    expect(result.findings).toEqual([
      {
        path: '',
        status: 'warning',
        identifier: '',
        rule: 'bia.total-size',
        message:
          'The files total 55.0 GB, and the submission tool takes under 50 GB in all; upload this study by FTP (up to 1 TB) or Aspera (above 1 TB).',
      },
      {
        path: 'file-list.tsv',
        status: 'ok',
        identifier: '',
        rule: 'records.column',
        message: "Files were matched to file-list.tsv by its column 'Files', found by its name.",
      },
      {
        path: 'file-list.tsv',
        status: 'error',
        identifier: 'plate1/A03.tif',
        rule: 'records.no-image',
        message:
          'plate1/A03.tif is listed on line 4 of file-list.tsv but is not in the folder, so the archive would reject the list with “The following files could not be found”; upload the file or remove the line.',
      },
      {
        path: 'plate1/.DS_Store',
        status: 'skipped',
        identifier: '',
        rule: 'common.system-file',
        message:
          'plate1/.DS_Store is a file the operating system made, not data, so it will not be uploaded or listed.',
      },
      {
        path: 'plate1/A01.tif',
        status: 'ok',
        identifier: 'plate1/A01.tif',
        rule: 'ok',
        message:
          "plate1/A01.tif follows the BioImage Archive's naming rules, found on line 2 of file-list.tsv.",
      },
      {
        path: 'plate1/A02.tif',
        status: 'warning',
        identifier: 'plate1/A02.tif',
        rule: 'bia.file-size',
        message:
          'plate1/A02.tif is 30.0 GB, and the submission tool takes files under 20 GB; upload this study by FTP (up to 1 TB in total) or Aspera (above 1 TB).',
      },
      {
        path: 'plate1/A04 copy.tif',
        status: 'warning',
        identifier: 'plate1/A04 copy.tif',
        rule: 'bia.space',
        message:
          "plate1/A04 copy.tif contains a space, which the BioImage Archive's help page does not list as allowed (its server accepts it); replace spaces with _ to be safe.",
      },
      {
        path: 'plate1/A04 copy.tif',
        status: 'warning',
        identifier: 'plate1/A04 copy.tif',
        rule: 'bia.file-size',
        message:
          'plate1/A04 copy.tif is 25.0 GB, and the submission tool takes files under 20 GB; upload this study by FTP (up to 1 TB in total) or Aspera (above 1 TB).',
      },
      {
        path: 'plate1/A04 copy.tif',
        status: 'warning',
        identifier: 'plate1/A04 copy.tif',
        rule: 'records.missing',
        message:
          'plate1/A04 copy.tif is not in the file list file-list.tsv; add a line for it, or it will be uploaded but not described in the study.',
      },
    ]);
    expect(result.files.map((f) => f.status)).toEqual(['skipped', 'ok', 'warning', 'warning']);
  });
});
