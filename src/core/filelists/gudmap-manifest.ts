/**
 * The GUDMAP upload manifest: every file of the upload with what the Deriva mapping reads from its name
 * (Internal_ID, number or image type, suffix), its size and the MD5 and SHA-256 Deriva computes too, so a
 * curator can check the catalog's rows against what was sent.
 */
import {
  cappedProblems,
  checksumNote,
  heldBackNote,
  leadingCharacter,
  problemsInOrder,
} from '#core/filelists/common';
import { formulaPathWarnings } from '#core/filelists/manifest';
import type { BuiltList, ListContext, ListFile, ListProblem } from '#core/filelists/types';
import { plural } from '#core/format';
import { safeFileName, startsLikeFormula } from '#core/table';
import { namePaths } from '#core/validation/path-parts';

/**
 * `number` and `image_type` stay two columns, named as the Deriva mapping's groups: a 2D image has a number,
 * a 3D image a type or (newer page) a number, and a spreadsheet sorts and filters a column of numbers only
 * when no words are mixed in.
 */
export const gudmapManifestColumns = [
  'path',
  'Internal_ID',
  'kind',
  'number',
  'image_type',
  'suffix',
  'bytes',
  'sha256',
  'md5',
] as const;

/** The `kind` column, by the kind the GUDMAP profile read (its `parts.kind`). */
const kindInWords: Readonly<Record<string, string>> = {
  '2d': '2D image',
  '3d': '3D image',
  records: 'specimen records',
};

/**
 * The manifest of a GUDMAP upload: one row per file that will be uploaded, in path order. Files the
 * Deriva uploader does not read (let through with their errors) are listed too, with empty Internal_ID
 * and kind, so the manifest accounts for every file sent.
 */
export function buildGudmapManifest(context: ListContext): BuiltList {
  const { files } = context;
  return {
    kind: 'gudmap-manifest',
    title: 'GUDMAP upload manifest',
    fileName: safeFileName(`${context.batch}-gudmap-manifest`, 'csv'),
    format: 'csv',
    bom: true,
    table: { columns: gudmapManifestColumns, rows: files.map(manifestRow) },
    problems: problemsInOrder([...formulaInternalIdProblems(files), ...formulaPathWarnings(files)]),
    notes: [
      ...heldBackNote(context),
      ...checksumNote(context, 'sha256', 'sha256'),
      ...checksumNote(context, 'md5', 'md5'),
      ...unreadNote(files),
    ],
  };
}

function manifestRow(file: ListFile): string[] {
  const { kind = '', number = '', image_type: imageType = '', suffix = '' } = file.parts;
  return [
    file.path,
    file.identifier,
    kindInWords[kind] ?? '',
    number,
    imageType,
    suffix,
    String(file.size),
    file.sha256 ?? '',
    file.md5 ?? '',
  ];
}

function unreadNote(files: readonly ListFile[]): string[] {
  const unread = files.filter((file) => file.parts.kind === undefined).map((file) => file.path);
  if (unread.length === 0) return [];
  const are = unread.length === 1 ? 'is' : 'are';
  return [
    `${namePaths(unread)} ${are} uploaded but ${are} not in a place or form the Deriva uploader reads, so ${unread.length === 1 ? 'its' : 'their'} Internal_ID and kind are empty and Deriva will skip ${unread.length === 1 ? 'it' : 'them'} as “Invalid file type or directory location”.`,
  ];
}

/**
 * Internal_IDs a spreadsheet would take for a formula (`=1+1`, `@x`): a list writes them with an apostrophe in
 * front, and then they no longer match the Internal_ID in the image names. One error per Internal_ID, naming
 * its first file.
 */
export function formulaInternalIdProblems(files: readonly ListFile[]): ListProblem[] {
  const pathsById = new Map<string, string[]>();
  for (const file of files) {
    if (!startsLikeFormula(file.identifier)) continue;
    const paths = pathsById.get(file.identifier);
    if (paths === undefined) pathsById.set(file.identifier, [file.path]);
    else paths.push(file.path);
  }
  return cappedProblems(
    [...pathsById],
    'error',
    ([id, paths]) =>
      `Internal_ID ${id} (of ${namePaths(paths, 1)}) starts with ${leadingCharacter(id)}, so the list writes it with an apostrophe in front ('${id}) to keep spreadsheets from running it as a formula, and then it no longer matches the Internal_ID in the image names; rename the images and the specimen record to an Internal_ID that starts with a letter or digit.`,
    (count) =>
      `${plural(count, 'more Internal_ID starts', 'more Internal_IDs start')} like a formula too; rename them the same way.`,
  );
}
