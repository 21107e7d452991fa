/** Rules that compare files with each other; each runs on groups built in one pass over the folder. */
import { finding } from '#core/validation/finding';
import { isPlainAscii, namePaths } from '#core/validation/path-parts';
import type { Finding } from '#core/validation/types';

/** Groups values by key in one pass; insertion order is kept, so groups list items in the order given. */
export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

/**
 * Like groupBy, but keeps only keys shared by two items or more. Almost every key is unique, so the
 * first item of each key is held on its own and an array is made only on a collision.
 */
export function groupCollisions<T>(
  items: Iterable<T>,
  keyOf: (item: T) => string | undefined,
): Map<string, T[]> {
  const first = new Map<string, T>();
  const collisions = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, item);
    else {
      const group = collisions.get(key);
      if (group === undefined) collisions.set(key, [earlier, item]);
      else group.push(item);
    }
  }
  return collisions;
}

/** Two paths clash when they differ only in case (and in Unicode composition). */
export function caseKey(path: string): string {
  return (isPlainAscii(path) ? path : path.normalize('NFC')).toLowerCase();
}

export function caseClash(path: string, others: readonly string[], identifier: string): Finding {
  return finding(
    path,
    'warning',
    'common.case-clash',
    `${path} differs only in case from ${namePaths(others)}; rename one, because Windows and macOS treat such names as the same file.`,
    identifier,
  );
}

/** How a profile words two files that fill the same place for the same record. */
export interface DuplicateWording {
  /** What the files share, e.g. "Internal_ID and image number (Abc, 1)". */
  readonly what: string;
  /** How to tell them apart, e.g. "give each image of a specimen its own number". */
  readonly fix: string;
}

export function duplicate(
  path: string,
  others: readonly string[],
  wording: DuplicateWording,
  identifier: string,
): Finding {
  return finding(
    path,
    'warning',
    'common.duplicate',
    `${path} has the same ${wording.what} as ${namePaths(others)}; ${wording.fix}.`,
    identifier,
  );
}
