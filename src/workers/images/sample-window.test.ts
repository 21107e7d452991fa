import { describe, expect, it } from 'vitest';
import {
  decoded,
  greyOf,
  imageTags,
  ramp,
  samples16,
  stretchNote,
  tiff,
} from '../../../tests/unit/images/tiff-files';

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

  it('stretches signed 16-bit values', () => {
    const values = ramp(100, -500, 490);
    const image = decoded(tiff([{ tags: imageTags(10, 10, 16, 1, { 339: [2] }), strip: samples16(values) }]));
    expect(image.notes).toEqual([stretchNote('signed 16-bit', '-500 to 490')]);
    expect([greyOf(image)[0], greyOf(image)[99]]).toEqual([0, 255]);
  });

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
});
