import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  copyPath,
  copySize,
  nameClashes,
  planImage,
  uprightSize,
  type ImagePlan,
} from '#core/images/derivative-plan';
import { headerBytesWanted, readImageHeader } from '#core/images/image-header';
import { imagePolicy } from '#core/images/image-policy';
import type { ImageHeader, ImagePolicy } from '#core/images/types';
import { gudmapDefaultSettings } from '#core/profiles/gudmap';
import { symbiotaDefaultSettings } from '#core/profiles/symbiota';

const MB = 1_000_000;
const symbiota = imagePolicy('symbiota', symbiotaDefaultSettings);
const webReady = imagePolicy('symbiota', { ...symbiotaDefaultSettings, originals: 'web-ready' });
const webReadyOnly = imagePolicy('symbiota', {
  ...symbiotaDefaultSettings,
  makeDerivatives: false,
  originals: 'web-ready',
});
const withOriginals = imagePolicy('symbiota', { ...symbiotaDefaultSettings, originals: 'as-is' });
const gudmapThumbnails = imagePolicy('gudmap', { ...gudmapDefaultSettings, makeThumbnails: true });
const asIs: ImagePolicy = { derivatives: [], originals: 'as-is' };

const header = (
  format: ImageHeader['format'],
  width: number,
  height: number,
  orientation = 1,
  pages = 1,
): ImageHeader => ({ format, width, height, orientation, pages });
/** Each copy as `path width×height`. */
const copies = (plan: ImagePlan) => plan.copies.map((c) => `${c.path} ${c.width}×${c.height}`);

describe('planImage: copies and their sizes', () => {
  it('makes the three Symbiota derivatives of a 24-MP photo by width, and leaves the original out', () => {
    const plan = planImage('a/WIS-L-0001234.jpg', header('jpeg', 6000, 4000), 18 * MB, symbiota);
    expect(plan).toMatchObject({ path: 'a/WIS-L-0001234.jpg', original: 'omit', notes: [] });
    expect(plan.problem).toBeUndefined();
    expect(copies(plan)).toEqual([
      'a/WIS-L-0001234_tn.jpg 200×133',
      'a/WIS-L-0001234_med.jpg 1400×933',
      'a/WIS-L-0001234_lg.jpg 3200×2133',
    ]);
    expect(plan.copies.map((c) => c.spec.role)).toEqual(['thumbnail', 'web', 'large']);
  });

  it('never enlarges a source narrower than a target width', () => {
    const plan = planImage('x.png', header('png', 1000, 2000), 3 * MB, symbiota);
    expect(copies(plan)).toEqual(['x_tn.jpg 200×400', 'x_med.jpg 1000×2000', 'x_lg.jpg 1000×2000']);
  });

  it.each([
    [5, 'x_tn.jpg 200×300'],
    [6, 'x_tn.jpg 200×300'],
    [7, 'x_tn.jpg 200×300'],
    [8, 'x_tn.jpg 200×300'],
    [1, 'x_tn.jpg 200×133'],
    [3, 'x_tn.jpg 200×133'],
  ])('sizes an image with EXIF orientation %i upright', (orientation, thumbnail) => {
    const plan = planImage('x.jpg', header('jpeg', 1800, 1200, orientation), MB, symbiota);
    expect(copies(plan)[0]).toBe(thumbnail);
  });

  it('sizes copies of the real Landscape_6.jpg (stored 1,200 × 1,800, turned) as 1,800 × 1,200 images', () => {
    const bytes = readFileSync(
      new URL('../../../tests/fixtures/images/exif-orientation/Landscape_6.jpg', import.meta.url),
    );
    const read = readImageHeader(new Uint8Array(bytes.subarray(0, headerBytesWanted)), bytes.length);
    expect(copies(planImage('Landscape_6.jpg', read, bytes.length, symbiota))).toEqual([
      'Landscape_6_tn.jpg 200×133',
      'Landscape_6_med.jpg 1400×933',
      'Landscape_6_lg.jpg 1800×1200',
    ]);
  });

  it('fits GUDMAP thumbnails in a 150 px square and keeps the original unchanged', () => {
    expect(planImage('images/A-1.tif', header('tiff', 1024, 4096), 8 * MB, gudmapThumbnails)).toMatchObject({
      original: 'upload',
      copies: [{ path: 'images/A-1_tn.jpg', width: 38, height: 150 }],
    });
    expect(copies(planImage('images/A-2.png', header('png', 90, 40), 9000, gudmapThumbnails))).toEqual([
      'images/A-2_tn.jpg 90×40',
    ]);
  });

  it('leaves the sizes to the worker (0 × 0) when the header did not give them', () => {
    expect(copies(planImage('big.tif', header('tiff', 0, 0), 300 * MB, symbiota))).toEqual([
      'big_tn.jpg 0×0',
      'big_med.jpg 0×0',
      'big_lg.jpg 0×0',
    ]);
  });

  it('uploads originals as they are, with no copies and no notes, for a target that wants none', () => {
    for (const reading of [header('tiff', 70_000, 70_000), undefined, { problem: 'its header is damaged' }]) {
      expect(planImage('plate1/x.czi', reading, 5, asIs)).toEqual({
        path: 'plate1/x.czi',
        original: 'upload',
        copies: [],
        notes: [],
      });
    }
  });

  it('keeps the originals beside the copies when the policy says so', () => {
    expect(planImage('x.tif', header('tiff', 400, 300), MB, withOriginals).original).toBe('upload');
  });

  it('leaves the pages of a multi-page TIFF to the decoder, which counts them all', () => {
    expect(planImage('stack.tif', header('tiff', 10, 10, 1, 3), 9000, symbiota).notes).toEqual([]);
  });
});

describe('planImage: web-ready originals', () => {
  it('uploads a JPEG already under the limit as it is, never re-encoding it, and says so', () => {
    const plan = planImage('a/x.JPG', header('jpeg', 6000, 4000), 3_200_000, webReadyOnly);
    expect(plan).toEqual({
      path: 'a/x.JPG',
      original: 'upload',
      copies: [],
      notes: [
        'a/x.JPG already is a JPEG of 3.2 MB, within the 8 MB limit, so it is uploaded as it is, not re-encoded.',
      ],
    });
  });

  it('sends such a JPEG as it is even when it declares more pixels than a browser decodes', () => {
    const plan = planImage('pano.jpg', header('jpeg', 40_000, 1000), 5 * MB, webReadyOnly);
    expect(plan).toMatchObject({ original: 'upload', copies: [] });
    expect(plan.problem).toBeUndefined();
    expect(planImage('pano.jpg', header('jpeg', 40_000, 1000), 5 * MB, webReady).problem).toContain(
      'wider than',
    );
  });

  it('replaces a JPEG over the limit by a full-size JPEG copy of the same stem', () => {
    const plan = planImage('a/x.jpeg', header('jpeg', 6000, 4000), 18 * MB, webReadyOnly);
    expect(plan.original).toBe('replace');
    expect(copies(plan)).toEqual(['a/x.jpg 6000×4000']);
    expect(plan.copies[0]?.spec).toMatchObject({
      role: 'web-ready',
      suffix: '',
      quality: 0.8,
      maxBytes: 8 * MB,
    });
  });

  it.each([
    ['a TIFF', 'x.tif', header('tiff', 300, 200)],
    ['a PNG', 'x.png', header('png', 300, 200)],
    ['a JPEG named .png', 'x.png', header('jpeg', 300, 200)],
  ])('replaces %s, however small, by a JPEG copy', (_case, path, read) => {
    const plan = planImage(path, read, 1000, webReadyOnly);
    expect([plan.original, ...copies(plan)]).toEqual(['replace', 'x.jpg 300×200']);
  });

  it('makes the derivatives and the web-ready copy together, upright', () => {
    const plan = planImage('x.tif', header('tiff', 2000, 3000, 6), 30 * MB, webReady);
    expect(copies(plan)).toEqual([
      'x_tn.jpg 200×133',
      'x_med.jpg 1400×933',
      'x_lg.jpg 3000×2000',
      'x.jpg 3000×2000',
    ]);
    expect(plan.original).toBe('replace');
  });
});

describe('planImage: when no copy can be made', () => {
  it.each([
    ['a CZI', 'plate/x.czi', 'CZI'],
    ['a LIF', 'x.lif', 'LIF'],
    ['a HEIC', 'x.heic', 'HEIC'],
    ['a JPEG 2000', 'x.jp2', 'JPEG 2000'],
    ['an ND2', 'x.nd2', 'ND2'],
    ['an unknown extension', 'x.oib', 'OIB'],
    ['a file without extension', 'scan', 'its format'],
  ])('uploads %s as it is, with a note', (_case, path, format) => {
    expect(planImage(path, undefined, 5 * MB, symbiota)).toEqual({
      path,
      original: 'upload-uncopied',
      copies: [],
      notes: [`${path} is uploaded as it is: the browser cannot decode ${format}, so no web copy was made.`],
    });
  });

  it.each([
    ['notes.png', 'a PNG image'],
    ['x.jpg', 'a JPEG image'],
    ['slide.svs', 'a TIFF image'],
    ['x.bmp', 'a BMP image'],
  ])('reports %s, whose bytes are not the image its name promises', (path, promised) => {
    expect(planImage(path, undefined, 56, symbiota)).toEqual({
      path,
      original: 'upload-uncopied',
      copies: [],
      notes: [],
      problem: `${path} is uploaded as it is, with no web copy: its bytes are not those of ${promised} or of any other image the browser can decode; check that it is the image its name says.`,
    });
  });

  it('reports a damaged header with the reader’s own words', () => {
    const bytes = readFileSync(
      new URL('../../../tests/fixtures/images/tricky/png/broken.png', import.meta.url),
    );
    const plan = planImage(
      'a/broken.png',
      readImageHeader(new Uint8Array(bytes), bytes.length),
      bytes.length,
      symbiota,
    );
    expect(plan).toMatchObject({ original: 'upload-uncopied', copies: [], notes: [] });
    expect(plan.problem).toBe(
      'a/broken.png is uploaded as it is, with no web copy: its header is damaged (its first chunk is not IHDR, the one that gives the size), so it cannot be read as a PNG image; save it again from the program that made it.',
    );
  });

  it('reports an empty file', () => {
    expect(planImage('x.jpg', undefined, 0, symbiota).problem).toBe(
      'x.jpg is empty (0 bytes), so no web copy can be made of it; replace it with the image it should hold.',
    );
  });

  it.each([
    [
      'a PNG bomb of 65,536 × 65,536',
      header('png', 65536, 65536),
      'declares 65,536 × 65,536 pixels, more than the 268 million a browser can decode',
    ],
    [
      'a TIFF 65,535 pixels wide (libtiff_segfault.tif)',
      header('tiff', 65535, 900),
      'declares 65,535 × 900 pixels, wider than the 32,767 pixels a browser can decode',
    ],
    [
      'a scan taller than a canvas',
      header('tiff', 300, 40_000),
      'declares 300 × 40,000 pixels, taller than the 32,767 pixels a browser can decode',
    ],
    [
      'a 20,000 × 20,000 mosaic',
      header('jpeg', 20_000, 20_000),
      'declares 20,000 × 20,000 pixels, more than the 268 million a browser can decode',
    ],
  ])('refuses %s, naming the dimensions and the fix', (_case, read, middle) => {
    const plan = planImage('x.img', read, 10 * MB, symbiota);
    expect(plan).toMatchObject({ original: 'upload-uncopied', copies: [] });
    expect(plan.problem).toBe(
      `x.img ${middle}, so no web copy was made and it is uploaded as it is; make the copies with a desktop tool.`,
    );
  });

  it('accepts an image of exactly the canvas limit, and honours other limits', () => {
    expect(planImage('x.png', header('png', 16384, 16384), MB, symbiota).problem).toBeUndefined();
    const small = planImage('x.png', header('png', 2000, 1000), MB, symbiota, { maxPixels: 1_000_000 });
    expect(small.problem).toBe(
      'x.png declares 2,000 × 1,000 pixels, more than the 1 million a browser can decode, so no web copy was made and it is uploaded as it is; make the copies with a desktop tool.',
    );
    const narrow = planImage('x.png', header('png', 500, 500), MB, symbiota, { maxSide: 400 });
    expect(narrow.problem).toBe(
      'x.png declares 500 × 500 pixels, wider and taller than the 400 pixels a browser can decode, so no web copy was made and it is uploaded as it is; make the copies with a desktop tool.',
    );
  });
});

describe('copyPath', () => {
  it.each([
    ['a/b/WIS-L-0001234_a.jpg', '_tn', 'a/b/WIS-L-0001234_a_tn.jpg'],
    ['top.PNG', '_med', 'top_med.jpg'],
    ['a/x.ome.tif', '_lg', 'a/x_lg.jpg'],
    ['a/x.OME.TIFF', '', 'a/x.jpg'],
    ['a/x.ome.png', '_tn', 'a/x.ome_tn.jpg'],
    ['a/WIS-L-0001234.a.jpg', '_tn', 'a/WIS-L-0001234.a_tn.jpg'],
    ['scan', '_tn', 'scan_tn.jpg'],
    ['.hidden', '_tn', '.hidden_tn.jpg'],
  ])('names the %s copy with suffix "%s" %s', (path, suffix, expected) => {
    expect(copyPath(path, suffix)).toBe(expected);
  });
});

describe('copySize and uprightSize', () => {
  it.each([
    [{ maxWidth: 200 }, 1800, 1200, [200, 133]],
    [{ maxWidth: 200 }, 150, 1200, [150, 1200]],
    [{ maxWidth: 200 }, 20_000, 1, [200, 1]],
    [{ maxSide: 150 }, 1024, 4096, [38, 150]],
    [{ maxSide: 150 }, 4096, 4096, [150, 150]],
    [{ maxWidth: 1000, maxSide: 150 }, 3000, 2000, [150, 100]],
    [{}, 6000, 4000, [6000, 4000]],
    [{ maxWidth: 200 }, 0, 100, [0, 0]],
  ] as const)('sizes %j of %i × %i as %j', (spec, width, height, [w, h]) => {
    expect(copySize(spec, width, height)).toEqual({ width: w, height: h });
  });

  it('swaps width and height for orientations 5 to 8 only', () => {
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8].map((o) => uprightSize(header('jpeg', 3, 2, o)).width);
    expect(sizes).toEqual([3, 3, 3, 3, 2, 2, 2, 2]);
  });
});

describe('nameClashes', () => {
  const plan = (path: string, read: ImageHeader, policy: ImagePolicy = symbiota) =>
    planImage(path, read, 20 * MB, policy);

  it('finds none among ordinary derivatives, and none for a web-ready copy that takes its own original’s name', () => {
    const plans = [
      plan('a/x.jpg', header('jpeg', 10, 10)),
      plan('a/big.jpg', header('jpeg', 10, 10), webReadyOnly),
    ];
    expect(nameClashes(plans, ['a/x.jpg', 'a/big.jpg', 'a/notes.csv'])).toEqual([]);
  });

  it('names a copy that would take the name of a file already in the folder, in any case', () => {
    const plans = [plan('a/x.tif', header('tiff', 10, 10))];
    expect(nameClashes(plans, ['a/x.tif', 'a/x_tn.jpg'])).toEqual([
      'a/x_tn.jpg, the thumbnail of a/x.tif, would have the same name as a/x_tn.jpg, which is already in the folder; rename one of them.',
    ]);
    expect(nameClashes(plans, ['a/x.tif', 'a/X_Med.JPG'])).toEqual([
      'a/x_med.jpg, the web image of a/x.tif, would have the same name as a/X_Med.JPG, which is already in the folder (names that differ only in case clash on portals and on Windows and macOS disks); rename one of them.',
    ]);
  });

  it('names copies of different originals that would share a name, once per name', () => {
    const plans = [
      plan('a/x.png', header('png', 10, 10), webReadyOnly),
      plan('a/x.tif', header('tiff', 10, 10), webReadyOnly),
      plan('a/X.jpeg', header('jpeg', 10, 10), webReadyOnly),
    ];
    expect(nameClashes(plans, ['a/x.png', 'a/x.tif', 'a/X.jpeg'])).toEqual([
      "a/x.jpg would be made from 3 images, as the web-ready copy of a/x.png, the web-ready copy of a/x.tif and the web-ready copy of a/X.jpeg (names that differ only in case clash on portals and on Windows and macOS disks); rename all but one of the originals so that their copies' names differ.",
    ]);
  });

  it('names two copies and the file already in the way together', () => {
    const plans = [
      plan('x.png', header('png', 10, 10), webReadyOnly),
      plan('x.tif', header('tiff', 10, 10), webReadyOnly),
    ];
    expect(nameClashes(plans, ['x.png', 'x.tif', 'x.jpg'])).toEqual([
      "x.jpg would be made from 2 images, as the web-ready copy of x.png and the web-ready copy of x.tif, and x.jpg is already in the folder; rename one of the originals so that their copies' names differ.",
    ]);
  });

  it('lists 20 clashes and counts the rest among 100,000 images', () => {
    const plans = Array.from({ length: 100_000 }, (_, i) => plan(`f/${i}.tif`, header('tiff', 10, 10)));
    const existing = plans.map((p) => p.path);
    expect(nameClashes(plans, existing)).toEqual([]);
    const clashing = Array.from({ length: 25 }, (_, i) => `f/${i}_tn.jpg`);
    const sentences = nameClashes(plans, [...existing, ...clashing]);
    expect(sentences).toHaveLength(21);
    expect(sentences[20]).toBe('5 more clashes like these are not listed.');
    expect(nameClashes(plans.slice(0, 2), ['f/0_tn.jpg', 'f/1_tn.jpg'], 1)[1]).toBe(
      '1 more clash like these is not listed.',
    );
  });
});
