import { describe, expect, it } from 'vitest';
import {
  firstDirectoryOffset,
  isDirectory,
  readDirectory,
  readTiffSignature,
  Tags,
  tiffFile,
  type Directory,
  type DirectoryCut,
} from '#core/images/tiff/ifd';

const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const le32 = (n: number) => [...le16(n & 0xffff), ...le16(Math.floor(n / 0x10000))];
const le64 = (n: number) => [...le32(n % 0x1_0000_0000), ...le32(Math.floor(n / 0x1_0000_0000))];
/** A 12-byte classic entry: tag, type, count, then the value field (inline values or an offset). */
const entry = (tag: number, type: number, count: number, field: number[]) => [
  ...le16(tag),
  ...le16(type),
  ...le32(count),
  ...field,
  ...Array<number>(4 - field.length).fill(0),
];

/**
 * A little-endian classic TIFF with one directory at byte 8: width 300 (SHORT), height 200 (LONG), a second
 * width entry that must be ignored, an entry of unknown type 99, and BitsPerSample 8, 8, 8 stored after the
 * directory; its next-directory offset is 1234.
 */
function classic(): Uint8Array {
  const entries = 5;
  const valuesAt = 8 + 2 + entries * 12 + 4;
  return Uint8Array.from([
    ...'II'.split('').map((c) => c.charCodeAt(0)),
    ...le16(42),
    ...le32(8),
    ...le16(entries),
    ...entry(256, 3, 1, le16(300)),
    ...entry(256, 3, 1, le16(999)),
    ...entry(257, 4, 1, le32(200)),
    ...entry(258, 3, 3, le32(valuesAt)),
    ...entry(300, 99, 1, le32(7)),
    ...le32(1234),
    ...le16(8),
    ...le16(8),
    ...le16(8),
  ]);
}

function directoryOf(reading: Directory | DirectoryCut): Directory {
  if (!isDirectory(reading)) throw new Error(`expected a directory, got one cut at ${reading.end}`);
  return reading;
}

describe('the TIFF directory reader', () => {
  it('reads the signature, the first offset and the first entry of each tag of a known type', () => {
    const bytes = classic();
    expect(readTiffSignature(bytes)).toEqual({ littleEndian: true, version: 42 });
    const file = tiffFile(bytes, true, false);
    expect(firstDirectoryOffset(file)).toBe(8);
    const directory = directoryOf(readDirectory(file, 8));
    expect([[...directory.entries.keys()], directory.next, directory.end]).toEqual([
      [256, 257, 258],
      1234,
      8 + 2 + 5 * 12 + 4,
    ]);
    const tags = new Tags(file, directory);
    expect([tags.single(256), tags.single(257), tags.numbers(258, 10), tags.numbers(258, 2)]).toEqual([
      300,
      200,
      [8, 8, 8],
      [8, 8],
    ]);
    expect([tags.single(258), tags.first(258), tags.has(300)]).toEqual([undefined, 8, false]);
  });

  it('says where a directory cut short by the bytes would end, and reads one whose next offset is cut as the last', () => {
    const bytes = classic();
    const file = (length: number) => tiffFile(bytes.subarray(0, length), true, false);
    expect(readDirectory(file(9), 8)).toEqual({ end: undefined });
    expect(readDirectory(file(40), 8)).toEqual({ end: 74 });
    const lastCut = directoryOf(readDirectory(file(72), 8));
    expect([lastCut.next, lastCut.end]).toEqual([0, 74]);
    expect(new Tags(file(72), lastCut).numbers(258, 3)).toBeUndefined();
    expect(readDirectory(file(72), -2)).toEqual({ end: undefined });
  });

  it('reads a big-endian BigTIFF, and a file whose first bytes are not a TIFF as none', () => {
    const be64 = (n: number) => le64(n).reverse();
    const bytes = Uint8Array.from([
      ...[0x4d, 0x4d, 0, 43, 0, 8, 0, 0],
      ...be64(16),
      ...be64(1),
      ...[1, 0, 0, 16], // tag 256, type 16 (LONG8)
      ...be64(1),
      ...be64(5_000_000),
      ...be64(0),
    ]);
    const signature = readTiffSignature(bytes);
    expect(signature).toEqual({ littleEndian: false, version: 43 });
    const file = tiffFile(bytes, false, true);
    expect(firstDirectoryOffset(file)).toBe(16);
    const directory = directoryOf(readDirectory(file, 16));
    expect([new Tags(file, directory).single(256), directory.next]).toEqual([5_000_000, 0]);
    expect(firstDirectoryOffset(tiffFile(bytes.subarray(0, 12), false, true))).toBeUndefined();
    expect(readTiffSignature(Uint8Array.from([0x47, 0x49, 0x46, 0x38]))).toBeUndefined();
  });
});
