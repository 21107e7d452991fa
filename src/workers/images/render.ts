/**
 * Decoding, resizing and JPEG encoding inside an image worker. Browser formats are decoded by createImageBitmap
 * with the EXIF orientation applied; TIFF by our decoder. Copies are drawn on a white background (JPEG has no
 * transparency) with the browser's high-quality resampling, each from the next larger one, so three copies
 * cost one decode and three small draws.
 */
import { fitUnderLimit } from '#core/images/quality-search';
import type { ImageFormat } from '#core/images/types';
import { decodeTiff } from './tiff/decode';

export interface Decoded {
  readonly image: ImageBitmap;
  readonly notes: readonly string[];
}

export class DecodeProblem extends Error {}

/** Decodes the whole image once; a sentence (without the path) when it cannot be. */
export async function decode(blob: Blob, format: ImageFormat): Promise<Decoded> {
  if (format === 'tiff') {
    const decoded = decodeTiff(await blob.arrayBuffer());
    if ('problem' in decoded) throw new DecodeProblem(decoded.problem);
    const data = new ImageData(decoded.rgba as Uint8ClampedArray<ArrayBuffer>, decoded.width, decoded.height);
    return { image: await createImageBitmap(data), notes: decoded.notes };
  }
  try {
    return { image: await createImageBitmap(blob, { imageOrientation: 'from-image' }), notes: [] };
  } catch {
    throw new DecodeProblem(
      `it could not be decoded as ${format.toUpperCase()} (the file may be damaged or cut short), so no web copy was made and it is uploaded as it is; check the file, or make its copies with a desktop tool.`,
    );
  }
}

export interface Encoded {
  readonly blob: Blob;
  readonly width: number;
  readonly height: number;
  readonly quality: number;
  readonly encodes: number;
}

/** Draws `source` at `width` × `height` on white. */
export function draw(source: CanvasImageSource, width: number, height: number): OffscreenCanvas {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { alpha: false });
  if (!context)
    throw new DecodeProblem('the browser has no memory left to draw it; close other tabs and try again.');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, width, height);
  return canvas;
}

/**
 * The JPEG of `canvas` at the highest quality from `quality` down that fits `maxBytes`, scaling the pixels down
 * only when no quality fits. Undefined with a sentence when nothing fits within the search's budget.
 */
export async function encodeUnder(
  canvas: OffscreenCanvas,
  quality: number,
  maxBytes: number,
): Promise<Encoded | { readonly problem: string }> {
  const made = new Map<string, { blob: Blob; width: number; height: number }>();
  const key = (q: number, s: number) => `${q}|${s}`;
  const fit = await fitUnderLimit(
    async (q, scale) => {
      const width = Math.max(1, Math.round(canvas.width * scale));
      const height = Math.max(1, Math.round(canvas.height * scale));
      const target = scale === 1 ? canvas : draw(canvas, width, height);
      const blob = await target.convertToBlob({ type: 'image/jpeg', quality: q });
      made.set(key(q, scale), { blob, width, height });
      return blob.size;
    },
    { quality, maxBytes },
  );
  if ('problem' in fit) return fit;
  const chosen = made.get(key(fit.quality, fit.scale));
  if (!chosen || chosen.blob.size > maxBytes) {
    return { problem: 'its copy could not be brought under the size limit; lower the quality or the size.' };
  }
  return { ...chosen, quality: fit.quality, encodes: fit.encodes };
}
