/**
 * Samples of any type (8 to 32 bits, signed, floating point) to bytes: through the whole range of their type,
 * or stretched over the range an image actually uses (scientific images often fill a small part of it),
 * leaving out the extreme 0.1 % at each end.
 */

export type SampleFormat = 'uint' | 'int' | 'float';

/** What a sample is: its width and whether it is unsigned, signed or floating point. */
export interface SampleType {
  readonly bits: number;
  readonly format: SampleFormat;
}

export type SampleArray =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** One channel of an image: the value of pixel i is `data[offset + i * stride]`. */
export interface Channel {
  readonly data: SampleArray;
  readonly offset: number;
  readonly stride: number;
}

/** A channel already in 8 bits. */
export interface ByteChannel {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly offset: number;
  readonly stride: number;
}

/** How samples become bytes: as they are, through a table (up to 16 bits), or by a linear formula. */
type ByteMap =
  | { readonly kind: 'identity' }
  | { readonly kind: 'table'; readonly table: Uint8ClampedArray; readonly bias: number }
  | { readonly kind: 'linear'; readonly low: number; readonly scale: number };

/** The range of values mapped to 0–255, and whether values outside it (the extreme 0.1 % each side) exist. */
export interface Stretch {
  readonly low: number;
  readonly high: number;
  readonly clipped: boolean;
}

/** Share of samples at each end left out of the stretch, so a few hot or dead pixels do not flatten the rest. */
const STRETCH_CLIP = 0.001;

/** Histogram bins for 32-bit and floating-point samples, whose values cannot each have a bin. */
const STRETCH_BINS = 4096;

/** Maps `low`…`high` linearly to 0–255 (clamped; NaN becomes 0). */
export function byteMap(low: number, high: number, sampleType: SampleType): ByteMap {
  const scale = high > low ? 255 / (high - low) : 0;
  if (sampleType.format === 'float' || sampleType.bits > 16) return { kind: 'linear', low, scale };
  const bias = sampleType.format === 'int' ? 2 ** (sampleType.bits - 1) : 0;
  const table = new Uint8ClampedArray(2 ** sampleType.bits);
  for (let value = 0; value < table.length; value += 1) table[value] = (value - bias - low) * scale;
  return { kind: 'table', table, bias };
}

/** The whole range of the sample type to 0–255; floating point as 0–1. */
export function fullRangeMap(sampleType: SampleType): ByteMap {
  if (sampleType.format === 'uint' && sampleType.bits === 8) return { kind: 'identity' };
  if (sampleType.format === 'float') return byteMap(0, 1, sampleType);
  const low = sampleType.format === 'int' ? -(2 ** (sampleType.bits - 1)) : 0;
  return byteMap(low, low + 2 ** sampleType.bits - 1, sampleType);
}

export function toBytes(channel: Channel, map: ByteMap, pixels: number): ByteChannel {
  const { data, offset, stride } = channel;
  if (map.kind === 'identity' && data instanceof Uint8Array) return { data, offset, stride };
  const bytes = new Uint8ClampedArray(pixels);
  if (map.kind === 'table') {
    const { table, bias } = map;
    for (let i = 0, at = offset; i < pixels; i += 1, at += stride) bytes[i] = table[data[at]! + bias]!;
  } else if (map.kind === 'linear') {
    const { low, scale } = map;
    for (let i = 0, at = offset; i < pixels; i += 1, at += stride) bytes[i] = (data[at]! - low) * scale;
  }
  return { data: bytes, offset: 0, stride: 1 };
}

/** The stretch of the colour channels together (so colours keep their balance); none when all values are equal. */
export function stretchOf(
  channels: readonly Channel[],
  pixels: number,
  sampleType: SampleType,
): Stretch | undefined {
  return sampleType.format !== 'float' && sampleType.bits <= 16
    ? exactStretch(channels, pixels, sampleType)
    : binnedStretch(channels, pixels);
}

/** Up to 16 bits every value has its own histogram bin, so the ends are exact. */
function exactStretch(
  channels: readonly Channel[],
  pixels: number,
  sampleType: SampleType,
): Stretch | undefined {
  const bias = sampleType.format === 'int' ? 2 ** (sampleType.bits - 1) : 0;
  const counts = new Uint32Array(2 ** sampleType.bits);
  for (const { data, offset, stride } of channels) {
    for (let i = 0, at = offset; i < pixels; i += 1, at += stride) {
      const bin = data[at]! + bias;
      counts[bin] = counts[bin]! + 1;
    }
  }
  const ends = histogramEnds(counts, pixels * channels.length);
  return ends && stretchBetween(ends.min - bias, ends.max - bias, ends.low - bias, ends.high - bias);
}

/** 32-bit and floating-point values: the range first (NaN and infinities left out), then a histogram over it. */
function binnedStretch(channels: readonly Channel[], pixels: number): Stretch | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const { data, offset, stride } of channels) {
    for (let i = 0, at = offset; i < pixels; i += 1, at += stride) {
      const value = data[at]!;
      if (value < min && value > -Infinity) min = value;
      if (value > max && value < Infinity) max = value;
    }
  }
  if (!(max > min)) return undefined;
  const scale = STRETCH_BINS / (max - min);
  const counts = new Uint32Array(STRETCH_BINS);
  let counted = 0;
  for (const { data, offset, stride } of channels) {
    for (let i = 0, at = offset; i < pixels; i += 1, at += stride) {
      const value = data[at]!;
      if (!(value >= min && value <= max)) continue;
      const bin = Math.min(STRETCH_BINS - 1, Math.floor((value - min) * scale));
      counts[bin] = counts[bin]! + 1;
      counted += 1;
    }
  }
  const ends = histogramEnds(counts, counted)!;
  const low = ends.low === ends.min ? min : min + ends.low / scale;
  const high = ends.high === ends.max ? max : Math.min(max, min + (ends.high + 1) / scale);
  return stretchBetween(min, max, low, high);
}

/** The first and last bins in use, and the bins where the clipped share at each end is passed. */
function histogramEnds(
  counts: Uint32Array,
  total: number,
): { min: number; max: number; low: number; high: number } | undefined {
  const min = counts.findIndex((count) => count > 0);
  if (min === -1) return undefined;
  const max = counts.findLastIndex((count) => count > 0);
  const clip = Math.floor(total * STRETCH_CLIP);
  let low = min;
  for (let seen = counts[low]!; seen <= clip; seen += counts[low]!) low += 1;
  let high = max;
  for (let seen = counts[high]!; seen <= clip; seen += counts[high]!) high -= 1;
  return { min, max, low, high };
}

function stretchBetween(min: number, max: number, low: number, high: number): Stretch | undefined {
  if (!(max > min)) return undefined;
  if (!(high > low)) return { low: min, high: max, clipped: false };
  return { low, high, clipped: low > min || high < max };
}
