import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  decoded,
  floats32,
  greyOf,
  imageTags,
  ramp,
  samples16,
  stretchNote,
  tiff,
} from '../../../../tests/unit/images/tiff-files';

describe('decodeTiff undoes the horizontal and floating-point predictors', () => {
  it('reads big-endian 16-bit Deflate data with the horizontal predictor (MinIsWhite, so inverted after stretching)', () => {
    const values = ramp(8, 0, 1000);
    const differences = values.map((value, i) => (i % 4 === 0 ? value : value - values[i - 1]!));
    const strip = zlibSync(samples16(differences, true));
    const image = decoded(
      tiff([{ tags: imageTags(4, 2, 16, 0, { 259: [8], 317: [2] }), strip }], { bigEndian: true }),
    );
    expect(greyOf(image)).toEqual(values.map((value) => 255 - Math.round((value * 255) / 1000)));
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
