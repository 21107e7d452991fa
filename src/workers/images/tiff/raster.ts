/** Pixel data: chunks (strips or tiles) decompressed into whole-image planes, in the machine's byte order. */
import type { TiffFile } from '#core/images/tiff/ifd';
import type { SampleFormat } from '../sample-window';
import { decodePackBits, decodeLzw, inflateInto, reverseBitOrder } from './codecs';
import { decodeFax } from './fax';
import { decodeJpegChunks, decodeOldJpeg } from './jpeg';
import {
  chunkFailure,
  chunkRows,
  FAX_COMPRESSIONS,
  type Grid,
  gridOf,
  type Layout,
  PHOTOMETRIC,
} from './layout';
import {
  MACHINE_IS_LITTLE_ENDIAN,
  swapBytes,
  undoFloatPredictor,
  undoHorizontalPredictor,
} from './predictors';
import { cannotRead } from './problems';
import { yCbCrToRgb } from './ycbcr';

/** Decoded samples of the whole image, before they become RGBA. */
export interface Raster {
  /** One plane for interleaved samples, one per sample for separate planes; in the machine's byte order. */
  readonly planes: readonly Uint8Array<ArrayBuffer>[];
  /** Samples per pixel in each plane. */
  readonly samplesPerPlane: number;
  readonly samples: number;
  readonly bits: number;
  readonly format: SampleFormat;
  /** After JPEG and YCbCr decoding, RGB. */
  readonly photometric: number;
}

export function decodeRaster(file: TiffFile, layout: Layout): Raster {
  if (layout.compression === 6) return decodeOldJpeg(file, layout);
  if (layout.compression === 7) return decodeJpegChunks(file, layout);
  const planes = decodeChunks(file, layout);
  if (layout.photometric === PHOTOMETRIC.yCbCr) {
    return {
      planes: [yCbCrToRgb(planes[0]!, layout)],
      samplesPerPlane: 3,
      samples: 3,
      bits: 8,
      format: 'uint',
      photometric: PHOTOMETRIC.rgb,
    };
  }
  return {
    planes,
    samplesPerPlane: layout.separate ? 1 : layout.samples,
    samples: layout.samples,
    bits: layout.bits,
    format: layout.format,
    photometric: layout.photometric,
  };
}

function decodeChunks(file: TiffFile, layout: Layout): Uint8Array<ArrayBuffer>[] {
  const grid = gridOf(layout);
  const { chunks } = layout;
  const planes = Array.from({ length: grid.planes }, () => new Uint8Array(grid.down * grid.rowBytes));
  // Tiles, and a last strip that may store more rows than the image has left, are decoded into this first.
  const scratch = new Uint8Array(grid.chunkDown * grid.chunkRowBytes);
  const perPlane = chunks.across * chunks.down;
  for (let index = 0; index < perPlane * grid.planes; index += 1) {
    const plane = planes[Math.floor(index / perPlane)]!;
    const across = index % chunks.across;
    const down = Math.floor((index % perPlane) / chunks.across);
    const rows = chunkRows(layout, grid, index);
    const direct = !chunks.tiled && rows === grid.chunkDown;
    const start = down * grid.chunkDown * grid.rowBytes;
    const target = direct ? plane.subarray(start, start + rows * grid.rowBytes) : scratch.fill(0);
    decompressChunk(file, layout, index, target, grid);
    finishChunk(file, target, layout, grid);
    if (!direct) copyChunk(scratch, plane, grid, across * grid.chunkAcross, down * grid.chunkDown, rows);
  }
  return planes;
}

/** Copies the part of a decoded chunk that lies inside the image (tiles at the edges hang over it). */
function copyChunk(
  chunk: Uint8Array,
  plane: Uint8Array,
  grid: Grid,
  unitX: number,
  unitY: number,
  rows: number,
): void {
  const startBit = unitX * grid.unitBits;
  if (startBit % 8 !== 0) throw cannotRead('its tiles do not start on whole bytes');
  const byteX = startBit / 8;
  const bytes = Math.min(grid.chunkRowBytes, grid.rowBytes - byteX);
  const visibleRows = Math.min(rows, grid.down - unitY);
  for (let row = 0; row < visibleRows; row += 1) {
    const from = row * grid.chunkRowBytes;
    plane.set(chunk.subarray(from, from + bytes), (unitY + row) * grid.rowBytes + byteX);
  }
}

function decompressChunk(
  file: TiffFile,
  layout: Layout,
  index: number,
  target: Uint8Array,
  grid: Grid,
): void {
  const { compression, chunks } = layout;
  const offset = chunks.offsets[index]!;
  const size = compression === 1 ? target.length : chunks.byteCounts![index]!;
  if (size === 0) return; // a sparse chunk: nothing stored, left blank
  try {
    if (FAX_COMPRESSIONS.has(compression)) {
      decodeFax(file, layout, offset, size, target, grid.chunkAcross);
      return;
    }
    let input: Uint8Array = file.bytes.subarray(offset, offset + size);
    if (layout.fillOrder === 2) input = reverseBitOrder(input);
    if (compression === 1) target.set(input.subarray(0, target.length));
    else if (compression === 5) decodeLzw(input, target);
    else if (compression === 32773) decodePackBits(input, target);
    else inflateInto(input, target);
  } catch (error) {
    throw chunkFailure(error, layout, index, chunks.across * chunks.down * grid.planes);
  }
}

/** Byte order and predictor undone, so the chunk holds plain samples in the machine's byte order. */
function finishChunk(file: TiffFile, chunk: Uint8Array, layout: Layout, grid: Grid): void {
  const bytesPerSample = layout.bits / 8;
  const rows = chunk.length / grid.chunkRowBytes;
  const stride = layout.separate ? 1 : layout.samples;
  if (layout.predictor === 3) {
    undoFloatPredictor(chunk, rows, grid.chunkRowBytes, bytesPerSample, stride);
    return;
  }
  if (bytesPerSample > 1 && file.littleEndian !== MACHINE_IS_LITTLE_ENDIAN) swapBytes(chunk, bytesPerSample);
  if (layout.predictor === 2) undoHorizontalPredictor(chunk, rows, grid.chunkRowBytes, layout.bits, stride);
}
