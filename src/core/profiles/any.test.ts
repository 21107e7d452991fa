import { describe, expect, it } from 'vitest';
import { nameCharacterProblem } from '#core/paths';
import { validate } from '#core/validation/validate';
import type { ScannedFile } from '#core/validation/types';

const file = (path: string, size = 100): ScannedFile => ({ path, size, lastModified: 0 });
const statuses = (files: readonly ScannedFile[], includeHidden = false) =>
  validate(files, 'any', {}, undefined, { includeHidden }).files.map((f) => [f.path, f.status]);

describe('Any files', () => {
  it('passes an ordinary folder of images and data files, reading no identifiers', () => {
    const result = validate(
      [file('plates/IMG_0001.JPG'), file('data/counts.csv'), file('notes.txt')],
      'any',
      {},
    );
    expect(result.counts).toEqual({ ok: 3, warning: 0, error: 0, skipped: 0 });
    expect(result.findings.map((f) => [f.rule, f.identifier, f.message])).toEqual([
      ['ok', '', 'counts.csv passes the checks common to every target.'],
      ['ok', '', 'notes.txt passes the checks common to every target.'],
      ['ok', '', 'IMG_0001.JPG passes the checks common to every target.'],
    ]);
  });

  it('keeps the rules common to every target: empty files and names that differ only in case', () => {
    const result = validate([file('a.tif', 0), file('B.txt'), file('b.txt')], 'any', {});
    expect(result.findings.filter((f) => f.status !== 'ok').map((f) => [f.path, f.rule])).toEqual([
      ['B.txt', 'common.case-clash'],
      ['a.tif', 'common.empty'],
      ['b.txt', 'common.case-clash'],
    ]);
  });
});

describe('hidden files', () => {
  const folder = [
    file('.env'),
    file('.git/config'),
    file('img/.notes.txt'),
    file('img/a.jpg'),
    file('.DS_Store'),
  ];

  it('are skipped with a sentence in every target, like system files', () => {
    expect(statuses(folder)).toEqual([
      ['.DS_Store', 'skipped'],
      ['.env', 'skipped'],
      ['.git/config', 'skipped'],
      ['img/.notes.txt', 'skipped'],
      ['img/a.jpg', 'ok'],
    ]);
    const messages = validate(folder, 'bia', { pathTemplate: '', makeThumbnails: false, thumbnailSide: 150 })
      .findings.filter((f) => f.rule === 'common.hidden-file')
      .map((f) => f.message);
    expect(messages).toEqual([
      ".env is a hidden file (its name starts with a dot), a program's own file rather than data, so it will not be uploaded or listed; tick Include hidden files to upload it.",
      ".git/config is in the hidden folder .git, a program's own file rather than data, so it will not be uploaded or listed; tick Include hidden files to upload it.",
      "img/.notes.txt is a hidden file (its name starts with a dot), a program's own file rather than data, so it will not be uploaded or listed; tick Include hidden files to upload it.",
    ]);
  });

  it('are checked as data when included; system files never are', () =>
    expect(statuses(folder, true)).toEqual([
      ['.DS_Store', 'skipped'],
      ['.env', 'ok'],
      ['.git/config', 'ok'],
      ['img/.notes.txt', 'ok'],
      ['img/a.jpg', 'ok'],
    ]));
});

describe('names that cannot travel as they are', () => {
  it('finds a backslash or a control character, in a file or a folder name', () => {
    expect(nameCharacterProblem('sub/a\\b.txt')).toEqual({ name: 'a\\b.txt', char: '\\', folder: false });
    expect(nameCharacterProblem('x\u0001y/b.txt')).toEqual({
      name: 'x\u0001y',
      char: '\u0001',
      folder: true,
    });
    expect(nameCharacterProblem('sub/a:b*?.txt')).toBeUndefined();
  });

  it('are errors naming the real name and the character, in every target', () => {
    for (const [target, settings] of [
      ['any', {}],
      ['custom', { pattern: '^(?<id>[^_.]+)', flags: '', matchAgainst: 'name', readBarcodes: false }],
    ] as const) {
      const result = validate([file('sub/a0\\b.txt'), file('c\u0007d.txt')], target, settings);
      expect(result.findings.filter((f) => f.rule === 'common.name-character').map((f) => f.message)).toEqual(
        [
          "The file name 'c\u0007d.txt' holds the control character U+0007, which the receiver refuses; it stays out of the upload even with Upload files with errors too, so rename it without that character and choose the folder again.",
          "The file name 'a0\\b.txt' (sub/a0\\b.txt) holds a backslash (\\), which browsers and the receiver read as a folder separator, so it would arrive as sub/a0/b.txt, under a folder that does not exist on your disk; it stays out of the upload even with Upload files with errors too, so rename it without that character and choose the folder again.",
        ],
      );
    }
  });
});
