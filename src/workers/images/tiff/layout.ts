/**
 * The chosen page's layout (size, samples, colour model, compression, strips or tiles), checked against the
 * file before anything is decoded.
 */
import { formatBytes, formatCount, plural } from '#core/format';
import { type Directory, Tags, type TiffFile } from '#core/images/tiff/ifd';
import { TAG } from '#core/images/tiff/tags';
import type { SampleFormat } from '../sample-window';
import { cannotRead, damaged, tooLarge, Unreadable } from './problems';

/** How the stored pixel data is cut: strips (full-width chunks) or tiles, in the order the file lists them. */
interface Chunks {
  readonly tiled: boolean;
  /** Pixels across and rows down of one chunk (for strips: the image width and RowsPerStrip). */
  readonly width: number;
  readonly height: number;
  readonly across: number;
  readonly down: number;
  readonly offsets: readonly number[];
  /** Absent only for uncompressed data, whose chunk sizes follow from the layout. */
  readonly byteCounts: readonly number[] | undefined;
}

export interface Layout {
  readonly tags: Tags;
  readonly width: number;
  readonly height: number;
  readonly samples: number;
  readonly bits: number;
  readonly format: SampleFormat;
  readonly photometric: number;
  readonly compression: number;
  /** PlanarConfiguration 2 with more than one sample: each sample in its own plane. */
  readonly separate: boolean;
  readonly predictor: number;
  readonly fillOrder: number;
  readonly extraSamples: readonly number[];
  /** YCbCr chroma subsampling (horizontal, vertical); 1, 1 for every other colour model. */
  readonly subsampling: readonly [number, number];
  readonly chunks: Chunks;
}

export const PHOTOMETRIC = { minIsWhite: 0, minIsBlack: 1, rgb: 2, palette: 3, cmyk: 5, yCbCr: 6 } as const;

const COMPRESSION_NAMES = new Map<number, string>([
  [1, 'no compression'],
  [2, 'CCITT RLE'],
  [3, 'CCITT Group 3'],
  [4, 'CCITT Group 4'],
  [5, 'LZW'],
  [6, 'old-style JPEG'],
  [7, 'JPEG'],
  [8, 'Deflate'],
  [9, 'JBIG'],
  [10, 'JBIG'],
  [32773, 'PackBits'],
  [32809, 'ThunderScan'],
  [32946, 'Deflate'],
  [33003, 'JPEG 2000'],
  [33005, 'JPEG 2000'],
  [34661, 'JBIG'],
  [34676, 'SGI LogLuv'],
  [34677, 'SGI LogLuv'],
  [34712, 'JPEG 2000'],
  [34887, 'LERC'],
  [34892, 'lossless JPEG'],
  [34925, 'LZMA'],
  [34926, 'ZSTD'],
  [34927, 'WebP'],
  [34933, 'PNG'],
  [34934, 'JPEG XR'],
  [50000, 'ZSTD'],
  [50001, 'WebP'],
  [50002, 'JPEG XL'],
  [52546, 'JPEG XL'],
]);

const SUPPORTED_COMPRESSIONS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 32773, 32946]);

export const FAX_COMPRESSIONS = new Set([2, 3, 4]);

/** The codecs libtiff applies the Predictor tag to; with the others it is ignored. */
const PREDICTED_COMPRESSIONS = new Set([5, 8, 32946]);

const PHOTOMETRIC_NAMES = new Map<number, string>([
  [4, 'a transparency mask'],
  [8, 'CIE L*a*b*'],
  [9, 'ICC L*a*b*'],
  [10, 'ITU L*a*b*'],
  [32803, 'a camera colour filter array (raw sensor data)'],
  [32844, 'SGI LogL'],
  [32845, 'SGI LogLuv'],
  [34892, 'linear camera raw data'],
]);

/** More samples per pixel than this is taken for a damaged header (hyperspectral images stay under it). */
const MAX_SAMPLES = 256;

/** Decoded pixel data larger than this is refused: a browser tab cannot hold much more. */
const MAX_DECODED_BYTES = 2 ** 31;

export function compressionName(compression: number): string {
  return COMPRESSION_NAMES.get(compression) ?? `compression scheme ${compression}`;
}

export function describeLayout(file: TiffFile, directory: Directory, maxPixels: number): Layout {
  const tags = new Tags(file, directory);
  const width = tags.first(TAG.width) ?? 0;
  const height = tags.first(TAG.height) ?? 0;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) {
    throw damaged(
      `its first page is ${formatCount(width)} × ${formatCount(height)} pixels, which is not a possible size`,
    );
  }
  if (width * height > maxPixels) {
    throw tooLarge(
      `it is ${formatCount(width)} × ${formatCount(height)} pixels (${formatCount(width * height)} in all), more than the ${formatCount(maxPixels)} pixels a web copy is made from`,
    );
  }
  const { samples, bits, format } = sampleLayout(tags);
  const compression = tags.first(TAG.compression) ?? 1;
  if (!SUPPORTED_COMPRESSIONS.has(compression))
    throw cannotRead(`it is a TIFF compressed with ${compressionName(compression)}`);
  const photometric = photometricOf(tags, samples, compression);
  checkColourModel(tags, photometric, samples, bits, format);
  const separate = samples > 1 && tags.first(TAG.planarConfiguration) === 2;
  const predictor = PREDICTED_COMPRESSIONS.has(compression) ? predictorOf(tags, bits, format) : 1;
  checkCompressionFits(compression, { separate, bits, photometric });
  const subsampling = subsamplingOf(tags, photometric, compression, separate);
  const layout = {
    tags,
    width,
    height,
    samples,
    bits,
    format,
    photometric,
    compression,
    separate,
    predictor,
    fillOrder: tags.first(TAG.fillOrder) === 2 ? 2 : 1,
    extraSamples: tags.numbers(TAG.extraSamples, 1) ?? [],
    subsampling,
  };
  const chunks = chunksOf(tags, layout);
  const full: Layout = { ...layout, chunks };
  checkMemory(full);
  if (compression !== 6) checkChunksInFile(file, full);
  return full;
}

function sampleLayout(tags: Tags): { samples: number; bits: number; format: SampleFormat } {
  const samples = tags.first(TAG.samplesPerPixel) ?? 1;
  const allBits = tags.numbers(TAG.bitsPerSample, MAX_SAMPLES) ?? [1];
  const bits = allBits[0] ?? 1;
  if (!Number.isInteger(bits) || bits < 1 || bits > 64) {
    throw damaged(`it declares ${formatCount(bits)} bits per sample, which points to a damaged header`);
  }
  if (!(Number.isInteger(samples) && samples >= 1 && samples <= MAX_SAMPLES)) {
    throw damaged(`it declares ${formatCount(samples)} samples per pixel, which points to a damaged header`);
  }
  if (allBits.some((value) => value !== bits)) {
    throw cannotRead(`its channels have different bit depths (${allBits.slice(0, 8).join(', ')})`);
  }
  const formatCode = tags.first(TAG.sampleFormat) ?? 1;
  const format: SampleFormat = formatCode === 2 ? 'int' : formatCode === 3 ? 'float' : 'uint';
  if (formatCode < 1 || formatCode > 4)
    throw damaged(`it declares sample format ${formatCount(formatCode)}, which does not exist`);
  const supported =
    format === 'float'
      ? bits === 32 || bits === 64
      : format === 'int'
        ? [8, 16, 32].includes(bits)
        : [1, 2, 4, 8, 16, 32].includes(bits);
  if (!supported) throw cannotRead(`it has ${sampleKind(bits, format)} samples`);
  return { samples, bits, format };
}

export function sampleKind(bits: number, format: SampleFormat): string {
  if (format === 'float') return `${bits}-bit floating-point`;
  return format === 'int' ? `signed ${bits}-bit` : `${bits}-bit`;
}

/** The colour model; when the tag is missing, what libtiff assumes. */
function photometricOf(tags: Tags, samples: number, compression: number): number {
  const photometric = tags.first(TAG.photometric);
  if (photometric !== undefined) return photometric;
  if (FAX_COMPRESSIONS.has(compression)) return PHOTOMETRIC.minIsWhite;
  return samples >= 3 ? PHOTOMETRIC.rgb : PHOTOMETRIC.minIsBlack;
}

/** Colour channels of each colour model this decoder shows. */
export function colourChannels(photometric: number): number {
  if (photometric === PHOTOMETRIC.rgb || photometric === PHOTOMETRIC.yCbCr) return 3;
  return photometric === PHOTOMETRIC.cmyk ? 4 : 1;
}

function checkColourModel(
  tags: Tags,
  photometric: number,
  samples: number,
  bits: number,
  format: SampleFormat,
): void {
  if (!Object.values(PHOTOMETRIC).some((known) => known === photometric)) {
    throw cannotRead(
      `its colours are stored as ${PHOTOMETRIC_NAMES.get(photometric) ?? `colour model ${photometric}`}`,
    );
  }
  const needed = colourChannels(photometric);
  if (samples < needed)
    throw damaged(`it has ${plural(samples, 'sample')} per pixel, too few for its colour model`);
  if (bits < 8 && samples > 1)
    throw cannotRead(`it packs ${plural(samples, 'channel')} of ${bits}-bit samples`);
  if (photometric === PHOTOMETRIC.cmyk) checkInks(tags, bits, format);
  if (photometric === PHOTOMETRIC.palette) checkColourMap(tags, bits, format);
  if (photometric === PHOTOMETRIC.yCbCr && bits !== 8)
    throw cannotRead(`it stores YCbCr colours in ${bits}-bit samples`);
}

function checkInks(tags: Tags, bits: number, format: SampleFormat): void {
  const inkSet = tags.first(TAG.inkSet) ?? 1;
  const inks = tags.first(TAG.numberOfInks) ?? 4;
  if (inkSet !== 1 || inks !== 4)
    throw cannotRead(`it is printed with ${plural(inks, 'ink')} other than CMYK`);
  if (format !== 'uint' || bits > 16)
    throw cannotRead(`it stores CMYK colours in ${sampleKind(bits, format)} samples`);
}

function checkColourMap(tags: Tags, bits: number, format: SampleFormat): void {
  if (format !== 'uint' || bits > 16)
    throw cannotRead(`it is a palette image with ${sampleKind(bits, format)} samples`);
  if ((tags.numbers(TAG.colorMap, 3 * 2 ** bits)?.length ?? 0) < 3 * 2 ** bits) {
    throw damaged(
      `it is a palette image without a complete colour map (${formatCount(3 * 2 ** bits)} entries needed)`,
    );
  }
}

function predictorOf(tags: Tags, bits: number, format: SampleFormat): number {
  const predictor = tags.first(TAG.predictor) ?? 1;
  if (predictor === 1) return 1;
  if (predictor === 2 && bits >= 8 && bits <= 32) return 2;
  if (predictor === 3 && format === 'float') return 3;
  throw cannotRead(`it uses predictor ${predictor} on ${sampleKind(bits, format)} samples`);
}

function checkCompressionFits(
  compression: number,
  { separate, bits, photometric }: { separate: boolean; bits: number; photometric: number },
): void {
  const name = compressionName(compression);
  if ((compression === 6 || compression === 7) && (separate || bits !== 8)) {
    throw cannotRead(
      `it holds ${name} data ${separate ? 'in separate colour planes' : `with ${bits}-bit samples`}`,
    );
  }
  if (FAX_COMPRESSIONS.has(compression) && (bits !== 1 || photometric > PHOTOMETRIC.minIsBlack)) {
    throw damaged(`it says its ${name} data is not black and white`);
  }
}

function subsamplingOf(
  tags: Tags,
  photometric: number,
  compression: number,
  separate: boolean,
): [number, number] {
  // JPEG data carries its own subsampling, and the JPEG decoder returns full-resolution RGB.
  if (photometric !== PHOTOMETRIC.yCbCr || compression === 6 || compression === 7) return [1, 1];
  const [horizontal = 2, vertical = 2] = tags.numbers(TAG.yCbCrSubSampling, 2) ?? [];
  if (![1, 2, 4].includes(horizontal) || ![1, 2, 4].includes(vertical)) {
    throw damaged(`it declares YCbCr subsampling ${horizontal} × ${vertical}, which does not exist`);
  }
  if (separate) throw cannotRead('it stores YCbCr colours in separate planes');
  return [horizontal, vertical];
}

type LayoutWithoutChunks = Omit<Layout, 'chunks'>;

function chunksOf(tags: Tags, layout: LayoutWithoutChunks): Chunks {
  const { width, height, compression } = layout;
  const tiled = tags.has(TAG.tileWidth) || tags.has(TAG.tileOffsets);
  const chunkWidth = tiled ? (tags.first(TAG.tileWidth) ?? 0) : width;
  const rowsPerStrip = tags.first(TAG.rowsPerStrip) ?? height;
  const chunkHeight = tiled
    ? (tags.first(TAG.tileLength) ?? 0)
    : rowsPerStrip >= 1
      ? Math.min(rowsPerStrip, height)
      : height;
  const kind = tiled ? 'tile' : 'strip';
  if (!(Number.isInteger(chunkWidth) && Number.isInteger(chunkHeight) && chunkWidth >= 1 && chunkHeight >= 1))
    throw damaged(`it declares ${kind}s of ${chunkWidth} × ${chunkHeight} pixels`);
  if (tiled && chunkWidth * chunkHeight > Math.max(width * height, 2 ** 20)) {
    throw damaged(
      `its ${formatCount(chunkWidth)} × ${formatCount(chunkHeight)}-pixel tiles are far larger than the image`,
    );
  }
  const [horizontal, vertical] = layout.subsampling;
  if ((tiled && chunkWidth % horizontal !== 0) || (chunkHeight % vertical !== 0 && chunkHeight < height)) {
    throw damaged(`its ${kind}s do not hold whole YCbCr blocks`);
  }
  const across = Math.ceil(width / chunkWidth);
  const down = Math.ceil(height / chunkHeight);
  const needed = across * down * (layout.separate ? layout.samples : 1);
  // Old tiled files (SGI's) keep their tiles' offsets and sizes in the strip tags, which libtiff accepts too.
  const offsets =
    (tiled ? tags.numbers(TAG.tileOffsets, needed) : undefined) ?? tags.numbers(TAG.stripOffsets, needed);
  const byteCounts =
    (tiled ? tags.numbers(TAG.tileByteCounts, needed) : undefined) ??
    tags.numbers(TAG.stripByteCounts, needed);
  if (!offsets)
    throw damaged(
      `it does not say where its image data is (no readable ${tiled ? 'TileOffsets' : 'StripOffsets'})`,
    );
  if (compression !== 6) {
    if (offsets.length < needed)
      throw damaged(`it lists ${plural(offsets.length, kind)} where ${formatCount(needed)} are needed`);
    if (compression !== 1 && (byteCounts?.length ?? 0) < needed) {
      throw damaged(`it does not give the sizes of its ${formatCount(needed)} compressed ${kind}s`);
    }
  }
  return { tiled, width: chunkWidth, height: chunkHeight, across, down, offsets, byteCounts };
}

/** What one stored unit is: a pixel, or a YCbCr block of subsampled pixels with its two chroma samples. */
export interface Grid {
  /** Units across and down the image, and across and down one chunk. */
  readonly across: number;
  readonly down: number;
  readonly chunkAcross: number;
  readonly chunkDown: number;
  /** Bits of one unit within one plane. */
  readonly unitBits: number;
  readonly planes: number;
  readonly rowBytes: number;
  readonly chunkRowBytes: number;
}

export function gridOf(layout: Layout): Grid {
  const [horizontal, vertical] = layout.subsampling;
  const blocks = horizontal * vertical > 1;
  const planes = layout.separate ? layout.samples : 1;
  const unitBits = blocks
    ? 8 * (horizontal * vertical + 2)
    : layout.bits * (layout.separate ? 1 : layout.samples);
  const across = Math.ceil(layout.width / horizontal);
  const chunkAcross = Math.ceil(layout.chunks.width / horizontal);
  return {
    across,
    down: Math.ceil(layout.height / vertical),
    chunkAcross,
    chunkDown: Math.ceil(layout.chunks.height / vertical),
    unitBits,
    planes,
    rowBytes: Math.ceil((across * unitBits) / 8),
    chunkRowBytes: Math.ceil((chunkAcross * unitBits) / 8),
  };
}

function checkMemory(layout: Layout): void {
  const grid = gridOf(layout);
  const stored = grid.planes * grid.down * grid.rowBytes;
  const decodedBytes = stored + layout.width * layout.height * 4;
  if (decodedBytes > MAX_DECODED_BYTES) {
    throw tooLarge(
      `decoding it would take ${formatBytes(decodedBytes)} of memory, more than a browser tab can hold`,
    );
  }
}

/** Every chunk's data must lie inside the file; uncompressed chunks must hold all their rows. */
function checkChunksInFile(file: TiffFile, layout: Layout): void {
  const { chunks, compression } = layout;
  const grid = gridOf(layout);
  const kind = chunks.tiled ? 'tile' : 'strip';
  const total = chunks.across * chunks.down * grid.planes;
  for (let index = 0; index < total; index += 1) {
    const offset = chunks.offsets[index]!;
    const size =
      compression === 1 ? grid.chunkRowBytes * chunkRows(layout, grid, index) : chunks.byteCounts![index]!;
    if (!(Number.isInteger(offset) && Number.isInteger(size) && offset >= 0 && size >= 0)) {
      throw damaged(
        `its ${kind} ${formatCount(index + 1)} of ${formatCount(total)} has an impossible position or size`,
      );
    }
    if (size > 0 && offset + size > file.bytes.length) {
      const where =
        offset >= file.bytes.length
          ? `starts at byte ${formatCount(offset)}`
          : `ends at byte ${formatCount(offset + size)}`;
      throw damaged(
        `its image data is cut short (${kind} ${formatCount(index + 1)} of ${formatCount(total)} ${where}, past the end of the ${formatCount(file.bytes.length)}-byte file)`,
      );
    }
  }
}

/** Rows of units a chunk stores: a whole tile, or a strip's rows down to the bottom of the image. */
export function chunkRows(layout: Layout, grid: Grid, index: number): number {
  if (layout.chunks.tiled) return grid.chunkDown;
  const stripInPlane = index % layout.chunks.down;
  return Math.min(grid.chunkDown, grid.down - stripInPlane * grid.chunkDown);
}

/** Why a chunk could not be decoded, naming it; problems already worded pass through. */
export function chunkFailure(error: unknown, layout: Layout, index: number, total: number): Unreadable {
  if (error instanceof Unreadable) return error;
  const kind = layout.chunks.tiled ? 'tile' : 'strip';
  const where = total > 1 ? ` in ${kind} ${formatCount(index + 1)} of ${formatCount(total)}` : '';
  return damaged(`its ${compressionName(layout.compression)} data${where} could not be decoded`);
}
