/**
 * What each target wants made of its images, read from its settings: Symbiota's thumbnail, web and large
 * JPEG derivatives under the size limit, with the originals left out, uploaded as they are or replaced by
 * web-ready JPEGs; optional thumbnails (GUDMAP asks for 150 × 150) beside the originals of GUDMAP and the
 * BioImage Archive, which are never altered; nothing for custom targets, whose originals go as they are.
 *
 * A setting that cannot be used (a width of -5, a quality of 0) never breaks anything: the policy uses the
 * default in its place, and {@link policyProblems} says so in a sentence.
 */
import { formatCount } from '#core/format';
import type { DerivativeSpec, ImagePolicy, OriginalsPolicy } from '#core/images/types';
import { gudmapDefaultSettings } from '#core/profiles/gudmap';
import { symbiotaDefaultSettings } from '#core/profiles/symbiota';
import { finding } from '#core/validation/finding';
import { listInWords } from '#core/validation/path-parts';
import { MB } from '#core/validation/size';
import type {
  Finding,
  GudmapSettings,
  ProfileId,
  ProfileSettings,
  SymbiotaSettings,
} from '#core/validation/types';

/** Symbiota's derivative suffixes: thumbnail, basic web image and large image. */
export const symbiotaSuffixes = { thumbnail: '_tn', web: '_med', large: '_lg' } as const;
/**
 * Neither GUDMAP nor the BioImage Archive names a thumbnail convention, so their thumbnails take Symbiota's
 * `_tn`. Note that the Deriva uploader matches `{internal_id}-{number}.{suffix}` in deriva/images/, which
 * `A-1_tn.jpg` does not: a thumbnail travels with the upload manifest, not through the bulk uploader's mapping.
 */
export const thumbnailSuffix = '_tn';
/** Neither sets a quality or size for thumbnails; a 150 px JPEG is a few kilobytes, far under this. */
const thumbnailQuality = 0.8;
const thumbnailMaxBytes = 8 * MB;
const gudmapThumbnailSide = 150;

const uploadAsIs: ImagePolicy = { derivatives: [], originals: 'as-is' };

/** The full-size JPEG that stands in for an original, at Symbiota's default quality and limit. */
export const defaultWebReady: DerivativeSpec = {
  role: 'web-ready',
  suffix: '',
  quality: symbiotaDefaultSettings.jpegQuality / 100,
  maxBytes: symbiotaDefaultSettings.maxFileMegabytes * MB,
};

/** The policy of a target with the given settings; unusable numbers fall back to their defaults. */
export function imagePolicy<P extends ProfileId>(profile: P, settings: ProfileSettings[P]): ImagePolicy {
  const chosen = { [profile]: settings } as Partial<ProfileSettings>;
  if (chosen.symbiota !== undefined) return symbiotaPolicy(chosen.symbiota);
  if (chosen.gudmap !== undefined) return thumbnailPolicy(chosen.gudmap, gudmapThumbnails);
  if (chosen.bia !== undefined) return thumbnailPolicy(chosen.bia, biaThumbnails);
  return uploadAsIs;
}

/**
 * One finding (path '') for each image setting that cannot be used as it is: an error where the default is
 * used instead, a warning where the value is used but likely a mistake. Empty for targets without image settings.
 */
export function policyProblems<P extends ProfileId>(profile: P, settings: ProfileSettings[P]): Finding[] {
  const chosen = { [profile]: settings } as Partial<ProfileSettings>;
  if (chosen.symbiota !== undefined) return readSymbiota(chosen.symbiota).problems;
  if (chosen.gudmap !== undefined) return readThumbnails(chosen.gudmap, gudmapThumbnails).problems;
  if (chosen.bia !== undefined) return readThumbnails(chosen.bia, biaThumbnails).problems;
  return [];
}

// ——— Symbiota ———

interface SymbiotaNumbers {
  readonly thumbnailWidth: number;
  readonly webWidth: number;
  readonly largeWidth: number;
  /** 0–1. */
  readonly quality: number;
  readonly maxBytes: number;
  readonly originals: OriginalsPolicy;
}

function symbiotaPolicy(settings: SymbiotaSettings): ImagePolicy {
  const numbers = readSymbiota(settings).numbers;
  const { quality, maxBytes } = numbers;
  const copy = (role: 'thumbnail' | 'web' | 'large', maxWidth: number): DerivativeSpec => ({
    role,
    suffix: symbiotaSuffixes[role],
    maxWidth,
    quality,
    maxBytes,
  });
  const derivatives: DerivativeSpec[] = settings.makeDerivatives
    ? [
        copy('thumbnail', numbers.thumbnailWidth),
        copy('web', numbers.webWidth),
        copy('large', numbers.largeWidth),
      ]
    : [];
  if (numbers.originals === 'web-ready') derivatives.push({ ...defaultWebReady, quality, maxBytes });
  return { derivatives, originals: numbers.originals };
}

function readSymbiota(settings: SymbiotaSettings): {
  readonly numbers: SymbiotaNumbers;
  readonly problems: Finding[];
} {
  const problems: Finding[] = [];
  const defaults = symbiotaDefaultSettings;
  const originals = usableOriginals(settings, problems);
  // Settings that make no copy are not reported on: their problems go nowhere.
  const aboutWidths = settings.makeDerivatives ? problems : [];
  const aboutJpegs = settings.makeDerivatives || originals === 'web-ready' ? problems : [];
  const width = (value: number, fallback: number, what: string): number =>
    usableWidth(value, fallback, `The ${what} width`, aboutWidths);
  const thumbnailWidth = width(settings.thumbnailWidth, defaults.thumbnailWidth, 'thumbnail');
  const webWidth = width(settings.webWidth, defaults.webWidth, 'web image');
  const largeWidth = width(settings.largeWidth, defaults.largeWidth, 'large image');
  checkWidthOrder([thumbnailWidth, webWidth, largeWidth], aboutWidths);
  const quality = usableQuality(settings.jpegQuality, defaults.jpegQuality, aboutJpegs);
  const maxBytes = usableLimit(settings.maxFileMegabytes, defaults.maxFileMegabytes, aboutJpegs);
  return {
    numbers: { thumbnailWidth, webWidth, largeWidth, quality: quality / 100, maxBytes, originals },
    problems,
  };
}

function settingsProblem(status: 'error' | 'warning', message: string): Finding {
  return finding('', status, 'images.settings', message);
}

function isPositiveWhole(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}

function usableWidth(value: number, fallback: number, what: string, problems: Finding[]): number {
  if (isPositiveWhole(value)) return value;
  problems.push(
    settingsProblem(
      'error',
      `${what} ${show(value)} is not a whole number of pixels above 0, so the default ${formatCount(fallback)} px is used; enter a width such as ${formatCount(fallback)}.`,
    ),
  );
  return fallback;
}

function checkWidthOrder(widths: readonly [number, number, number], problems: Finding[]): void {
  const [thumbnail, web, large] = widths;
  if (thumbnail < web && web < large) return;
  problems.push(
    settingsProblem(
      'warning',
      `The thumbnail, web and large image widths are ${listInWords(widths.map((w) => `${formatCount(w)}`))} px, but each should be wider than the one before (the portal lists thumbnails, shows the web image on the record and the large image on request); set them in that order, such as 200, 1,400 and 3,200.`,
    ),
  );
}

/** The quality in percent, 1–100. */
function usableQuality(value: number, fallback: number, problems: Finding[]): number {
  if (!(value >= 1 && value <= 100)) {
    problems.push(
      settingsProblem(
        'error',
        `The JPEG quality ${show(value)} is not a percentage between 1 and 100, so the default ${fallback} is used; Symbiota's scripts use 70 to 80.`,
      ),
    );
    return fallback;
  }
  if (value === 100) {
    problems.push(
      settingsProblem(
        'warning',
        'A JPEG quality of 100 makes copies much larger than 80 for no visible gain, and Symbiota never uses it; choose 80 unless the portal asks for more.',
      ),
    );
  }
  return value;
}

function usableLimit(megabytes: number, fallback: number, problems: Finding[]): number {
  if (megabytes > 0 && Number.isFinite(megabytes)) return Math.round(megabytes * MB);
  problems.push(
    settingsProblem(
      'error',
      `The size limit of ${show(megabytes)} MB is not a number above 0, so the default ${fallback} MB is used; Symbiota recommends at most 8 MB per image.`,
    ),
  );
  return fallback * MB;
}

/** Making no derivatives and uploading no originals would upload no image at all: the originals go instead. */
function usableOriginals(settings: SymbiotaSettings, problems: Finding[]): OriginalsPolicy {
  if (settings.makeDerivatives || settings.originals !== 'none') return settings.originals;
  problems.push(
    settingsProblem(
      'warning',
      'Derivatives are turned off and originals are set not to be uploaded, which would upload no image at all, so the originals are uploaded as they are; turn derivatives on, or choose which originals to upload.',
    ),
  );
  return 'as-is';
}

function show(value: number): string {
  return Number.isFinite(value) ? formatCount(value) : String(value);
}

// ——— GUDMAP ———

/** Targets whose originals always travel unchanged and which may add thumbnails beside them. */
interface ThumbnailTarget {
  readonly defaultSide: number;
  /** The side the repository itself asks for, and its name, when it asks for one. */
  readonly asked?: { readonly side: number; readonly by: string };
}

const gudmapThumbnails: ThumbnailTarget = {
  defaultSide: gudmapDefaultSettings.thumbnailSide,
  asked: { side: gudmapThumbnailSide, by: 'GUDMAP' },
};
const biaThumbnails: ThumbnailTarget = { defaultSide: 150 };

type ThumbnailSettings = Pick<GudmapSettings, 'makeThumbnails' | 'thumbnailSide'>;

function thumbnailPolicy(settings: ThumbnailSettings, target: ThumbnailTarget): ImagePolicy {
  if (!settings.makeThumbnails) return uploadAsIs;
  const thumbnail: DerivativeSpec = {
    role: 'thumbnail',
    suffix: thumbnailSuffix,
    maxSide: readThumbnails(settings, target).side,
    quality: thumbnailQuality,
    maxBytes: thumbnailMaxBytes,
  };
  // GUDMAP's "do not downsample" in-situ images, the archive's scientific data: originals always go unchanged.
  return { derivatives: [thumbnail], originals: 'as-is' };
}

function readThumbnails(
  settings: ThumbnailSettings,
  target: ThumbnailTarget,
): { readonly side: number; readonly problems: Finding[] } {
  const problems: Finding[] = [];
  if (!settings.makeThumbnails) return { side: settings.thumbnailSide, problems };
  const side = usableWidth(settings.thumbnailSide, target.defaultSide, 'The thumbnail side', problems);
  const asked = target.asked;
  if (asked !== undefined && side !== asked.side && problems.length === 0) {
    problems.push(
      settingsProblem(
        'warning',
        `Thumbnails are set to fit ${formatCount(side)} × ${formatCount(side)} px, but ${asked.by} asks for ${asked.side} × ${asked.side}; set the thumbnail side to ${asked.side} unless the curators asked for another size.`,
      ),
    );
  }
  return { side, problems };
}

// ——— Description ———

/** What each kind of copy is called in sentences. */
export const copyRoleWords: Readonly<Record<DerivativeSpec['role'], string>> = {
  thumbnail: 'thumbnail',
  web: 'web image',
  large: 'large image',
  'web-ready': 'web-ready copy',
};

/** Megabytes as the repositories write them: 8,000,000 bytes is "8 MB". */
export function megabytes(bytes: number): string {
  return `${formatCount(bytes / MB)} MB`;
}

function percent(quality: number): string {
  return formatCount(Math.round(quality * 100));
}

/** The one value all specs share, or each of them joined in words. */
function shared(specs: readonly DerivativeSpec[], valueOf: (spec: DerivativeSpec) => string): string {
  return listInWords([...new Set(specs.map(valueOf))]);
}

function describeCopy(spec: DerivativeSpec): string {
  const what = `${copyRoleWords[spec.role]} (${spec.suffix})`;
  if (spec.maxSide !== undefined) {
    return `a ${what} of at most ${formatCount(spec.maxSide)} × ${formatCount(spec.maxSide)} px`;
  }
  return spec.maxWidth === undefined ? `a full-size ${what}` : `a ${formatCount(spec.maxWidth)} px ${what}`;
}

function describeOriginals(policy: ImagePolicy, webReady: DerivativeSpec | undefined): string {
  if (policy.originals === 'none') return 'originals are not uploaded';
  if (policy.originals === 'as-is' || webReady === undefined) return 'originals are uploaded as they are';
  const limit = megabytes(webReady.maxBytes);
  return `each original is replaced by a full-size web-ready JPEG (quality ${percent(webReady.quality)}, at most ${limit}), unless it already is a JPEG of at most ${limit}, which is uploaded as it is`;
}

/**
 * The policy in a few sentences for the Prepare screen, e.g. "Each image gets a 200 px thumbnail (_tn), a
 * 1,400 px web image (_med) and a 3,200 px large image (_lg), JPEG quality 80, each at most 8 MB; originals are
 * not uploaded."
 */
export function describePolicy(policy: ImagePolicy): readonly string[] {
  const copies = policy.derivatives.filter((spec) => spec.role !== 'web-ready');
  const webReady = policy.derivatives.find((spec) => spec.role === 'web-ready');
  const originals = describeOriginals(policy, webReady);
  if (copies.length === 0) {
    const sentence = `${originals.charAt(0).toUpperCase()}${originals.slice(1)}`;
    return [webReady === undefined ? `${sentence}; no web copies are made.` : `${sentence}.`];
  }
  const quality = shared(copies, (spec) => percent(spec.quality));
  const limit = shared(copies, (spec) => megabytes(spec.maxBytes));
  const each = copies.length > 1 ? 'each ' : '';
  return [
    `Each image gets ${listInWords(copies.map(describeCopy))}, JPEG quality ${quality}, ${each}at most ${limit}; ${originals}.`,
    'A copy is never larger than its source, and images the browser cannot decode (CZI, LIF, HEIC, JPEG 2000 and other microscope formats) are uploaded as they are.',
  ];
}
