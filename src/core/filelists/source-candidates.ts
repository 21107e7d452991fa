/**
 * The files an annotation's source image is looked for among, indexed: by base name for the links by name, and
 * by path, name and folder for a filled-in source template.
 */
import { globLiteral, globMatches, literalStart, type GlobSegment } from '#core/filelists/path-template';
import { baseStem } from '#core/filelists/source-template';
import { fileName, folderOf } from '#core/validation/path-parts';

/** The candidates by their {@link baseStem}, each name's paths in the order given (path order). */
export function byBaseStem(paths: readonly string[]): ReadonlyMap<string, readonly string[]> {
  const index = new Map<string, string[]>();
  for (const path of paths) {
    const key = baseStem(fileName(path));
    const same = index.get(key);
    if (same === undefined) index.set(key, [path]);
    else same.push(path);
  }
  return index;
}

/**
 * The candidate sources, indexed so a filled template looks at few of them: an exact path is a set lookup,
 * a name with a literal start (`{stem}.*`) a range of the names sorted, a literal folder that folder's files.
 * Only a template whose folder and name both start with a wildcard reads every candidate.
 */
export class CandidateIndex {
  readonly #all: readonly string[];
  readonly #paths: ReadonlySet<string>;
  readonly #byName: readonly { readonly name: string; readonly path: string }[];
  readonly #byFolder = new Map<string, string[]>();

  constructor(paths: readonly string[]) {
    this.#all = paths;
    this.#paths = new Set(paths);
    this.#byName = paths
      .map((path) => ({ name: fileName(path), path }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const path of paths) {
      const folder = folderOf(path);
      const files = this.#byFolder.get(folder);
      if (files === undefined) this.#byFolder.set(folder, [path]);
      else files.push(path);
    }
  }

  /** The candidates the glob matches, in path order. */
  matching(glob: readonly GlobSegment[]): string[] {
    const literal = globLiteral(glob);
    if (literal !== undefined) return this.#paths.has(literal) ? [literal] : [];
    return this.#narrowed(glob)
      .filter((path) => globMatches(glob, path))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  #narrowed(glob: readonly GlobSegment[]): readonly string[] {
    const last = glob.at(-1);
    const nameStart = last === undefined ? '' : literalStart(last);
    if (nameStart !== '') return this.#namesStartingWith(nameStart);
    const folder = globLiteral(glob.slice(0, -1));
    if (folder !== undefined) return this.#byFolder.get(folder) ?? [];
    return this.#all;
  }

  #namesStartingWith(prefix: string): string[] {
    let low = 0;
    let high = this.#byName.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#byName[middle]?.name ?? '') < prefix) low = middle + 1;
      else high = middle;
    }
    const found: string[] = [];
    for (let i = low; i < this.#byName.length; i += 1) {
      const entry = this.#byName[i];
      if (entry === undefined || !entry.name.startsWith(prefix)) break;
      found.push(entry.path);
    }
    return found;
  }
}
