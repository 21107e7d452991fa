import { describe, expect, it } from 'vitest';
import { fitUnderLimit, type FitResult, type FitSuccess } from '#core/images/quality-search';

const MB = 1_000_000;
const limit = 8 * MB;

/**
 * A fake JPEG encoder: bytes = `at80` × e^(slope × (quality − 0.8)) × scale^`exponent`, rounded, optionally
 * never below `floor` bytes. It records every call, as the worker's encoder keeps every blob.
 */
function model(at80: number, slope: number, { exponent = 2, floor = 0 } = {}) {
  const size = (quality: number, scale: number) =>
    Math.max(floor, Math.round(at80 * Math.exp(slope * (quality - 0.8)) * scale ** exponent));
  const calls: [number, number][] = [];
  const encode = (quality: number, scale: number) => {
    calls.push([quality, scale]);
    return Promise.resolve(size(quality, scale));
  };
  /** The highest quality (to 0.01) up to 0.8, the start of every search here, that fits at this scale. */
  const bestQuality = (scale: number) => {
    for (let q = 80; q >= 1; q -= 1) if (size(q / 100, scale) <= limit) return q / 100;
    return 0;
  };
  return { encode, calls, size, bestQuality };
}

const fitted = (result: FitResult): FitSuccess => {
  if ('problem' in result) throw new Error(result.problem);
  return result;
};

describe('fitUnderLimit', () => {
  it('encodes once when the start quality fits, which is the common case', async () => {
    const photo = model(5 * MB, 3);
    expect(await fitUnderLimit(photo.encode, { quality: 0.8, maxBytes: limit })).toEqual({
      quality: 0.8,
      scale: 1,
      bytes: 5 * MB,
      encodes: 1,
    });
    expect(photo.calls).toEqual([[0.8, 1]]);
  });

  it('fits in two encodings when the typical slope predicts well, close to the best quality', async () => {
    const photo = model(12 * MB, 2.5);
    const result = fitted(await fitUnderLimit(photo.encode, { quality: 0.8, maxBytes: limit }));
    expect(result.encodes).toBe(2);
    expect(result.bytes).toBeLessThanOrEqual(limit);
    expect(result.bytes).toBe(photo.size(result.quality, 1));
    expect(result.quality).toBeGreaterThanOrEqual(photo.bestQuality(1) - 0.03);
  });

  it('corrects a prediction that missed with the secant through the two measurements', async () => {
    // Flatter than the typical slope: the first prediction lands over the limit.
    const photo = model(10 * MB, 1.5);
    const result = fitted(await fitUnderLimit(photo.encode, { quality: 0.8, maxBytes: limit }));
    expect(photo.size(photo.calls[1]?.[0] ?? 0, 1)).toBeGreaterThan(limit);
    expect(result.encodes).toBe(3);
    expect(result.bytes).toBeLessThanOrEqual(limit);
    // Aiming 5% under the limit costs more quality the flatter the curve: here 0.03.
    expect(result.quality).toBeGreaterThanOrEqual(photo.bestQuality(1) - 0.05);
  });

  it('tries a higher quality when the first fitting one is far under the limit', async () => {
    // Steeper than typical: the first prediction undershoots to about 60% of the limit.
    const photo = model(10 * MB, 8);
    const result = fitted(await fitUnderLimit(photo.encode, { quality: 0.8, maxBytes: limit }));
    expect(photo.size(photo.calls[1]?.[0] ?? 0, 1)).toBeLessThan(0.85 * limit);
    expect(result.encodes).toBe(3);
    expect(result.quality).toBeGreaterThan(photo.calls[1]?.[0] ?? 1);
    expect(result.quality).toBeGreaterThanOrEqual(photo.bestQuality(1) - 0.02);
    expect(result.bytes).toBeLessThanOrEqual(limit);
  });

  it('scales the pixels down by √(limit / size) × 0.95 when even the lowest quality does not fit', async () => {
    const scan = model(40 * MB, 2.5);
    const result = fitted(await fitUnderLimit(scan.encode, { quality: 0.8, maxBytes: limit }));
    const atFloor = scan.size(0.5, 1);
    expect(scan.calls).toEqual([
      [0.8, 1],
      [0.5, 1],
      [0.5, Math.sqrt(limit / atFloor) * 0.95],
    ]);
    expect(result).toMatchObject({ quality: 0.5, encodes: 3 });
    expect(result.scale).toBeLessThan(1);
    expect(result.bytes).toBeLessThanOrEqual(limit);
  });

  it('scales down at once, without encoding the lowest quality, when two measurements put it over the limit', async () => {
    const photo = model(9.5 * MB, 1);
    const result = fitted(
      await fitUnderLimit(photo.encode, { quality: 0.8, maxBytes: limit, minQuality: 0.7 }),
    );
    expect(photo.calls.map(([, scale]) => scale < 1)).toEqual([false, false, true]);
    expect(photo.calls[2]?.[0]).toBe(0.7);
    expect(result).toMatchObject({ quality: 0.7, encodes: 3 });
    expect(result.bytes).toBeLessThanOrEqual(limit);
  });

  it('scales down again when sizes shrink more slowly than the area', async () => {
    const scan = model(60 * MB, 2.5, { exponent: 1.2 });
    const result = fitted(await fitUnderLimit(scan.encode, { quality: 0.8, maxBytes: limit, maxEncodes: 6 }));
    const scales = scan.calls.map(([, scale]) => scale);
    expect(scales.filter((scale) => scale < 1).length).toBeGreaterThanOrEqual(2);
    expect(result.bytes).toBeLessThanOrEqual(limit);
    expect(result.bytes).toBe(scan.size(result.quality, result.scale));
  });

  it('reports a problem, never an over-limit result, when nothing fits within the budget', async () => {
    const stubborn = model(100 * MB, 2.5, { floor: 20 * MB });
    const result = await fitUnderLimit(stubborn.encode, { quality: 0.8, maxBytes: limit });
    expect(result).toEqual({
      problem:
        'no JPEG of at most 8 MB came out of 4 encodings (the smallest was 20.0 MB, at quality 50 and 39% of the full size); raise the size limit, or make this copy with a desktop tool',
      encodes: 4,
    });
    expect(stubborn.calls).toHaveLength(4);
  });

  it('keeps to the budget it is given', async () => {
    const stubborn = model(100 * MB, 2.5, { floor: 20 * MB });
    const result = await fitUnderLimit(stubborn.encode, { quality: 0.8, maxBytes: limit, maxEncodes: 1 });
    expect(result).toEqual({
      problem:
        'no JPEG of at most 8 MB came out of 1 encoding (the smallest was 100.0 MB, at quality 80); raise the size limit, or make this copy with a desktop tool',
      encodes: 1,
    });
  });

  it('never starts above quality 1, nor searches below a start under the lowest quality', async () => {
    const photo = model(40 * MB, 2.5);
    await fitUnderLimit(photo.encode, { quality: 1.7, maxBytes: limit });
    expect(photo.calls[0]).toEqual([1, 1]);
    const low = model(40 * MB, 2.5);
    const result = fitted(await fitUnderLimit(low.encode, { quality: 0.3, maxBytes: limit }));
    expect(low.calls.map(([quality]) => quality)).toEqual([0.3, 0.3]);
    expect(result.scale).toBeLessThan(1);
  });

  it('reports an encoder that returns nothing, and a limit that is not a size, without encoding on', async () => {
    const empty = () => Promise.resolve(0);
    expect(await fitUnderLimit(empty, { quality: 0.8, maxBytes: limit })).toEqual({
      problem: 'the JPEG encoder returned no data; try again, or make this copy with a desktop tool',
      encodes: 1,
    });
    const photo = model(MB, 2.5);
    expect(await fitUnderLimit(photo.encode, { quality: 0.8, maxBytes: 0 })).toEqual({
      problem: 'the size limit 0 is not a number of bytes above 0',
      encodes: 0,
    });
    expect(photo.calls).toEqual([]);
  });

  it('on 500 photos of all kinds: fits within 4 encodings, returns an encoding it made, and never goes over', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let fittedAtOnce = 0;
    for (let i = 0; i < 500; i += 1) {
      const photo = model((0.3 + random() * 6) * limit, 0.8 + random() * 5, {
        exponent: 1.6 + random() * 0.5,
      });
      const result = await fitUnderLimit(photo.encode, { quality: 0.8, maxBytes: limit });
      expect(result.encodes).toBeLessThanOrEqual(4);
      expect(result.encodes).toBe(photo.calls.length);
      if ('problem' in result) continue;
      expect(photo.calls).toContainEqual([result.quality, result.scale]);
      expect(result.bytes).toBe(photo.size(result.quality, result.scale));
      expect(result.bytes).toBeLessThanOrEqual(limit);
      expect(result.quality).toBeLessThanOrEqual(0.8);
      if (result.scale === 1) expect(result.quality).toBeGreaterThanOrEqual(photo.bestQuality(1) - 0.07);
      if (result.encodes === 1) fittedAtOnce += 1;
    }
    expect(fittedAtOnce).toBeGreaterThan(50);
  });
});
