/**
 * TIFF to 8-bit RGBA for web copies, inside an image worker: Chrome cannot decode TIFF, and many specimen and
 * microscopy originals are TIFF.
 *
 * The file structure (header, directories, tags) is read by our own reader (`#core/images/tiff/ifd`, shared
 * with the header reader), not by utif: `UTIF.decode` follows directory chains and tag counts from the file
 * without limits, so a fuzzed file makes it loop or allocate without end. Every size and offset is checked
 * against the file and `maxPixels` before any pixel data is touched (`layout.ts`). LZW, PackBits and Deflate
 * (fflate) are decoded here too (`codecs.ts`): utif's LZW loops forever on old-style (LSB-first) LZW, which
 * libtiff's own sample quad-lzw.tif uses. utif decodes JPEG (`jpeg.ts`) and CCITT fax (`fax.ts`). Samples
 * become 8-bit in `rgba.ts`: 16-bit, 32-bit, signed and floating-point data are stretched over the range the
 * image actually uses (`../sample-window.ts`), 8-bit data is taken as it is.
 *
 * Hot loops index typed arrays with `!`: every index is in range by construction (sizes are checked first).
 */
import { describeLayout } from './layout';
import { choosePage, openTiff, pageCount, readChain } from './pages';
import { NO_COPY, Unreadable, damaged } from './problems';
import { decodeRaster } from './raster';
import { toRgba } from './rgba';

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
