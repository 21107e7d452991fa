import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTiff, type TiffDecoded } from './decode';
import {
  decoded,
  fixture,
  FIXTURES,
  NO_COPY,
  pixelAt,
  problemOf,
  stretchNote,
} from '../../../../tests/unit/images/tiff-files';

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
