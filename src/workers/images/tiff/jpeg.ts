/** JPEG in TIFF (compression 7, and old-style compression 6), decoded by utif's JPEG decoder. */
import { formatCount, plural } from '#core/format';
import type { TiffFile } from '#core/images/tiff/ifd';
import { TAG } from '#core/images/tiff/tags';
import { chunkFailure, colourChannels, type Layout, PHOTOMETRIC } from './layout';
import { cannotRead, damaged } from './problems';
import type { Raster } from './raster';
import { utif } from './utif';

interface JpegFrame {
  readonly marker: number;
  readonly precision: number;
  readonly width: number;
  readonly height: number;
  readonly components: number;
}

/** The frame header (SOFn) of a JPEG stream, found by walking its segments, without decoding anything. */
function jpegFrame(stream: Uint8Array): JpegFrame | undefined {
  if (stream[0] !== 0xff || stream[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= stream.length) {
    if (stream[at] !== 0xff) return undefined;
    const marker = stream[at + 1]!;
    if (marker === 0xff) {
      at += 1;
    } else if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 10 > stream.length) return undefined;
      const read16 = (offset: number) => (stream[at + offset]! << 8) | stream[at + offset + 1]!;
      return {
        marker,
        precision: stream[at + 4]!,
        height: read16(5),
        width: read16(7),
        components: stream[at + 9]!,
      };
    } else if (marker === 0xda || marker === 0xd9) {
      return undefined;
    } else {
      at += 2 + ((stream[at + 2]! << 8) | stream[at + 3]!);
    }
  }
  return undefined;
}

/** JPEGTables (the shared quantisation and Huffman tables) followed by one chunk's own stream. */
function jpegStream(tables: Uint8Array | undefined, chunk: Uint8Array): Uint8Array {
  if (!tables || tables.length < 4) return chunk;
  const head =
    tables[tables.length - 2] === 0xff && tables[tables.length - 1] === 0xd9
      ? tables.subarray(0, -2)
      : tables;
  const body = chunk[0] === 0xff && chunk[1] === 0xd8 ? chunk.subarray(2) : chunk;
  const stream = new Uint8Array(head.length + body.length);
  stream.set(head);
  stream.set(body, head.length);
  return stream;
}

/** One JPEG stream decoded to 8-bit samples (RGB for YCbCr, raw CMYK, grey), checked before it is allocated. */
function decodeJpeg(
  stream: Uint8Array,
  layout: Layout,
  maxWidth: number,
  maxHeight: number,
): { frame: JpegFrame; pixels: Uint8ClampedArray } {
  const frame = jpegFrame(stream);
  if (!frame) throw damaged('its JPEG data has no frame header');
  if (frame.marker > 0xc2) throw cannotRead('it holds lossless or arithmetic-coded JPEG data');
  if (frame.precision !== 8) throw cannotRead(`it holds ${frame.precision}-bit JPEG data`);
  if (!(frame.width >= 1 && frame.height >= 1 && frame.width <= maxWidth && frame.height <= maxHeight)) {
    throw damaged(
      `its JPEG data is ${formatCount(frame.width)} × ${formatCount(frame.height)} pixels, larger than the part of the image it belongs to`,
    );
  }
  const channels = colourChannels(layout.photometric);
  if (frame.components !== channels) {
    throw damaged(
      `its JPEG data has ${plural(frame.components, 'channel')} where its colour model has ${formatCount(channels)}`,
    );
  }
  const transform =
    layout.photometric === PHOTOMETRIC.yCbCr
      ? { w: 1 }
      : layout.photometric === PHOTOMETRIC.rgb
        ? { w: 0 }
        : {};
  const parser = new utif.JpegDecoder(transform);
  parser.parse(stream);
  // isSourcePDF keeps CMYK as stored: the decoder would otherwise invert it, as Adobe's JPEG files need.
  const pixels = parser.getData({
    width: parser.width,
    height: parser.height,
    forceRGB: false,
    isSourcePDF: true,
  });
  return { frame: { ...frame, width: parser.width, height: parser.height }, pixels };
}

/** The raster JPEG data decodes to: 8-bit, interleaved, YCbCr already RGB. */
function jpegRaster(plane: Uint8Array<ArrayBuffer>, layout: Layout): Raster {
  const channels = colourChannels(layout.photometric);
  const photometric = layout.photometric === PHOTOMETRIC.yCbCr ? PHOTOMETRIC.rgb : layout.photometric;
  return {
    planes: [plane],
    samplesPerPlane: channels,
    samples: channels,
    bits: 8,
    format: 'uint',
    photometric,
  };
}

/** Compression 7: each strip or tile is a JPEG stream of its own, often sharing the tables in JPEGTables. */
export function decodeJpegChunks(file: TiffFile, layout: Layout): Raster {
  const { chunks, width, height } = layout;
  const channels = colourChannels(layout.photometric);
  const plane = new Uint8Array(width * height * channels);
  const tables = layout.tags.bytes(TAG.jpegTables);
  const total = chunks.across * chunks.down;
  for (let index = 0; index < total; index += 1) {
    const size = chunks.byteCounts![index]!;
    if (size === 0) continue;
    const offset = chunks.offsets[index]!;
    try {
      const stream = jpegStream(tables, file.bytes.subarray(offset, offset + size));
      const { frame, pixels } = decodeJpeg(stream, layout, chunks.width, chunks.height);
      const x = (index % chunks.across) * chunks.width;
      const y = Math.floor(index / chunks.across) * chunks.height;
      copyPixels(pixels, frame, plane, layout, x, y);
    } catch (error) {
      throw chunkFailure(error, layout, index, total);
    }
  }
  return jpegRaster(plane, layout);
}

/**
 * Compression 6, old-style JPEG: decoded when the file holds one whole JPEG stream, at JPEGInterchangeFormat
 * (reaching on over the strips, which point into it) or as its only strip; other forms are refused.
 */
export function decodeOldJpeg(file: TiffFile, layout: Layout): Raster {
  const stream = oldJpegStream(file, layout);
  const plane = new Uint8Array(layout.width * layout.height * colourChannels(layout.photometric));
  try {
    const { frame, pixels } = decodeJpeg(stream, layout, layout.width, layout.height);
    copyPixels(pixels, frame, plane, layout, 0, 0);
  } catch (error) {
    throw chunkFailure(error, layout, 0, 1);
  }
  return jpegRaster(plane, layout);
}

function oldJpegStream(file: TiffFile, layout: Layout): Uint8Array {
  const { bytes } = file;
  const { tags, chunks } = layout;
  const startsJpeg = (at: number) => bytes[at] === 0xff && bytes[at + 1] === 0xd8;
  const start = tags.first(TAG.jpegInterchangeFormat);
  if (start !== undefined && startsJpeg(start)) {
    const declaredEnd = start + (tags.first(TAG.jpegInterchangeFormatLength) ?? 0);
    const end = chunks.offsets.reduce(
      (last, offset, i) => Math.max(last, offset + (chunks.byteCounts?.[i] ?? 0)),
      declaredEnd,
    );
    return bytes.subarray(start, Math.min(end, bytes.length));
  }
  const only = chunks.offsets.length === 1 ? chunks.offsets[0]! : -1;
  if (startsJpeg(only))
    return bytes.subarray(only, Math.min(only + (chunks.byteCounts?.[0] ?? bytes.length), bytes.length));
  throw cannotRead(
    'it uses a form of old-style JPEG compression that keeps its tables apart from the image data',
  );
}

/** Copies decoded JPEG pixels to (x, y) of the image, leaving out what hangs over its edges. */
function copyPixels(
  pixels: Uint8ClampedArray,
  frame: JpegFrame,
  plane: Uint8Array,
  layout: Layout,
  x: number,
  y: number,
): void {
  const channels = colourChannels(layout.photometric);
  const rowLength = Math.min(frame.width, layout.width - x) * channels;
  const rows = Math.min(frame.height, layout.height - y);
  for (let row = 0; row < rows; row += 1) {
    const from = row * frame.width * channels;
    plane.set(pixels.subarray(from, from + rowLength), ((y + row) * layout.width + x) * channels);
  }
}
