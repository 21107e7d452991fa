import { describe, expect, it } from 'vitest';
import { decoded, greyOf, imageTags, tiff } from '../../../../tests/unit/images/tiff-files';

describe('decodeTiff reads the bit order of FillOrder 2', () => {
  it('reads 1-bit data stored least significant bit first (FillOrder 2) like the usual order', () => {
    const usual = tiff([{ tags: imageTags(8, 2, 1, 1), strip: Uint8Array.from([0b10110000, 0b00000001]) }]);
    const reversed = tiff([
      { tags: imageTags(8, 2, 1, 1, { 266: [2] }), strip: Uint8Array.from([0b00001101, 0b10000000]) },
    ]);
    expect(greyOf(decoded(reversed))).toEqual(greyOf(decoded(usual)));
    expect(greyOf(decoded(usual))).toEqual([255, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255]);
  });
});
