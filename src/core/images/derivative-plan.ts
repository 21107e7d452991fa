/**
 * The plan for one image before anything is decoded: what happens to the original, which copies are made,
 * under which names and at which sizes, and why no copy is made when none can be.
 *
 * Names. A copy is `<folder>/<stem><suffix>.jpg`, the stem being the name without its last extension, so
 * `WIS-L-0001234.a.jpg` keeps its `.a` (`WIS-L-0001234.a_tn.jpg`). The one exception is OME-TIFF: `x.ome.tif`
 * gives `x_tn.jpg`, because `.ome` names the TIFF's metadata flavour, which a JPEG copy does not carry, and
 * `x.ome_tn.jpg` or `x.ome.jpg` would claim it does. The web-ready copy has no suffix: `x.tif` becomes `x.jpg`.
 *
 * Sizes. Copies are upright: EXIF orientations 5–8 turn the image a quarter, so its width and height swap. A
 * copy keeps the source's aspect ratio, is never larger than the source, and has whole sides of at least 1 px.
 * When the header does not give the size (0 × 0), the worker sizes the copies after decoding with {@link copySize}.
 */
import { formatCount, plural } from '#core/format';
import type { HeaderReading } from '#core/images/image-header';
import { copyRoleWords, defaultWebReady, megabytes } from '#core/images/image-policy';
import type { DerivativeSpec, ImageHeader, ImagePolicy } from '#core/images/types';
import { fileKind } from '#core/file-types';
import { type ContentType, contentTypeNames, expectedContentTypes } from '#core/validation/magic';
import { fileName, folderOf, lastExtension, listInWords, stem } from '#core/validation/path-parts';
import { formatDecimalSize } from '#core/validation/size';

/** What a browser can decode and draw: the largest canvas area and side Chromium allows. */
export interface PixelLimits {
  readonly maxPixels: number;
  readonly maxSide: number;
}

export const browserPixelLimits: PixelLimits = { maxPixels: 16384 * 16384, maxSide: 32767 };

/**
 * What happens to the original: uploaded as it is (the policy says so, or it already is a web-ready JPEG),
 * replaced by its web-ready copy, left out (its derivatives go instead), or uploaded as it is because no copy
 * can be made of it.
 */
export type OriginalFate = 'upload' | 'replace' | 'omit' | 'upload-uncopied';

export interface PlannedCopy {
  readonly spec: DerivativeSpec;
  /** `<folder>/<stem><suffix>.jpg`. */
  readonly path: string;
  /** The upright size of the copy; 0 × 0 when the header did not give the source's size. */
  readonly width: number;
  readonly height: number;
}

export interface ImagePlan {
  readonly path: string;
  readonly original: OriginalFate;
  readonly copies: readonly PlannedCopy[];
  /** Sentences on what happens that the policy alone does not say (a JPEG sent as it is, a format no browser decodes). */
  readonly notes: readonly string[];
  /** A sentence on what is wrong with the image (a damaged header, more pixels than a browser decodes); no copy is made. */
  readonly problem?: string;
}

/** Content types a browser (or the worker's TIFF decoder) turns into pixels. */
const decodableTypes: ReadonlySet<ContentType> = new Set([
  'jpeg',
  'png',
  'gif',
  'webp',
  'avif',
  'tiff',
  'bigtiff',
]);
const jpegNames: ReadonlySet<string> = new Set(['jpg', 'jpeg', 'jpe', 'jfif']);
const omeSuffix = /\.ome$/i;

/** The copies the policy asks for and the spec of the web-ready copy (a default one if the policy lacks it). */
function wantedCopies(policy: ImagePolicy): readonly DerivativeSpec[] {
  const derivatives = policy.derivatives.filter((spec) => spec.role !== 'web-ready');
  if (policy.originals !== 'web-ready') return derivatives;
  const webReady = policy.derivatives.find((spec) => spec.role === 'web-ready');
  return [...derivatives, webReady ?? defaultWebReady];
}

/**
 * Plans one image of `size` bytes from what its first bytes said (`readImageHeader`'s result). Limits default
 * to {@link browserPixelLimits}. Never throws: whatever cannot be copied is uploaded as it is, with a sentence.
 */
export function planImage(
  path: string,
  header: HeaderReading,
  size: number,
  policy: ImagePolicy,
  limits: Partial<PixelLimits> = {},
): ImagePlan {
  const wanted = wantedCopies(policy);
  if (wanted.length === 0) return { path, original: 'upload', copies: [], notes: [] };
  if (size === 0) {
    return uncopied(path, {
      problem: `${path} is empty (0 bytes), so no web copy can be made of it; replace it with the image it should hold.`,
    });
  }
  if (header === undefined) return uncopied(path, undecodable(path));
  if ('problem' in header) {
    return uncopied(path, {
      problem: `${path} is uploaded as it is, with no web copy: ${header.problem}; save it again from the program that made it.`,
    });
  }
  const plan = planCopies(path, header, size, policy, wanted);
  // A JPEG that goes as it is needs no decoding, however many pixels it declares.
  const tooLarge =
    plan.copies.length === 0 ? undefined : pixelProblem(path, header, { ...browserPixelLimits, ...limits });
  return tooLarge === undefined ? plan : uncopied(path, { problem: tooLarge });
}

function planCopies(
  path: string,
  header: ImageHeader,
  size: number,
  policy: ImagePolicy,
  wanted: readonly DerivativeSpec[],
): ImagePlan {
  const upright = uprightSize(header);
  const notes: string[] = [];
  const copies: PlannedCopy[] = [];
  let original: OriginalFate = policy.originals === 'none' ? 'omit' : 'upload';
  for (const spec of wanted) {
    if (spec.role === 'web-ready') {
      if (isWebReadyJpeg(path, header, size, spec)) {
        notes.push(
          `${path} already is a JPEG of ${formatDecimalSize(size)}, within the ${megabytes(spec.maxBytes)} limit, so it is uploaded as it is, not re-encoded.`,
        );
        original = 'upload';
        continue;
      }
      original = 'replace';
    }
    copies.push({
      spec,
      path: copyPath(path, spec.suffix),
      ...copySize(spec, upright.width, upright.height),
    });
  }
  // Pages are the decoder's to report: it reads every directory, where 64 KiB of header may show only some.
  return { path, original, copies, notes };
}

function uncopied(path: string, why: { readonly note: string } | { readonly problem: string }): ImagePlan {
  const plan = { path, original: 'upload-uncopied', copies: [] } as const;
  return 'note' in why ? { ...plan, notes: [why.note] } : { ...plan, notes: [], problem: why.problem };
}

/** A note for a format no browser decodes, or a problem for a name that promises one the bytes do not hold. */
function undecodable(path: string): { readonly note: string } | { readonly problem: string } {
  const extension = lastExtension(path);
  const promised = promisedImage(extension);
  if (promised !== undefined) {
    return {
      problem: `${path} is uploaded as it is, with no web copy: its bytes are not those of ${promised} or of any other image the browser can decode; check that it is the image its name says.`,
    };
  }
  const { label } = fileKind(path);
  const format = extension === '' ? 'its format' : label;
  return {
    note: `${path} is uploaded as it is: the browser cannot decode ${format}, so no web copy was made.`,
  };
}

/** The decodable image an extension promises ('a JPEG image' for `jpg`), if it promises one. */
function promisedImage(extension: string): string | undefined {
  if (extension === 'bmp') return 'a BMP image';
  const promised = expectedContentTypes(extension)?.find((type) => decodableTypes.has(type));
  return promised === undefined ? undefined : contentTypeNames[promised];
}

/** A sentence when the declared size is beyond what a browser decodes (a decompression bomb, or just huge). */
function pixelProblem(path: string, header: ImageHeader, limits: PixelLimits): string | undefined {
  const { width, height } = header;
  const declared = `${path} declares ${formatCount(width)} × ${formatCount(height)} pixels`;
  const after = 'so no web copy was made and it is uploaded as it is; make the copies with a desktop tool';
  if (width * height > limits.maxPixels) {
    return `${declared}, more than the ${pixelCount(limits.maxPixels)} a browser can decode, ${after}.`;
  }
  const wide = width > limits.maxSide;
  const tall = height > limits.maxSide;
  if (!wide && !tall) return undefined;
  const side = listInWords([wide ? 'wider' : '', tall ? 'taller' : ''].filter((word) => word !== ''));
  return `${declared}, ${side} than the ${formatCount(limits.maxSide)} pixels a browser can decode, ${after}.`;
}

function pixelCount(pixels: number): string {
  return pixels >= 1_000_000 ? `${formatCount(Math.round(pixels / 1_000_000))} million` : formatCount(pixels);
}

function isWebReadyJpeg(path: string, header: ImageHeader, size: number, spec: DerivativeSpec): boolean {
  // A JPEG named .png would travel under the wrong name: it gets a copy named .jpg instead.
  return header.format === 'jpeg' && jpegNames.has(lastExtension(path)) && size <= spec.maxBytes;
}

/** The image as shown: orientations 5–8 turn it a quarter, swapping width and height. */
export function uprightSize(header: ImageHeader): { readonly width: number; readonly height: number } {
  const turned = header.orientation >= 5 && header.orientation <= 8;
  return turned
    ? { width: header.height, height: header.width }
    : { width: header.width, height: header.height };
}

/**
 * The size of a copy of an upright `width` × `height` image: at most `maxWidth` wide and `maxSide` on its
 * longer side, never larger than the source, the aspect ratio kept, sides rounded to whole pixels of at least 1.
 * 0 × 0 when the source size is unknown.
 */
export function copySize(
  spec: Pick<DerivativeSpec, 'maxWidth' | 'maxSide'>,
  width: number,
  height: number,
): { readonly width: number; readonly height: number } {
  if (!(width > 0 && height > 0)) return { width: 0, height: 0 };
  let scale = 1;
  if (spec.maxWidth !== undefined && spec.maxWidth > 0) scale = Math.min(scale, spec.maxWidth / width);
  if (spec.maxSide !== undefined && spec.maxSide > 0) {
    scale = Math.min(scale, spec.maxSide / Math.max(width, height));
  }
  if (scale >= 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** `<folder>/<stem><suffix>.jpg`; see the module comment for the stem of an OME-TIFF. */
export function copyPath(path: string, suffix: string): string {
  const folder = folderOf(path);
  const name = fileName(path);
  const extension = lastExtension(name);
  const base = extension === 'tif' || extension === 'tiff' ? stem(name).replace(omeSuffix, '') : stem(name);
  return `${folder === '' ? '' : `${folder}/`}${base}${suffix}.jpg`;
}

// ——— Name clashes ———

interface Claim {
  readonly copy: PlannedCopy;
  readonly source: string;
}

const listedClashes = 20;

function describeClaim(claim: Claim): string {
  return `the ${copyRoleWords[claim.copy.spec.role]} of ${claim.source}`;
}

const caseNote = ' (names that differ only in case clash on portals and on Windows and macOS disks)';

/**
 * One sentence for each copy name that equals the name of a file already in the folder, or of another copy,
 * compared ignoring case as portals and Windows and macOS disks do. A web-ready copy that takes the name of its
 * own original (`x.jpg` re-encoded under the limit) does not clash: it replaces it. After `limit` sentences,
 * one more counts the rest.
 */
export function nameClashes(
  plans: readonly ImagePlan[],
  existingPaths: Iterable<string>,
  limit = listedClashes,
): readonly string[] {
  const claims = new Map<string, Claim[]>();
  for (const plan of plans) {
    for (const copy of plan.copies) {
      const key = copy.path.toLowerCase();
      const claim = { copy, source: plan.path };
      const earlier = claims.get(key);
      if (earlier === undefined) claims.set(key, [claim]);
      else earlier.push(claim);
    }
  }
  const existing = new Map<string, string>();
  for (const path of existingPaths) {
    const key = path.toLowerCase();
    if (claims.has(key) && !existing.has(key)) existing.set(key, path);
  }
  const sentences: string[] = [];
  let unlisted = 0;
  for (const [key, claimed] of claims) {
    const occupant = existing.get(key);
    const inTheWay =
      occupant !== undefined && !claimed.some((claim) => claim.source === occupant) ? occupant : undefined;
    if (claimed.length + (inTheWay === undefined ? 0 : 1) < 2) continue;
    if (sentences.length < limit) sentences.push(clashSentence(claimed, inTheWay));
    else unlisted += 1;
  }
  if (unlisted > 0) {
    sentences.push(
      `${plural(unlisted, 'more clash', 'more clashes')} like these ${unlisted === 1 ? 'is' : 'are'} not listed.`,
    );
  }
  return sentences;
}

function clashSentence(claimed: readonly Claim[], occupant: string | undefined): string {
  const [first, ...others] = claimed;
  if (first === undefined) return '';
  const name = first.copy.path;
  const names = [
    name,
    ...others.map((claim) => claim.copy.path),
    ...(occupant === undefined ? [] : [occupant]),
  ];
  const differInCase = names.some((other) => other !== name) ? caseNote : '';
  if (others.length === 0) {
    return `${name}, ${describeClaim(first)}, would have the same name as ${occupant ?? ''}, which is already in the folder${differInCase}; rename one of them.`;
  }
  const already = occupant === undefined ? '' : `, and ${occupant} is already in the folder`;
  const fix = claimed.length === 2 ? 'rename one of the originals' : 'rename all but one of the originals';
  return `${name} would be made from ${formatCount(claimed.length)} images, as ${listInWords(claimed.map(describeClaim))}${already}${differInCase}; ${fix} so that their copies' names differ.`;
}
