import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headerBytesWanted, isImageHeader, readImageHeader } from '#core/images/image-header';
import type { ImageHeader } from '#core/images/types';

const fixtures = new URL('../../../tests/fixtures/images/', import.meta.url);
const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(path, fixtures)));
/** As the Prepare step reads a file: its first 64 KiB, and its size. */
const readFixture = (path: string) => {
  const bytes = fixture(path);
  return readImageHeader(bytes.subarray(0, headerBytesWanted), bytes.length);
};

type Part = number | readonly number[] | string | Uint8Array;
/** Bytes from numbers (one byte each), byte lists, ASCII text and byte arrays, in order. */
const bytes = (...parts: Part[]): Uint8Array =>
  new Uint8Array(
    parts.flatMap((part) => {
      if (typeof part === 'number') return [part];
      if (typeof part === 'string') return Array.from(part, (c) => c.charCodeAt(0));
      return Array.from(part);
    }),
  );
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number) => [...be16(Math.floor(n / 0x10000)), ...be16(n & 0xffff)];
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const le32 = (n: number) => [...le16(n & 0xffff), ...le16(Math.floor(n / 0x10000))];
const le64 = (n: number) => [...le32(n % 0x1_0000_0000), ...le32(Math.floor(n / 0x1_0000_0000))];

const image = (format: ImageHeader['format'], width: number, height: number, orientation = 1, pages = 1) => ({
  format,
  width,
  height,
  orientation,
  pages,
});

// ——— JPEG builders ———

const segment = (marker: number, body: Part) => bytes(0xff, marker, be16(bytes(body).length + 2), body);
/** SOF0 of an 8-bit, 3-component image. */
const sof = (width: number, height: number, marker = 0xc0) =>
  segment(marker, bytes(8, be16(height), be16(width), 3, [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]));
/** An APP1 Exif segment whose IFD0 holds one Orientation entry, in either byte order. */
const exif = (orientation: number, order: 'II' | 'MM') => {
  const little = order === 'II';
  const u16 = little ? le16 : be16;
  const u32 = little ? le32 : be32;
  const tiff = bytes(
    order,
    u16(42),
    u32(8),
    u16(1),
    u16(0x0112),
    u16(3),
    u32(1),
    u16(orientation),
    0,
    0,
    u32(0),
  );
  return segment(0xe1, bytes('Exif', 0, 0, tiff));
};
const soi = bytes(0xff, 0xd8);
const jpeg = (...segments: Uint8Array[]) => bytes(soi, ...segments, 0xff, 0xda, 0, 2);

describe('readImageHeader on real files', () => {
  it.each([0, 1, 2, 3, 4])(
    'reads Landscape_%i.jpg as stored 1,800 × 1,200 with its EXIF orientation',
    (n) => {
      expect(readFixture(`exif-orientation/Landscape_${n}.jpg`)).toEqual(
        image('jpeg', 1800, 1200, Math.max(n, 1)),
      );
    },
  );

  it.each([5, 6, 7, 8])('reads Landscape_%i.jpg as stored 1,200 × 1,800, turned by orientation %i', (n) => {
    expect(readFixture(`exif-orientation/Landscape_${n}.jpg`)).toEqual(image('jpeg', 1200, 1800, n));
  });

  it.each([
    ['exif-orientation/Portrait_6.jpg', image('jpeg', 1800, 1200, 6)],
    ['tricky/jpeg/truncated_jpeg.jpg', image('jpeg', 100, 100)],
    ['tiff/BigTIFFMotorola.tif', image('tiff', 64, 64)],
    ['tiff/multipage.tiff', image('tiff', 10, 10, 1, 3)],
    ['tricky/tiff/libtiff_segfault.tif', image('tiff', 65535, 900)],
    ['tricky/webp/hopper_lossy.webp', image('webp', 128, 128)],
    ['tricky/webp/simple_lossless.webp', image('webp', 300, 300)],
    ['tricky/webp/transparent.webp', image('webp', 200, 150)],
    // irot angle 1 and imir axis 0: a quarter turn anticlockwise, then a left-right mirror.
    ['tricky/avif/rot1mir0.avif', image('avif', 427, 640, 7)],
  ])('reads %s', (path, expected) => {
    expect(readFixture(path)).toEqual(expected);
  });

  it('reads an OME-TIFF (big-endian, three channels as three pages) like any TIFF', () => {
    const whole = fixture('microscopy/multi-channel.ome.tif');
    expect(readImageHeader(whole, whole.length)).toEqual(image('tiff', 439, 167, 1, 3));
  });

  it('leaves the size unknown when a TIFF keeps its first page directory past the bytes given', () => {
    const whole = fixture('tiff/rgb-3c-8b.tiff');
    expect(whole.length).toBeGreaterThan(headerBytesWanted);
    expect(readImageHeader(whole.subarray(0, headerBytesWanted), whole.length)).toEqual(image('tiff', 0, 0));
    expect(readImageHeader(whole, whole.length)).toEqual(image('tiff', 157, 151));
  });

  it('says a PNG whose first chunk is garbage is damaged', () => {
    expect(readFixture('tricky/png/broken.png')).toEqual({
      problem:
        'its header is damaged (its first chunk is not IHDR, the one that gives the size), so it cannot be read as a PNG image',
    });
  });

  it('says a BigTIFF whose first page lies far past the end is damaged, with or without the file size', () => {
    const problem =
      'its header is damaged (its first page is said to start far past the end of the file), so it cannot be read as a BigTIFF image';
    expect(readFixture('tricky/tiff/seek_too_large.tif')).toEqual({ problem });
    expect(readImageHeader(fixture('tricky/tiff/seek_too_large.tif'))).toEqual({ problem });
  });

  it('says a TIFF whose second page lies past the end of the file is damaged, once it knows the file size', () => {
    const whole = fixture('tricky/tiff/colormap-shl-overflow.tiff');
    expect(readImageHeader(whole, whole.length)).toEqual({
      problem:
        'its header is damaged (page 2 is said to start at byte 15,246,782, past the end of the 1,036-byte file), so it cannot be read as a TIFF image',
    });
    expect(readImageHeader(whole)).toEqual(image('tiff', 73, 43));
  });

  it('tells a JPEG cut short inside its EXIF block from one whose first bytes stop there', () => {
    const whole = fixture('tricky/jpeg/corrupt-header.jpg');
    expect(readImageHeader(whole, whole.length)).toEqual({
      problem: 'it is cut short before the end of its header, so it cannot be read as a JPEG image',
    });
    expect(readImageHeader(whole, whole.length + 10_000)).toEqual(image('jpeg', 0, 0));
    expect(readImageHeader(whole)).toEqual(image('jpeg', 0, 0));
  });

  it('knows HEIC is not a format it reads', () => {
    expect(readFixture('tricky/heic/hopper_hevc.heif')).toBeUndefined();
  });
});

describe('readImageHeader on JPEG', () => {
  it.each([
    ['little-endian', 'II', 6, 6],
    ['big-endian', 'MM', 8, 8],
    ['an invalid 0', 'MM', 0, 1],
    ['an invalid 9', 'II', 9, 1],
  ] as const)('reads EXIF orientation in %s order (%s: %i → %i)', (_case, order, stored, read) => {
    expect(readImageHeader(jpeg(exif(stored, order), sof(640, 480)))).toEqual(image('jpeg', 640, 480, read));
  });

  it('takes the first EXIF block and ignores others, and APP1 blocks that are not EXIF', () => {
    const xmp = segment(0xe1, 'http://ns.adobe.com/xap/1.0/\0<x/>');
    expect(readImageHeader(jpeg(xmp, exif(3, 'II'), exif(6, 'II'), sof(10, 20)))).toEqual(
      image('jpeg', 10, 20, 3),
    );
  });

  it('reads the size of progressive (SOF2) and extended (SOF1) frames, but not of DHT, which shares their range', () => {
    const dht = segment(0xc4, bytes(0, Array(16).fill(0)));
    expect(readImageHeader(jpeg(dht, sof(33, 44, 0xc2)))).toEqual(image('jpeg', 33, 44));
    expect(readImageHeader(jpeg(sof(55, 66, 0xc1)))).toEqual(image('jpeg', 55, 66));
  });

  it('steps over fill bytes and stray bytes between segments, as libjpeg does', () => {
    const stray = bytes(soi, segment(0xe0, 'JFIF\0'), 0x00, 0x12, 0xff, 0xff, sof(7, 9));
    expect(readImageHeader(stray)).toEqual(image('jpeg', 7, 9));
  });

  it('gives 0 × 0 and the orientation it found when the size comes after the bytes given', () => {
    const icc = segment(0xe2, new Uint8Array(65_000));
    const file = jpeg(exif(6, 'MM'), icc, icc, sof(4000, 3000));
    expect(readImageHeader(file.subarray(0, headerBytesWanted), file.length)).toEqual(image('jpeg', 0, 0, 6));
    expect(readImageHeader(file, file.length)).toEqual(image('jpeg', 4000, 3000, 6));
  });

  it('accepts a height of 0, which a DNL marker gives later', () => {
    expect(readImageHeader(jpeg(sof(100, 0)))).toEqual(image('jpeg', 100, 0));
  });

  it.each([
    ['a zero width', jpeg(sof(0, 10)), 'it declares a width of 0 pixels'],
    ['a segment length of 1', bytes(soi, 0xff, 0xe0, 0, 1), 'a segment says it is 1 bytes long'],
    [
      'a frame header too short',
      bytes(soi, 0xff, 0xc0, 0, 5, 8, 0, 1),
      'its frame header is 5 bytes long, too short to give a size',
    ],
    [
      'image data before the size',
      bytes(soi, 0xff, 0xda, 0, 2),
      'its image data begins before it gives the image size',
    ],
    ['an end before the size', bytes(soi, 0xff, 0xd9), 'it ends before it gives the image size'],
  ])('says a JPEG with %s is damaged', (_case, file, detail) => {
    expect(readImageHeader(file)).toEqual({
      problem: `its header is damaged (${detail}), so it cannot be read as a JPEG image`,
    });
  });
});

describe('readImageHeader on PNG, GIF, WebP and BMP', () => {
  const png = (width: number, height: number) =>
    bytes(
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      be32(13),
      'IHDR',
      be32(width),
      be32(height),
      8,
      6,
      0,
      0,
      0,
    );

  it('reads a PNG of any size it declares, up to 2^31 − 1 a side (the plan judges huge ones)', () => {
    expect(readImageHeader(png(65536, 65536))).toEqual(image('png', 65536, 65536));
    expect(readImageHeader(png(2 ** 31 - 1, 1))).toEqual(image('png', 2 ** 31 - 1, 1));
  });

  it.each([
    [0, 10],
    [10, 0],
    [2 ** 31, 1],
  ])('says a PNG declaring %i × %i pixels is damaged', (width, height) => {
    expect(readImageHeader(png(width, height))).toHaveProperty('problem');
  });

  it('says a PNG cut short before its size is cut short, but only when the bytes are the whole file', () => {
    const short = png(5, 5).subarray(0, 20);
    expect(readImageHeader(short, 20)).toEqual({
      problem: 'it is cut short before the end of its header, so it cannot be read as a PNG image',
    });
    expect(readImageHeader(short)).toEqual(image('png', 0, 0));
  });

  it('reads a GIF logical screen, even one of 0 × 0', () => {
    expect(readImageHeader(bytes('GIF89a', le16(256), le16(254), 0))).toEqual(image('gif', 256, 254));
    expect(readImageHeader(bytes('GIF87a', le16(0), le16(0)))).toEqual(image('gif', 0, 0));
  });

  const riff = (chunk: string, data: Part) => bytes('RIFF', le32(100), 'WEBP', chunk, le32(10), data);

  it('reads the canvas of an extended (VP8X) WebP', () => {
    const canvas = bytes(0x10, 0, 0, 0, [0xff, 0x0f, 0], [0x7f, 0x02, 0]);
    expect(readImageHeader(riff('VP8X', canvas))).toEqual(image('webp', 4096, 640));
  });

  it.each([
    [
      'an unknown first chunk',
      riff('ALPH', bytes(Array(20).fill(0))),
      'its first chunk is not VP8, VP8L or VP8X',
    ],
    [
      'a VP8 frame without its start code',
      riff('VP8 ', bytes(Array(10).fill(0))),
      'its VP8 frame does not start with the VP8 start code',
    ],
    [
      'VP8L data without its signature',
      riff('VP8L', bytes(Array(10).fill(0))),
      'its VP8L data does not start with the VP8L signature',
    ],
  ])('says a WebP with %s is damaged', (_case, file, detail) => {
    expect(readImageHeader(file)).toEqual({
      problem: `its header is damaged (${detail}), so it cannot be read as a WebP image`,
    });
  });

  const bmp = (dibSize: number, size: number[]) =>
    bytes('BM', le32(1000), le32(0), le32(54), le32(dibSize), size, Array(8).fill(0));

  it('reads a BMP, top-down (negative height) or bottom-up, and an OS/2 one with 16-bit sides', () => {
    expect(readImageHeader(bmp(40, [...le32(640), ...le32(2 ** 32 - 480)]))).toEqual(image('bmp', 640, 480));
    expect(readImageHeader(bmp(124, [...le32(30), ...le32(20)]))).toEqual(image('bmp', 30, 20));
    expect(readImageHeader(bmp(12, [...le16(300), ...le16(200)]))).toEqual(image('bmp', 300, 200));
  });

  it('takes BM followed by an unknown DIB header size for something else, and a zero-width BMP for damaged', () => {
    expect(readImageHeader(bmp(41, [...le32(640), ...le32(480)]))).toBeUndefined();
    expect(readImageHeader(bmp(40, [...le32(0), ...le32(480)]))).toEqual({
      problem: 'its header is damaged (it declares 0 × 480 pixels), so it cannot be read as a BMP image',
    });
  });
});

describe('readImageHeader on TIFF', () => {
  interface Entry {
    readonly tag: number;
    readonly type: number;
    readonly value: number;
  }
  const short = (tag: number, value: number): Entry => ({ tag, type: 3, value });
  const long = (tag: number, value: number): Entry => ({ tag, type: 4, value });
  /** A little-endian classic TIFF: the header, then each directory in turn, each pointing to `next[i]`. */
  const tiff = (directories: readonly (readonly Entry[])[], next: (offsets: number[]) => number[]) => {
    const offsets: number[] = [];
    let at = 8;
    for (const entries of directories) {
      offsets.push(at);
      at += 2 + entries.length * 12 + 4;
    }
    const links = next(offsets);
    return bytes(
      'II',
      le16(42),
      le32(offsets[0] ?? 0),
      ...directories.map((entries, i) =>
        bytes(
          le16(entries.length),
          ...entries.map((e) =>
            bytes(
              le16(e.tag),
              le16(e.type),
              le32(1),
              e.type === 3 ? [...le16(e.value), 0, 0] : le32(e.value),
            ),
          ),
          le32(links[i] ?? 0),
        ),
      ),
    );
  };
  const page = (width: number, height: number, ...more: Entry[]) => [
    long(256, width),
    short(257, height),
    ...more,
  ];
  const chain = (offsets: number[]) => [...offsets.slice(1), 0];

  it('reads width (SHORT or LONG), height and orientation of the first page and counts the pages', () => {
    const file = tiff([page(70_000, 300, short(274, 8)), page(10, 10), page(5, 5)], chain);
    expect(readImageHeader(file, file.length)).toEqual(image('tiff', 70_000, 300, 8, 3));
  });

  it('says a list of pages that loops back is damaged, whoever it loops to', () => {
    const toFirst = tiff([page(10, 10), page(10, 10)], (o) => [o[1] ?? 0, o[0] ?? 0]);
    expect(readImageHeader(toFirst)).toEqual({
      problem:
        'its header is damaged (its list of pages loops back to page 1), so it cannot be read as a TIFF image',
    });
    const toItself = tiff([page(10, 10)], (o) => [o[0] ?? 0]);
    expect(readImageHeader(toItself)).toHaveProperty(
      'problem',
      expect.stringContaining('loops back to page 1'),
    );
  });

  it.each([
    ['no height', tiff([[long(256, 10)]], chain), 'its first page does not give the image width and height'],
    ['a zero width', tiff([page(0, 10)], chain), 'its first page declares 0 × 10 pixels'],
    [
      'a first page inside the header',
      bytes('II', le16(42), le32(4), Array(8).fill(0)),
      'its first page is said to start at byte 4, inside the file header',
    ],
  ])('says a TIFF with %s is damaged', (_case, file, detail) => {
    expect(readImageHeader(file, file.length)).toEqual({
      problem: `its header is damaged (${detail}), so it cannot be read as a TIFF image`,
    });
  });

  it('says a directory running past the end of the file is damaged, but past the bytes given is unknown', () => {
    const file = bytes('II', le16(42), le32(8), le16(500), Array(20).fill(0));
    expect(readImageHeader(file, file.length)).toHaveProperty(
      'problem',
      expect.stringContaining('runs past the end of the file'),
    );
    expect(readImageHeader(file)).toEqual(image('tiff', 0, 0));
  });

  it('reads a little-endian BigTIFF with LONG8 sides and counts its two pages', () => {
    const entry = (tag: number, type: number, value: number) =>
      bytes(le16(tag), le16(type), le64(1), le64(value));
    const directory = (next: number) =>
      bytes(le64(2), entry(256, 16, 5_000_000), entry(257, 3, 20), le64(next));
    const first = 16;
    const second = first + 8 + 2 * 20 + 8;
    const file = bytes('II', le16(43), le16(8), le16(0), le64(first), directory(second), directory(0));
    expect(readImageHeader(file, file.length)).toEqual(image('tiff', 5_000_000, 20, 1, 2));
  });
});

describe('readImageHeader on AVIF', () => {
  const box = (type: string, ...content: Part[]) => {
    const body = bytes(...content);
    return bytes(be32(body.length + 8), type, body);
  };
  const full = (type: string, ...content: Part[]) => box(type, 0, 0, 0, 0, ...content);
  const ispe = (width: number, height: number) => full('ispe', be32(width), be32(height));
  /** Item 1 is a 64 × 64 thumbnail, item 2 the 800 × 600 primary image turned a quarter clockwise (irot 3). */
  const avif = (ftyp: Uint8Array, withPitm: boolean) =>
    bytes(
      ftyp,
      full(
        'meta',
        withPitm ? full('pitm', be16(2)) : bytes(),
        box(
          'iprp',
          box('ipco', ispe(64, 64), ispe(800, 600), box('irot', 3)),
          full('ipma', be32(2), be16(1), 1, 0x81, be16(2), 2, 0x82, 0x03),
        ),
      ),
      box('mdat', Array(16).fill(0)),
    );

  it("reads the primary item's ispe and irot, not another item's", () => {
    const file = avif(box('ftyp', 'avif', be32(0), 'mif1'), true);
    expect(readImageHeader(file)).toEqual(image('avif', 800, 600, 6));
  });

  it('reads an AVIF whose major brand is the generic mif1, by its compatible brands', () => {
    const file = avif(box('ftyp', 'mif1', be32(0), 'miaf', 'avif'), true);
    expect(readImageHeader(file)).toEqual(image('avif', 800, 600, 6));
    expect(readImageHeader(avif(box('ftyp', 'mif1', be32(0), 'heic'), true))).toBeUndefined();
  });

  it('falls back to the first ispe without pitm, and to 0 × 0 when the boxes are cut off', () => {
    const file = avif(box('ftyp', 'avif', be32(0), 'mif1'), false);
    expect(readImageHeader(file)).toEqual(image('avif', 64, 64, 6));
    expect(readImageHeader(file.subarray(0, 40))).toEqual(image('avif', 0, 0));
  });
});

describe('readImageHeader on anything else', () => {
  it.each([
    ['no bytes', bytes()],
    ['text', bytes('Internal_ID,Title\n')],
    ['a PDF', bytes('%PDF-1.7')],
    ['a CZI', bytes('ZISRAWFILE', Array(22).fill(0))],
    ['a lone BM', bytes('BM')],
  ])('gives undefined for %s', (_case, file) => {
    expect(readImageHeader(file)).toBeUndefined();
  });

  it('tells readings with a format from problems and unknown bytes', () => {
    expect(isImageHeader(image('png', 1, 1))).toBe(true);
    expect(isImageHeader({ problem: 'x' })).toBe(false);
    expect(isImageHeader(undefined)).toBe(false);
  });
});

describe('readImageHeader never throws and never hangs', () => {
  const samples = [
    'exif-orientation/Landscape_6.jpg',
    'tiff/BigTIFFMotorola.tif',
    'tiff/multipage.tiff',
    'microscopy/multi-channel.ome.tif',
    'tricky/tiff/libtiff_segfault.tif',
    'tricky/webp/transparent.webp',
    'tricky/avif/rot1mir0.avif',
    'tricky/png/broken.png',
  ].map((path) => fixture(path).subarray(0, 4096));

  it('on every prefix of real headers', () => {
    for (const sample of samples) {
      for (let length = 0; length <= Math.min(sample.length, 700); length += 1) {
        const prefix = sample.subarray(0, length);
        expect(() => readImageHeader(prefix, length)).not.toThrow();
        expect(() => readImageHeader(prefix)).not.toThrow();
      }
    }
  });

  it('on real headers with bytes overwritten at random', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const sample of samples) {
      for (let round = 0; round < 400; round += 1) {
        const mutated = sample.slice();
        for (let i = 0; i < 8; i += 1)
          mutated[4 + Math.floor(random() * (mutated.length - 4))] = Math.floor(random() * 256);
        expect(() => readImageHeader(mutated, mutated.length + Math.floor(random() * 3) - 1)).not.toThrow();
      }
    }
  });

  it('on a TIFF page list that visits thousands of pages', () => {
    const pages = 3000;
    const parts: number[][] = [];
    const size = 2 + 2 * 12 + 4;
    const entry = (tag: number) => [...le16(tag), ...le16(3), ...le32(1), ...le16(9), 0, 0];
    for (let i = 0; i < pages; i += 1) {
      const next = i + 1 < pages ? 8 + (i + 1) * size : 8;
      parts.push([...le16(2), ...entry(256), ...entry(257), ...le32(next)]);
    }
    const file = bytes('II', le16(42), le32(8), ...parts);
    expect(readImageHeader(file)).toHaveProperty('problem', expect.stringContaining('loops back to page 1'));
  });
});
