/**
 * The manifest every target gets: each file of the upload with its size, SHA-256, where the receiver places
 * it and the address it was sent to, so the user can check what arrived against what was sent.
 */
import {
  arrivalNotes,
  cappedProblems,
  leadingCharacter,
  checksumNote,
  originalPathColumn,
  renamedNote,
  heldBackNote,
  problemsInOrder,
  storedPathColumn,
  verifiedColumn,
} from '#core/filelists/common';
import { storedPathFor } from '#core/protocol';
import type { BuiltList, ListContext, ListCopy, ListFile, ListProblem } from '#core/filelists/types';
import { plural } from '#core/format';
import { safeFileName, startsLikeFormula } from '#core/table';

export const manifestColumns = ['path', 'bytes', 'sha256', 'stored_path', 'upload_url', 'verified'] as const;

/** What travels: the files that go as they are, and the web copies made of the others, in path order. */
export function travelling(context: ListContext): readonly (ListFile | ListCopy)[] {
  const going: (ListFile | ListCopy)[] = context.files.filter((file) => file.leftHome !== true);
  going.push(...(context.copies ?? []));
  return going.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The manifest of the upload: one row per file that travels (web copies included), in path order. */
export function buildManifest(context: ListContext): BuiltList {
  const { batch } = context;
  const files = travelling(context);
  const original = originalPathColumn(files);
  return {
    kind: 'manifest',
    title: 'Manifest',
    fileName: safeFileName(`${batch}-manifest`, 'csv'),
    format: 'csv',
    bom: true,
    table: {
      columns: [manifestColumns[0], ...original.columns, ...manifestColumns.slice(1)],
      rows: files.map((file) => [
        file.path,
        ...original.cells(file),
        String(file.size),
        ('sha256' in file ? file.sha256 : undefined) ?? '',
        storedPathColumn(file, batch),
        file.uploadUrl ?? '',
        verifiedColumn(file),
      ]),
    },
    problems: problemsInOrder([...formulaPathWarnings(files), ...formulaBatchWarning(batch)]),
    notes: [
      ...heldBackNote(context),
      ...renamedNote(files),
      ...leftHomeNote(context),
      ...checksumNote(context, 'sha256', 'sha256'),
      ...plannedPathNote(files, batch),
      ...uploadUrlNote(files),
      ...arrivalNotes(files),
    ],
  };
}

/**
 * Paths a spreadsheet would take for formulas (`-scan.tif`, `@raw/x.tif`), which the list writes with an
 * apostrophe in front, so the listed path no longer matches the file: one warning per top-level file or folder,
 * since every path below a folder starts the same way.
 */
export function formulaPathWarnings(files: readonly Pick<ListFile, 'path'>[]): ListProblem[] {
  const filesBelow = new Map<string, number>();
  for (const file of files) {
    if (!startsLikeFormula(file.path)) continue;
    const slash = file.path.indexOf('/');
    const top = slash === -1 ? file.path : file.path.slice(0, slash + 1);
    filesBelow.set(top, (filesBelow.get(top) ?? 0) + 1);
  }
  return cappedProblems(
    [...filesBelow],
    'warning',
    ([top, count]) => formulaPathSentence(top, count),
    (count) =>
      `${plural(count, 'more file or folder', 'more files and folders')} at the top of the folder start like a formula too; rename them the same way.`,
  );
}

function formulaPathSentence(top: string, count: number): string {
  const start = leadingCharacter(top);
  const keeps = 'to keep spreadsheets from running';
  if (!top.endsWith('/')) {
    return `${top} starts with ${start}, so the list writes it with an apostrophe in front ('${top}) ${keeps} it as a formula, and the listed path no longer matches the file; rename the file so it starts with a letter or digit.`;
  }
  const folder = top.slice(0, -1);
  return `The folder ${folder} starts with ${start}, so the list writes the paths of its ${plural(count, 'file')} with an apostrophe in front ('${top}…) ${keeps} them as formulas, and they no longer match the files; rename the folder so it starts with a letter or digit.`;
}

/** Every stored path starts with the batch name, so a batch name that starts like a formula spoils them all. */
function formulaBatchWarning(batch: string): ListProblem[] {
  if (batch === '' || !startsLikeFormula(batch)) return [];
  return [
    {
      status: 'warning',
      message: `The batch name ${batch} starts with ${leadingCharacter(batch)}, so the list writes every stored_path with an apostrophe in front ('${batch}/…) to keep spreadsheets from running them as formulas; choose a batch name that starts with a letter or digit.`,
    },
  ];
}

function plannedPathNote(files: readonly Pick<ListFile, 'storedPath'>[], batch: string): string[] {
  const planned = files.filter((file) => file.storedPath === undefined).length;
  if (planned === 0) return [];
  const under = batch === '' ? '' : `, under ${storedPathFor(batch, '')}`;
  return [
    `The stored_path of ${plural(planned, 'file')} not uploaded yet is where the receiver will place ${planned === 1 ? 'it' : 'them'}${under}; once uploaded, it is where each file was actually placed, which differs when another file already had the name.`,
  ];
}

function uploadUrlNote(files: readonly Pick<ListFile, 'uploadUrl'>[]): string[] {
  const pending = files.filter((file) => file.uploadUrl === undefined).length;
  if (pending === 0) return [];
  return [
    `The upload_url column is empty for ${plural(pending, 'file')} not uploaded yet; it is filled once ${pending === 1 ? 'it is' : 'they are'} uploaded.`,
  ];
}

/** Originals that stay home, and the web copies that travel instead. */
function leftHomeNote(context: ListContext): string[] {
  const home = context.files.filter((file) => file.leftHome === true).length;
  const copies = context.copies?.length ?? 0;
  if (home === 0 && copies === 0) return [];
  const copiesSaid = `${plural(copies, 'web copy', 'web copies')} made in Prepare ${copies === 1 ? 'travels' : 'travel'} with the upload and ${copies === 1 ? 'is' : 'are'} listed`;
  if (home === 0)
    return [`${copiesSaid}; their SHA-256 is left empty, as only the folder's files are checksummed.`];
  return [
    `${plural(home, 'original')} ${home === 1 ? 'stays' : 'stay'} home, as the image settings ask; ${copiesSaid} in ${home === 1 ? 'its' : 'their'} place, their SHA-256 left empty, as only the folder's files are checksummed.`,
  ];
}
