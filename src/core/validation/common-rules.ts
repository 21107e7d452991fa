/** Rules that hold for every target: each looks at one file and returns at most one finding. */
import { finding } from '#core/validation/finding';
import { contentTypeNames, detectContentType, expectedContentTypes } from '#core/validation/magic';
import { fileName, isPlainAscii, lastExtension } from '#core/validation/path-parts';
import type { Finding, ScannedFile } from '#core/validation/types';
import { nameCharacterProblem } from '#core/paths';
import { isHiddenName, systemFileReason, systemFolderReason } from '#core/system-files';

export function isSystemFile(path: string): boolean {
  const segments = path.split('/');
  const name = segments.pop() ?? '';
  return systemFileReason(name) !== null || segments.some((folder) => systemFolderReason(folder) !== null);
}

/** Operating-system litter (`.DS_Store`, `._*`, `Thumbs.db`, `desktop.ini`) is never data. */
export function systemFile(path: string): Finding | undefined {
  if (!isSystemFile(path)) return undefined;
  return finding(
    path,
    'skipped',
    'common.system-file',
    `${path} is a file the operating system made, not data, so it will not be uploaded or listed.`,
  );
}

/** A hidden file, or a file in a hidden folder (names starting with a dot): a program's own state, not data. */
export function hiddenFile(path: string): Finding | undefined {
  const segments = path.split('/');
  const index = segments.findIndex(isHiddenName);
  if (index === -1) return undefined;
  const where =
    index === segments.length - 1
      ? 'is a hidden file (its name starts with a dot)'
      : `is in the hidden folder ${segments.slice(0, index + 1).join('/')}`;
  return finding(
    path,
    'skipped',
    'common.hidden-file',
    `${path} ${where}, a program's own file rather than data, so it will not be uploaded or listed; tick Include hidden files to upload it.`,
  );
}

/**
 * A backslash or a control character in a name: the receiver would store the file under a folder that is not on
 * the user's disk (or refuse it), so the file stays out of the upload even when files with errors go.
 */
export function nameCharacter(path: string, identifier: string): Finding | undefined {
  const problem = nameCharacterProblem(path);
  if (problem === undefined) return undefined;
  const { name, char, folder } = problem;
  const what = folder ? `The folder name '${name}'` : `The file name '${name}'`;
  const where = path === name ? '' : ` (${path})`;
  const why =
    char === '\\'
      ? `holds a backslash (\\), which browsers and the receiver read as a folder separator, so it would arrive as ${path.replaceAll('\\', '/')}, under a folder that does not exist on your disk`
      : `holds the control character U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which the receiver refuses`;
  return finding(
    path,
    'error',
    'common.name-character',
    `${what}${where} ${why}; it stays out of the upload even with Upload files with errors too, so rename it without that character and choose the folder again.`,
    identifier,
  );
}

export function emptyFile(file: ScannedFile, identifier: string): Finding | undefined {
  if (file.size !== 0) return undefined;
  return finding(
    file.path,
    'error',
    'common.empty',
    `${fileName(file.path)} is empty (0 bytes); copy it again from the original before uploading.`,
    identifier,
  );
}

/** macOS hands out some names decomposed (e + ◌́); the record or file list will hold the composed form. */
export function notNfc(path: string, identifier: string): Finding | undefined {
  if (isPlainAscii(path) || path.normalize('NFC') === path) return undefined;
  return finding(
    path,
    'warning',
    'common.unicode',
    `${path} is written in decomposed Unicode (as macOS stores some names), so it may not match the same name typed elsewhere; rename it, retyping its accented letters.`,
    identifier,
  );
}

const edgeSpace = /^\s|\s$/;
const edgeSpaceAnywhere = /(?:^|\/)\s|\s(?:\/|$)/;
const leadingSpace = /^\s/;
const trailingSpace = /\s$/;

/**
 * Leading or trailing spaces in a file or folder name. `pathEndTrimmed` is for targets that trim the
 * end of a listed path, where a trailing space at the very end breaks the match with the uploaded file.
 */
export function edgeSpaces(path: string, identifier: string, pathEndTrimmed = false): Finding | undefined {
  if (pathEndTrimmed && trailingSpace.test(path)) {
    return finding(
      path,
      'error',
      'common.edge-space',
      `${path} ends with a space, which the target trims from file list entries, so the listed name would not match the file; remove the space.`,
      identifier,
    );
  }
  if (!edgeSpaceAnywhere.test(path)) return undefined;
  const segments = path.split('/');
  const index = segments.findIndex((segment) => edgeSpace.test(segment));
  if (index === -1) return undefined;
  const segment = segments[index] ?? '';
  const starts = leadingSpace.test(segment);
  const ends = trailingSpace.test(segment);
  const where = starts && ends ? 'starts and ends' : starts ? 'starts' : 'ends';
  const kind = index === segments.length - 1 ? 'file name' : 'folder name';
  return finding(
    path,
    'warning',
    'common.edge-space',
    `In ${path}, the ${kind} '${segment}' ${where} with a space, which servers and file lists often trim; remove it.`,
    identifier,
  );
}

/** UTF-8 length without TextEncoder, which the core's ES-only lib does not have. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

const maxNameBytes = 255;

export function nameTooLong(path: string, identifier: string): Finding | undefined {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so shorter names cannot be too long.
  if (path.length * 3 <= maxNameBytes) return undefined;
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] ?? '';
    if (segment.length * 3 <= maxNameBytes) continue;
    const bytes = utf8ByteLength(segment);
    if (bytes <= maxNameBytes) continue;
    const kind = i === segments.length - 1 ? 'file name' : 'folder name';
    return finding(
      path,
      'error',
      'common.name-length',
      `The ${kind} '${segment.slice(0, 40)}…' in ${path} is ${bytes} bytes long in UTF-8, more than the 255 most file systems allow; shorten it.`,
      identifier,
    );
  }
  return undefined;
}

/** Compares the extension with what the first bytes say, when the scan read them. */
export function contentMismatch(file: ScannedFile, identifier: string): Finding | undefined {
  const magic = file.magic;
  if (magic === undefined || file.size === 0) return undefined;
  const extension = lastExtension(file.path);
  const expected = expectedContentTypes(extension);
  if (expected === undefined) return undefined;
  const detected = detectContentType(magic);
  if (detected !== undefined && expected.includes(detected)) return undefined;
  const name = fileName(file.path);
  if (detected !== undefined) {
    return finding(
      file.path,
      'warning',
      'common.content-type',
      `${name} is named .${extension} but holds ${contentTypeNames[detected]}; rename it with the matching extension or convert it.`,
      identifier,
    );
  }
  // Too few bytes to judge a file that is not empty: say nothing rather than guess.
  if (magic.length < Math.min(8, file.size)) return undefined;
  const first = expected[0] ?? 'jpeg';
  return finding(
    file.path,
    'warning',
    'common.content-type',
    `${name} is named .${extension} but does not start like ${contentTypeNames[first]}; it may be damaged or not that kind of file, so open it to check.`,
    identifier,
  );
}
