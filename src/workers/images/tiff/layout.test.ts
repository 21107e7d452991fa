import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PIXELS } from './decode';
import { decoded, imageTags, NO_COPY, problemOf, tiff } from '../../../../tests/unit/images/tiff-files';

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
