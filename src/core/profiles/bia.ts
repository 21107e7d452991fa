/** BioImage Archive: every path becomes a line of the file list, so the path itself is the identifier. */
import type { ProfileDescriptor } from '#core/profiles/types';
import { finding } from '#core/validation/finding';
import { listInWords } from '#core/validation/path-parts';
import { formatDecimalSize, GB } from '#core/validation/size';
import type { Finding, ScannedFile } from '#core/validation/types';

const allowedPath = /^[0-9A-Za-z!\-_*'(). /]*$/;
const disallowedCharacter = /[^0-9A-Za-z!\-_*'(). /]/gu;
const printable = /^[\p{L}\p{N}\p{P}\p{S}]$/u;
/**
 * Neither domain-rules nor the archive's pages name reserved file names; these are the device names
 * Windows reserves, which anyone downloading the study on Windows could not save.
 */
const windowsReserved = /^(?:CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(?:\..*)?$/i;
const maxSubmissionToolFile = 20 * GB;
const maxSubmissionToolTotal = 50 * GB;

/** A character as a sentence can show it: quoted when visible, as U+XXXX when not (a zero-width space). */
export function characterLabel(character: string): string {
  if (printable.test(character)) return `'${character}'`;
  const code = character.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Characters outside the archive's set, each named once; spaces are a separate, milder rule. */
export function disallowedCharacters(path: string): string[] {
  if (allowedPath.test(path)) return [];
  return [...new Set(Array.from(path.matchAll(disallowedCharacter), (m) => m[0]))];
}

function characters(path: string): Finding | undefined {
  const found = disallowedCharacters(path);
  if (found.length === 0) return undefined;
  return finding(
    path,
    'error',
    'bia.characters',
    `${path} contains ${listInWords(found.map(characterLabel))}, which the BioImage Archive does not allow in file or folder names; use only letters, digits and ! - _ . * ' ( ) instead.`,
    path,
  );
}

function spaces(path: string): Finding | undefined {
  if (!path.includes(' ')) return undefined;
  return finding(
    path,
    'warning',
    'bia.space',
    `${path} contains a space, which the BioImage Archive's help page does not list as allowed (its server accepts it); replace spaces with _ to be safe.`,
    path,
  );
}

/** The server refuses `./` at the start, `../` anywhere and a trailing `/`; empty names are refused here too. */
export function pathFormProblem(path: string): string | undefined {
  if (path.startsWith('./')) return 'starts with ./';
  if (path.endsWith('/')) return 'ends with /';
  const segments = path.split('/');
  if (segments.includes('..')) return 'contains ../';
  if (segments.includes('.')) return 'contains ./';
  if (segments.includes('')) return 'has an empty folder name (//)';
  return undefined;
}

function pathForm(path: string): Finding | undefined {
  const problem = pathFormProblem(path);
  if (problem === undefined) return undefined;
  return finding(
    path,
    'error',
    'bia.path-form',
    `${path} ${problem}, which the BioImage Archive refuses in a file list; give the path relative to the upload folder, without ./, ../ or a trailing /.`,
    path,
  );
}

function reservedName(path: string): Finding | undefined {
  const reserved = path.split('/').find((segment) => windowsReserved.test(segment));
  if (reserved === undefined) return undefined;
  return finding(
    path,
    'warning',
    'bia.reserved-name',
    `${path} uses the name '${reserved}', which Windows reserves for a device, so people who download the study on Windows cannot save it; rename it.`,
    path,
  );
}

function fileSize(file: ScannedFile): Finding | undefined {
  if (file.size <= maxSubmissionToolFile) return undefined;
  return finding(
    file.path,
    'warning',
    'bia.file-size',
    `${file.path} is ${formatDecimalSize(file.size)}, and the submission tool takes files under 20 GB; upload this study by FTP (up to 1 TB in total) or Aspera (above 1 TB).`,
    file.path,
  );
}

function totalSize(files: readonly ScannedFile[]): Finding[] {
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total <= maxSubmissionToolTotal) return [];
  return [
    finding(
      '',
      'warning',
      'bia.total-size',
      `The files total ${formatDecimalSize(total)}, and the submission tool takes under 50 GB in all; upload this study by FTP (up to 1 TB) or Aspera (above 1 TB).`,
    ),
  ];
}

function checkFile(file: ScannedFile): Finding[] {
  const { path } = file;
  return [characters(path), spaces(path), pathForm(path), reservedName(path), fileSize(file)].filter(
    (f): f is Finding => f !== undefined,
  );
}

export const bia: ProfileDescriptor<'bia'> = {
  id: 'bia',
  label: 'BioImage Archive',
  description:
    'A BioImage Archive (BioStudies) submission: file and folder names in the archive’s character set, listed path by path in a file list.',
  defaultSettings: { pathTemplate: '', makeThumbnails: false, thumbnailSide: 150 },
  prepareSettings: ['pathTemplate', 'makeThumbnails', 'thumbnailSide'],
  isRecordFile: () => false,
  prepare: () => ({
    ok: true,
    profile: {
      identify: (path) => ({ identifier: path, parts: {}, notes: [] }),
      checkFile,
      // Paths are unique within a folder; names that differ only in case are the case-clash rule's.
      duplicateKey: () => undefined,
      duplicateWording: () => ({ what: 'path', fix: 'keep one of them' }),
      describe: (path) => `${path} follows the BioImage Archive's naming rules`,
      checkFolder: totalSize,
      pathEndTrimmed: true,
      records: {
        columns: ['Files'],
        extraColumns: [],
        trimEnd: true,
        withoutLeadingZeros: false,
        missingStatus: 'warning',
        missingMessage: ({ path, list, caseVariant }) =>
          `${path} is not in the file list ${list}${caseVariant === undefined ? '' : ` (it lists '${caseVariant}', which differs only in case)`}; add a line for it, or it will be uploaded but not described in the study.`,
        noFileStatus: 'error',
        noFileMessage: (identifier, line, list) =>
          `${identifier} is listed on line ${line} of ${list} but is not in the folder, so the archive would reject the list with “The following files could not be found”; upload the file or remove the line.`,
        repeatedStatus: 'warning',
        repeatedMessage: (identifier, lines, list) =>
          `${identifier} is listed on lines ${listInWords(lines.map(String))} of ${list}; list each file once.`,
        checkTable: () => [],
      },
    },
  }),
};
