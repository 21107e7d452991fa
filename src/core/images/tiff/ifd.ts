/**
 * The file structure of TIFF and BigTIFF: the header, the image file directories (IFDs) and their entries.
 * Both the header reader (from a file's first bytes) and the TIFF decoder (from the whole file) read
 * directories here. Every read is checked against the bytes given, so no offset or count from the file can
 * make it throw, loop or allocate more than the bytes hold.
 */

/** Bytes of one value of each field type, by type number (BYTE … IFD8); 0 for unknown types. */
export const TYPE_SIZES: readonly number[] = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8];

/** The bytes of a TIFF (all of the file, or its first bytes) and how to read its numbers. */
export interface TiffFile<Buffer extends ArrayBufferLike = ArrayBufferLike> {
  readonly bytes: Uint8Array<Buffer>;
  readonly view: DataView;
  readonly littleEndian: boolean;
  readonly bigTiff: boolean;
}

/** Where one tag's values are: `count` values of `type`, starting at byte `at`. */
export interface Entry {
  readonly type: number;
  readonly count: number;
  readonly at: number;
}

export interface Directory {
  /** The first entry of each tag whose field type is known. */
  readonly entries: ReadonlyMap<number, Entry>;
  /** The next directory's offset; 0 at the end of the chain, and when that offset lies past the bytes. */
  readonly next: number;
  /** The byte after the directory, its next-directory offset included. */
  readonly end: number;
}

/**
 * A directory that does not fit in the bytes: `end` is where it would end (next-directory offset included),
 * undefined when not even its entry count is inside the bytes.
 */
export interface DirectoryCut {
  readonly end: number | undefined;
}

/** The byte order (II or MM) and version of the first four bytes; undefined when they are not a TIFF's. */
export function readTiffSignature(bytes: Uint8Array): { littleEndian: boolean; version: number } | undefined {
  if (bytes.length < 4) return undefined;
  const order = String.fromCharCode(bytes[0]!, bytes[1]!);
  if (order !== 'II' && order !== 'MM') return undefined;
  const littleEndian = order === 'II';
  const version = littleEndian ? bytes[2]! | (bytes[3]! << 8) : (bytes[2]! << 8) | bytes[3]!;
  return { littleEndian, version };
}

export function tiffFile<Buffer extends ArrayBufferLike>(
  bytes: Uint8Array<Buffer>,
  littleEndian: boolean,
  bigTiff: boolean,
): TiffFile<Buffer> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { bytes, view, littleEndian, bigTiff };
}

/** The first directory's offset from the header; undefined when the header is cut short. */
export function firstDirectoryOffset(file: TiffFile): number | undefined {
  const at = file.bigTiff ? 8 : 4;
  return at + (file.bigTiff ? 8 : 4) <= file.bytes.length ? readOffset(file, at) : undefined;
}

/** An unsigned 64-bit number; above 2^53 it is rounded, which only matters for offsets far past any file. */
export function readUint64(file: TiffFile, at: number): number {
  const high = file.view.getUint32(at + (file.littleEndian ? 4 : 0), file.littleEndian);
  const low = file.view.getUint32(at + (file.littleEndian ? 0 : 4), file.littleEndian);
  return high * 2 ** 32 + low;
}

function readOffset(file: TiffFile, at: number): number {
  return file.bigTiff ? readUint64(file, at) : file.view.getUint32(at, file.littleEndian);
}

/** The directory at `offset`, or where it would end when it does not fit in the bytes. */
export function readDirectory(file: TiffFile, offset: number): Directory | DirectoryCut {
  const length = file.bytes.length;
  const countSize = file.bigTiff ? 8 : 2;
  const nextSize = file.bigTiff ? 8 : 4;
  if (!(offset >= 0 && offset + countSize <= length)) return { end: undefined };
  const count = file.bigTiff ? readUint64(file, offset) : file.view.getUint16(offset, file.littleEndian);
  const entrySize = file.bigTiff ? 20 : 12;
  const start = offset + countSize;
  const entriesEnd = start + count * entrySize;
  if (entriesEnd > length) return { end: entriesEnd + nextSize };
  const entries = new Map<number, Entry>();
  for (let at = start; at < entriesEnd; at += entrySize) {
    const tag = file.view.getUint16(at, file.littleEndian);
    const entry = readEntry(file, at);
    if (entry && !entries.has(tag)) entries.set(tag, entry);
  }
  const end = entriesEnd + nextSize;
  return { entries, next: end <= length ? readOffset(file, entriesEnd) : 0, end };
}

export function isDirectory(reading: Directory | DirectoryCut): reading is Directory {
  return 'entries' in reading;
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

/** Reads the tags of one directory; values that lie outside the bytes read as absent. */
export class Tags {
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

  /** The value of a tag holding exactly one unsigned whole number (BYTE, SHORT, LONG or LONG8). */
  single(tag: number): number | undefined {
    const entry = this.directory.entries.get(tag);
    return entry && entry.count === 1 && UNSIGNED_WHOLE_TYPES.has(entry.type) ? this.first(tag) : undefined;
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

/** BYTE, SHORT, LONG and LONG8. */
const UNSIGNED_WHOLE_TYPES = new Set([1, 3, 4, 16]);
