/**
 * TIFF to 8-bit RGBA for web copies, inside an image worker: Chrome cannot decode TIFF, and many specimen and
 * microscopy originals are TIFF.
 *
 * The file structure (header, directories, tags) is read here, not by utif: `UTIF.decode` follows directory
 * chains and tag counts from the file without limits, so a fuzzed file makes it loop or allocate without end.
 * Every size and offset is checked against the file and `maxPixels` before any pixel data is touched.
 * LZW, PackBits and Deflate (fflate) are decoded here too: utif's LZW loops forever on old-style (LSB-first)
 * LZW, which libtiff's own sample quad-lzw.tif uses. utif decodes JPEG (its `JpegDecoder`) and CCITT fax.
 * Samples become 8-bit here: 16-bit, 32-bit, signed and floating-point data are stretched over the range the
 * image actually uses (scientific images often fill a small part of it), 8-bit data is taken as it is.
 *
 * Hot loops index typed arrays with `!`: every index is in range by construction (sizes are checked first).
 */
import { inflateSync } from 'fflate';
import UTIF from 'utif2';
import { formatBytes, formatCount, plural } from '#core/format';

/** The largest image decoded by default, in pixels: 16,384 × 16,384. */
export const DEFAULT_MAX_PIXELS = 16384 * 16384;

export interface TiffDecodeOptions {
  /** Larger images are refused before their pixel data is read. */
  readonly maxPixels?: number;
}

export interface TiffDecoded {
  readonly width: number;
  readonly height: number;
  /** Straight (not premultiplied) RGBA, row by row, `width * height * 4` bytes. */
  readonly rgba: Uint8ClampedArray<ArrayBuffer>;
  /** Sentences about what the web copy shows differently from the original (other pages, stretched values). */
  readonly notes: string[];
}

/**
 * The first full-resolution page of a TIFF as 8-bit RGBA, or a sentence (without the file's path) saying why
 * it cannot be decoded. Never throws; every size is checked before it is allocated.
 */
export function decodeTiff(
  bytes: ArrayBuffer,
  options: TiffDecodeOptions = {},
): TiffDecoded | { problem: string } {
  try {
    return decodeFirstPage(bytes, options.maxPixels ?? DEFAULT_MAX_PIXELS);
  } catch (error) {
    if (error instanceof Unreadable) return { problem: error.message };
    if (error instanceof RangeError && /allocation|memory/i.test(error.message)) {
      return {
        problem: `there was not enough memory to decode it, ${NO_COPY}; make its web copies with a desktop tool.`,
      };
    }
    return { problem: damaged('its image data could not be decoded').message };
  }
}

function decodeFirstPage(buffer: ArrayBuffer, maxPixels: number): TiffDecoded {
  const { file, firstDirectory } = openTiff(buffer);
  const { directory, pages } = choosePage(file, readChain(file, firstDirectory));
  const layout = describeLayout(file, directory, maxPixels);
  const { rgba, notes } = toRgba(decodeRaster(file, layout), layout);
  const pageNote = pages > 1 ? [`it has ${pageCount(pages)} pages; the web copy shows the first.`] : [];
  return { width: layout.width, height: layout.height, rgba, notes: [...pageNote, ...notes] };
}

// ---------------------------------------------------------------------------------------------------------
// Problems

/** A file this decoder refuses; the message is the whole problem sentence. */
class Unreadable extends Error {}

const NO_COPY = 'so no web copy was made; it is uploaded as it is';

/** A valid TIFF feature this decoder does not handle. */
function cannotRead(what: string): Unreadable {
  return new Unreadable(`${what}, which the browser-side decoder cannot read, ${NO_COPY}.`);
}

/** A file whose own numbers contradict themselves or the file's length. */
function damaged(what: string): Unreadable {
  return new Unreadable(`${what}, ${NO_COPY}; check the file.`);
}

function tooLarge(what: string): Unreadable {
  return new Unreadable(`${what}, ${NO_COPY}; make its web copies with a desktop tool.`);
}

function pageCount(pages: number): string {
  return pages >= MAX_DIRECTORIES ? `at least ${formatCount(pages)}` : formatCount(pages);
}

// ---------------------------------------------------------------------------------------------------------
// File structure: header, directories (IFDs) and their entries

/** Directories followed in one chain at most; a longer chain is counted as this many pages. */
const MAX_DIRECTORIES = 100_000;
/** SubIFDs looked at per directory when looking for a full-resolution page. */
const MAX_SUB_DIRECTORIES = 64;
/** Bytes of one value of each field type, by type number (BYTE … IFD8); 0 for unknown types. */
const TYPE_SIZES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8];

interface TiffFile {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly view: DataView;
  readonly littleEndian: boolean;
  readonly bigTiff: boolean;
}

/** Where one tag's values are: `count` values of `type`, starting at byte `at`. */
interface Entry {
  readonly type: number;
  readonly count: number;
  readonly at: number;
}

interface Directory {
  readonly entries: ReadonlyMap<number, Entry>;
  /** The next directory's offset, 0 at the end of the chain. */
  readonly next: number;
}

function openTiff(buffer: ArrayBuffer): { file: TiffFile; firstDirectory: number } {
  const bytes = new Uint8Array(buffer);
  const order = bytes.length >= 8 ? String.fromCharCode(bytes[0]!, bytes[1]!) : '';
  if (order !== 'II' && order !== 'MM')
    throw damaged('it does not start like a TIFF file (II or MM, then 42)');
  const littleEndian = order === 'II';
  const view = new DataView(buffer);
  const version = view.getUint16(2, littleEndian);
  if (version === 42) {
    return {
      file: { bytes, view, littleEndian, bigTiff: false },
      firstDirectory: view.getUint32(4, littleEndian),
    };
  }
  if (version === 43 && bytes.length >= 16 && view.getUint16(4, littleEndian) === 8) {
    const file = { bytes, view, littleEndian, bigTiff: true };
    return { file, firstDirectory: readUint64(file, 8) };
  }
  throw damaged(`it starts like a TIFF file but has version ${version} where 42 or 43 belongs`);
}

/** An unsigned 64-bit number; above 2^53 it is rounded, which only matters for offsets far past any file. */
function readUint64(file: TiffFile, at: number): number {
  const high = file.view.getUint32(at + (file.littleEndian ? 4 : 0), file.littleEndian);
  const low = file.view.getUint32(at + (file.littleEndian ? 0 : 4), file.littleEndian);
  return high * 2 ** 32 + low;
}

function readOffset(file: TiffFile, at: number): number {
  return file.bigTiff ? readUint64(file, at) : file.view.getUint32(at, file.littleEndian);
}

/** The directory at `offset`, or why it cannot be read. */
function readDirectory(file: TiffFile, offset: number): Directory | string {
  const length = file.bytes.length;
  const countSize = file.bigTiff ? 8 : 2;
  if (offset < 8 || offset + countSize > length) {
    return `is at byte ${formatCount(offset)}, past the end of the ${formatCount(length)}-byte file`;
  }
  const count = file.bigTiff ? readUint64(file, offset) : file.view.getUint16(offset, file.littleEndian);
  const entrySize = file.bigTiff ? 20 : 12;
  const start = offset + countSize;
  const end = start + count * entrySize;
  if (end > length)
    return `at byte ${formatCount(offset)} runs past the end of the ${formatCount(length)}-byte file`;
  const entries = new Map<number, Entry>();
  for (let at = start; at < end; at += entrySize) {
    const tag = file.view.getUint16(at, file.littleEndian);
    const entry = readEntry(file, at);
    if (entry && !entries.has(tag)) entries.set(tag, entry);
  }
  const next = end + (file.bigTiff ? 8 : 4) <= length ? readOffset(file, end) : 0;
  return { entries, next };
}

function readEntry(file: TiffFile, at: number): Entry | undefined {
  const type = file.view.getUint16(at + 2, file.littleEndian);
  const size = TYPE_SIZES[type] ?? 0;
  if (size === 0) return undefined;
  const count = file.bigTiff ? readUint64(file, at + 4) : file.view.getUint32(at + 4, file.littleEndian);
  const valueField = at + (file.bigTiff ? 12 : 8);
  const inline = count * size <= (file.bigTiff ? 8 : 4);
  return { type, count, at: inline ? valueField : readOffset(file, valueField) };
}

/** One value of a numeric field type; rationals become their quotient. */
function readValue(file: TiffFile, type: number, at: number): number {
  const { view, littleEndian } = file;
  switch (type) {
    case 3:
      return view.getUint16(at, littleEndian);
    case 4:
    case 13:
      return view.getUint32(at, littleEndian);
    case 5:
    case 10: {
      const read = type === 5 ? view.getUint32.bind(view) : view.getInt32.bind(view);
      const denominator = read(at + 4, littleEndian);
      return denominator === 0 ? 0 : read(at, littleEndian) / denominator;
    }
    case 6:
      return view.getInt8(at);
    case 8:
      return view.getInt16(at, littleEndian);
    case 9:
      return view.getInt32(at, littleEndian);
    case 11:
      return view.getFloat32(at, littleEndian);
    case 12:
      return view.getFloat64(at, littleEndian);
    case 16:
    case 18:
      return readUint64(file, at);
    case 17:
      return Number(view.getBigInt64(at, littleEndian));
    default:
      return view.getUint8(at);
  }
}

/** Reads the tags of one directory; values that lie outside the file read as absent. */
class Tags {
  constructor(
    private readonly file: TiffFile,
    private readonly directory: Directory,
  ) {}

  has(tag: number): boolean {
    return this.directory.entries.has(tag);
  }

  /** The tag's values, at most `limit` of them (a damaged count can claim millions). */
  numbers(tag: number, limit: number): number[] | undefined {
    const entry = this.directory.entries.get(tag);
    if (!entry || !this.fits(entry)) return undefined;
    const size = TYPE_SIZES[entry.type]!;
    const values = new Array<number>(Math.min(entry.count, limit));
    for (let i = 0; i < values.length; i += 1)
      values[i] = readValue(this.file, entry.type, entry.at + i * size);
    return values;
  }

  first(tag: number): number | undefined {
    const entry = this.directory.entries.get(tag);
    return entry && entry.count > 0 && this.fits({ ...entry, count: 1 })
      ? readValue(this.file, entry.type, entry.at)
      : undefined;
  }

  bytes(tag: number): Uint8Array | undefined {
    const entry = this.directory.entries.get(tag);
    if (!entry || !this.fits(entry)) return undefined;
    return this.file.bytes.subarray(entry.at, entry.at + entry.count * TYPE_SIZES[entry.type]!);
  }

  private fits(entry: Entry): boolean {
    return entry.at + entry.count * TYPE_SIZES[entry.type]! <= this.file.bytes.length;
  }
}

const TAG = {
  newSubfileType: 254,
  subfileType: 255,
  width: 256,
  height: 257,
  bitsPerSample: 258,
  compression: 259,
  photometric: 262,
  fillOrder: 266,
  stripOffsets: 273,
  samplesPerPixel: 277,
  rowsPerStrip: 278,
  stripByteCounts: 279,
  planarConfiguration: 284,
  t4Options: 292,
  predictor: 317,
  colorMap: 320,
  tileWidth: 322,
  tileLength: 323,
  tileOffsets: 324,
  tileByteCounts: 325,
  subIfds: 330,
  inkSet: 332,
  numberOfInks: 334,
  extraSamples: 338,
  sampleFormat: 339,
  jpegTables: 347,
  jpegInterchangeFormat: 513,
  jpegInterchangeFormatLength: 514,
  yCbCrCoefficients: 529,
  yCbCrSubSampling: 530,
  referenceBlackWhite: 532,
} as const;

/** The top-level chain of directories (the pages), stopping at a loop or at a directory outside the file. */
function readChain(file: TiffFile, first: number): Directory[] {
  const chain: Directory[] = [];
  const seen = new Set<number>();
  for (let offset = first; offset !== 0 && !seen.has(offset) && chain.length < MAX_DIRECTORIES;) {
    seen.add(offset);
    const directory = readDirectory(file, offset);
    if (typeof directory === 'string') {
      if (chain.length === 0)
        throw damaged(`its TIFF structure is damaged (its first directory ${directory})`);
      break;
    }
    chain.push(directory);
    offset = directory.next;
  }
  if (chain.length === 0) throw damaged('its TIFF structure is damaged (it has no image directory)');
  return chain;
}

function isImage(directory: Directory): boolean {
  return directory.entries.has(TAG.width) && directory.entries.has(TAG.height);
}

/** A thumbnail or a level of a pyramid rather than a page of its own. */
function isReduced(file: TiffFile, directory: Directory): boolean {
  const tags = new Tags(file, directory);
  return ((tags.first(TAG.newSubfileType) ?? 0) & 1) === 1 || tags.first(TAG.subfileType) === 2;
}

function area(file: TiffFile, directory: Directory): number {
  const tags = new Tags(file, directory);
  return (tags.first(TAG.width) ?? 0) * (tags.first(TAG.height) ?? 0);
}

function subDirectories(file: TiffFile, directory: Directory): Directory[] {
  const offsets = new Tags(file, directory).numbers(TAG.subIfds, MAX_SUB_DIRECTORIES) ?? [];
  return offsets.map((offset) => readDirectory(file, offset)).filter((sub) => typeof sub !== 'string');
}

/**
 * The first full-resolution page: the first top-level directory that is not marked reduced-resolution, else
 * (a file whose pages are all thumbnails, like a DNG) the first such SubIFD, else the largest image of all.
 * Pages are the full-resolution top-level directories; SubIFDs (pyramid levels) are not pages.
 */
function choosePage(file: TiffFile, chain: readonly Directory[]): { directory: Directory; pages: number } {
  const pages = chain.filter((directory) => isImage(directory) && !isReduced(file, directory));
  if (pages[0]) return { directory: pages[0], pages: pages.length };
  const candidates = chain.flatMap((directory) => [directory, ...subDirectories(file, directory)]);
  const images = candidates.filter((directory) => isImage(directory));
  const full = images.find((directory) => !isReduced(file, directory));
  if (full) return { directory: full, pages: 1 };
  const largest = images.reduce<Directory | undefined>(
    (best, directory) => (best && area(file, best) >= area(file, directory) ? best : directory),
    undefined,
  );
  if (!largest) throw damaged('its first directory describes no image (it has no width or height)');
  return { directory: largest, pages: 1 };
}

// ---------------------------------------------------------------------------------------------------------
// The chosen page's layout, checked against the file before anything is decoded

type SampleFormat = 'uint' | 'int' | 'float';

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

interface Layout {
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

const PHOTOMETRIC = { minIsWhite: 0, minIsBlack: 1, rgb: 2, palette: 3, cmyk: 5, yCbCr: 6 } as const;

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
const FAX_COMPRESSIONS = new Set([2, 3, 4]);
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

function compressionName(compression: number): string {
  return COMPRESSION_NAMES.get(compression) ?? `compression scheme ${compression}`;
}

function describeLayout(file: TiffFile, directory: Directory, maxPixels: number): Layout {
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

function sampleKind(bits: number, format: SampleFormat): string {
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
function colourChannels(photometric: number): number {
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
interface Grid {
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

function gridOf(layout: Layout): Grid {
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
function chunkRows(layout: Layout, grid: Grid, index: number): number {
  if (layout.chunks.tiled) return grid.chunkDown;
  const stripInPlane = index % layout.chunks.down;
  return Math.min(grid.chunkDown, grid.down - stripInPlane * grid.chunkDown);
}

// ---------------------------------------------------------------------------------------------------------
// Pixel data: chunks decompressed into whole-image planes, in the machine's byte order

/** Decoded samples of the whole image, before they become RGBA. */
interface Raster {
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

const MACHINE_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function decodeRaster(file: TiffFile, layout: Layout): Raster {
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

/** Why a chunk could not be decoded, naming it; problems already worded pass through. */
function chunkFailure(error: unknown, layout: Layout, index: number, total: number): Unreadable {
  if (error instanceof Unreadable) return error;
  const kind = layout.chunks.tiled ? 'tile' : 'strip';
  const where = total > 1 ? ` in ${kind} ${formatCount(index + 1)} of ${formatCount(total)}` : '';
  return damaged(`its ${compressionName(layout.compression)} data${where} could not be decoded`);
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

function swapBytes(chunk: Uint8Array, size: number): void {
  for (let start = 0; start + size <= chunk.length; start += size) {
    for (let low = start, high = start + size - 1; low < high; low += 1, high -= 1) {
      const byte = chunk[low]!;
      chunk[low] = chunk[high]!;
      chunk[high] = byte;
    }
  }
}

/** Predictor 2: each sample was stored as the difference from the same sample of the pixel before it. */
function undoHorizontalPredictor(
  chunk: Uint8Array,
  rows: number,
  rowBytes: number,
  bits: number,
  stride: number,
): void {
  const samples =
    bits === 8
      ? chunk
      : bits === 16
        ? new Uint16Array(chunk.buffer, chunk.byteOffset, chunk.length / 2)
        : new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length / 4);
  const rowSamples = rowBytes / (bits / 8);
  for (let row = 0; row < rows; row += 1) {
    const end = (row + 1) * rowSamples;
    for (let i = row * rowSamples + stride; i < end; i += 1) samples[i] = samples[i]! + samples[i - stride]!;
  }
}

/**
 * Predictor 3 (floating point), as libtiff undoes it: bytes differenced across the row, and each row stored
 * as byte planes, most significant first. The result is in the machine's byte order whatever the file's.
 */
function undoFloatPredictor(
  chunk: Uint8Array,
  rows: number,
  rowBytes: number,
  bytesPerSample: number,
  stride: number,
): void {
  const row = new Uint8Array(rowBytes);
  const samplesPerRow = rowBytes / bytesPerSample;
  for (let r = 0; r < rows; r += 1) {
    const start = r * rowBytes;
    for (let i = start + stride; i < start + rowBytes; i += 1) chunk[i] = chunk[i]! + chunk[i - stride]!;
    row.set(chunk.subarray(start, start + rowBytes));
    for (let byte = 0; byte < bytesPerSample; byte += 1) {
      const plane = (MACHINE_IS_LITTLE_ENDIAN ? bytesPerSample - 1 - byte : byte) * samplesPerRow;
      for (let k = 0; k < samplesPerRow; k += 1) chunk[start + k * bytesPerSample + byte] = row[plane + k]!;
    }
  }
}

const REVERSED_BITS = Uint8Array.from({ length: 256 }, (_, byte) => {
  let reversed = 0;
  for (let bit = 0; bit < 8; bit += 1) reversed |= ((byte >> bit) & 1) << (7 - bit);
  return reversed;
});

/** FillOrder 2 (least significant bit first) turned into the usual order. */
function reverseBitOrder(input: Uint8Array): Uint8Array {
  const output = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i += 1) output[i] = REVERSED_BITS[input[i]!]!;
  return output;
}

/** Deflate with its zlib wrapper (the checksum is not needed), or raw Deflate from writers that leave it out. */
function inflateInto(input: Uint8Array, target: Uint8Array): void {
  const zlib = input.length >= 2 && (input[0]! & 0x0f) === 8 && ((input[0]! << 8) | input[1]!) % 31 === 0;
  inflateSync(zlib ? input.subarray(2) : input, { out: target });
}

/** PackBits: a header byte n < 128 copies n + 1 bytes, n > 128 repeats the next byte 257 − n times. */
function decodePackBits(input: Uint8Array, target: Uint8Array): void {
  let at = 0;
  let out = 0;
  while (at < input.length && out < target.length) {
    const header = input[at]!;
    at += 1;
    if (header < 128) {
      const count = Math.min(header + 1, input.length - at, target.length - out);
      target.set(input.subarray(at, at + count), out);
      at += header + 1;
      out += header + 1;
    } else if (header > 128) {
      const count = 257 - header;
      target.fill(input[at] ?? 0, out, Math.min(out + count, target.length));
      at += 1;
      out += count;
    }
  }
}

const LZW_CLEAR = 256;
const LZW_END = 257;
const LZW_FIRST_FREE = 258;
const LZW_TABLE_SIZE = 4096;
// One table for every call (decoding is synchronous): an entry is written before any code can refer to it.
const lzwPrefix = new Uint16Array(LZW_TABLE_SIZE);
const lzwSuffix = new Uint8Array(LZW_TABLE_SIZE);
const lzwFirst = new Uint8Array(LZW_TABLE_SIZE);
const lzwLength = new Uint16Array(LZW_TABLE_SIZE);
for (let code = 0; code < 256; code += 1) {
  lzwSuffix[code] = code;
  lzwFirst[code] = code;
  lzwLength[code] = 1;
}

/**
 * LZW as TIFF stores it: codes most significant bit first, the code width growing one code early; or the
 * old style of libtiff before 1991 (least significant bit first, growing on time), which starts with the
 * bytes 00 01 where the new style starts with 80. Stops when `target` is full; a code the table does not
 * have yet throws. Each code takes at least 9 bits of input and the table never loops, so it always ends.
 */
function decodeLzw(input: Uint8Array, target: Uint8Array): void {
  const oldStyle = input.length >= 2 && input[0] === 0 && (input[1]! & 1) === 1;
  const earlyChange = oldStyle ? 0 : 1;
  const totalBits = input.length * 8;
  let bit = 0;
  let width = 9;
  let next = LZW_FIRST_FREE;
  let previous = -1;
  let out = 0;
  while (out < target.length && bit + width <= totalBits) {
    const code = oldStyle ? readBitsLsbFirst(input, bit, width) : readBitsMsbFirst(input, bit, width);
    bit += width;
    if (code === LZW_CLEAR) {
      width = 9;
      next = LZW_FIRST_FREE;
      previous = -1;
      continue;
    }
    if (code === LZW_END) return;
    if (previous === -1 ? code > 255 : code > next) throw new Error(`LZW code ${code} is not in the table`);
    if (previous !== -1 && next < LZW_TABLE_SIZE) {
      lzwPrefix[next] = previous;
      lzwFirst[next] = lzwFirst[previous]!;
      // The entry ends with the first byte of the code read; for the code being defined now (KwKwK) that is
      // the first byte of the previous string, which the line above has just given it.
      lzwSuffix[next] = lzwFirst[code]!;
      lzwLength[next] = lzwLength[previous]! + 1;
      next += 1;
      if (next + earlyChange >= 1 << width && width < 12) width += 1;
    }
    out = writeLzwString(target, out, code);
    previous = code;
  }
}

function writeLzwString(target: Uint8Array, out: number, code: number): number {
  const length = lzwLength[code]!;
  let entry = code;
  for (let at = out + length - 1; at >= out; at -= 1) {
    if (at < target.length) target[at] = lzwSuffix[entry]!;
    entry = lzwPrefix[entry]!;
  }
  return out + length;
}

function readBitsMsbFirst(input: Uint8Array, bit: number, width: number): number {
  const at = bit >>> 3;
  const word = (input[at]! << 16) | ((input[at + 1] ?? 0) << 8) | (input[at + 2] ?? 0);
  return (word >>> (24 - (bit & 7) - width)) & ((1 << width) - 1);
}

function readBitsLsbFirst(input: Uint8Array, bit: number, width: number): number {
  const at = bit >>> 3;
  const word = input[at]! | ((input[at + 1] ?? 0) << 8) | ((input[at + 2] ?? 0) << 16);
  return (word >>> (bit & 7)) & ((1 << width) - 1);
}

// ---------------------------------------------------------------------------------------------------------
// utif: its JPEG decoder (pdf.js's) and CCITT fax decoders, which its type definitions do not declare

type FaxDecoder = (
  data: Uint8Array,
  offset: number,
  length: number,
  target: Uint8Array,
  targetOffset: number,
  width: number,
  fillOrder: number,
  twoDimensional?: boolean,
) => void;

interface JpegParser {
  readonly width: number;
  readonly height: number;
  parse(data: Uint8Array): void;
  getData(options: {
    width: number;
    height: number;
    forceRGB: boolean;
    isSourcePDF: boolean;
  }): Uint8ClampedArray;
}

interface UtifInternals {
  /** `w` is pdf.js's colorTransform: 1 converts YCbCr to RGB, 0 leaves RGB alone, absent lets the data decide. */
  readonly JpegDecoder: new (options?: { w?: number }) => JpegParser;
  readonly decode: {
    readonly _decodeG2: FaxDecoder;
    readonly _decodeG3: FaxDecoder;
    readonly _decodeG4: FaxDecoder;
  };
}

const utif = UTIF as unknown as UtifInternals;

/**
 * utif's fax decoders build each code bit by bit in a string; a long run of zero bits (no fax code has more
 * than 11) makes that string, and the time, grow without end. Real fax data never has this many zero bytes.
 */
const MAX_FAX_ZERO_BYTES = 16;

function decodeFax(
  file: TiffFile,
  layout: Layout,
  offset: number,
  size: number,
  target: Uint8Array,
  width: number,
): void {
  if (hasZeroRun(file.bytes, offset, offset + size, MAX_FAX_ZERO_BYTES)) {
    throw damaged(
      `its ${compressionName(layout.compression)} data holds a long run of zero bytes, which fax data never has`,
    );
  }
  const { _decodeG2, _decodeG3, _decodeG4 } = utif.decode;
  const decoder = layout.compression === 4 ? _decodeG4 : layout.compression === 3 ? _decodeG3 : _decodeG2;
  const twoDimensional = ((layout.tags.first(TAG.t4Options) ?? 0) & 1) === 1;
  decoder(file.bytes, offset, size, target, 0, width, layout.fillOrder, twoDimensional);
}

function hasZeroRun(bytes: Uint8Array, start: number, end: number, limit: number): boolean {
  let run = 0;
  for (let i = start; i < end; i += 1) {
    run = bytes[i] === 0 ? run + 1 : 0;
    if (run >= limit) return true;
  }
  return false;
}

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
function decodeJpegChunks(file: TiffFile, layout: Layout): Raster {
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
function decodeOldJpeg(file: TiffFile, layout: Layout): Raster {
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

// ---------------------------------------------------------------------------------------------------------
// YCbCr (not JPEG): blocks of subsampled luma with one Cb and one Cr each, to RGB as libtiff converts them

function yCbCrToRgb(blocks: Uint8Array, layout: Layout): Uint8Array<ArrayBuffer> {
  const { width, height, tags } = layout;
  const [horizontal, vertical] = layout.subsampling;
  const [lumaRed, lumaGreen, lumaBlue] = lumaCoefficients(tags);
  const [yBlack, yWhite, cbBlack, cbWhite, crBlack, crWhite] = referenceBlackWhite(tags);
  const yScale = 255 / (yWhite - yBlack || 1);
  const cbScale = 127 / (cbWhite - cbBlack || 1);
  const crScale = 127 / (crWhite - crBlack || 1);
  const lumaSamples = horizontal * vertical;
  const across = Math.ceil(width / horizontal);
  const rgb = new Uint8ClampedArray(width * height * 3);
  for (let blockY = 0; blockY * vertical < height; blockY += 1) {
    for (let blockX = 0; blockX < across; blockX += 1) {
      const base = (blockY * across + blockX) * (lumaSamples + 2);
      const blueFromCb = (blocks[base + lumaSamples]! - cbBlack) * cbScale * (2 - 2 * lumaBlue);
      const redFromCr = (blocks[base + lumaSamples + 1]! - crBlack) * crScale * (2 - 2 * lumaRed);
      for (let dy = 0; dy < vertical && blockY * vertical + dy < height; dy += 1) {
        for (let dx = 0; dx < horizontal && blockX * horizontal + dx < width; dx += 1) {
          const luma = (blocks[base + dy * horizontal + dx]! - yBlack) * yScale;
          const r = luma + redFromCr;
          const b = luma + blueFromCb;
          const at = ((blockY * vertical + dy) * width + blockX * horizontal + dx) * 3;
          rgb[at] = r;
          rgb[at + 1] = (luma - lumaBlue * b - lumaRed * r) / lumaGreen;
          rgb[at + 2] = b;
        }
      }
    }
  }
  return new Uint8Array(rgb.buffer);
}

function lumaCoefficients(tags: Tags): [number, number, number] {
  const [red, green, blue] = tags.numbers(TAG.yCbCrCoefficients, 3) ?? [];
  const valid = [red, green, blue].every((value) => value !== undefined && value > 0 && value < 1);
  return valid ? [red!, green!, blue!] : [0.299, 0.587, 0.114];
}

function referenceBlackWhite(tags: Tags): [number, number, number, number, number, number] {
  const [yBlack, yWhite, cbBlack, cbWhite, crBlack, crWhite] = tags.numbers(TAG.referenceBlackWhite, 6) ?? [];
  if (crWhite === undefined) return [0, 255, 128, 255, 128, 255];
  return [yBlack!, yWhite!, cbBlack!, cbWhite!, crBlack!, crWhite];
}

// ---------------------------------------------------------------------------------------------------------
// Samples to 8-bit RGBA

type SampleArray =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** One channel of the raster: the value of pixel i is `data[offset + i * stride]`. */
interface Channel {
  readonly data: SampleArray;
  readonly offset: number;
  readonly stride: number;
}

/** A channel already in 8 bits. */
interface ByteChannel {
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
interface Stretch {
  readonly low: number;
  readonly high: number;
  readonly clipped: boolean;
}

/** Share of samples at each end left out of the stretch, so a few hot or dead pixels do not flatten the rest. */
const STRETCH_CLIP = 0.001;
/** Histogram bins for 32-bit and floating-point samples, whose values cannot each have a bin. */
const STRETCH_BINS = 4096;

function toRgba(raster: Raster, layout: Layout): { rgba: Uint8ClampedArray<ArrayBuffer>; notes: string[] } {
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

/** Maps `low`…`high` linearly to 0–255 (clamped; NaN becomes 0). */
function byteMap(low: number, high: number, raster: Raster): ByteMap {
  const scale = high > low ? 255 / (high - low) : 0;
  if (raster.format === 'float' || raster.bits > 16) return { kind: 'linear', low, scale };
  const bias = raster.format === 'int' ? 2 ** (raster.bits - 1) : 0;
  const table = new Uint8ClampedArray(2 ** raster.bits);
  for (let value = 0; value < table.length; value += 1) table[value] = (value - bias - low) * scale;
  return { kind: 'table', table, bias };
}

/** The whole range of the sample type to 0–255; floating point as 0–1. */
function fullRangeMap(raster: Raster): ByteMap {
  if (raster.format === 'uint' && raster.bits === 8) return { kind: 'identity' };
  if (raster.format === 'float') return byteMap(0, 1, raster);
  const low = raster.format === 'int' ? -(2 ** (raster.bits - 1)) : 0;
  return byteMap(low, low + 2 ** raster.bits - 1, raster);
}

function toBytes(channel: Channel, map: ByteMap, pixels: number): ByteChannel {
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
function stretchOf(channels: readonly Channel[], pixels: number, raster: Raster): Stretch | undefined {
  return raster.format !== 'float' && raster.bits <= 16
    ? exactStretch(channels, pixels, raster)
    : binnedStretch(channels, pixels);
}

/** Up to 16 bits every value has its own histogram bin, so the ends are exact. */
function exactStretch(channels: readonly Channel[], pixels: number, raster: Raster): Stretch | undefined {
  const bias = raster.format === 'int' ? 2 ** (raster.bits - 1) : 0;
  const counts = new Uint32Array(2 ** raster.bits);
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
