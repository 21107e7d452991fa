/**
 * Reads the barcodes on a decoded image with ZXing (zxing-wasm) inside an image worker. The WASM comes from our
 * own bundle (its loader would fetch it from a CDN otherwise).
 *
 * What was measured on generated 60-MP sheets (a busy sheet, 226 px per cm): ZXing trying hard over the full
 * 60 MP took 4–8 s; over the same sheet drawn at 16 MP it reads a 1-cm Code 128 label (bars then about 2.5 px
 * wide) and a 1-cm Data Matrix at any angle in a few hundred milliseconds. So images are read at 16 MP at most,
 * trying hard and turned a quarter (a linear code standing on its side), with no further downscaled passes.
 * Labels printed faintly or under glare are tried once more with a fixed threshold when the first pass finds
 * nothing, which is what reads the NHM's small Data Matrix labels on pinned insects.
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
  tryDownscale: false,
  maxNumberOfSymbols: 16,
};

/** Images are read at most this large. */
export const READ_PIXELS = 16_000_000;

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

/** The pixels of `image` at no more than {@link READ_PIXELS}, on white (a transparent PNG reads as on paper). */
function pixels(image: ImageBitmap): ImageData {
  const scale = Math.min(1, Math.sqrt(READ_PIXELS / (image.width * image.height)));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  if (!context) throw new Error('the browser has no memory left to read its barcodes');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, 0, 0, width, height);
  return context.getImageData(0, 0, width, height);
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
