import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateJpegQuality, startQuality } from '#core/images/jpeg-quality';

const fixture = (path: string) =>
  new Uint8Array(readFileSync(join(import.meta.dirname, '../../../tests/fixtures/images', path)));

/** A JPEG start, then one DQT segment holding `table` (64 values, zigzag order) as table 0. */
function jpegWithTable(table: readonly number[]): Uint8Array {
  return new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 0, 67, 0x00, ...table, 0xff, 0xd9]);
}

/** IJG's scaling of its standard table for a quality in percent, as libjpeg writes it. */
function ijgTable(quality: number): number[] {
  const std = [
    16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37, 29, 40,
    58, 51, 61, 60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87, 95, 98, 103, 104,
    103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
  ];
  const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  return std.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

describe('estimateJpegQuality', () => {
  it.each([30, 50, 75, 80, 90, 95])('reads quality %i back from an IJG table', (quality) => {
    expect(estimateJpegQuality(jpegWithTable(ijgTable(quality)))).toBeCloseTo(quality / 100, 1);
  });

  it('reads a real camera JPEG', () => {
    const quality = estimateJpegQuality(fixture('exif-orientation/Landscape_1.jpg'));
    expect(quality).toBeGreaterThan(0.5);
    expect(quality).toBeLessThanOrEqual(1);
  });

  it.each([
    ['a PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47])],
    ['a JPEG cut before its tables', new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 0, 67, 0])],
    ['a JPEG whose scan starts first', new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2])],
    ['garbage after the start', new Uint8Array([0xff, 0xd8, 0x00, 0x00, 0, 0])],
  ])('says nothing for %s', (_case, bytes) => expect(estimateJpegQuality(bytes)).toBeUndefined());
});

describe('startQuality', () => {
  const copy = { pixels: 24e6, quality: 0.8, maxBytes: 8e6 };

  it('keeps the set quality when the copy is predicted to fit, or when there is nothing to predict from', () => {
    expect(startQuality({ quality: 0.9, bytes: 6e6, pixels: 24e6 }, copy)).toBe(0.8);
    expect(startQuality(undefined, copy)).toBe(0.8);
    expect(startQuality({ quality: 0.95, bytes: 18e6, pixels: 24e6 }, { ...copy, pixels: 2e6 })).toBe(0.8);
  });

  it('starts lower for a big high-quality source, aiming a little under the limit', () => {
    const source = { quality: 0.95, bytes: 15.4e6, pixels: 24e6 };
    const quality = startQuality(source, copy);
    expect(quality).toBeLessThan(0.8);
    const predicted = source.bytes * Math.exp(-3 * (source.quality - quality));
    expect(predicted).toBeLessThanOrEqual(8e6);
    expect(predicted).toBeGreaterThan(0.85 * 8e6);
  });

  it('never goes below the floor', () => {
    expect(startQuality({ quality: 1, bytes: 100e6, pixels: 24e6 }, { ...copy, floor: 0.5 })).toBe(0.5);
  });
});
