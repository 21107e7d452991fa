/**
 * Reads the barcodes on a decoded image with ZXing (zxing-wasm) inside an image worker. The WASM comes from our
 * own bundle (its loader would fetch it from a CDN otherwise).
 *
 * What was measured on generated 60-MP sheets (a busy sheet, 226 px per cm): ZXing trying hard over the full
 * 60 MP took 4–8 s, over the sheet drawn at 16 MP one to two seconds. So an image over 12 MP is searched on a
 * 1-MP copy for places dense with sharp steps (core/barcodes/label-regions.ts), and only those are read, at full
 * resolution (a 1-cm label and its margin is under 1 MP): tens of milliseconds each. When no place gives a
 * barcode, and for smaller images, the whole image is read at 16 MP at most. Reading tries hard and turned a
 * quarter (a linear code standing on its side; a region only when it gives nothing upright); a whole image with
 * none is tried once more with a fixed threshold, which is what reads the NHM's small Data Matrix labels on
 * pinned insects. The reader is compiled as the worker starts, and warmed up on a card of real labels until its
 * first image comes (see warmUp).
 */
import { labelRegions, type Region, type RegionOptions } from '#core/barcodes/label-regions';
import type { FoundBarcode } from '#core/barcodes/types';
import { prepareZXingModule, readBarcodes, type ReaderOptions, type ReadResult } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import { FramePixels } from './frame-pixels';
import warmUpUrl from './warm-up-labels.png?url';

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

/**
 * A label's region is read upright and without trying hard first, and trying hard and turned a quarter only when
 * that finds nothing there: trying the turn took two thirds of a crop's read (Chromium, the bench sheet's two
 * crops: 21 and 14 ms with it, 7 and 5 without), and trying hard half of what was left (warm, 3.1 and 1.4 ms
 * without, 6.8 and 2.4 with; both labels read either way). A region holding a code found at once beside one
 * found only by trying hard, or on its side, gives the first alone.
 */
const QUICK: ReaderOptions = { ...OPTIONS, tryHarder: false, tryRotate: false };

/** Images are read whole at most this large (the fallback when no region of a large image gives a barcode). */
export const READ_PIXELS = 16_000_000;
/** Images above this size are searched on a small copy first, and only the regions found are read. */
const LOCATE_ABOVE = 12_000_000;
/**
 * The size of that copy. At 1 MP a 1-cm label on a 60-MP sheet is about 30 pixels high: its bars, sampled, are
 * a dense run of steps, where a stem's edge is one step a row. Searching a 4-MP copy cost more than the decode's
 * half again (the copy, then the search over it); at 1 MP both are a few tens of milliseconds.
 */
const LOCATE_PIXELS = 1_000_000;
/**
 * How the 1-MP copy is searched: blocks of 6 pixels (under 0.3 cm on a 60-MP sheet), busy when a quarter of their
 * pixel pairs are steps, which a code sampled this small passes and a stem's edge does not; a region then takes
 * in the blocks up to two out that are busy at the usual 12 %, where a code's edges and a turned symbol's
 * corners lie. Measured on the generated 24- and 60-MP sheets: every label found, in one or two regions of under
 * 1 MP at full size, where the 4-MP search gave seven or eight regions.
 */
const SEARCH: RegionOptions = { block: 6, density: 0.25, growDensity: 0.12, growBlocks: 2 };
/** A region is read at full resolution up to this size, drawn smaller beyond. */
const CROP_PIXELS = 4_000_000;

let prepared: Promise<unknown> | undefined;
/** Cleared when the worker is given its first image: from then on the card is read no more. */
let warming = true;

/**
 * Fetches and compiles the reader's WASM (once per worker), then reads the warm-up card while the worker waits
 * for its first image. Called as the worker starts, and again before an image is decoded.
 */
export function prepareBarcodeReader(): Promise<unknown> {
  if (!prepared) {
    prepared = prepareZXingModule({
      overrides: {
        locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path),
      },
      fireImmediately: true,
    });
    void prepared.then(warmUp).catch(() => undefined);
  }
  return prepared;
}

/**
 * An image came: the warm-up card is read no more. It used to be read on while the image decoded, but the decode
 * begins only once the browser has read the file through this thread's tasks, and each of those waited for a read
 * of the card: in a bench trace the decode began 730 ms after the header was read, where it takes 10–50 ms when
 * the worker is idle. The worker starts as reading is turned on, so the card has been read by then unless the
 * folder came within a second; reading the image warms the reader up for the next one.
 */
export function endWarmUp(): void {
  warming = false;
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Times the card is read: the engine optimizes a function only after it has run a while. */
const WARM_UP_ROUNDS = 3;
/** The kinds on the warm-up card. */
const CARD_FORMATS = ['Code128', 'DataMatrix', 'QRCode', 'Code39', 'EAN13'] as const;

/**
 * Reads a card of real labels while the worker has nothing else to do (the folder is picked, scanned and
 * checked), and searches it for labels as a large image is searched (its code is JavaScript, which
 * the engine also optimizes only after a while: a cold search of the 1-MP copy took as long as the copy). The
 * card (warm-up-labels.png, 640 × 360, black on white) holds a Code 128, a Data Matrix turned 30°, a QR code, a
 * Code 39 and an EAN-13, written once with zxing-wasm's writer. The engine compiles each WASM function on its
 * first call, and its optimized code only once the function has run a while: measured, a worker's first sheet
 * took about three times as long to read as its next. Each read is one task, and none starts once an image has
 * come (see endWarmUp), so the image waits for at most one read of the card, never for the card. Each read
 * looks for one kind only, so that read is short: the card's first read of all kinds took 90 ms of CPU (its code
 * compiled as it ran), a later one 6–11 ms, one kind 2–4 ms; an image that came during a read of all kinds in
 * the bench waited 2.5 s for it on a loaded machine.
 */
async function warmUp(): Promise<void> {
  const card = await createImageBitmap(await (await fetch(warmUpUrl)).blob());
  const { data } = pixels(card, READ_PIXELS);
  card.close();
  // The card on white, as a frame's pixels are read.
  const drawn = await createImageBitmap(data);
  const frame = FramePixels.of(drawn, true);
  try {
    const reads = (options: ReaderOptions) =>
      CARD_FORMATS.map((format) => () => readBarcodes(data, { ...options, formats: [format] }));
    const steps = [
      () => searchCard(data, frame),
      ...reads(QUICK),
      ...reads(OPTIONS),
      ...reads({ ...OPTIONS, binarizer: 'FixedThreshold' }),
    ];
    for (let round = 0; round < WARM_UP_ROUNDS; round += 1) {
      for (const step of steps) {
        await nextTask();
        if (!warming) return;
        await step();
      }
    }
  } finally {
    frame?.close();
    drawn.close();
  }
}

/**
 * Searches the card as a large image's copy is searched: its pixels copied out of a frame as they are, searched
 * in that byte order, and copied again as RGBX as a crop is. Each of these loops over every pixel, and the engine
 * optimizes a loop only once it has run a while: the search of the sheet's 1-MP copy took 20–27 ms of the worker
 * in bench traces, and 6 ms when the search had been run warm.
 */
async function searchCard(data: ImageData, frame: FramePixels | undefined): Promise<void> {
  const whole = { x: 0, y: 0, width: data.width, height: data.height };
  const copy = frame ? await frame.copy(whole) : data.data;
  labelRegions(copy, data.width, data.height, { ...SEARCH, order: frame?.order ?? 'rgba' });
  await frame?.crop(whole);
}

/** A 2D context that reads its pixels back often, on white (a transparent PNG reads as on paper). */
function readableContext(width: number, height: number): OffscreenCanvasRenderingContext2D {
  const context = new OffscreenCanvas(width, height).getContext('2d', {
    alpha: false,
    willReadFrequently: true,
  });
  if (!context) throw new Error('the browser has no memory left to read its barcodes');
  return context;
}

/**
 * The pixels of the part `source` of `image` (the whole image by default) drawn at no more than `limit` pixels,
 * on white; `scale` is the drawing's size against the image's. `context` is drawn on when it is large enough
 * (the crops of one image share one), a new one made otherwise.
 */
function pixels(
  image: ImageBitmap,
  limit: number,
  source: Region = { x: 0, y: 0, width: image.width, height: image.height },
  context?: OffscreenCanvasRenderingContext2D,
): { readonly data: ImageData; readonly scale: number } {
  const scale = Math.min(1, Math.sqrt(limit / (source.width * source.height)));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  const fits = context !== undefined && context.canvas.width >= width && context.canvas.height >= height;
  const drawing = fits ? context : readableContext(width, height);
  drawing.fillStyle = '#ffffff';
  drawing.fillRect(0, 0, width, height);
  drawing.imageSmoothingEnabled = true;
  drawing.imageSmoothingQuality = 'high';
  drawing.drawImage(image, source.x, source.y, source.width, source.height, 0, 0, width, height);
  return { data: drawing.getImageData(0, 0, width, height), scale };
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

interface SearchCopy {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly order: 'rgba' | 'bgra';
  /** The copy's size against the image's. */
  readonly scale: number;
}

/**
 * The copy of a large image that is searched for labels: sampled (nearest pixel, no filtering, so bars keep their
 * sharp steps) by createImageBitmap, which reads only the pixels it keeps. The copy of an opaque image (`opaque`)
 * is copied out of a VideoFrame of it, others are drawn on white: drawing it on a new canvas and reading it back
 * took 35–60 ms of the worker on a loaded machine, between the decode and the answer, the copy about 20. The
 * copied pixels stay in the frame's byte order (`order`): turning a 1-MP copy's BGRX into RGBX cost the worker
 * 5–15 ms, and the search weighs the bytes either way.
 */
async function searchCopy(image: ImageBitmap, opaque: boolean): Promise<SearchCopy> {
  const scale = Math.min(1, Math.sqrt(LOCATE_PIXELS / (image.width * image.height)));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const small = await createImageBitmap(image, {
    resizeWidth: width,
    resizeHeight: height,
    resizeQuality: 'pixelated',
  });
  const scaled = width / image.width;
  const frame = opaque ? FramePixels.of(small, true) : undefined;
  try {
    if (frame) {
      try {
        const data = await frame.copy({ x: 0, y: 0, width, height });
        return { data, width, height, order: frame.order, scale: scaled };
      } catch {
        // The frame refused a copy: the copy is drawn instead.
      }
    }
    const { data } = pixels(small, width * height);
    return { data: data.data, width, height, order: 'rgba', scale: scaled };
  } finally {
    frame?.close();
    small.close();
  }
}

/** The regions of a large image where labels may be, found on a small copy, each read at full resolution. */
async function readRegions(image: ImageBitmap): Promise<Placed[]> {
  // An opaque image's search copy and crops are copied out of it rather than drawn (see frame-pixels.ts).
  const frame = FramePixels.of(image);
  try {
    return await readRegionsOf(image, frame);
  } finally {
    frame?.close();
  }
}

async function readRegionsOf(image: ImageBitmap, frame: FramePixels | undefined): Promise<Placed[]> {
  const small = await searchCopy(image, frame !== undefined);
  const regions = labelRegions(small.data, small.width, small.height, { ...SEARCH, order: small.order });
  const crops = regions.map((region) => {
    const x = Math.floor(region.x / small.scale);
    const y = Math.floor(region.y / small.scale);
    return {
      x,
      y,
      width: Math.min(image.width, Math.ceil((region.x + region.width) / small.scale)) - x,
      height: Math.min(image.height, Math.ceil((region.y + region.height) / small.scale)) - y,
    };
  });
  if (crops.length === 0) return [];
  if (frame) {
    try {
      return await readCrops(image, crops, frame);
    } catch {
      // The frame refused a copy: the image is drawn instead, as one without a frame is.
    }
  }
  return readCrops(image, crops, undefined);
}

async function readCrops(
  image: ImageBitmap,
  crops: readonly Region[],
  frame: FramePixels | undefined,
): Promise<Placed[]> {
  const scaled = (crop: Region) => Math.min(1, Math.sqrt(CROP_PIXELS / (crop.width * crop.height)));
  // One canvas as large as the largest crop drawn serves them all: a new canvas per crop cost more than drawing it.
  const drawn = frame ? crops.filter((crop) => scaled(crop) < 1) : crops;
  const side = (of: (crop: Region) => number) => Math.max(1, ...drawn.map(of));
  const context =
    drawn.length === 0
      ? undefined
      : readableContext(
          side((crop) => Math.ceil(crop.width * scaled(crop))),
          side((crop) => Math.ceil(crop.height * scaled(crop))),
        );
  const found: Placed[] = [];
  for (const at of crops) {
    const { data, scale } =
      frame && scaled(at) === 1
        ? { data: await frame.crop(at), scale: 1 }
        : pixels(image, CROP_PIXELS, at, context);
    let read = placed(await readBarcodes(data, QUICK), at, scale);
    // A linear code standing on its side is read only turned.
    if (read.length === 0) read = placed(await readBarcodes(data, OPTIONS), at, scale);
    found.push(...read);
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
