/**
 * What an image's first bytes say about it before anything decodes it: its format, its stored size, its EXIF
 * orientation and (for TIFF) how many pages it holds. The Prepare step reads the first {@link headerBytesWanted}
 * bytes of each image (or the whole file when it is smaller) and plans its copies from this.
 *
 * Every read is bounds-checked: no input throws, every loop advances through the bytes, and TIFF page lists
 * are followed with a guard against loops. A header that runs past the bytes given is not a problem unless the
 * bytes are the whole file (`fileSize`): a JPEG's EXIF, ICC profile and other segments can run to hundreds of
 * kilobytes before its size is given, and a TIFF writer may put the first page's directory at the end of a
 * gigabyte file. Then width and height are 0, and the decoder finds them out.
 */
import type { ImageFormat, ImageHeader } from '#core/images/types';
import { formatCount } from '#core/format';
import { type ContentType, contentTypeNames, detectContentType } from '#core/validation/magic';
import {
  type Directory,
  firstDirectoryOffset,
  isDirectory,
  readDirectory,
  readTiffSignature,
  Tags,
  type TiffFile,
  tiffFile,
} from '#core/images/tiff/ifd';
import { TAG } from '#core/images/tiff/tags';

/** How many leading bytes the reader is designed for: enough for the EXIF block of a camera JPEG. */
export const headerBytesWanted = 64 * 1024;

/** Why bytes that claim an image format cannot be read as one: a clause to follow the file's name and a colon. */
export interface HeaderProblem {
  readonly problem: string;
}

/** The header, a problem with it, or undefined when the bytes are not an image format we read. */
export type HeaderReading = ImageHeader | HeaderProblem | undefined;

/** The bytes being read, and whether they hold the whole file (so running out of them means it is cut short). */
interface Source {
  readonly bytes: Uint8Array;
  readonly whole: boolean;
  /** The file's size when known, else Infinity. */
  readonly fileSize: number;
}

type Reader = (source: Source, type: ContentType) => HeaderReading;

/**
 * Reads the header of an image from its first bytes. Pass `fileSize` (the file's length in bytes) when known:
 * it tells a file that is cut short from bytes that merely stop early, and a TIFF offset past the end of the
 * file from one past the bytes given. Never throws; undefined for bytes of any other kind (HEIC, CZI, PDF …).
 */
export function readImageHeader(bytes: Uint8Array, fileSize?: number): HeaderReading {
  const size = fileSize ?? Infinity;
  const source: Source = { bytes, whole: bytes.length >= size, fileSize: size };
  const type = detectContentType(bytes);
  const reader = type === undefined ? undefined : readers[type];
  if (type !== undefined && reader !== undefined) return reader(source, type);
  return isBmp(bytes) ? readBmp(source) : undefined;
}

/** True for a reading that found the format (whether or not it found the size). */
export function isImageHeader(reading: HeaderReading): reading is ImageHeader {
  return reading !== undefined && 'format' in reading;
}

const readers: Partial<Record<ContentType, Reader>> = {
  jpeg: (source) => readJpeg(source),
  png: (source) => readPng(source),
  gif: (source) => readGif(source),
  webp: (source) => readWebp(source),
  tiff: (source, type) => readTiff(source, type),
  bigtiff: (source, type) => readTiff(source, type),
  avif: (source) => readAvif(source),
  heif: (source) => (hasAvifBrand(source.bytes) ? readAvif(source) : undefined),
};

// ——— Reading numbers without ever reading past the end: -1 when the bytes stop short ———

function u8(bytes: Uint8Array, at: number): number {
  return at >= 0 && at < bytes.length ? (bytes[at] ?? -1) : -1;
}

function u16(bytes: Uint8Array, at: number, little: boolean): number {
  const a = u8(bytes, at);
  const b = u8(bytes, at + 1);
  if (a < 0 || b < 0) return -1;
  return little ? a | (b << 8) : (a << 8) | b;
}

function u24le(bytes: Uint8Array, at: number): number {
  const low = u16(bytes, at, true);
  const high = u8(bytes, at + 2);
  return low < 0 || high < 0 ? -1 : low + high * 0x10000;
}

function u32(bytes: Uint8Array, at: number, little: boolean): number {
  const first = u16(bytes, at, little);
  const second = u16(bytes, at + 2, little);
  if (first < 0 || second < 0) return -1;
  return little ? first + second * 0x10000 : first * 0x10000 + second;
}

/** A 64-bit unsigned number; Infinity beyond 2^53, where no offset into a real file lies. */
function u64(bytes: Uint8Array, at: number, little: boolean): number {
  const first = u32(bytes, at, little);
  const second = u32(bytes, at + 4, little);
  if (first < 0 || second < 0) return -1;
  const [low, high] = little ? [first, second] : [second, first];
  return high >= 0x200000 ? Infinity : high * 0x1_0000_0000 + low;
}

function text4(bytes: Uint8Array, at: number): string {
  if (at < 0 || at + 4 > bytes.length) return '';
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

// ——— Results ———

function formatName(type: ContentType | 'bmp'): string {
  return type === 'bmp' ? 'a BMP image' : contentTypeNames[type];
}

function damaged(type: ContentType | 'bmp', detail: string): HeaderProblem {
  return { problem: `its header is damaged (${detail}), so it cannot be read as ${formatName(type)}` };
}

function cutShort(type: ContentType | 'bmp'): HeaderProblem {
  return {
    problem: `it is cut short before the end of its header, so it cannot be read as ${formatName(type)}`,
  };
}

function header(format: ImageFormat, width: number, height: number, orientation = 1, pages = 1): ImageHeader {
  return { format, width, height, orientation, pages };
}

/** The bytes ran out before the size: unknown size, or a cut-short file when the bytes were all of it. */
function ranOut(
  source: Source,
  type: ContentType | 'bmp',
  format: ImageFormat,
  orientation = 1,
): HeaderReading {
  return source.whole ? cutShort(type) : header(format, 0, 0, orientation);
}

function dimensions(width: number, height: number): string {
  return `${formatCount(width)} × ${formatCount(height)} pixels`;
}

/** EXIF orientation 1–8; anything else (0 is common) means upright. */
function validOrientation(value: number | undefined): number {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= 8 ? value : 1;
}

// ——— JPEG: walk the markers to the first SOFn, reading EXIF orientation from APP1 on the way ———

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP1 = 0xe1;

/** Markers that stand alone, without a length: TEM, RST0–7 and SOI. */
function standsAlone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= SOI);
}

/** SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpeg(source: Source): HeaderReading {
  const { bytes } = source;
  let orientation: number | undefined;
  let at = 2;
  while (at < bytes.length) {
    // Like libjpeg, step over stray bytes between segments, then over 0xFF fill bytes.
    if (bytes[at] !== 0xff) {
      const next = bytes.indexOf(0xff, at);
      if (next === -1) break;
      at = next;
    }
    while (bytes[at] === 0xff) at += 1;
    const marker = u8(bytes, at);
    at += 1;
    if (marker < 0) break;
    if (marker === 0x00 || standsAlone(marker)) continue;
    if (marker === EOI) return damaged('jpeg', 'it ends before it gives the image size');
    if (marker === SOS) return damaged('jpeg', 'its image data begins before it gives the image size');
    const length = u16(bytes, at, false);
    if (length < 0) break;
    if (length < 2) return damaged('jpeg', `a segment says it is ${length} bytes long`);
    if (isStartOfFrame(marker)) return readStartOfFrame(source, at, length, validOrientation(orientation));
    if (marker === APP1 && orientation === undefined) {
      orientation = exifOrientation(bytes.subarray(at + 2, Math.min(at + length, bytes.length)));
    }
    at += length;
  }
  return ranOut(source, 'jpeg', 'jpeg', validOrientation(orientation));
}

/** SOFn: length (2), precision (1), height (2), width (2), components (1) … */
function readStartOfFrame(source: Source, at: number, length: number, orientation: number): HeaderReading {
  if (length < 8) {
    return damaged('jpeg', `its frame header is ${length} bytes long, too short to give a size`);
  }
  const height = u16(source.bytes, at + 3, false);
  const width = u16(source.bytes, at + 5, false);
  if (width < 0 || height < 0) return ranOut(source, 'jpeg', 'jpeg', orientation);
  if (width === 0) return damaged('jpeg', 'it declares a width of 0 pixels');
  // A height of 0 is allowed: a DNL marker after the first scan gives it, so the decoder finds it out.
  return header('jpeg', width, height, orientation);
}

/** The Orientation tag of an APP1 segment's body, when it is `Exif\0\0` and a TIFF structure; else undefined. */
function exifOrientation(body: Uint8Array): number | undefined {
  if (text4(body, 0) !== 'Exif' || body[4] !== 0 || body[5] !== 0) return undefined;
  const file = openTiff(body.subarray(6));
  if (file === undefined || file.bigTiff) return undefined;
  const first = firstDirectoryOffset(file);
  const directory = first === undefined ? 'beyond' : directoryAt(file, first, Infinity);
  return typeof directory === 'object' && 'entries' in directory
    ? new Tags(file, directory).single(TAG.orientation)
    : undefined;
}

// ——— TIFF and BigTIFF: IFD0's size and orientation, and the pages (IFDs) in the chain ———

/** A directory, or 'beyond' when it lies (partly) past the bytes given, or why it is damaged. */
type DirectoryReading = Directory | 'beyond' | { readonly detail: string };

function openTiff(bytes: Uint8Array): TiffFile | undefined {
  const signature = readTiffSignature(bytes);
  if (signature === undefined || (signature.version !== 42 && signature.version !== 43)) return undefined;
  return tiffFile(bytes, signature.littleEndian, signature.version === 43);
}

/** Offsets from 2^53 on lie far past any file; they read as Infinity. */
function offsetOf(value: number): number {
  return value >= 2 ** 53 ? Infinity : value;
}

function directoryAt(file: TiffFile, offset: number, fileSize: number): DirectoryReading {
  const reading = readDirectory(file, offset);
  if (reading.end === undefined) return 'beyond';
  if (reading.end > fileSize) return { detail: `a page's directory runs past the end of the file` };
  return isDirectory(reading) && reading.end <= file.bytes.length ? reading : 'beyond';
}

function readTiff(source: Source, type: ContentType): HeaderReading {
  const { bytes, fileSize } = source;
  const file = openTiff(bytes);
  if (file === undefined) return ranOut(source, type, 'tiff');
  const headerSize = file.bigTiff ? 16 : 8;
  if (file.bigTiff && u16(bytes, 4, file.littleEndian) !== 8 && bytes.length >= 6) {
    return damaged(type, 'its offsets are not 8 bytes wide, as BigTIFF requires');
  }
  const firstOffset = firstDirectoryOffset(file);
  if (firstOffset === undefined) return ranOut(source, type, 'tiff');
  const first = offsetOf(firstOffset);
  const outside = offsetProblem(first, headerSize, fileSize, 'its first page');
  if (outside !== undefined) return damaged(type, outside);
  const directory = directoryAt(file, first, fileSize);
  if (directory === 'beyond') return ranOut(source, type, 'tiff');
  if ('detail' in directory) return damaged(type, directory.detail);
  const tags = new Tags(file, directory);
  const width = tags.single(TAG.width);
  const height = tags.single(TAG.height);
  if (width === undefined || height === undefined) {
    return damaged(type, 'its first page does not give the image width and height');
  }
  if (width === 0 || height === 0) {
    return damaged(type, `its first page declares ${dimensions(width, height)}`);
  }
  const pages = countPages(source, file, first, directory.next);
  if (typeof pages === 'object') return damaged(type, pages.detail);
  return header('tiff', width, height, validOrientation(tags.single(TAG.orientation)), pages);
}

function offsetProblem(
  offset: number,
  headerSize: number,
  fileSize: number,
  what: string,
): string | undefined {
  if (offset < headerSize) {
    return `${what} is said to start at byte ${formatCount(offset)}, inside the file header`;
  }
  if (offset === Infinity) return `${what} is said to start far past the end of the file`;
  if (offset >= fileSize) {
    return `${what} is said to start at byte ${formatCount(offset)}, past the end of the ${formatCount(fileSize)}-byte file`;
  }
  return undefined;
}

/**
 * The pages in the chain of directories from the first; when the chain leaves the bytes given, the pages
 * found so far (a lower bound). A chain that comes back to a page it passed, or points past the end of the
 * file, is damaged: a decoder following it could loop forever or fail.
 */
function countPages(
  source: Source,
  file: TiffFile,
  first: number,
  next: number,
): number | { readonly detail: string } {
  const pageAt = new Map([[first, 1]]);
  const headerSize = file.bigTiff ? 16 : 8;
  let offset = offsetOf(next);
  while (offset !== 0) {
    const earlier = pageAt.get(offset);
    if (earlier !== undefined) {
      return { detail: `its list of pages loops back to page ${formatCount(earlier)}` };
    }
    const page = `page ${formatCount(pageAt.size + 1)}`;
    const outside = offsetProblem(offset, headerSize, source.fileSize, page);
    if (outside !== undefined) return { detail: outside };
    const directory = directoryAt(file, offset, source.fileSize);
    if (directory === 'beyond') break;
    if ('detail' in directory) return directory;
    pageAt.set(offset, pageAt.size + 1);
    offset = offsetOf(directory.next);
  }
  return pageAt.size;
}

// ——— PNG: the IHDR chunk, which must come first ———

const maxPngSide = 2 ** 31 - 1;

function readPng(source: Source): HeaderReading {
  const { bytes } = source;
  if (bytes.length < 24) return ranOut(source, 'png', 'png');
  if (text4(bytes, 12) !== 'IHDR') {
    return damaged('png', 'its first chunk is not IHDR, the one that gives the size');
  }
  const width = u32(bytes, 16, false);
  const height = u32(bytes, 20, false);
  if (width === 0 || height === 0 || width > maxPngSide || height > maxPngSide) {
    return damaged('png', `it declares ${dimensions(width, height)}`);
  }
  return header('png', width, height);
}

// ——— GIF: the logical screen ———

function readGif(source: Source): HeaderReading {
  const width = u16(source.bytes, 6, true);
  const height = u16(source.bytes, 8, true);
  if (width < 0 || height < 0) return ranOut(source, 'gif', 'gif');
  // A logical screen of 0 × 0 occurs in the wild; decoders then take the first frame's size.
  return header('gif', width, height);
}

// ——— WebP: the first chunk, VP8 (lossy), VP8L (lossless) or VP8X (extended) ———

function readWebp(source: Source): HeaderReading {
  const { bytes } = source;
  const chunk = text4(bytes, 12);
  if (chunk === '') return ranOut(source, 'webp', 'webp');
  if (chunk === 'VP8 ') return readVp8(source);
  if (chunk === 'VP8L') return readVp8l(source);
  if (chunk === 'VP8X') {
    const width = u24le(bytes, 24);
    const height = u24le(bytes, 27);
    return width < 0 || height < 0 ? ranOut(source, 'webp', 'webp') : header('webp', width + 1, height + 1);
  }
  return damaged('webp', 'its first chunk is not VP8, VP8L or VP8X');
}

function readVp8(source: Source): HeaderReading {
  const { bytes } = source;
  if (bytes.length < 30) return ranOut(source, 'webp', 'webp');
  if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) {
    return damaged('webp', 'its VP8 frame does not start with the VP8 start code');
  }
  const width = u16(bytes, 26, true) & 0x3fff;
  const height = u16(bytes, 28, true) & 0x3fff;
  if (width === 0 || height === 0) return damaged('webp', `it declares ${dimensions(width, height)}`);
  return header('webp', width, height);
}

function readVp8l(source: Source): HeaderReading {
  const { bytes } = source;
  const bits = u32(bytes, 21, true);
  if (bits < 0) return ranOut(source, 'webp', 'webp');
  if (bytes[20] !== 0x2f) return damaged('webp', 'its VP8L data does not start with the VP8L signature');
  return header('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
}

// ——— BMP: the size in the DIB header; 'BM' alone is too weak a signature, so the DIB size must be a known one ———

const dibHeaderSizes = new Set([12, 40, 52, 56, 64, 108, 124]);

function isBmp(bytes: Uint8Array): boolean {
  return bytes[0] === 0x42 && bytes[1] === 0x4d && dibHeaderSizes.has(u32(bytes, 14, true));
}

function readBmp(source: Source): HeaderReading {
  const { bytes } = source;
  const core = u32(bytes, 14, true) === 12;
  const rawWidth = core ? u16(bytes, 18, true) : u32(bytes, 18, true);
  const rawHeight = core ? u16(bytes, 20, true) : u32(bytes, 22, true);
  if (rawWidth < 0 || rawHeight < 0) return ranOut(source, 'bmp', 'bmp');
  const width = core ? rawWidth : signed32(rawWidth);
  // A negative height means the rows are stored top-down.
  const height = core ? rawHeight : Math.abs(signed32(rawHeight));
  if (width <= 0 || height === 0) return damaged('bmp', `it declares ${dimensions(width, height)}`);
  return header('bmp', width, height);
}

function signed32(value: number): number {
  return value >= 0x8000_0000 ? value - 0x1_0000_0000 : value;
}

// ——— AVIF: the primary item's ispe (size), irot and imir properties, in meta/iprp ———

interface Box {
  readonly type: string;
  /** Where the box's content starts and ends (the end clipped to the bytes given). */
  readonly start: number;
  readonly end: number;
}

/** The boxes from `start` to `end`; stops at a box whose size makes no sense, so it always ends. */
function boxes(bytes: Uint8Array, start: number, end: number): Box[] {
  const found: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    const size32 = u32(bytes, at, false);
    const type = text4(bytes, at + 4);
    const large = size32 === 1;
    const size = size32 === 0 ? end - at : large ? u64(bytes, at + 8, false) : size32;
    const headerSize = large ? 16 : 8;
    if (size < headerSize) break;
    found.push({ type, start: at + headerSize, end: Math.min(at + size, end) });
    at += size;
  }
  return found;
}

function child(bytes: Uint8Array, parent: Box | undefined, type: string, skip = 0): Box | undefined {
  if (parent === undefined) return undefined;
  return boxes(bytes, parent.start + skip, parent.end).find((box) => box.type === type);
}

function hasAvifBrand(bytes: Uint8Array): boolean {
  const size = Math.min(u32(bytes, 0, false), bytes.length);
  for (let at = 16; at + 4 <= size; at += 4) {
    const brand = text4(bytes, at);
    if (brand === 'avif' || brand === 'avis') return true;
  }
  return false;
}

/** EXIF orientation of an irot angle (quarter turns anticlockwise), then an imir mirror; MIAF fixes that order. */
const orientationByTurn: readonly (readonly [number, number, number])[] = [
  // no mirror, mirror left-right (imir axis 0), mirror top-bottom (imir axis 1)
  [1, 2, 4],
  [8, 7, 5],
  [3, 4, 2],
  [6, 5, 7],
];

function readAvif(source: Source): HeaderReading {
  const { bytes } = source;
  const meta = boxes(bytes, 0, bytes.length).find((box) => box.type === 'meta');
  const iprp = child(bytes, meta, 'iprp', 4);
  const properties = boxes(bytes, iprp?.start ?? 0, iprp?.end ?? 0);
  const ipco = properties.find((box) => box.type === 'ipco');
  const all = ipco === undefined ? [] : boxes(bytes, ipco.start, ipco.end);
  const primary = primaryProperties(
    bytes,
    meta,
    properties.find((box) => box.type === 'ipma'),
    all,
  );
  const ispe = primary.find((box) => box.type === 'ispe');
  const width = ispe === undefined ? -1 : u32(bytes, ispe.start + 4, false);
  const height = ispe === undefined ? -1 : u32(bytes, ispe.start + 8, false);
  const turns = primary.find((box) => box.type === 'irot');
  const mirror = primary.find((box) => box.type === 'imir');
  const row = orientationByTurn[turns === undefined ? 0 : u8(bytes, turns.start) & 3];
  const orientation = row?.[mirror === undefined ? 0 : (u8(bytes, mirror.start) & 1) + 1] ?? 1;
  // The decoder finds out what the header does not say, so a missing or odd ispe is not a problem here.
  return header('avif', Math.max(width, 0), Math.max(height, 0), orientation);
}

/** The properties associated with the primary item (pitm) in ipma; all of them when either box is missing. */
function primaryProperties(
  bytes: Uint8Array,
  meta: Box | undefined,
  ipma: Box | undefined,
  all: readonly Box[],
): readonly Box[] {
  const pitm = child(bytes, meta, 'pitm', 4);
  if (pitm === undefined || ipma === undefined) return all;
  // pitm and ipma are full boxes: a version byte and three flag bytes come first.
  const version = u8(bytes, pitm.start);
  const primary = version === 0 ? u16(bytes, pitm.start + 4, false) : u32(bytes, pitm.start + 4, false);
  const indices = associations(bytes, ipma).get(primary);
  if (indices === undefined) return all;
  return indices.flatMap((index) => all[index - 1] ?? []);
}

/** ipma: for each item, the 1-based indices of its properties in ipco. */
function associations(bytes: Uint8Array, ipma: Box): Map<number, number[]> {
  const version = u8(bytes, ipma.start);
  const wide = (u8(bytes, ipma.start + 3) & 1) === 1;
  const count = u32(bytes, ipma.start + 4, false);
  const found = new Map<number, number[]>();
  let at = ipma.start + 8;
  for (let entry = 0; entry < count && at < ipma.end; entry += 1) {
    const item = version < 1 ? u16(bytes, at, false) : u32(bytes, at, false);
    at += version < 1 ? 2 : 4;
    const associated = u8(bytes, at);
    at += 1;
    const indices: number[] = [];
    for (let i = 0; i < associated && at < ipma.end; i += 1) {
      indices.push(wide ? u16(bytes, at, false) & 0x7fff : u8(bytes, at) & 0x7f);
      at += wide ? 2 : 1;
    }
    found.set(item, indices);
  }
  return found;
}
