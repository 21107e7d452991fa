import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { zipFiles } from './zip-writer';
import type { ZipEntry } from './zip-writer';

/** Each entry's text as unpacked again, keyed by name, in the order of the archive. */
function unzipText(zipped: Uint8Array): [string, string][] {
  return Object.entries(unzipSync(zipped)).map(([name, bytes]) => [name, strFromU8(bytes)]);
}

const entries: readonly ZipEntry[] = [
  { name: 'file_list.tsv', text: 'path\tsha256\nplate 1/a.tif\tabc\n' },
  { name: 'notes/README.txt', text: 'Made from the checked folder.\r\n' },
  { name: 'empty.csv', text: '' },
];

describe('zipFiles', () => {
  const originalTimeZone = process.env.TZ;
  afterEach(() => {
    if (originalTimeZone === undefined) delete process.env.TZ;
    else process.env.TZ = originalTimeZone;
  });

  it('unzips to the same names and texts, in order', () => {
    expect(unzipText(zipFiles(entries))).toEqual(entries.map(({ name, text }) => [name, text]));
  });

  it('gives identical bytes for the same input twice', () => {
    expect(zipFiles(entries)).toEqual(zipFiles(entries));
  });

  it('gives identical bytes in different time zones', () => {
    process.env.TZ = 'America/Los_Angeles';
    const west = zipFiles(entries);
    process.env.TZ = 'Asia/Tokyo';
    expect(zipFiles(entries)).toEqual(west);
  });

  it('stamps entries 2000-01-01 00:00 in the DOS date and time fields', () => {
    const zipped = zipFiles(entries);
    const header = new DataView(zipped.buffer, zipped.byteOffset, 30);
    expect(header.getUint32(0, true)).toBe(0x04034b50);
    expect(header.getUint16(10, true)).toBe(0);
    expect(header.getUint16(12, true)).toBe(((2000 - 1980) << 9) | (1 << 5) | 1);
  });

  it('deflates the entries', () => {
    const zipped = zipFiles([{ name: 'a.txt', text: 'x'.repeat(1000) }]);
    const header = new DataView(zipped.buffer, zipped.byteOffset, 30);
    expect(header.getUint16(8, true)).toBe(8);
    expect(header.getUint32(18, true)).toBeLessThan(100);
  });

  it('round-trips non-ASCII text and names as UTF-8', () => {
    const unicode = [
      { name: 'Käfer/Ørsted.csv', text: 'Käfer, Ørsted\n標本 02;🐞\n' },
      { name: '=HYPERLINK.txt', text: '=1+1' },
    ];
    expect(unzipText(zipFiles(unicode))).toEqual(unicode.map(({ name, text }) => [name, text]));
  });

  it('compresses a 5 MB table to a fraction of its size and unpacks it exactly', () => {
    const rows = Array.from(
      { length: 140_000 },
      (_, i) => `plate ${i % 40}/Käfer ${String(i).padStart(6, '0')}.tif\tK${(i * 7919) % 100_000}\tok\n`,
    );
    const text = rows.join('').slice(0, 5_000_000);
    const zipped = zipFiles([{ name: 'big.tsv', text }]);
    expect(new TextEncoder().encode(text).byteLength).toBeGreaterThanOrEqual(5_000_000);
    expect(zipped.byteLength).toBeLessThan(1_000_000);
    expect(unzipText(zipped)).toEqual([['big.tsv', text]]);
  });

  it('makes an empty archive of no entries', () => {
    expect(unzipText(zipFiles([]))).toEqual([]);
  });

  it.each([
    ['a duplicate name', ['a.txt', 'b.txt', 'a.txt'], '"a.txt" is given twice'],
    ['a leading /', ['/etc/passwd'], '"/etc/passwd" starts with /'],
    ['a /.. part', ['lists/../../x.txt'], 'has a .. part'],
    ['a leading .. part', ['../x.txt'], 'has a .. part'],
    ['a backslash', ['..\\x.txt'], 'holds a backslash'],
    ['an empty name', [''], 'is empty'],
    ['an empty part', ['lists//x.txt'], 'has an empty or . part'],
    ['a . part', ['./x.txt'], 'has an empty or . part'],
  ])('refuses %s', (_case, names, message) => {
    expect(() => zipFiles(names.map((name) => ({ name, text: 'x' })))).toThrow(message);
  });

  it('accepts names that merely contain dots', () => {
    const dotted = [
      { name: 'a..b.txt', text: '1' },
      { name: '.hidden/..x', text: '2' },
    ];
    expect(unzipText(zipFiles(dotted))).toEqual(dotted.map(({ name, text }) => [name, text]));
  });
});
