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

  it('grows a region into the less busy blocks beside it, as many blocks out as asked, and no further', () => {
    // Bars on every other pixel in the middle, on every eighth for two blocks each side (a code's edges, sampled
    // small, are less busy than its middle).
    const code = (x: number, y: number) =>
      y >= 96 && y < 128 && x >= 96 && x < 224
        ? (x < 112 || x >= 208 ? x % 8 === 4 : x % 2 === 0)
          ? 10
          : 250
        : undefined;
    const rgba = sheet(code);
    const strict = { density: 0.25, margin: 0 };
    const [tight] = labelRegions(rgba, WIDTH, HEIGHT, strict);
    expect(tight).toEqual({ x: 112, y: 96, width: 96, height: 32 });
    expect(labelRegions(rgba, WIDTH, HEIGHT, { ...strict, growBlocks: 1 })[0]).toEqual({
      x: 104,
      y: 96,
      width: 112,
      height: 32,
    });
    expect(labelRegions(rgba, WIDTH, HEIGHT, { ...strict, growBlocks: 4 })[0]).toEqual({
      x: 96,
      y: 96,
      width: 128,
      height: 32,
    });
  });

  it('weighs the bytes of BGRA pixels as blue first when told so', () => {
    // Black bars on red paper: red weighs enough for the bars to be sharp steps, blue does not.
    const bgra = new Uint8ClampedArray(WIDTH * HEIGHT * 4);
    for (let y = 0; y < HEIGHT; y += 1) {
      for (let x = 0; x < WIDTH; x += 1) {
        bgra.set(bars(x, y, 40, 240) === 10 ? [0, 0, 0, 255] : [0, 0, 255, 255], (y * WIDTH + x) * 4);
      }
    }
    const [region] = labelRegions(bgra, WIDTH, HEIGHT, { order: 'bgra' });
    expect(region && inside(region, 80, 252)).toBe(true);
    expect(labelRegions(bgra, WIDTH, HEIGHT)).toEqual([]);
  });
});
