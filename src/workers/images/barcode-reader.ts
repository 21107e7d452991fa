/**
 * Reads the barcodes on a decoded image with ZXing (zxing-wasm) inside an image worker. The WASM comes from our
 * own bundle (its loader would fetch it from a CDN otherwise). The whole image is read at full resolution, so a
 * label of about 1 cm on a 60-MP sheet keeps bars a few pixels wide; ZXing's own downscaled pass finds the large
 * codes. Labels printed faintly or photographed under glare are tried once more with a fixed threshold when the
 * first pass finds nothing, which is what reads the NHM's small Data Matrix labels on pinned insects.
 */
import type { FoundBarcode } from '#core/barcodes/types';
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

/** The kinds collections print: Code 39, Code 128, Data Matrix and QR, EAN-13 of the digits alone, and a few more. */
export const BARCODE_FORMATS = [
  'Code39',
  'Code93',
  'Code128',
  'DataMatrix',
  'QRCode',
  'EAN13',
  'ITF',
  'PDF417',
] as const satisfies ReaderOptions['formats'];

const OPTIONS: ReaderOptions = {
  formats: [...BARCODE_FORMATS],
  tryHarder: true,
  tryRotate: true,
  tryInvert: false,
  tryDownscale: true,
  maxNumberOfSymbols: 16,
};

let prepared = false;

function prepare(): void {
  if (prepared) return;
  prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path),
    },
  });
  prepared = true;
}

/** The pixels of `image` at full size, on white (a transparent PNG reads as on paper). */
function pixels(image: ImageBitmap): ImageData {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  if (!context) throw new Error('the browser has no memory left to read its barcodes');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, image.width, image.height);
  context.drawImage(image, 0, 0);
  return context.getImageData(0, 0, image.width, image.height);
}

/** Every distinct barcode on the image, in reading order (top to bottom, then left to right). */
export async function readImageBarcodes(image: ImageBitmap): Promise<FoundBarcode[]> {
  prepare();
  const data = pixels(image);
  let results = await readBarcodes(data, OPTIONS);
  if (results.length === 0) results = await readBarcodes(data, { ...OPTIONS, binarizer: 'FixedThreshold' });
  const found = new Map<string, FoundBarcode & { readonly y: number; readonly x: number }>();
  for (const result of results) {
    const text = result.text.trim();
    if (!result.isValid || text === '') continue;
    const key = `${result.format}\u0000${text}`;
    if (found.has(key)) continue;
    const { topLeft } = result.position;
    found.set(key, { text, format: result.format, x: topLeft.x, y: topLeft.y });
  }
  return [...found.values()]
    .sort((a, b) => a.y - b.y || a.x - b.x)
    .map(({ text, format }) => ({ text, format }));
}
