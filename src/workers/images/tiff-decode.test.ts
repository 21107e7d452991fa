import { readdirSync, readFileSync } from 'node:fs';
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PIXELS, decodeTiff } from './tiff-decode';
import type { TiffDecoded, TiffDecodeOptions } from './tiff-decode';

const FIXTURES = new URL('../../../tests/fixtures/images/', import.meta.url);

function fixture(name: string): ArrayBuffer {
  const bytes = readFileSync(new URL(name, FIXTURES));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
}

function decoded(bytes: ArrayBuffer, options?: TiffDecodeOptions): TiffDecoded {
  const result = decodeTiff(bytes, options);
  if ('problem' in result) throw new Error(`expected a decoded image, got: ${result.problem}`);
  return result;
}

function problemOf(bytes: ArrayBuffer, options?: TiffDecodeOptions): string {
  const result = decodeTiff(bytes, options);
  if (!('problem' in result))
    throw new Error(`expected a problem, got a ${result.width} × ${result.height} image`);
  return result.problem;
}

function pixelAt(image: TiffDecoded, x: number, y: number): number[] {
  const at = (y * image.width + x) * 4;
  return Array.from(image.rgba.subarray(at, at + 4));
}

const NO_COPY = 'so no web copy was made; it is uploaded as it is';

type Pixel = readonly [x: number, y: number, rgba: readonly [number, number, number, number]];

interface Decodes {
  readonly size: readonly [width: number, height: number];
  readonly pixels: readonly Pixel[];
  readonly notes?: readonly string[];
  /** A flat colour by design; every other fixture must show more than one colour. */
  readonly uniform?: true;
}

interface Refused {
  readonly problem: string;
}

const stretchNote = (kind: string, range: string) =>
  `its ${kind} values (${range}) were stretched to 8 bits for the web copy; the original is uploaded unchanged.`;

/**
 * What every fixture decodes to. How the pinned pixels were checked, once, against decoders we did not write:
 * - plain: equal to libtiff's `tiff2rgba` output (libtiff 4.5, read back with Pillow 9.4) at these pixels, and
 *   at every pixel of the image within 1 level (CMYK: libtiff truncates, we round);
 * - JPEG: within a few levels of libtiff's (libjpeg smooths chroma when upsampling, utif's pdf.js decoder does
 *   not), the picture checked by eye;
 * - stretched (16-bit, signed, float): equal at every pixel to the stretch recomputed with numpy (0.1 % and
 *   99.9 % of the histogram) from the raw samples Pillow reads, or for floats from libtiff's uncompressed copy;
 * - fax (CCITT): equal at every pixel to our decoding of libtiff's uncompressed copy (`tiffcp -c none`).
 */
const EXPECTED: Readonly<Record<string, Decodes | Refused>> = {
  // Plain, equal to libtiff.
  'tiff/BigTIFFMotorola.tif': {
    size: [64, 64],
    pixels: [
      [32, 32, [0, 0, 0, 255]],
      [32, 0, [0, 128, 0, 255]],
      [6, 12, [255, 255, 255, 255]],
    ],
  },
  'tiff/cmyk-4c-8b.tiff': {
    // CMYK + unassociated alpha; the CMYK becomes exactly rgb-3c-8b's RGB (see the sibling test).
    size: [157, 151],
    pixels: [
      [39, 37, [96, 108, 62, 255]],
      [78, 75, [73, 15, 13, 255]],
      [116, 47, [227, 101, 67, 26]],
    ],
  },
  'tiff/cramps.tif': {
    size: [800, 607],
    pixels: [
      [200, 151, [51, 51, 51, 255]],
      [318, 26, [119, 119, 119, 255]],
      [0, 0, [255, 255, 255, 255]],
    ],
  },
  'tiff/fogra-0-100-100-0.tif': {
    size: [1000, 1000],
    pixels: [
      [250, 250, [255, 0, 0, 255]],
      [999, 999, [255, 0, 0, 255]],
    ],
    uniform: true,
  },
  'tiff/hopper.iccprofile.tif': {
    size: [128, 128],
    pixels: [
      [32, 32, [163, 114, 74, 255]],
      [64, 64, [173, 70, 55, 255]],
      [96, 96, [21, 19, 32, 255]],
    ],
  },
  'tiff/hopper_lzw.tif': {
    size: [128, 128],
    pixels: [
      [32, 32, [163, 114, 74, 255]],
      [64, 64, [173, 70, 55, 255]],
      [96, 96, [21, 19, 32, 255]],
    ],
  },
  'tiff/minisblack-2c-8b-alpha.tiff': {
    // Grey + associated alpha in separate planes; colours are un-premultiplied for ImageData.
    size: [64, 64],
    pixels: [
      [16, 16, [108, 108, 108, 255]],
      [43, 6, [132, 132, 132, 186]],
      [48, 48, [0, 0, 0, 0]],
    ],
  },
  'tiff/miniswhite-1c-1b.tiff': {
    size: [157, 151],
    pixels: [
      [0, 0, [0, 0, 0, 255]],
      [6, 0, [255, 255, 255, 255]],
    ],
  },
  'tiff/multipage.tiff': {
    // The first of three 1-bit palette pages is all green, as Pillow's own test of this file says.
    size: [10, 10],
    pixels: [
      [0, 0, [0, 128, 0, 255]],
      [9, 9, [0, 128, 0, 255]],
    ],
    notes: ['it has 3 pages; the web copy shows the first.'],
    uniform: true,
  },
  'tiff/oxford.tif': {
    size: [601, 81],
    pixels: [
      [2, 0, [0, 0, 0, 255]],
      [9, 0, [170, 170, 170, 255]],
      [300, 40, [173, 173, 173, 255]],
    ],
  },
  'tiff/palette-1c-8b.tiff': {
    size: [157, 151],
    pixels: [
      [39, 37, [89, 119, 68, 255]],
      [78, 75, [76, 19, 14, 255]],
      [117, 113, [135, 183, 88, 255]],
    ],
  },
  'tiff/pc260001.tif': {
    size: [640, 480],
    pixels: [
      [160, 120, [108, 141, 48, 255]],
      [320, 240, [255, 186, 210, 255]],
      [480, 360, [38, 86, 12, 255]],
    ],
  },
  'tiff/quad-lzw.tif': {
    size: [512, 384],
    pixels: [
      [128, 96, [200, 35, 64, 255]],
      [256, 192, [125, 232, 197, 255]],
      [384, 288, [0, 136, 204, 255]],
    ],
  },
  'tiff/quad-tile.tif': {
    size: [512, 384],
    pixels: [
      [128, 96, [200, 35, 64, 255]],
      [256, 192, [125, 232, 197, 255]],
      [384, 288, [0, 136, 204, 255]],
    ],
  },
  'tiff/rgb-3c-8b.tiff': {
    size: [157, 151],
    pixels: [
      [39, 37, [96, 108, 62, 255]],
      [78, 75, [73, 15, 13, 255]],
      [117, 113, [132, 176, 87, 255]],
    ],
  },
  'tiff/seq-1c-8b-multipage.tiff': {
    size: [16, 16],
    pixels: [
      [4, 4, [68, 68, 68, 255]],
      [8, 8, [136, 136, 136, 255]],
      [12, 12, [204, 204, 204, 255]],
    ],
    notes: ['it has 3 pages; the web copy shows the first.'],
  },
  'tiff/strike.tif': {
    size: [256, 200],
    pixels: [
      [64, 50, [0, 0, 0, 0]],
      [128, 100, [74, 60, 30, 255]],
      [0, 194, [255, 255, 255, 209]],
    ],
  },
  'tiff/subsubifds.tif': {
    size: [32, 32],
    pixels: [
      [1, 3, [0, 0, 0, 255]],
      [0, 11, [175, 175, 175, 255]],
      [16, 16, [255, 255, 255, 255]],
    ],
    notes: ['it has 3 pages; the web copy shows the first.'],
  },
  'tiff/tiff_adobe_deflate.tif': {
    size: [278, 374],
    pixels: [
      [69, 93, [178, 131, 140, 255]],
      [139, 187, [169, 196, 233, 255]],
      [208, 280, [255, 255, 255, 255]],
    ],
  },
  'tiff/tiff_tiled_planar_lzw.tiff': {
    size: [278, 374],
    pixels: [
      [69, 93, [178, 131, 140, 255]],
      [139, 187, [169, 196, 233, 255]],
      [208, 280, [255, 255, 255, 255]],
    ],
  },
  'tiff/tiled-rgb-u8.tif': {
    size: [374, 499],
    pixels: [
      [93, 124, [72, 44, 23, 255]],
      [187, 249, [181, 154, 142, 255]],
      [280, 374, [29, 19, 12, 255]],
    ],
  },
  'tiff/ycbcr-cat.tif': {
    size: [250, 325],
    pixels: [
      [62, 81, [161, 177, 177, 255]],
      [125, 162, [124, 132, 171, 255]],
      [187, 243, [35, 58, 50, 255]],
    ],
  },

  // JPEG, within a few levels of libtiff.
  'tiff/quad-jpeg.tif': {
    size: [512, 384],
    pixels: [
      [128, 96, [190, 43, 49, 255]],
      [256, 192, [122, 236, 200, 255]],
      [384, 288, [0, 140, 208, 255]],
    ],
  },
  'tiff/smallliz.tif': {
    size: [160, 160],
    pixels: [
      [40, 40, [215, 13, 1, 255]],
      [80, 80, [233, 21, 0, 255]],
      [120, 120, [227, 17, 0, 255]],
    ],
  },
  // Red "RED" on black: the CMYK is not inverted (libtiff and Pillow agree).
  'tiff/tiff_strip_cmyk_jpeg.tif': {
    size: [100, 100],
    pixels: [
      [50, 50, [1, 4, 5, 255]],
      [0, 0, [255, 13, 25, 255]],
    ],
  },
  'tiff/tiled-jpeg-ycbcr.tif': {
    size: [374, 499],
    pixels: [
      [93, 124, [72, 43, 25, 255]],
      [187, 249, [182, 145, 136, 255]],
      [280, 374, [36, 19, 12, 255]],
    ],
  },

  // Stretched, equal to the numpy recomputation.
  'tiff/16bit.MM.deflate.tif': {
    size: [64, 64],
    pixels: [
      [16, 16, [36, 36, 36, 255]],
      [32, 32, [55, 55, 55, 255]],
      [48, 48, [50, 50, 50, 255]],
    ],
    notes: [stretchNote('16-bit', 'mostly 303 to 620')],
  },
  'tiff/caspian.tif': {
    size: [279, 220],
    pixels: [
      [69, 55, [15, 8, 201, 255]],
      [139, 110, [30, 43, 105, 255]],
      [209, 165, [25, 27, 143, 255]],
    ],
    notes: [stretchNote('64-bit floating-point', 'mostly 47.89 to 816.1')],
  },
  'tiff/chessboard_GRAY_U16B.tif': {
    // Its 16-bit values only reach 255, so libtiff (which keeps the high byte) shows it all black.
    size: [200, 200],
    pixels: [
      [50, 50, [175, 175, 175, 255]],
      [0, 0, [255, 255, 255, 255]],
      [199, 0, [0, 0, 0, 255]],
    ],
    notes: [stretchNote('16-bit', '0 to 255')],
  },
  'tiff/gradient-1c-32b-float.tiff': {
    size: [256, 1],
    pixels: [
      [0, 0, [0, 0, 0, 255]],
      [128, 0, [128, 128, 128, 255]],
      [255, 0, [255, 255, 255, 255]],
    ],
    notes: [stretchNote('32-bit floating-point', '0.0008935 to 0.9983')],
  },
  'tiff/issue_69_packbits.tiff': {
    size: [45, 45],
    pixels: [
      [11, 11, [146, 146, 146, 255]],
      [22, 22, [182, 182, 182, 255]],
      [33, 33, [76, 76, 76, 255]],
    ],
    notes: [stretchNote('16-bit', 'mostly 431 to 581')],
  },
  'tiff/ladoga.tif': {
    size: [158, 118],
    pixels: [
      [39, 29, [29, 29, 29, 255]],
      [79, 59, [20, 20, 20, 255]],
      [118, 88, [22, 22, 22, 255]],
    ],
    notes: [stretchNote('16-bit', 'mostly 1,294 to 1,646')],
  },
  'tiff/minisblack-1c-16b.tiff': {
    size: [157, 151],
    pixels: [
      [39, 37, [113, 113, 113, 255]],
      [78, 75, [35, 35, 35, 255]],
      [117, 113, [176, 176, 176, 255]],
    ],
    notes: [stretchNote('16-bit', 'mostly 458 to 56,989')],
  },
  'tiff/rgb-3c-16b.tiff': {
    size: [157, 151],
    pixels: [
      [39, 37, [108, 121, 70, 255]],
      [78, 75, [82, 17, 15, 255]],
      [117, 113, [148, 197, 98, 255]],
    ],
    notes: [stretchNote('16-bit', 'mostly 0 to 58,727')],
  },
  'tiff/seq-1c-16b-bigendian.tiff': {
    size: [16, 16],
    pixels: [
      [4, 4, [68, 68, 68, 255]],
      [8, 8, [136, 136, 136, 255]],
      [12, 12, [204, 204, 204, 255]],
    ],
    notes: [stretchNote('16-bit', '0 to 255')],
  },
  'tiff/tiff_16bit_RGBa.tiff': {
    size: [100, 40],
    pixels: [
      [25, 10, [147, 85, 62, 33]],
      [50, 20, [84, 59, 62, 82]],
      [75, 30, [199, 151, 119, 137]],
    ],
    notes: [stretchNote('16-bit', 'mostly 110 to 33,913')],
  },
  'tiff/tiled-oversize-gray-i8.tif': {
    // Signed samples (the file's own data wraps around in its bright areas); tiles hang over the edges.
    size: [499, 374],
    pixels: [
      [124, 93, [179, 179, 179, 255]],
      [249, 187, [78, 78, 78, 255]],
      [374, 280, [176, 176, 176, 255]],
    ],
    notes: [stretchNote('signed 8-bit', '-128 to 127')],
  },

  // CCITT fax, equal to libtiff's decompression.
  'tiff/fax2d.tif': {
    size: [1728, 1082],
    pixels: [
      [162, 10, [0, 0, 0, 255]],
      [0, 0, [255, 255, 255, 255]],
    ],
  },
  'tiff/G31D_MULTI.TIF': {
    size: [2464, 3248],
    pixels: [
      [110, 118, [0, 0, 0, 255]],
      [0, 0, [255, 255, 255, 255]],
    ],
    notes: ['it has 2 pages; the web copy shows the first.'],
  },
  'tricky/tiff/total-pages-zero.tif': {
    // Its PageNumber tag says 0 pages in all; the pages are counted from the directories instead.
    size: [1728, 2156],
    pixels: [[432, 539, [255, 255, 255, 255]]],
    notes: ['it has 3 pages; the web copy shows the first.'],
  },

  // Refused.
  'tiff/hopper.Lab.tif': {
    problem: `its colours are stored as CIE L*a*b*, which the browser-side decoder cannot read, ${NO_COPY}.`,
  },
  'tiff/hopper_webp.tif': {
    problem: `it is a TIFF compressed with WebP, which the browser-side decoder cannot read, ${NO_COPY}.`,
  },
  'tiff/int16_zstd.tif': {
    problem: `it is a TIFF compressed with ZSTD, which the browser-side decoder cannot read, ${NO_COPY}.`,
  },
  'tiff/off_luv24.tif': {
    problem: `it is a TIFF compressed with SGI LogLuv, which the browser-side decoder cannot read, ${NO_COPY}.`,
  },
  'tricky/tiff/colormap-shl-overflow.tiff': {
    problem: `it declares 83 bits per sample, which points to a damaged header, ${NO_COPY}; check the file.`,
  },
  'tricky/tiff/crash-0c7e0e8e.tif': {
    problem: `its image data is cut short (strip 1 of 23 starts at byte 3,309, past the end of the 2,529-byte file), ${NO_COPY}; check the file.`,
  },
  'tricky/tiff/libtiff_segfault.tif': {
    problem: `it declares 65,535 samples per pixel, which points to a damaged header, ${NO_COPY}; check the file.`,
  },
  'tricky/tiff/seek_too_large.tif': {
    problem: `its TIFF structure is damaged (its first directory is at byte 9,295,429,630,892,704,000, past the end of the 16-byte file), ${NO_COPY}; check the file.`,
  },
};

const decodes = Object.entries(EXPECTED).filter((entry): entry is [string, Decodes] => 'size' in entry[1]);
const refused = Object.entries(EXPECTED).filter((entry): entry is [string, Refused] => 'problem' in entry[1]);

describe('decodeTiff on real files', () => {
  it('has an expectation for every TIFF fixture', () => {
    const files = ['tiff', 'tricky/tiff'].flatMap((folder) =>
      readdirSync(new URL(folder, FIXTURES)).map((name) => `${folder}/${name}`),
    );
    expect(Object.keys(EXPECTED).sort()).toEqual(files.sort());
  });

  it.each(decodes)('%s decodes to the pinned size and pixels', (name, expected) => {
    const image = decoded(fixture(name));
    const [width, height] = expected.size;
    expect([image.width, image.height]).toEqual([width, height]);
    expect(image.rgba.length).toBe(width * height * 4);
    for (const [x, y, rgba] of expected.pixels)
      expect(pixelAt(image, x, y), `pixel ${x}, ${y}`).toEqual(rgba);
    expect(image.notes).toEqual(expected.notes ?? []);
    const first = image.rgba.subarray(0, 4).join();
    const oneColour = Array.from({ length: width * height }, (_, i) => i).every(
      (i) => image.rgba.subarray(i * 4, i * 4 + 4).join() === first,
    );
    expect(oneColour).toBe(expected.uniform === true);
  });

  it.each(refused)('%s is refused with its sentence', (name, expected) => {
    expect(problemOf(fixture(name))).toBe(expected.problem);
  });

  it.each([
    'colormap-shl-overflow.tiff',
    'crash-0c7e0e8e.tif',
    'libtiff_segfault.tif',
    'seek_too_large.tif',
    'total-pages-zero.tif',
  ])('the fuzzed tricky/tiff/%s is answered within a second', (name) => {
    const started = performance.now();
    decodeTiff(fixture(`tricky/tiff/${name}`));
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

/** The largest difference of any colour channel between two decodings of the same picture, and the mean. */
function difference(a: TiffDecoded, b: TiffDecoded): { max: number; mean: number } {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.rgba.length; i += 4) {
    for (let c = 0; c < 3; c += 1) {
      const d = Math.abs(a.rgba[i + c]! - b.rgba[i + c]!);
      max = Math.max(max, d);
      sum += d;
    }
  }
  return { max, mean: sum / ((a.rgba.length / 4) * 3) };
}

describe('decodeTiff on the same picture stored in different ways', () => {
  it.each([
    [
      'tiff/tiff_adobe_deflate.tif',
      'tiff/tiff_tiled_planar_lzw.tiff',
      'Deflate strips with predictor vs. tiled separate planes, LZW',
    ],
    ['tiff/quad-lzw.tif', 'tiff/quad-tile.tif', 'old-style LZW strips vs. LZW tiles'],
    ['tiff/hopper_lzw.tif', 'tiff/hopper.iccprofile.tif', 'LZW with predictor vs. uncompressed'],
    ['tiff/rgb-3c-8b.tiff', 'tiff/cmyk-4c-8b.tiff', 'RGB vs. CMYK with alpha, LZW with predictor'],
  ])('%s and %s are identical (%s)', (a, b) => {
    expect(difference(decoded(fixture(a)), decoded(fixture(b)))).toEqual({ max: 0, mean: 0 });
  });

  it.each([
    ['tiff/quad-lzw.tif', 'tiff/quad-jpeg.tif', 'JPEG, YCbCr in strips'],
    ['tiff/tiled-rgb-u8.tif', 'tiff/tiled-jpeg-ycbcr.tif', 'JPEG with shared tables'],
    ['tiff/rgb-3c-8b.tiff', 'tiff/palette-1c-8b.tiff', 'a 256-colour palette'],
  ])('%s and %s differ only by lossy compression (%s)', (a, b) => {
    expect(difference(decoded(fixture(a)), decoded(fixture(b))).mean).toBeLessThan(5);
  });

  it('rgb-3c-16b.tiff is its 8-bit sibling stretched over the window its note names (0 to 58,727)', () => {
    const eight = decoded(fixture('tiff/rgb-3c-8b.tiff'));
    const sixteen = decoded(fixture('tiff/rgb-3c-16b.tiff'));
    const expected = new Uint8ClampedArray(eight.rgba.length);
    for (let i = 0; i < eight.rgba.length; i += 1)
      expected[i] = i % 4 === 3 ? 255 : (eight.rgba[i]! * 257 * 255) / 58727;
    expect(difference(sixteen, { ...eight, rgba: expected }).max).toBeLessThanOrEqual(2);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Synthetic files: one small TIFF writer for the cases no fixture has

/** A field's type (3 SHORT, 4 LONG, 8 SSHORT, 11 FLOAT, 16 LONG8) and values; plain numbers are SHORT or LONG. */
interface Field {
  readonly type: number;
  readonly values: readonly number[];
}

interface Page {
  readonly tags: Readonly<Record<number, readonly number[] | Field>>;
  /** Stored as the only strip; StripOffsets and StripByteCounts are filled in. */
  readonly strip?: Uint8Array;
  /** Written before the page and listed in its SubIFDs tag. */
  readonly subPages?: readonly Page[];
}

const FIELD_SIZES: Readonly<Record<number, number>> = { 3: 2, 4: 4, 8: 2, 11: 4, 13: 4, 16: 8 };

/** A classic TIFF of these pages in a chain; `nextOfLast` makes the last page point back into the chain. */
function tiff(
  pages: readonly Page[],
  options: { bigEndian?: boolean; nextOfLast?: number } = {},
): ArrayBuffer {
  const littleEndian = !options.bigEndian;
  const bytes = new Uint8Array(1 << 16);
  const view = new DataView(bytes.buffer);
  let end = 8;
  const take = (length: number) => {
    end += end % 2;
    const at = end;
    end += length;
    return at;
  };
  const write = (at: number, type: number, value: number) => {
    if (type === 3) view.setUint16(at, value, littleEndian);
    else if (type === 8) view.setInt16(at, value, littleEndian);
    else if (type === 11) view.setFloat32(at, value, littleEndian);
    else if (type === 16) view.setBigUint64(at, BigInt(value), littleEndian);
    else view.setUint32(at, value, littleEndian);
  };
  const writePage = (page: Page): { at: number; next: number } => {
    const fields = new Map<number, Field>(
      Object.entries(page.tags).map(([tag, field]) => [
        Number(tag),
        'type' in field ? field : { type: field.every((value) => value < 65536) ? 3 : 4, values: field },
      ]),
    );
    if (page.strip) {
      const at = take(page.strip.length);
      bytes.set(page.strip, at);
      fields.set(273, { type: 4, values: [at] });
      fields.set(279, { type: 4, values: [page.strip.length] });
    }
    if (page.subPages) fields.set(330, { type: 4, values: page.subPages.map((sub) => writePage(sub).at) });
    const sorted = [...fields].sort(([a], [b]) => a - b);
    const outOfLine = sorted.map(([, { type, values }]) =>
      values.length * FIELD_SIZES[type]! > 4 ? take(values.length * FIELD_SIZES[type]!) : 0,
    );
    const at = take(2 + sorted.length * 12 + 4);
    view.setUint16(at, sorted.length, littleEndian);
    sorted.forEach(([tag, { type, values }], i) => {
      const entry = at + 2 + i * 12;
      view.setUint16(entry, tag, littleEndian);
      view.setUint16(entry + 2, type, littleEndian);
      view.setUint32(entry + 4, values.length, littleEndian);
      const valuesAt = outOfLine[i] || entry + 8;
      if (outOfLine[i]) view.setUint32(entry + 8, valuesAt, littleEndian);
      values.forEach((value, k) => write(valuesAt + k * FIELD_SIZES[type]!, type, value));
    });
    return { at, next: at + 2 + sorted.length * 12 };
  };
  bytes.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]);
  view.setUint16(2, 42, littleEndian);
  const written = pages.map(writePage);
  view.setUint32(4, written[0]!.at, littleEndian);
  written.forEach(({ next }, i) => {
    const target =
      i + 1 < written.length
        ? written[i + 1]!.at
        : options.nextOfLast === undefined
          ? 0
          : written[options.nextOfLast]!.at;
    view.setUint32(next, target, littleEndian);
  });
  return bytes.buffer.slice(0, end);
}

/** The tags of a one-strip image: width, height, bits, samples, colour model, and any others. */
function imageTags(
  width: number,
  height: number,
  bits: number,
  photometric: number,
  others: Page['tags'] = {},
): Page['tags'] {
  return {
    256: { type: 4, values: [width] },
    257: { type: 4, values: [height] },
    258: [bits],
    262: [photometric],
    ...others,
  };
}

function samples16(values: readonly number[], bigEndian = false): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setUint16(i * 2, value & 0xffff, !bigEndian));
  return bytes;
}

function floats32(values: readonly number[], bigEndian = false): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, !bigEndian));
  return bytes;
}

const ramp = (count: number, from: number, to: number) =>
  Array.from({ length: count }, (_, i) => Math.round(from + ((to - from) * i) / (count - 1)));

function greyOf(image: TiffDecoded): number[] {
  return Array.from({ length: image.width * image.height }, (_, i) => image.rgba[i * 4]!);
}

describe('decodeTiff refuses what it should before decoding', () => {
  it('refuses a header declaring 65,536 × 65,536 pixels by its size alone (its RGBA would be 16 GiB)', () => {
    const bomb = tiff([{ tags: imageTags(65536, 65536, 8, 1), strip: new Uint8Array(16) }]);
    expect(problemOf(bomb)).toBe(
      `it is 65,536 × 65,536 pixels (4,294,967,296 in all), more than the 268,435,456 pixels a web copy is made from, ${NO_COPY}; make its web copies with a desktop tool.`,
    );
  });

  it('takes the pixel limit from the options', () => {
    const small = tiff([{ tags: imageTags(100, 100, 8, 1), strip: new Uint8Array(10000) }]);
    expect(decoded(small, { maxPixels: 10_000 }).width).toBe(100);
    expect(problemOf(small, { maxPixels: 9_999 })).toBe(
      `it is 100 × 100 pixels (10,000 in all), more than the 9,999 pixels a web copy is made from, ${NO_COPY}; make its web copies with a desktop tool.`,
    );
  });

  it('refuses an image within the pixel limit whose samples would not fit in memory', () => {
    const side = Math.sqrt(DEFAULT_MAX_PIXELS);
    const huge = tiff([
      {
        tags: imageTags(side, side, 64, 1, { 258: [64, 64, 64, 64], 277: [4], 339: [3, 3, 3, 3] }),
        strip: new Uint8Array(8),
      },
    ]);
    expect(problemOf(huge)).toBe(
      `decoding it would take 9.0 GiB of memory, more than a browser tab can hold, ${NO_COPY}; make its web copies with a desktop tool.`,
    );
  });

  it.each<[string, ArrayBuffer, string]>([
    [
      'a GIF',
      new TextEncoder().encode('GIF89a\x01\x00\x01\x00').buffer as ArrayBuffer,
      `it does not start like a TIFF file (II or MM, then 42), ${NO_COPY}; check the file.`,
    ],
    [
      'an unknown compression',
      tiff([{ tags: imageTags(2, 2, 8, 1, { 259: [12345] }), strip: new Uint8Array(4) }]),
      `it is a TIFF compressed with compression scheme 12345, which the browser-side decoder cannot read, ${NO_COPY}.`,
    ],
    [
      'fewer strips than its rows need',
      tiff([{ tags: imageTags(2, 4, 8, 1, { 278: [2] }), strip: new Uint8Array(4) }]),
      `it lists 1 strip where 2 are needed, ${NO_COPY}; check the file.`,
    ],
    [
      'an LZW strip that starts with a code the table does not have',
      tiff([{ tags: imageTags(2, 2, 8, 1, { 259: [5] }), strip: new Uint8Array([0xff, 0xff, 0xff]) }]),
      `its LZW data could not be decoded, ${NO_COPY}; check the file.`,
    ],
    [
      'a width that is not a whole number',
      tiff([{ tags: imageTags(2, 2, 8, 1, { 256: { type: 11, values: [2.5] } }), strip: new Uint8Array(4) }]),
      `its first page is 2.5 × 2 pixels, which is not a possible size, ${NO_COPY}; check the file.`,
    ],
    [
      'a strip at a negative offset',
      tiff([{ tags: imageTags(2, 2, 8, 1, { 273: { type: 8, values: [-4] }, 279: [4] }) }]),
      `its strip 1 of 1 has an impossible position or size, ${NO_COPY}; check the file.`,
    ],
    [
      '16-bit floating-point samples',
      tiff([{ tags: imageTags(2, 2, 16, 1, { 339: [3] }), strip: new Uint8Array(8) }]),
      `it has 16-bit floating-point samples, which the browser-side decoder cannot read, ${NO_COPY}.`,
    ],
  ])('refuses %s', (_, bytes, problem) => {
    expect(problemOf(bytes)).toBe(problem);
  });

  it.each<[string, number, string]>([
    ['starts', 100_000, 'strip 1 of 1 starts at byte 100,000'],
    ['ends', 8, 'strip 1 of 1 ends at byte 10,008'],
  ])('refuses a file whose uncompressed strip %s past its end', (_, offset, where) => {
    const bytes = tiff([
      {
        tags: imageTags(100, 100, 8, 1, {
          273: { type: 4, values: [offset] },
          279: { type: 4, values: [10_000] },
        }),
      },
    ]);
    expect(problemOf(bytes)).toBe(
      `its image data is cut short (${where}, past the end of the ${bytes.byteLength}-byte file), ${NO_COPY}; check the file.`,
    );
  });
});

describe('decodeTiff stretches deep samples and leaves 8-bit ones alone', () => {
  it('stretches 16-bit values over the range they use and says so', () => {
    const values = ramp(400, 12, 3871);
    const image = decoded(tiff([{ tags: imageTags(20, 20, 16, 1), strip: samples16(values) }]));
    expect(image.notes).toEqual([stretchNote('16-bit', '12 to 3,871')]);
    const grey = greyOf(image);
    expect([grey[0], grey[399]]).toEqual([0, 255]);
    expect(grey[200]).toBe(Math.round(((values[200]! - 12) * 255) / (3871 - 12)));
  });

  it('leaves the darkest and brightest 0.1 % out of the stretch, so one hot and one dead pixel do not flatten the rest', () => {
    const values = [0, ...ramp(998, 1000, 1997), 65535];
    const image = decoded(tiff([{ tags: imageTags(50, 20, 16, 1), strip: samples16(values) }]));
    expect(image.notes).toEqual([stretchNote('16-bit', 'mostly 1,000 to 1,997')]);
    const grey = greyOf(image);
    expect([grey[0], grey[1], grey[998], grey[999]]).toEqual([0, 0, 255, 255]);
  });

  it('reads big-endian 16-bit Deflate data with the horizontal predictor (MinIsWhite, so inverted after stretching)', () => {
    const values = ramp(8, 0, 1000);
    const differences = values.map((value, i) => (i % 4 === 0 ? value : value - values[i - 1]!));
    const strip = zlibSync(samples16(differences, true));
    const image = decoded(
      tiff([{ tags: imageTags(4, 2, 16, 0, { 259: [8], 317: [2] }), strip }], { bigEndian: true }),
    );
    expect(greyOf(image)).toEqual(values.map((value) => 255 - Math.round((value * 255) / 1000)));
  });

  it('stretches signed 16-bit values', () => {
    const values = ramp(100, -500, 490);
    const image = decoded(tiff([{ tags: imageTags(10, 10, 16, 1, { 339: [2] }), strip: samples16(values) }]));
    expect(image.notes).toEqual([stretchNote('signed 16-bit', '-500 to 490')]);
    expect([greyOf(image)[0], greyOf(image)[99]]).toEqual([0, 255]);
  });

  it.each([false, true])(
    'stretches 32-bit floats without NaN and infinity, with the floating-point predictor (big-endian: %s)',
    (bigEndian) => {
      const values = [
        ...Array.from({ length: 14 }, (_, i) => 0.5 + i / 6.5),
        Number.NaN,
        Number.POSITIVE_INFINITY,
      ];
      const strip = zlibSync(floatPredicted(floats32(values, true), 4, 4));
      const image = decoded(
        tiff([{ tags: imageTags(4, 4, 32, 1, { 259: [8], 317: [3], 339: [3] }), strip }], { bigEndian }),
      );
      expect(image.notes).toEqual([stretchNote('32-bit floating-point', '0.5 to 2.5')]);
      expect(greyOf(image)).toEqual([
        ...values.slice(0, 14).map((value) => Math.round((value - 0.5) * 127.5)),
        0,
        255,
      ]);
    },
  );

  it('scales a 16-bit image whose values are all equal by the full range, with no note', () => {
    const image = decoded(
      tiff([{ tags: imageTags(2, 2, 16, 1), strip: samples16([32768, 32768, 32768, 32768]) }]),
    );
    expect([greyOf(image), image.notes]).toEqual([[128, 128, 128, 128], []]);
  });

  it('takes 8-bit values as they are, with no note', () => {
    const values = ramp(16, 100, 120);
    const image = decoded(tiff([{ tags: imageTags(4, 4, 8, 1), strip: Uint8Array.from(values) }]));
    expect([greyOf(image), image.notes]).toEqual([values, []]);
  });

  it('un-premultiplies associated alpha for ImageData', () => {
    const image = decoded(
      tiff([
        {
          tags: imageTags(1, 1, 8, 2, { 258: [8, 8, 8, 8], 277: [4], 338: [1] }),
          strip: Uint8Array.from([64, 32, 0, 128]),
        },
      ]),
    );
    expect(pixelAt(image, 0, 0)).toEqual([128, 64, 0, 128]);
  });

  it('reads 1-bit data stored least significant bit first (FillOrder 2) like the usual order', () => {
    const usual = tiff([{ tags: imageTags(8, 2, 1, 1), strip: Uint8Array.from([0b10110000, 0b00000001]) }]);
    const reversed = tiff([
      { tags: imageTags(8, 2, 1, 1, { 266: [2] }), strip: Uint8Array.from([0b00001101, 0b10000000]) },
    ]);
    expect(greyOf(decoded(reversed))).toEqual(greyOf(decoded(usual)));
    expect(greyOf(decoded(usual))).toEqual([255, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255]);
  });
});

/** The floating-point predictor as libtiff writes it: each row as byte planes, most significant first, differenced. */
function floatPredicted(
  bigEndianSamples: Uint8Array,
  samplesPerRow: number,
  bytesPerSample: number,
): Uint8Array {
  const rowBytes = samplesPerRow * bytesPerSample;
  const out = new Uint8Array(bigEndianSamples.length);
  for (let start = 0; start < out.length; start += rowBytes) {
    for (let k = 0; k < samplesPerRow; k += 1) {
      for (let byte = 0; byte < bytesPerSample; byte += 1)
        out[start + byte * samplesPerRow + k] = bigEndianSamples[start + k * bytesPerSample + byte]!;
    }
    for (let i = start + rowBytes - 1; i > start; i -= 1) out[i] = (out[i]! - out[i - 1]!) & 0xff;
  }
  return out;
}

describe('decodeTiff chooses the first full-resolution page', () => {
  const grey = (width: number, height: number, value: number, others: Page['tags'] = {}): Page => ({
    tags: imageTags(width, height, 8, 1, others),
    strip: new Uint8Array(width * height).fill(value),
  });
  const thumbnail = (value: number) => grey(2, 2, value, { 254: [1] });

  it.each<[string, ArrayBuffer, [number, number, number], string[]]>([
    ['a thumbnail first, then the page', tiff([thumbnail(9), grey(4, 4, 200)]), [4, 4, 200], []],
    [
      'a thumbnail whose SubIFDs hold a reduced and the full-resolution image',
      tiff([{ ...thumbnail(9), subPages: [thumbnail(8), grey(6, 6, 150)] }]),
      [6, 6, 150],
      [],
    ],
    [
      'a pyramid: the full-resolution page with its reductions in SubIFDs',
      tiff([{ ...grey(8, 8, 100), subPages: [grey(4, 4, 50, { 254: [1] }), grey(2, 2, 25, { 254: [1] })] }]),
      [8, 8, 100],
      [],
    ],
    [
      'a page whose next-directory offset points back at itself',
      tiff([grey(3, 3, 70)], { nextOfLast: 0 }),
      [3, 3, 70],
      [],
    ],
    [
      'two pages whose chain loops back to the first',
      tiff([grey(3, 3, 70), grey(5, 5, 90)], { nextOfLast: 0 }),
      [3, 3, 70],
      ['it has 2 pages; the web copy shows the first.'],
    ],
  ])('%s', (_, bytes, [width, height, value], notes) => {
    const image = decoded(bytes);
    expect([image.width, image.height, pixelAt(image, 0, 0)[0], image.notes]).toEqual([
      width,
      height,
      value,
      notes,
    ]);
  });
});

describe('decodeTiff on damaged copies of real files', () => {
  /** Reproducible pseudo-random numbers (mulberry32), so a failing case can be rerun exactly. */
  function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const originals = [
    'tiff/rgb-3c-16b.tiff',
    'tiff/hopper_lzw.tif',
    'tiff/tiled-rgb-u8.tif',
    'tiff/quad-jpeg.tif',
    'tiff/fax2d.tif',
    'tiff/cmyk-4c-8b.tiff',
  ].map((name) => new Uint8Array(fixture(name)));

  it('never throws and always answers with an image of the size it states or a sentence', () => {
    const next = random(20240611);
    for (let round = 0; round < 300; round += 1) {
      const bytes = originals[round % originals.length]!.slice();
      // Most changes land in the first kilobyte, where the header and often the directory are.
      for (let change = 0; change < 1 + next() * 8; change += 1) {
        bytes[Math.floor(next() * Math.min(bytes.length, next() < 0.7 ? 1024 : bytes.length))] = Math.floor(
          next() * 256,
        );
      }
      const result = decodeTiff(bytes.buffer.slice(0, Math.ceil(bytes.length * (next() < 0.2 ? next() : 1))));
      if ('problem' in result) expect(result.problem).toMatch(/^it.*, so no web copy was made; .*\.$/);
      else expect(result.rgba.length).toBe(result.width * result.height * 4);
    }
  });
});
