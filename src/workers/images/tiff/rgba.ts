/** Decoded samples to 8-bit RGBA: grey, RGB, CMYK and palette colours, alpha, and deep samples stretched. */
import { formatCount } from '#core/format';
import { TAG } from '#core/images/tiff/tags';
import {
  byteMap,
  type ByteChannel,
  type Channel,
  fullRangeMap,
  type SampleArray,
  type SampleFormat,
  type Stretch,
  stretchOf,
  toBytes,
} from '../sample-window';
import { colourChannels, type Layout, PHOTOMETRIC, sampleKind } from './layout';
import type { Raster } from './raster';

export function toRgba(
  raster: Raster,
  layout: Layout,
): { rgba: Uint8ClampedArray<ArrayBuffer>; notes: string[] } {
  const pixels = layout.width * layout.height;
  const rgba = new Uint8ClampedArray(pixels * 4);
  if (raster.photometric === PHOTOMETRIC.palette) {
    const colorMap = layout.tags.numbers(TAG.colorMap, 3 * 2 ** raster.bits) ?? [];
    paletteToRgba(channelOf(raster, 0, layout), colorMap, raster.bits, rgba);
    return { rgba, notes: [] };
  }
  const colourCount = colourChannels(raster.photometric);
  const colours = Array.from({ length: colourCount }, (_, index) => channelOf(raster, index, layout));
  // Grey and RGB data beyond 8 bits is stretched; CMYK keeps its ink amounts, alpha its opacity.
  const stretched = raster.photometric !== PHOTOMETRIC.cmyk && isBeyondEightBits(raster);
  const stretch = stretched ? stretchOf(colours, pixels, raster) : undefined;
  const colourMap = stretch ? byteMap(stretch.low, stretch.high, raster) : fullRangeMap(raster);
  const bytes = colours.map((channel) => toBytes(channel, colourMap, pixels));
  const alphaKind = raster.samples > colourCount ? layout.extraSamples[0] : undefined;
  const alpha =
    alphaKind === 1 || alphaKind === 2
      ? toBytes(channelOf(raster, colourCount, layout), fullRangeMap(raster), pixels)
      : undefined;
  if (raster.photometric === PHOTOMETRIC.rgb) composeRgb(rgba, bytes, pixels);
  else if (raster.photometric === PHOTOMETRIC.cmyk) composeCmyk(rgba, bytes, pixels);
  else composeGrey(rgba, bytes[0]!, raster.photometric === PHOTOMETRIC.minIsWhite, pixels);
  fillAlpha(rgba, alpha, pixels);
  if (alphaKind === 1) unpremultiply(rgba);
  return { rgba, notes: stretch ? [stretchNote(stretch, raster)] : [] };
}

function isBeyondEightBits(raster: Raster): boolean {
  return !(raster.format === 'uint' && raster.bits <= 8);
}

function stretchNote(stretch: Stretch, raster: Raster): string {
  const show = (value: number) =>
    raster.format === 'float'
      ? value.toLocaleString('en-US', { maximumSignificantDigits: 4 })
      : formatCount(Math.round(value));
  const range = `${stretch.clipped ? 'mostly ' : ''}${show(stretch.low)} to ${show(stretch.high)}`;
  return `its ${sampleKind(raster.bits, raster.format)} values (${range}) were stretched to 8 bits for the web copy; the original is uploaded unchanged.`;
}

function channelOf(raster: Raster, index: number, layout: Layout): Channel {
  if (raster.bits < 8)
    return {
      data: unpackBits(raster.planes[0]!, layout.width, layout.height, raster.bits),
      offset: 0,
      stride: 1,
    };
  const separate = raster.planes.length > 1;
  const plane = raster.planes[separate ? index : 0]!;
  return {
    data: samplesOf(plane, raster.bits, raster.format),
    offset: separate ? 0 : index,
    stride: raster.samplesPerPlane,
  };
}

function samplesOf(plane: Uint8Array<ArrayBuffer>, bits: number, format: SampleFormat): SampleArray {
  const { buffer, byteOffset, length } = plane;
  if (bits === 8) return format === 'int' ? new Int8Array(buffer, byteOffset, length) : plane;
  if (bits === 16)
    return format === 'int'
      ? new Int16Array(buffer, byteOffset, length / 2)
      : new Uint16Array(buffer, byteOffset, length / 2);
  if (bits === 64) return new Float64Array(buffer, byteOffset, length / 8);
  if (format === 'float') return new Float32Array(buffer, byteOffset, length / 4);
  return format === 'int'
    ? new Int32Array(buffer, byteOffset, length / 4)
    : new Uint32Array(buffer, byteOffset, length / 4);
}

/** 1-, 2- and 4-bit samples, packed most significant first with each row starting on a new byte, one per byte. */
function unpackBits(plane: Uint8Array, width: number, height: number, bits: number): Uint8Array {
  const rowBytes = Math.ceil((width * bits) / 8);
  const mask = (1 << bits) - 1;
  const values = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) {
    const row = y * rowBytes;
    const first = y * width;
    for (let x = 0; x < width; x += 1) {
      const bit = x * bits;
      values[first + x] = (plane[row + (bit >>> 3)]! >>> (8 - bits - (bit & 7))) & mask;
    }
  }
  return values;
}

function composeGrey(rgba: Uint8ClampedArray, grey: ByteChannel, invert: boolean, pixels: number): void {
  const { data, offset, stride } = grey;
  const flip = invert ? 255 : 0;
  const sign = invert ? -1 : 1;
  for (let i = 0, at = offset, out = 0; i < pixels; i += 1, at += stride, out += 4) {
    const value = flip + sign * data[at]!;
    rgba[out] = value;
    rgba[out + 1] = value;
    rgba[out + 2] = value;
  }
}

function composeRgb(
  rgba: Uint8ClampedArray,
  [red, green, blue]: readonly ByteChannel[],
  pixels: number,
): void {
  const { data: r, offset: ro, stride } = red!;
  const { data: g, offset: go } = green!;
  const { data: b, offset: bo } = blue!;
  for (let i = 0, at = 0, out = 0; i < pixels; i += 1, at += stride, out += 4) {
    rgba[out] = r[ro + at]!;
    rgba[out + 1] = g[go + at]!;
    rgba[out + 2] = b[bo + at]!;
  }
}

/** CMYK to RGB without a colour profile, as libtiff does: each ink and the black take away their share of white. */
function composeCmyk(
  rgba: Uint8ClampedArray,
  [cyan, magenta, yellow, black]: readonly ByteChannel[],
  pixels: number,
): void {
  const { data: c, offset: co, stride } = cyan!;
  const { data: m, offset: mo } = magenta!;
  const { data: y, offset: yo } = yellow!;
  const { data: k, offset: ko } = black!;
  for (let i = 0, at = 0, out = 0; i < pixels; i += 1, at += stride, out += 4) {
    const white = (255 - k[ko + at]!) / 255;
    rgba[out] = (255 - c[co + at]!) * white;
    rgba[out + 1] = (255 - m[mo + at]!) * white;
    rgba[out + 2] = (255 - y[yo + at]!) * white;
  }
}

function fillAlpha(rgba: Uint8ClampedArray, alpha: ByteChannel | undefined, pixels: number): void {
  if (!alpha) {
    for (let out = 3; out < rgba.length; out += 4) rgba[out] = 255;
    return;
  }
  const { data, offset, stride } = alpha;
  for (let i = 0, at = offset, out = 3; i < pixels; i += 1, at += stride, out += 4) rgba[out] = data[at]!;
}

/** Associated (premultiplied) alpha to the straight alpha ImageData holds. */
function unpremultiply(rgba: Uint8ClampedArray): void {
  for (let out = 0; out < rgba.length; out += 4) {
    const alpha = rgba[out + 3]!;
    if (alpha === 0 || alpha === 255) continue;
    const factor = 255 / alpha;
    rgba[out] = rgba[out]! * factor;
    rgba[out + 1] = rgba[out + 1]! * factor;
    rgba[out + 2] = rgba[out + 2]! * factor;
  }
}

/**
 * Palette colours from the colour map (16-bit values; a map with none above 255 is taken as 8-bit, as
 * libtiff takes it, since some writers store it so).
 */
function paletteToRgba(
  indices: Channel,
  colorMap: readonly number[],
  bits: number,
  rgba: Uint8ClampedArray,
): void {
  const size = 2 ** bits;
  const shift = colorMap.slice(0, 3 * size).some((value) => value > 255) ? 8 : 0;
  const table = (start: number) => Uint8Array.from({ length: size }, (_, i) => colorMap[start + i]! >> shift);
  const [red, green, blue] = [table(0), table(size), table(2 * size)];
  const { data, offset, stride } = indices;
  for (let at = offset, out = 0; out < rgba.length; at += stride, out += 4) {
    const index = data[at]!;
    rgba[out] = red[index]!;
    rgba[out + 1] = green[index]!;
    rgba[out + 2] = blue[index]!;
    rgba[out + 3] = 255;
  }
}
