/**
 * Brings a JPEG copy under a size limit in as few encodings as it can, since each encoding of a 24-MP image
 * costs about as much as decoding it. The encoder is injected (the worker passes one that draws on an
 * OffscreenCanvas, encodes with convertToBlob and keeps the blob), so the search itself is pure.
 *
 * 1. Encode once at the start quality. Most photos fit at once, and then that one encoding is the answer.
 * 2. Otherwise predict the quality that fits: JPEG size is roughly log-linear in quality between 0.5 and 0.95.
 *    The first prediction uses a typical slope; later ones the secant through two measured encodings, always
 *    inside the bracket of the highest quality that fitted and the lowest that did not.
 * 3. When even the lowest quality allowed does not fit (measured, or predicted from two measurements), scale
 *    the pixels by √(limit / size) × 0.95 and encode at the lowest quality again, as often as the budget allows.
 *
 * The result is the best encoding that fitted (largest scale, then highest quality), or a problem when none
 * did within the budget: an over-limit encoding is never returned as if it fitted.
 */
import { plural } from '#core/format';
import { megabytes } from '#core/images/image-policy';
import { formatDecimalSize } from '#core/validation/size';

/** Encodes the image at `quality` (0–1) with its sides multiplied by `scale` (≤ 1) and resolves to the bytes. */
export type Encoder = (quality: number, scale: number) => Promise<number>;

export interface FitOptions {
  /** Where the search starts and the highest quality it returns, 0–1. */
  readonly quality: number;
  readonly maxBytes: number;
  /** The lowest quality tried before the pixels are scaled down; 0.5 unless given. */
  readonly minQuality?: number;
  /** At most this many encodings; 4 unless given. */
  readonly maxEncodes?: number;
}

export interface FitSuccess {
  readonly quality: number;
  readonly scale: number;
  readonly bytes: number;
  /** How many encodings the search made in all. */
  readonly encodes: number;
}

export interface FitFailure {
  /** Why no encoding fitted, as a clause to follow the copy's name and a colon. */
  readonly problem: string;
  readonly encodes: number;
}

export type FitResult = FitSuccess | FitFailure;

/**
 * ln(bytes) per unit of quality before anything is measured. Chromium's encoder on three photos (a 24-MP
 * herbarium sheet, two insect photos) gave 2.3–4.5 between qualities 0.7 and 0.8, and 0.8–2.9 from 0.5 to 0.8;
 * the low end of that undershoots the quality a little rather than needing another encoding.
 */
const typicalSlope = 2.5;
/** Secant slopes outside this range come from noise (Chromium's sizes jump between some qualities). */
const saneSlopes = { low: 0.3, high: 20 };
/** Predictions aim this far under the limit, so a slightly wrong one still fits. */
const aim = 0.95;
/** A fitting encoding this close to the limit is kept without trying a higher quality. */
const closeEnough = 0.85;
/** Browsers map quality to libjpeg's whole percent, so finer steps encode the same bytes. */
const stepsPerUnit = 100;
const step = 1 / stepsPerUnit;
const scaleMargin = 0.95;
const defaults = { minQuality: 0.5, maxEncodes: 4 };

interface Trial {
  readonly quality: number;
  readonly scale: number;
  readonly bytes: number;
}

interface Search {
  readonly start: number;
  readonly floor: number;
  readonly maxBytes: number;
}

type Next = { readonly quality: number; readonly scale: number } | 'done';

/** Searches for the best encoding of at most `maxBytes`; see the module comment for the strategy. */
export async function fitUnderLimit(encode: Encoder, options: FitOptions): Promise<FitResult> {
  const { maxBytes } = options;
  if (!(maxBytes > 0 && Number.isFinite(maxBytes))) {
    return { problem: `the size limit ${String(maxBytes)} is not a number of bytes above 0`, encodes: 0 };
  }
  const start = roundQuality(Number.isFinite(options.quality) ? options.quality : 0.8);
  const search: Search = {
    start,
    floor: Math.min(roundQuality(options.minQuality ?? defaults.minQuality), start),
    maxBytes,
  };
  const budget = Math.max(1, Math.floor(options.maxEncodes ?? defaults.maxEncodes));
  const trials: Trial[] = [];
  let next: Next = { quality: start, scale: 1 };
  while (next !== 'done' && trials.length < budget) {
    const bytes = await encode(next.quality, next.scale);
    if (!(bytes > 0 && Number.isFinite(bytes))) {
      return {
        problem: 'the JPEG encoder returned no data; try again, or make this copy with a desktop tool',
        encodes: trials.length + 1,
      };
    }
    trials.push({ ...next, bytes });
    next = nextTrial(trials, next.scale, search);
  }
  return result(trials, maxBytes);
}

function roundQuality(quality: number): number {
  return Math.min(1, Math.max(step, Math.round(quality * stepsPerUnit) / stepsPerUnit));
}

function fits(trial: Trial, maxBytes: number): boolean {
  return trial.bytes <= maxBytes;
}

/** What to encode next at `scale`, given every trial so far, or 'done' when the best fitting one is good enough. */
function nextTrial(trials: readonly Trial[], scale: number, search: Search): Next {
  const here = trials.filter((trial) => trial.scale === scale);
  const fitting = here.filter((trial) => fits(trial, search.maxBytes));
  const over = here.filter((trial) => !fits(trial, search.maxBytes)).sort((a, b) => a.quality - b.quality);
  const best = fitting.sort((a, b) => b.quality - a.quality)[0];
  const lowestOver = over[0];
  if (best !== undefined) return lowestOver === undefined ? 'done' : refine(best, lowestOver, search);
  if (lowestOver === undefined) return 'done';
  if (lowestOver.quality <= search.floor) return scaleDown(lowestOver.bytes, scale, search);
  const slope = measuredSlope(over[0], over[1]);
  const predicted = predictQuality(lowestOver, slope ?? typicalSlope, search.maxBytes);
  if (predicted >= search.floor) {
    return { quality: roundQuality(Math.min(predicted, lowestOver.quality - step)), scale };
  }
  // Below the floor: with a measured slope, trust it and scale down now; with the typical one, measure the floor.
  if (slope === undefined) return { quality: search.floor, scale };
  const bytesAtFloor = lowestOver.bytes * Math.exp(-slope * (lowestOver.quality - search.floor));
  return scaleDown(bytesAtFloor, scale, search);
}

/** A higher quality between the best fitting trial and the lowest one over the limit, unless it is close enough. */
function refine(best: Trial, lowestOver: Trial, search: Search): Next {
  const gap = lowestOver.quality - best.quality;
  if (best.bytes >= closeEnough * search.maxBytes || gap <= 2 * step + 1e-9) return 'done';
  const slope = measuredSlope(best, lowestOver) ?? typicalSlope;
  const predicted = predictQuality(best, slope, search.maxBytes);
  const quality = Math.min(Math.max(predicted, best.quality + step), lowestOver.quality - step);
  return { quality: roundQuality(quality), scale: best.scale };
}

/** The quality at which `from` would shrink or grow to `aim` × the limit, rounded down to a whole step. */
function predictQuality(from: Trial, slope: number, maxBytes: number): number {
  const quality = from.quality - Math.log(from.bytes / (aim * maxBytes)) / slope;
  return Math.floor(quality * stepsPerUnit + 1e-9) / stepsPerUnit;
}

/** ln(bytes) per unit of quality through two trials at one scale, when both exist and the slope is plausible. */
function measuredSlope(a: Trial | undefined, b: Trial | undefined): number | undefined {
  if (a === undefined || b === undefined || a.quality === b.quality) return undefined;
  const slope = Math.log(a.bytes / b.bytes) / (a.quality - b.quality);
  return slope >= saneSlopes.low && slope <= saneSlopes.high ? slope : undefined;
}

function scaleDown(bytesAtFloor: number, scale: number, search: Search): Next {
  return { quality: search.floor, scale: scale * Math.sqrt(search.maxBytes / bytesAtFloor) * scaleMargin };
}

function result(trials: readonly Trial[], maxBytes: number): FitResult {
  const encodes = trials.length;
  const fitting = trials.filter((trial) => fits(trial, maxBytes));
  const best = fitting.sort((a, b) => b.scale - a.scale || b.quality - a.quality)[0];
  if (best !== undefined) return { ...best, encodes };
  const smallest = [...trials].sort((a, b) => a.bytes - b.bytes)[0];
  const detail =
    smallest === undefined
      ? ''
      : ` (the smallest was ${formatDecimalSize(smallest.bytes)}, at quality ${Math.round(smallest.quality * 100)}${smallest.scale < 1 ? ` and ${Math.round(smallest.scale * 100)}% of the full size` : ''})`;
  return {
    problem: `no JPEG of at most ${megabytes(maxBytes)} came out of ${plural(encodes, 'encoding')}${detail}; raise the size limit, or make this copy with a desktop tool`,
    encodes,
  };
}
