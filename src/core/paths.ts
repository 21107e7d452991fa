/**
 * Paths of files inside an upload batch, checked the same way in the browser and in the receiver.
 * Refusal reasons are lower-case clauses ending in a full stop, so callers can write
 * `Refused "${input}": ${reason}` and get one sentence.
 */

export type PathResult = { ok: true; path: string } | { ok: false; reason: string };
export type BatchNameResult = { ok: true; name: string } | { ok: false; reason: string };

export const MAX_SEGMENT_BYTES = 255;
export const MAX_PATH_BYTES = 4096;

/** UTF-8 length without TextEncoder, which the pure core may not use. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describeCharacterProblem(text: string, what: string): string | undefined {
  const control = CONTROL_CHARACTER.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0);
    const name =
      code === 0 ? 'a NUL character' : `a control character (U+${code.toString(16).padStart(4, '0')})`;
    return `${what} may not contain ${name}.`;
  }
  if (LONE_SURROGATE.test(text)) return `${what} contains a broken Unicode character (a lone surrogate).`;
  return undefined;
}

/** A name in a path that cannot travel as it is: the name, the character at fault, and whether it is a folder. */
export interface NameCharacterProblem {
  readonly name: string;
  readonly char: string;
  readonly folder: boolean;
}

// eslint-disable-next-line no-control-regex
const UNSENDABLE = /[\\\u0000-\u001f]/;

/**
 * The first file or folder name in a '/'-separated path that holds a backslash, which the receiver (like
 * Windows and Chromium's folder input) reads as a folder separator, or a control character, which it refuses.
 * Such a file would arrive under another name or not at all, so the page never sends it.
 */
export function nameCharacterProblem(path: string): NameCharacterProblem | undefined {
  if (!UNSENDABLE.test(path)) return undefined;
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i += 1) {
    const name = segments[i] ?? '';
    const found = UNSENDABLE.exec(name);
    if (found) return { name, char: found[0], folder: i < segments.length - 1 };
  }
  return undefined;
}

function preview(text: string): string {
  const chars = [...text];
  return chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : text;
}

function checkSegment(segment: string, what: string): string | undefined {
  const bytes = utf8Length(segment);
  if (bytes > MAX_SEGMENT_BYTES) {
    return `${what} is ${bytes} bytes long in UTF-8, more than the ${MAX_SEGMENT_BYTES} bytes a file system allows.`;
  }
  return undefined;
}

/**
 * Checks the path of a file relative to the picked folder. `\` counts as a separator; `.` and empty
 * segments are dropped; everything else (spaces, case, non-ASCII letters, Unicode form) is kept exactly.
 */
export function sanitizeRelativePath(input: string): PathResult {
  if (input.length === 0) return { ok: false, reason: 'the path is empty.' };
  const charProblem = describeCharacterProblem(input, 'a path');
  if (charProblem) return { ok: false, reason: charProblem };
  const slashed = input.replaceAll('\\', '/');
  if (slashed.startsWith('/'))
    return { ok: false, reason: 'a path must be relative, not start with a slash.' };
  if (/^[A-Za-z]:/.test(slashed)) {
    return { ok: false, reason: 'a path must be relative, not start with a drive letter.' };
  }
  const segments = slashed.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return { ok: false, reason: 'a path may not contain "..".' };
  if (segments.length === 0) return { ok: false, reason: 'the path has no file name in it.' };
  for (const segment of segments) {
    const problem = checkSegment(segment, `the name "${preview(segment)}"`);
    if (problem) return { ok: false, reason: problem };
  }
  const path = segments.join('/');
  const bytes = utf8Length(path);
  if (bytes > MAX_PATH_BYTES) {
    return {
      ok: false,
      reason: `the path is ${bytes} bytes long in UTF-8, more than the ${MAX_PATH_BYTES} bytes allowed.`,
    };
  }
  return { ok: true, path };
}

/** Checks a batch name: a single folder name that is not hidden. Kept exactly when accepted. */
export function sanitizeBatchName(input: string): BatchNameResult {
  if (input.length === 0) return { ok: false, reason: 'a batch name may not be empty.' };
  const charProblem = describeCharacterProblem(input, 'a batch name');
  if (charProblem) return { ok: false, reason: charProblem };
  if (input.includes('/') || input.includes('\\')) {
    return { ok: false, reason: 'a batch name is one folder name and may not contain "/" or "\\".' };
  }
  if (input.startsWith('.')) return { ok: false, reason: 'a batch name may not start with a dot.' };
  const problem = checkSegment(input, 'the batch name');
  if (problem) return { ok: false, reason: problem };
  return { ok: true, name: input };
}

const MAX_SUGGESTED_STEM = 80;

/** A safe, sortable batch name such as `Herbarium-2026-11-21T05-02-36Z`. */
export function suggestBatchName(folderName: string, date: Date): string {
  const stem =
    folderName
      .replace(/[^A-Za-z0-9._-]/gu, '_')
      .replace(/^[._]+/, '')
      .slice(0, MAX_SUGGESTED_STEM) || 'batch';
  const stamp = date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  return `${stem}-${stamp}`;
}
