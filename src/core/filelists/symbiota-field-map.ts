/**
 * Symbiota's "Image Field Map" import: one row per image, linking the image's web addresses to the specimen
 * record by catalog number. Also the image selection the Darwin Core multimedia extension shares: which
 * files a portal page can show, which copy each address names, and what is left out and why.
 */
import {
  leadingCharacter,
  baseUrlProblem,
  heldBackNote,
  problemsInOrder,
  publicUrl,
  storedPathOf,
} from '#core/filelists/common';
import { fileKind } from '#core/file-types';
import { webImageType } from '#core/filelists/media-type';
import type {
  BuiltList,
  ListContext,
  ListFile,
  ListProblem,
  SymbiotaFieldMapOptions,
} from '#core/filelists/types';
import { plural } from '#core/format';
import { safeFileName, startsLikeFormula } from '#core/table';
import { namePaths } from '#core/validation/path-parts';

/** One copy of an image that a browser shows: where the receiver keeps it, its MIME type, its MD5 if known. */
export interface ImageCopy {
  readonly storedPath: string;
  readonly type: string;
  readonly md5: string | undefined;
}

/**
 * One image a portal page can show, by the copies its addresses name. `original` is the best copy a browser
 * shows, Symbiota's "large or highest-quality version": the large derivative when there is one, else the file
 * itself, else (for a TIFF) its web copy.
 */
export interface MappedImage {
  /** The image file; its identifier is the catalog number. */
  readonly file: ListFile;
  readonly original: ImageCopy;
  readonly web: ImageCopy | undefined;
  readonly thumbnail: ImageCopy | undefined;
}

/** The images a list maps, in path order, and what the user must know about the files it leaves out. */
export interface ImageSelection {
  readonly images: readonly MappedImage[];
  readonly problems: readonly ListProblem[];
  readonly notes: readonly string[];
}

/** How many catalog numbers get their own sentence before the rest are counted in one more. */
export const LISTED_CATALOG_NUMBERS = 20;

/**
 * The images of the upload that a list of image addresses can map, one per file with a catalog number whose
 * original or copies a browser shows. Copies listed as another file's derivatives are not images of their own.
 * Files without a catalog number are left out with one warning; images no browser shows (TIFF without copies)
 * with one note, and files that are not images (tables) with another. Catalog numbers that start like a formula
 * are errors, as the written list would carry them with an apostrophe that no record has. `listName` names the
 * list in sentences: "the field map".
 */
export function selectMappedImages(context: ListContext, listName: string): ImageSelection {
  const byPath = new Map(context.files.map((file) => [file.path, file]));
  const copies = derivativePaths(context.files);
  const images: MappedImage[] = [];
  const noCatalogNumber: string[] = [];
  const notShown: string[] = [];
  const notImages: string[] = [];
  for (const file of context.files) {
    if (copies.has(file.path)) continue;
    const original = originalCopy(file, byPath, context.batch);
    if (original === undefined) (isImage(file.path) ? notShown : notImages).push(file.path);
    else if (file.identifier === '') noCatalogNumber.push(file.path);
    else {
      images.push({
        file,
        original,
        web: derivativeCopy(file.derivatives?.web, byPath, context.batch),
        thumbnail: derivativeCopy(file.derivatives?.thumbnail, byPath, context.batch),
      });
    }
  }
  const catalogNumbers = new Set(images.map((image) => image.file.identifier));
  return {
    images,
    problems: [
      ...formulaCatalogNumberProblems(catalogNumbers, listName),
      ...noCatalogNumberWarning(noCatalogNumber, listName),
    ],
    notes: [
      ...notShownNote(notShown, listName),
      ...notImagesNote(notImages, listName),
      ...(images.length === 0 ? [noImagesNote(listName)] : []),
    ],
  };
}

/** Paths that some file lists as its derivative (other than itself): they are served as part of that file's row. */
function derivativePaths(files: readonly ListFile[]): ReadonlySet<string> {
  const paths = new Set<string>();
  for (const file of files) {
    for (const path of Object.values(file.derivatives ?? {})) {
      if (path !== file.path) paths.add(path);
    }
  }
  return paths;
}

function originalCopy(
  file: ListFile,
  byPath: ReadonlyMap<string, ListFile>,
  batch: string,
): ImageCopy | undefined {
  return (
    derivativeCopy(file.derivatives?.large, byPath, batch) ??
    copyAt(file, batch) ??
    derivativeCopy(file.derivatives?.web, byPath, batch)
  );
}

/** A derivative as a copy: placed as the upload placed it if it is one of the files, else next to its original. */
function derivativeCopy(
  path: string | undefined,
  byPath: ReadonlyMap<string, ListFile>,
  batch: string,
): ImageCopy | undefined {
  if (path === undefined) return undefined;
  return copyAt(byPath.get(path) ?? { path }, batch);
}

function copyAt(file: Pick<ListFile, 'path' | 'storedPath' | 'md5'>, batch: string): ImageCopy | undefined {
  const type = webImageType(file.path);
  if (type === undefined) return undefined;
  return { storedPath: storedPathOf(file, batch), type, md5: file.md5 };
}

/**
 * One error per catalog number that a spreadsheet would take for a formula, up to
 * {@link LISTED_CATALOG_NUMBERS}, then one sentence counting the rest.
 */
export function formulaCatalogNumberProblems(
  catalogNumbers: Iterable<string>,
  listName: string,
): ListProblem[] {
  const formulas = [...catalogNumbers].filter(startsLikeFormula);
  const problems: ListProblem[] = formulas.slice(0, LISTED_CATALOG_NUMBERS).map((catalogNumber) => ({
    status: 'error',
    message: `Catalog number '${catalogNumber}' starts with ${leadingCharacter(catalogNumber)}, so ${listName} writes it with a leading apostrophe and the portal will not match it to its record; rename the files so the catalog number starts with a letter or digit, or change the replace step.`,
  }));
  const unlisted = formulas.length - LISTED_CATALOG_NUMBERS;
  if (unlisted > 0) {
    problems.push({
      status: 'error',
      message: `${plural(unlisted, 'more catalog number')} ${unlisted === 1 ? 'starts' : 'start'} like a formula and will not match ${unlisted === 1 ? 'its record' : 'their records'} either; rename those files too.`,
    });
  }
  return problems;
}

function noCatalogNumberWarning(paths: readonly string[], listName: string): ListProblem[] {
  if (paths.length === 0) return [];
  const one = paths.length === 1;
  return [
    {
      status: 'warning',
      message: `${plural(paths.length, 'file')} ${one ? 'has' : 'have'} no catalog number the pattern could read (${namePaths(paths)}), so ${listName} leaves ${one ? 'it' : 'them'} out; rename ${one ? 'it' : 'them'} to start with the catalog number, or adjust the pattern.`,
    },
  ];
}

/** Whether a file is an image of some kind (TIFF, HEIC …), as opposed to a table or document. */
function isImage(path: string): boolean {
  return fileKind(path).mime.startsWith('image/');
}

function notShownNote(paths: readonly string[], listName: string): string[] {
  if (paths.length === 0) return [];
  const one = paths.length === 1;
  return [
    `${plural(paths.length, 'image')} ${one ? 'is' : 'are'} in a format a browser does not show (${namePaths(paths)}), so ${listName} has no row for ${one ? 'it' : 'them'}; let the Prepare step make ${one ? 'its' : 'their'} JPEG copies to map ${one ? 'it' : 'them'}.`,
  ];
}

function notImagesNote(paths: readonly string[], listName: string): string[] {
  if (paths.length === 0) return [];
  const one = paths.length === 1;
  return [
    `${plural(paths.length, 'file')} of the upload ${one ? 'is not an image' : 'are not images'} (${namePaths(paths)}), so ${listName} has no row for ${one ? 'it' : 'them'}.`,
  ];
}

function noImagesNote(listName: string): string {
  const sentence = `${listName} has no rows, as no file is an image with a catalog number that a browser shows.`;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/**
 * One note when images lack web or thumbnail copies, whose address columns (named in `columns`) then stay
 * empty: the portal shows the original instead and may make its own copies from it.
 */
export function missingCopiesNote(images: readonly MappedImage[], columns: string): string[] {
  const missing = images.filter((image) => image.web === undefined || image.thumbnail === undefined).length;
  if (missing === 0) return [];
  const one = missing === 1;
  return [
    `${plural(missing, 'image')} ${one ? 'has' : 'have'} no web or thumbnail copy yet, so ${columns} ${one ? 'is' : 'are'} empty where the copy is missing; the portal then shows the original image (and may make its own copies from it), and making the copies in the Prepare step fills them.`,
  ];
}

/** How a list writes image addresses: nothing at all when the base URL cannot make one, with the reason. */
export interface ImageAddresses {
  readonly problem: ListProblem | undefined;
  readonly of: (copy: ImageCopy | undefined) => string;
}

/** The public address of each copy under `baseUrl`, or '' for every copy when the base URL is unusable. */
export function imageAddresses(baseUrl: string): ImageAddresses {
  const problem = baseUrlProblem(baseUrl);
  const usable = problem?.status !== 'error';
  return {
    problem,
    of: (copy) => (copy === undefined || !usable ? '' : publicUrl(baseUrl, copy.storedPath)),
  };
}

const FIELD_MAP_COLUMNS = ['catalogNumber', 'originalUrl', 'url', 'thumbnailUrl', 'format'] as const;

/**
 * The image field map for Symbiota's "Extended Data Import": `catalogNumber`, `originalUrl` (the large copy
 * or the original), `url` (the web copy), `thumbnailUrl`, `format` (MIME type of the originalUrl copy), and
 * `mediaMD5` of that copy when every row has one. Several images of one catalog number make several rows.
 * A CSV without byte order mark, since the portal imports it.
 */
export function buildSymbiotaFieldMap(context: ListContext, options: SymbiotaFieldMapOptions): BuiltList {
  const listName = 'the field map';
  const selection = selectMappedImages(context, listName);
  const { images } = selection;
  const addresses = imageAddresses(options.baseUrl);
  const withMd5 = images.length > 0 && images.every((image) => image.original.md5 !== undefined);
  const rows = images.map((image) => [
    image.file.identifier,
    addresses.of(image.original),
    addresses.of(image.web),
    addresses.of(image.thumbnail),
    image.original.type,
    ...(withMd5 ? [image.original.md5 ?? ''] : []),
  ]);
  const problems = [...(addresses.problem === undefined ? [] : [addresses.problem]), ...selection.problems];
  return {
    kind: 'symbiota-field-map',
    title: 'Symbiota image field map',
    fileName: safeFileName(`${context.batch}-image-field-map`, 'csv'),
    format: 'csv',
    bom: false,
    table: { columns: [...FIELD_MAP_COLUMNS, ...(withMd5 ? ['mediaMD5'] : [])], rows },
    problems: problemsInOrder(problems),
    notes: [
      ...heldBackNote(context),
      ...selection.notes,
      ...missingCopiesNote(images, 'url and thumbnailUrl'),
      ...md5Note(images, withMd5),
      ...withoutRecordNote(images, context.records?.name, listName),
    ],
  };
}

function md5Note(images: readonly MappedImage[], withMd5: boolean): string[] {
  if (withMd5 || images.length === 0) return [];
  const missing = images.filter((image) => image.original.md5 === undefined).length;
  return [
    `The mediaMD5 column is left out, as ${plural(missing, 'image')} ${missing === 1 ? 'has' : 'have'} no MD5 checksum yet; compute checksums first to add it.`,
  ];
}

/** Catalog numbers the record list lacks: the import links them only if told to make new blank records. */
function withoutRecordNote(
  images: readonly MappedImage[],
  recordList: string | undefined,
  listName: string,
): string[] {
  if (recordList === undefined) return [];
  const missing = new Set<string>();
  for (const { file } of images) if (file.record === 'missing') missing.add(file.identifier);
  if (missing.size === 0) return [];
  const one = missing.size === 1;
  return [
    `${plural(missing.size, 'catalog number')} in ${listName} (${namePaths([...missing])}) ${one ? 'is' : 'are'} not in ${recordList}; when importing, tick the option to link images to new blank records, or import the skeletal file first.`,
  ];
}
