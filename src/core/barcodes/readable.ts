/**
 * Whether an image's barcodes can be read in the browser, judged from its header before anything is decoded;
 * a sentence (without the path) when not.
 */
import { browserPixelLimits } from '#core/images/derivative-plan';
import { isImageHeader, type HeaderReading } from '#core/images/image-header';
import { formatCount } from '#core/format';

export function unreadableReason(header: HeaderReading, size: number): string | undefined {
  if (size === 0) return 'it is empty';
  if (!isImageHeader(header)) {
    return header === undefined
      ? 'it is not an image the browser can decode'
      : `it cannot be decoded (${header.problem})`;
  }
  const { width, height } = header;
  const { maxPixels, maxSide } = browserPixelLimits;
  if (width * height > maxPixels || width > maxSide || height > maxSide) {
    return `it declares ${formatCount(width)} × ${formatCount(height)} pixels, more than the browser can decode`;
  }
  return undefined;
}

/** The sentence for an image whose file could not be opened to read its barcodes (`detail`: the browser's reason). */
export function notOpenedProblem(path: string, detail: string): string {
  return `${path} could not be read to find its barcodes (${detail}); choose the folder again to rescan it.`;
}
