/**
 * For an annotation whose source was not found (none, or several alike), the source template that would find
 * it: written from the image it most likely comes from, with placeholders wherever the annotation's own path
 * says the same, and checked to take exactly that image.
 */
import { byBaseStem, CandidateIndex } from '#core/filelists/source-candidates';
import { closestSources } from '#core/filelists/source-ranking';
import {
  baseName,
  baseStem,
  filledGlob,
  parseSourceTemplate,
  placeOf,
  subdirOf,
  type AnnotationPlace,
} from '#core/filelists/source-template';
import { fileName, stem } from '#core/validation/path-parts';

export interface SourceSuggestion {
  readonly template: string;
  /** A suffix the set must also cut for {base}, when the annotation's name ends in none of its suffixes. */
  readonly suffix?: string;
  /** The image the template takes. */
  readonly source: string;
}

/** Where a name may end and a suffix begin: `a_seg` is `a` and `_seg`. */
const SEPARATORS = new Set(['_', '-', '.', ' ']);

export class SourceSuggester {
  readonly #candidates: readonly string[];
  readonly #setDepth: number;
  readonly #suffixes: readonly string[];
  #names: ReadonlyMap<string, readonly string[]> | undefined;
  #index: CandidateIndex | undefined;

  /** `suffixes` longest first; `names` the candidates by base name, when the caller has them already. */
  constructor(
    candidates: readonly string[],
    setDepth: number,
    suffixes: readonly string[],
    names?: ReadonlyMap<string, readonly string[]>,
  ) {
    this.#candidates = candidates;
    this.#setDepth = setDepth;
    this.#suffixes = suffixes;
    this.#names = names;
  }

  /** A template other than `current` that finds exactly one source for the annotation; undefined when none can. */
  suggest(annotation: string, current?: string): SourceSuggestion | undefined {
    const place = placeOf(annotation, this.#setDepth);
    const likely = this.#likelySources(annotation);
    if (likely === undefined) return undefined;
    const { found, suffix } = likely;
    const source = closestSources(place, found)[0];
    if (source === undefined) return undefined;
    const cuts =
      suffix === undefined ? this.#suffixes : [...this.#suffixes, suffix].sort((a, b) => b.length - a.length);
    this.#index ??= new CandidateIndex(this.#candidates);
    for (const template of templatesFor(place, source, cuts)) {
      if (template === current && suffix === undefined) continue;
      const { pieces, problems } = parseSourceTemplate(template);
      if (problems.length > 0) continue;
      const taken = this.#index.matching(filledGlob(pieces, place, cuts));
      if (taken.length === 1 && taken[0] === source)
        return suffix === undefined ? { template, source } : { template, suffix, source };
    }
    return undefined;
  }

  /**
   * The images named as the annotation is (with a suffix cut or not); failing those, the ones named as the
   * longest start of its name, with the rest of the name as the suffix to cut (`a_seg.png` → `a.tif`, `_seg`).
   */
  #likelySources(
    annotation: string,
  ): { readonly found: readonly string[]; readonly suffix?: string } | undefined {
    this.#names ??= byBaseStem(this.#candidates);
    const name = fileName(annotation);
    const base = baseStem(name);
    const keys = new Set([base, baseName(name, this.#suffixes)]);
    const found = [...keys].flatMap((key) => this.#names?.get(key) ?? []);
    if (found.length > 0) return { found: [...new Set(found)].sort() };
    for (let end = base.length - 1; end > 0; end -= 1) {
      if (!SEPARATORS.has(base.charAt(end))) continue;
      const start = this.#names.get(base.slice(0, end));
      if (start !== undefined) return { found: start, suffix: base.slice(end) };
    }
    return undefined;
  }
}

/**
 * Templates that lead from the annotation to the source, most general first: the source's folders written with
 * {subdir}, {dir}, {parent} or the levels of {subdir} where they say the same, else as they are; its name with
 * {stem} or {base} and its own extension.
 */
function templatesFor(place: AnnotationPlace, source: string, suffixes: readonly string[]): string[] {
  const sourceName = fileName(source);
  const sourceBase = baseStem(sourceName);
  const name = fileName(place.path);
  const token =
    sourceBase === stem(name) ? '{stem}' : sourceBase === baseName(name, suffixes) ? '{base}' : undefined;
  if (token === undefined) return [];
  const tail = `${token}${sourceName.slice(sourceBase.length)}`;
  return folderForms(place, source.split('/').slice(0, -1)).map((folder) =>
    folder === '' ? tail : `${folder}/${tail}`,
  );
}

function startsWith(names: readonly string[], start: readonly string[]): boolean {
  return start.length <= names.length && start.every((name, i) => names[i] === name);
}

function folderForms(place: AnnotationPlace, folders: readonly string[]): string[] {
  const forms: string[][] = [];
  const below = subdirOf(place);
  const cut = folders.length - below.length;
  if (below.length > 0 && cut >= 0 && startsWith(folders.slice(cut), below))
    forms.push([...folders.slice(0, cut), '{subdir}']);
  const dir = place.folders;
  if (dir.length > 0 && startsWith(folders, dir)) forms.push(['{dir}', ...folders.slice(dir.length)]);
  const parent = dir.slice(0, -1);
  if (parent.length > 0 && startsWith(folders, parent))
    forms.push(['{parent}', ...folders.slice(parent.length)]);
  const levels = folders.map((name) => {
    const level = below.indexOf(name);
    return level === -1 ? name : `{subdir${level + 1}}`;
  });
  if (levels.some((name, i) => name !== folders[i])) forms.push(levels);
  forms.push([...folders]);
  return [...new Set(forms.map((form) => form.join('/')))];
}
