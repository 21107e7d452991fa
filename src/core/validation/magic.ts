/** What a file's first bytes say it is. */
export type ContentType =
  'jpeg' | 'png' | 'gif' | 'tiff' | 'bigtiff' | 'webp' | 'pdf' | 'zip' | 'czi' | 'avif' | 'heic' | 'heif';

export const contentTypeNames: Readonly<Record<ContentType, string>> = {
  jpeg: 'a JPEG image',
  png: 'a PNG image',
  gif: 'a GIF image',
  tiff: 'a TIFF image',
  bigtiff: 'a BigTIFF image',
  webp: 'a WebP image',
  pdf: 'a PDF document',
  zip: 'a ZIP archive',
  czi: 'a Zeiss CZI file',
  avif: 'an AVIF image',
  heic: 'a HEIC image',
  heif: 'a HEIF image',
};

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

const signatures: readonly (readonly [ContentType, readonly number[], number])[] = [
  ['jpeg', [0xff, 0xd8, 0xff], 0],
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0],
  ['gif', ascii('GIF87a'), 0],
  ['gif', ascii('GIF89a'), 0],
  ['tiff', ascii('II*\0'), 0],
  ['tiff', ascii('MM\0*'), 0],
  ['bigtiff', ascii('II+\0'), 0],
  ['bigtiff', ascii('MM\0+'), 0],
  ['pdf', ascii('%PDF-'), 0],
  ['zip', ascii('PK\x03\x04'), 0],
  ['zip', ascii('PK\x05\x06'), 0],
  ['czi', ascii('ZISRAWFILE'), 0],
];

const avifBrands = new Set(['avif', 'avis']);
const heicBrands = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);
// The generic HEIF brands open both AVIF and HEIC files.
const heifBrands = new Set(['mif1', 'msf1']);

export function detectContentType(bytes: Uint8Array): ContentType | undefined {
  for (const [type, signature, offset] of signatures) {
    if (startsWith(bytes, signature, offset)) return type;
  }
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(bytes, ascii('ftyp'), 4) && bytes.length >= 12) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (avifBrands.has(brand)) return 'avif';
    if (heicBrands.has(brand)) return 'heic';
    if (heifBrands.has(brand)) return 'heif';
  }
  return undefined;
}

const tiffFamily: readonly ContentType[] = ['tiff', 'bigtiff'];

/**
 * The content types a file with this (lower-case, last) extension may hold; undefined when we do not
 * know the extension well enough to judge. Several microscope and camera formats are TIFF inside.
 */
const expectedByExtension: ReadonlyMap<string, readonly ContentType[]> = new Map([
  ['jpg', ['jpeg']],
  ['jpeg', ['jpeg']],
  ['jpe', ['jpeg']],
  ['jfif', ['jpeg']],
  ['png', ['png']],
  ['gif', ['gif']],
  ['tif', tiffFamily],
  ['tiff', tiffFamily],
  ['btf', tiffFamily],
  ['tf8', tiffFamily],
  ['svs', tiffFamily],
  ['ndpi', tiffFamily],
  ['scn', tiffFamily],
  ['lsm', ['tiff']],
  ['dng', ['tiff']],
  ['webp', ['webp']],
  ['pdf', ['pdf']],
  ['zip', ['zip']],
  ['czi', ['czi']],
  ['avif', ['avif', 'heif']],
  ['heic', ['heic', 'heif']],
  ['heif', ['heic', 'heif']],
]);

export function expectedContentTypes(extension: string): readonly ContentType[] | undefined {
  return expectedByExtension.get(extension);
}
