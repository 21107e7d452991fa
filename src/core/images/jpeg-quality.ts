/**
 * A first guess at the JPEG quality that brings a copy under its size limit, so that the common case costs one
 * encode: the source JPEG's own quality (read from its quantization table) and size say how its bytes grow
 * with quality, and a copy of the same picture at a lower quality is predicted from them.
 */

/** IJG's luminance quantization table (quality 50), in the zigzag order a DQT segment stores it. */
const standardLuminance = [
  16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37, 29, 40, 58,
  51, 61, 60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87, 95, 98, 103, 104, 103,
  62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
];

/**
 * The IJG quality (0–1) a JPEG was saved at, estimated from its first luminance quantization table, or undefined
 * when the bytes hold none (not a JPEG, or the table lies beyond them). Encoders other than libjpeg's scale
 * their tables differently, so this is an estimate, good to a few percent.
 */
export function estimateJpegQuality(bytes: Uint8Array): number | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const length = ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0);
    if (length < 2) return undefined;
    if (marker === 0xdb) return fromTables(bytes, at + 4, at + 2 + length);
    at += 2 + length;
  }
  return undefined;
}

function fromTables(bytes: Uint8Array, from: number, end: number): number | undefined {
  let at = from;
  while (at < end && at < bytes.length) {
    const info = bytes[at] ?? 0;
    const wide = info >> 4 === 1;
    const id = info & 0x0f;
    const size = wide ? 128 : 64;
    if (at + 1 + size > bytes.length) return undefined;
    if (id === 0) {
      let scale = 0;
      for (let i = 0; i < 64; i += 1) {
        const value = wide
          ? ((bytes[at + 1 + 2 * i] ?? 0) << 8) | (bytes[at + 2 + 2 * i] ?? 0)
          : (bytes[at + 1 + i] ?? 0);
        scale += (value * 100) / (standardLuminance[i] ?? 1);
      }
      scale /= 64;
      const quality = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
      return Math.min(1, Math.max(0.01, quality / 100));
    }
    at += 1 + size;
  }
  return undefined;
}

/** How fast a JPEG's bytes fall with quality: ln(bytes) drops by about this per unit of quality near 0.7–0.95. */
const bytesPerQuality = 3;
/** Aim under the limit by this much, so that the guess fits despite the model's error. */
const aim = 0.92;

export interface SourceJpeg {
  readonly quality: number;
  readonly bytes: number;
  readonly pixels: number;
}

/**
 * The quality to try first for a copy of `pixels` pixels under `maxBytes`: the set `quality` when the copy is
 * predicted to fit at it, else the quality predicted to land a little under the limit (never above the set one,
 * never below `floor`). Without a source JPEG to predict from, the set quality.
 */
export function startQuality(
  source: SourceJpeg | undefined,
  copy: {
    readonly pixels: number;
    readonly quality: number;
    readonly maxBytes: number;
    readonly floor?: number;
  },
): number {
  if (source === undefined || !(source.bytes > 0 && source.pixels > 0 && copy.pixels > 0))
    return copy.quality;
  const sameQuality = source.bytes * (copy.pixels / source.pixels);
  const predicted = (quality: number) =>
    sameQuality * Math.exp(-bytesPerQuality * (source.quality - quality));
  if (predicted(copy.quality) <= aim * copy.maxBytes) return copy.quality;
  const quality = source.quality + Math.log((aim * copy.maxBytes) / sameQuality) / bytesPerQuality;
  const floor = copy.floor ?? 0.5;
  return Math.round(Math.min(copy.quality, Math.max(floor, quality)) * 100) / 100;
}
