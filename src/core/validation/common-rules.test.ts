import { describe, expect, it } from 'vitest';
import {
  contentMismatch,
  edgeSpaces,
  emptyFile,
  nameTooLong,
  notNfc,
  systemFile,
  utf8ByteLength,
} from '#core/validation/common-rules';
import type { Finding } from '#core/validation/types';

const file = (path: string, size = 1, magic?: number[]) => ({
  path,
  size,
  lastModified: 0,
  ...(magic === undefined ? {} : { magic: new Uint8Array(magic) }),
});
const hex = (text: string): number[] => text.match(/../g)?.map((byte) => parseInt(byte, 16)) ?? [];
/** "status rule", or undefined when the rule finds nothing: one line per case. */
const verdict = (f: Finding | undefined): string | undefined =>
  f === undefined ? undefined : `${f.status} ${f.rule}`;

describe('systemFile', () => {
  it.each(['.DS_Store', 'plate/._x.jpg', 'Thumbs.db', 'THUMBS.DB', 'a/desktop.ini', '__MACOSX/x.jpg'])(
    'skips the operating system’s file %s',
    (path) => expect(verdict(systemFile(path))).toBe('skipped common.system-file'),
  );
  it.each(['x.jpg', '.hidden-but-data.csv', 'DS_Store.txt', 'thumbs.db.jpg'])(
    'leaves the data file %s alone',
    (path) => expect(systemFile(path)).toBeUndefined(),
  );
});

describe('emptyFile', () => {
  it('is an error for a zero-byte file, naming it', () => {
    expect(emptyFile(file('a/zero_length.jpg', 0), 'X1')).toEqual({
      path: 'a/zero_length.jpg',
      status: 'error',
      identifier: 'X1',
      rule: 'common.empty',
      message: 'zero_length.jpg is empty (0 bytes); copy it again from the original before uploading.',
    });
  });
  it.each([1, 16, 5e9])('says nothing about a file of %d bytes', (size) =>
    expect(emptyFile(file('x.jpg', size), '')).toBeUndefined(),
  );
});

describe('notNfc', () => {
  it.each(['Cafe\u0301.jpg', 'pla\u0301te/x.tif'])('warns about the decomposed name %s', (path) =>
    expect(verdict(notNfc(path, ''))).toBe('warning common.unicode'),
  );
  it.each(['Café.jpg', 'plain.tif', 'Ångström-1.tif'])('accepts the composed or plain name %s', (path) =>
    expect(notNfc(path, '')).toBeUndefined(),
  );
});

describe('edgeSpaces', () => {
  it.each([
    ['a /b.tif', "In a /b.tif, the folder name 'a ' ends with a space"],
    [' a/b.tif', "In  a/b.tif, the folder name ' a' starts with a space"],
    ['a/ b.tif ', "In a/ b.tif , the file name ' b.tif ' starts and ends with a space"],
  ])('warns about %j', (path, start) => {
    const found = edgeSpaces(path, '');
    expect(verdict(found)).toBe('warning common.edge-space');
    expect(found?.message.startsWith(start)).toBe(true);
  });
  it.each(['a b/c d.tif', 'x.tif'])('accepts spaces inside a name, as in %j', (path) =>
    expect(edgeSpaces(path, '')).toBeUndefined(),
  );
  it('is an error for a path whose end the target trims', () =>
    expect(verdict(edgeSpaces('a/b.tif ', '', true))).toBe('error common.edge-space'));
});

describe('utf8ByteLength', () => {
  it.each([
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['a😀é', 7],
  ])('counts %j as %d bytes', (text, bytes) => expect(utf8ByteLength(text)).toBe(bytes));
});

describe('nameTooLong', () => {
  it.each([
    ['a'.repeat(256) + '.tif', 'file name'],
    ['é'.repeat(128) + '/x.tif', 'folder name'],
  ])('is an error for a name over 255 UTF-8 bytes (%#)', (path, kind) => {
    const found = nameTooLong(path, '');
    expect(verdict(found)).toBe('error common.name-length');
    expect(found?.message.startsWith(`The ${kind} `)).toBe(true);
  });
  it.each(['a'.repeat(251) + '.tif', 'é'.repeat(125) + '.tif', 'short.tif'])(
    'accepts a name of 255 bytes or fewer (%#)',
    (path) => expect(nameTooLong(path, '')).toBeUndefined(),
  );
});

describe('contentMismatch', () => {
  it.each([
    ['png_data_named.jpg', '89504e470d0a1a0a0000000d49484452', 'holds a PNG image'],
    ['tiff_data_named.jpg', '49492a00c8940000800502a437ebf5f6', 'holds a TIFF image'],
    ['webp_data_named.jpg', '52494646ca0c00005745425056503820', 'holds a WebP image'],
    ['jpeg_data_named.png', 'ffd8ffe000104a464946000101010060', 'holds a JPEG image'],
    ['text_named.png', '202c4c6162656c2c536d696c65732c57', 'does not start like a PNG image'],
  ])('warns when %s, by its first bytes, %s', (name, bytes, words) => {
    const found = contentMismatch(file(name, 1000, hex(bytes)), '');
    expect(verdict(found)).toBe('warning common.content-type');
    expect(found?.message).toContain(words);
  });
  it.each([
    ['Cell_Colony.jpg', 'ffd8ffe000104a464946000102000001'],
    ['BigTIFFMotorola.tif', '4d4d002b000800000000000000003010'],
    ['multi-channel.ome.tif', '4d4d002a000000080010010000040000'],
    ['scan.lsm', '49492a00080000001400fe0004000100'],
    ['blobs.gif', '4749463839610001fe0070000021ff0b'],
    ['image.czi', '5a495352415746494c45000000000000'],
    ['notes.docx', 'ffd8ffe000104a464946000102000001'],
  ])('accepts %s, whose bytes fit its extension or whose extension it does not judge', (name, bytes) =>
    expect(contentMismatch(file(name, 1000, hex(bytes)), '')).toBeUndefined(),
  );
  it('says nothing when the scan did not read the first bytes', () =>
    expect(contentMismatch(file('x.jpg', 1000), '')).toBeUndefined());
  it('says nothing about an empty file, which the empty-file rule reports', () =>
    expect(contentMismatch(file('zero_length.jpg', 0, []), '')).toBeUndefined());
});
