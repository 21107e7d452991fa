/**
 * Reads the barcodes on a decoded image with ZXing (zxing-wasm) inside an image worker. The WASM comes from our
 * own bundle (its loader would fetch it from a CDN otherwise).
 *
 * What was measured on generated 60-MP sheets (a busy sheet, 226 px per cm): ZXing trying hard over the full
 * 60 MP took 4–8 s, over the sheet drawn at 16 MP one to two seconds. So an image over 12 MP is searched on a
 * 4-MP copy for places dense with sharp steps (core/barcodes/label-regions.ts), and only those are read, at full
 * resolution (a 1-cm label and its margin is under 1 MP): tens of milliseconds each. When no place gives a
 * barcode, and for smaller images, the whole image is read at 16 MP at most. Reading tries hard and turned a
 * quarter (a linear code standing on its side); a whole image with none is tried once more with a fixed
 * threshold, which is what reads the NHM's small Data Matrix labels on pinned insects. The WASM compiles each
 * function on its first call, which cost about half a second on the first label: the reader is compiled and
 * run once on a blank pattern as the worker starts.
 */
import { labelRegions, type Region } from '#core/barcodes/label-regions';
import type { FoundBarcode } from '#core/barcodes/types';
import { prepareZXingModule, readBarcodes, type ReaderOptions, type ReadResult } from 'zxing-wasm/reader';
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

/** Images are read whole at most this large (the fallback when no region of a large image gives a barcode). */
export const READ_PIXELS = 16_000_000;
/** Larger images are searched on a copy of this size first, and only the regions found are read. */
const LOCATE_PIXELS = 4_000_000;
const LOCATE_ABOVE = 3 * LOCATE_PIXELS;
/** A region is read at full resolution up to this size, drawn smaller beyond. */
const CROP_PIXELS = 4_000_000;

let prepared: Promise<unknown> | undefined;

/**
 * Fetches and compiles the reader's WASM (once per worker). Called before an image is decoded, so the compile
 * (about as long as reading a sheet's labels) overlaps the decode rather than following it.
 */
export function prepareBarcodeReader(): Promise<unknown> {
  prepared ??= prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path),
    },
    fireImmediately: true,
  }).then(() => readBarcodes(warmUpImage(), OPTIONS));
  return prepared;
}

/**
 * Bars and squares of no code at all: reading them once makes the engine compile the readers' functions (it
 * compiles each on its first call), while the image is still being decoded rather than on the first label.
 */
function warmUpImage(): ImageData {
  const width = 192;
  const height = 96;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const bar = y < height / 2 ? (x * 7) % 5 < 2 : ((x >> 3) + (y >> 3)) % 2 === 0;
      if (!bar) continue;
      const at = (y * width + x) * 4;
      data[at] = 0;
      data[at + 1] = 0;
      data[at + 2] = 0;
    }
  }
  return new ImageData(data, width, height);
}

/**
 * The pixels of the part `source` of `image` (the whole image by default) drawn at no more than `limit` pixels,
 * on white (a transparent PNG reads as on paper); `scale` is the drawing's size against the image's.
 */
function pixels(
  image: ImageBitmap,
  limit: number,
  source: Region = { x: 0, y: 0, width: image.width, height: image.height },
): { readonly data: ImageData; readonly scale: number } {
  const scale = Math.min(1, Math.sqrt(limit / (source.width * source.height)));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  if (!context) throw new Error('the browser has no memory left to read its barcodes');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  // The copy that is only searched is sampled, not filtered: cheaper, and bars keep their sharp steps.
  context.imageSmoothingEnabled = limit !== LOCATE_PIXELS;
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, source.x, source.y, source.width, source.height, 0, 0, width, height);
  return { data: context.getImageData(0, 0, width, height), scale };
}

interface Placed extends FoundBarcode {
  /** Where the symbol starts, in the image's pixels. */
  readonly x: number;
  readonly y: number;
}

/** The valid barcodes of a drawing of `at` (scaled by `scale`), placed in the image's pixels. */
function placed(results: readonly ReadResult[], at: Region, scale: number): Placed[] {
  return results.flatMap((result) => {
    const text = result.text.trim();
    if (!result.isValid || text === '') return [];
    const { topLeft } = result.position;
    return [{ text, format: result.format, x: at.x + topLeft.x / scale, y: at.y + topLeft.y / scale }];
  });
}

/** The whole image at up to {@link READ_PIXELS}, and with a fixed threshold when that finds nothing. */
async function readWhole(image: ImageBitmap): Promise<Placed[]> {
  const whole = { x: 0, y: 0, width: image.width, height: image.height };
  const { data, scale } = pixels(image, READ_PIXELS);
  let results = await readBarcodes(data, OPTIONS);
  if (results.length === 0) results = await readBarcodes(data, { ...OPTIONS, binarizer: 'FixedThreshold' });
  return placed(results, whole, scale);
}

/** The regions of a large image where labels may be, found on a small copy, each read at full resolution. */
async function readRegions(image: ImageBitmap): Promise<Placed[]> {
  const small = pixels(image, LOCATE_PIXELS);
  const regions = labelRegions(small.data.data, small.data.width, small.data.height);
  const found: Placed[] = [];
  for (const region of regions) {
    const x = Math.floor(region.x / small.scale);
    const y = Math.floor(region.y / small.scale);
    const at = {
      x,
      y,
      width: Math.min(image.width, Math.ceil((region.x + region.width) / small.scale)) - x,
      height: Math.min(image.height, Math.ceil((region.y + region.height) / small.scale)) - y,
    };
    const { data, scale } = pixels(image, CROP_PIXELS, at);
    found.push(...placed(await readBarcodes(data, OPTIONS), at, scale));
  }
  return found;
}

/**
 * Every distinct barcode on the image, in reading order (top to bottom, then left to right). A large image is
 * searched on a small copy and read only where labels may be; the whole image is read when that finds none.
 */
export async function readImageBarcodes(image: ImageBitmap): Promise<FoundBarcode[]> {
  await prepareBarcodeReader();
  let results = image.width * image.height > LOCATE_ABOVE ? await readRegions(image) : [];
  if (results.length === 0) results = await readWhole(image);
  const found = new Map<string, Placed>();
  for (const result of results) {
    const key = `${result.format}\u0000${result.text}`;
    if (!found.has(key)) found.set(key, result);
  }
  return [...found.values()]
    .sort((a, b) => a.y - b.y || a.x - b.x)
    .map(({ text, format }) => ({ text, format }));
}
