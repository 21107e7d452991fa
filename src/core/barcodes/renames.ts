/**
 * Names from barcodes: a file whose name gives no identifier but whose label does gets the barcode as its name,
 * `<barcode>.jpg`, in its own folder; several such images of one specimen get `_a`, `_b` … in path order, and a
 * name already taken in that folder (by another file or another rename) is never given. The files themselves are
 * never renamed: this is the list of old and new names.
 */
import { fileName, folderOf, lastExtension } from '#core/validation/path-parts';

export interface Rename {
  readonly from: string;
  readonly to: string;
  readonly identifier: string;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function suffix(n: number): string {
  let s = '';
  let i = n;
  do {
    s = (LETTERS[i % 26] ?? 'a') + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return s;
}

/**
 * `suggested` maps a path to the identifier its barcode gives; `taken` holds every path in the folder (compared
 * without case, as Windows and macOS file systems and most portals do).
 */
export function planRenames(suggested: ReadonlyMap<string, string>, taken: Iterable<string>): Rename[] {
  const used = new Set<string>();
  for (const path of taken) used.add(path.toLowerCase());
  const groups = new Map<string, string[]>();
  for (const [path, identifier] of [...suggested].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const key = `${folderOf(path)}\u0000${identifier.toLowerCase()}`;
    const group = groups.get(key);
    if (group) group.push(path);
    else groups.set(key, [path]);
  }
  const renames: Rename[] = [];
  for (const paths of groups.values()) {
    const identifier = suggested.get(paths[0] as string) as string;
    let next = 0;
    for (const from of paths) {
      const folder = folderOf(from);
      const extension = lastExtension(fileName(from));
      const dot = extension === '' ? '' : `.${extension}`;
      const at = (name: string) => (folder === '' ? name : `${folder}/${name}`);
      let to = at(`${identifier}${dot}`);
      if (paths.length > 1 || used.has(to.toLowerCase())) {
        do to = at(`${identifier}_${suffix(next++)}${dot}`);
        while (used.has(to.toLowerCase()));
      }
      used.add(to.toLowerCase());
      renames.push({ from, to, identifier });
    }
  }
  return renames.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}
