import { describe, expect, it } from 'vitest';
import { labelRegions, type Region } from '#core/barcodes/label-regions';

const WIDTH = 400;
const HEIGHT = 300;

/** Paper with what `paint` draws on it, as RGBA; `paint` gives a pixel's grey (0–255) or undefined for paper. */
function sheet(paint: (x: number, y: number) => number | undefined): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(WIDTH * HEIGHT * 4);
  for (let y = 0; y < HEIGHT; y += 1) {
    for (let x = 0; x < WIDTH; x += 1) {
      const grey = paint(x, y) ?? 230;
      rgba.set([grey, grey, grey, 255], (y * WIDTH + x) * 4);
    }
  }
  return rgba;
}

const inside = (r: Region, x: number, y: number) =>
  x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;

/** Bars one or two pixels wide on a white label, as a 1-cm Code 128 looks on a quarter-size copy. */
const bars = (x: number, y: number, left: number, top: number) =>
  x >= left && x < left + 80 && y >= top && y < top + 24 ? ((x * 7) % 5 < 2 ? 10 : 250) : undefined;
/** A Data Matrix-like checkerboard of 3-pixel modules. */
const matrix = (x: number, y: number, left: number, top: number) =>
  x >= left && x < left + 36 && y >= top && y < top + 36
    ? (Math.floor(x / 3) * 31 + Math.floor(y / 3) * 17) % 3 === 0
      ? 10
      : 250
    : undefined;
/** A thick dark stem: a soft-edged diagonal band. */
const stem = (x: number, y: number) => {
  const d = Math.abs(x - y - 50);
  return d < 6 ? 70 : d < 9 ? 150 : undefined;
};

describe('labelRegions', () => {
  it('finds a linear code and a matrix code, each in a region of its own, and leaves a stem out', () => {
    const rgba = sheet((x, y) => bars(x, y, 40, 240) ?? matrix(x, y, 300, 40) ?? stem(x, y));
    const regions = labelRegions(rgba, WIDTH, HEIGHT);
    const linear = regions.find((r) => inside(r, 80, 252));
    const square = regions.find((r) => inside(r, 318, 58));
    expect(linear).toBeDefined();
    expect(square).toBeDefined();
    expect(linear).not.toBe(square);
    // The whole code and its margin are inside its region.
    for (const [x, y] of [
      [40, 240],
      [119, 263],
    ] as const) {
      expect(inside(linear as Region, x, y)).toBe(true);
    }
    // No region lies on the stem far from the codes.
    expect(regions.some((r) => inside(r, 200, 150))).toBe(false);
  });

  it('finds nothing on bare paper with a stem', () => {
    expect(labelRegions(sheet(stem), WIDTH, HEIGHT)).toEqual([]);
  });

  it('gives the largest region first and no more than asked for', () => {
    const rgba = sheet((x, y) => bars(x, y, 40, 240) ?? matrix(x, y, 300, 40));
    const regions = labelRegions(rgba, WIDTH, HEIGHT);
    expect(regions[0] && inside(regions[0], 80, 252)).toBe(true);
    expect(labelRegions(rgba, WIDTH, HEIGHT, { maxRegions: 1 })).toHaveLength(1);
  });
});
