/**
 * Packs text files (the file lists and their notes) into one ZIP with fflate, the same bytes for the same
 * input every time, so a download can be compared with an earlier one.
 */
import { strToU8, zipSync } from 'fflate';
import type { Zippable } from 'fflate';

/** One file in the ZIP: its path inside the archive (parts separated by `/`) and its text. */
export interface ZipEntry {
  readonly name: string;
  readonly text: string;
}

/**
 * The time every entry claims it was modified. ZIP stores a local date and time without a time zone, and
 * fflate reads it with the local getters of a Date, so this string has no zone: parsed as local time, it
 * gives the same fields, and the same bytes, wherever the ZIP is made.
 */
const FIXED_MTIME = '2000-01-01T00:00:00';

/** Deflate level 6: zlib's default balance; file lists are small and compress well at any level. */
const COMPRESSION_LEVEL = 6;

/**
 * A ZIP archive holding each entry's text encoded as UTF-8, deflated, entries in the given order (except that
 * fflate puts names that look like array indexes, such as `12`, first), with a fixed modification time:
 * the same entries always give the same bytes.
 *
 * Throws when a name is empty, repeated, starts with `/`, has an empty, `.` or `..` part, or holds a
 * backslash: names come from the code, so that is a programming error, and such a name could write outside
 * the folder it is unpacked into.
 */
export function zipFiles(entries: readonly ZipEntry[]): Uint8Array<ArrayBuffer> {
  // No prototype: `in` then sees only names added here, never `constructor` or `__proto__` from Object.
  const files: Zippable = Object.create(null) as Zippable;
  for (const { name, text } of entries) {
    const problem =
      nameProblem(name) ?? (name in files ? 'is given twice; give each file its own name' : undefined);
    if (problem !== undefined) throw new Error(`The ZIP entry name ${JSON.stringify(name)} ${problem}.`);
    files[name] = [strToU8(text), { level: COMPRESSION_LEVEL, mtime: FIXED_MTIME }];
  }
  return zipSync(files);
}

/** Why the name is not a safe relative path inside the archive, or undefined when it is. */
function nameProblem(name: string): string | undefined {
  if (name === '') return 'is empty; give every file a name';
  if (name.includes('\\')) return 'holds a backslash; separate folders with /';
  if (name.startsWith('/')) return 'starts with /; use a path relative to the archive';
  const parts = name.split('/');
  if (parts.includes('..')) return 'has a .. part, which points outside the archive; use a path inside it';
  if (parts.some((part) => part === '' || part === '.'))
    return 'has an empty or . part; remove the extra / or ./';
  return undefined;
}
