/**
 * The pages of a TIFF: the chain of top-level directories, followed with limits (a fuzzed file can make a
 * chain loop or go on without end), and the page a web copy is made from.
 */
import { formatCount } from '#core/format';
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
import { damaged } from './problems';

/** Directories followed in one chain at most; a longer chain is counted as this many pages. */
const MAX_DIRECTORIES = 100_000;

/** SubIFDs looked at per directory when looking for a full-resolution page. */
const MAX_SUB_DIRECTORIES = 64;

/** The file's byte order and variant (TIFF or BigTIFF), and where its first directory is. */
export function openTiff(buffer: ArrayBuffer): { file: TiffFile<ArrayBuffer>; firstDirectory: number } {
  const bytes = new Uint8Array(buffer);
  const signature = bytes.length >= 8 ? readTiffSignature(bytes) : undefined;
  if (!signature) throw damaged('it does not start like a TIFF file (II or MM, then 42)');
  const { littleEndian, version } = signature;
  const file = tiffFile(bytes, littleEndian, version === 43);
  const first = firstDirectoryOffset(file);
  const bigTiff = version === 43 && bytes.length >= 16 && file.view.getUint16(4, littleEndian) === 8;
  if ((version === 42 || bigTiff) && first !== undefined) return { file, firstDirectory: first };
  throw damaged(`it starts like a TIFF file but has version ${version} where 42 or 43 belongs`);
}

/** The directory at `offset`, or why it cannot be read. */
function directoryAt(file: TiffFile, offset: number): Directory | string {
  const length = file.bytes.length;
  const reading = offset < 8 ? { end: undefined } : readDirectory(file, offset);
  if (isDirectory(reading)) return reading;
  return reading.end === undefined
    ? `is at byte ${formatCount(offset)}, past the end of the ${formatCount(length)}-byte file`
    : `at byte ${formatCount(offset)} runs past the end of the ${formatCount(length)}-byte file`;
}

/** The top-level chain of directories (the pages), stopping at a loop or at a directory outside the file. */
export function readChain(file: TiffFile, first: number): Directory[] {
  const chain: Directory[] = [];
  const seen = new Set<number>();
  for (let offset = first; offset !== 0 && !seen.has(offset) && chain.length < MAX_DIRECTORIES;) {
    seen.add(offset);
    const directory = directoryAt(file, offset);
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
  return offsets.map((offset) => directoryAt(file, offset)).filter((sub) => typeof sub !== 'string');
}

/**
 * The first full-resolution page: the first top-level directory that is not marked reduced-resolution, else
 * (a file whose pages are all thumbnails, like a DNG) the first such SubIFD, else the largest image of all.
 * Pages are the full-resolution top-level directories; SubIFDs (pyramid levels) are not pages.
 */
export function choosePage(
  file: TiffFile,
  chain: readonly Directory[],
): { directory: Directory; pages: number } {
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

export function pageCount(pages: number): string {
  return pages >= MAX_DIRECTORIES ? `at least ${formatCount(pages)}` : formatCount(pages);
}
