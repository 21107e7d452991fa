/**
 * A BioImage Archive annotations file list: the files of one annotation set (masks, labels …), what kind of
 * annotation they are, and for each the one image of the submission it annotates.
 */
import { heldBackNote, problemsInOrder } from '#core/filelists/common';
import { biaListProblems, CappedProblems, FILES_COLUMN } from '#core/filelists/bia-rules';
import {
  globLiteral,
  globMatches,
  globMatcher,
  globText,
  literalStart,
  STAR,
  type GlobSegment,
} from '#core/filelists/path-template';
import {
  ANNOTATION_TYPES,
  type AnnotationLink,
  type AnnotationSet,
  type BuiltList,
  type ListContext,
  type ListFile,
  type ListProblem,
} from '#core/filelists/types';
import { safeFileName } from '#core/table';
import { fileName, folderOf, listInWords, stem } from '#core/validation/path-parts';

/** The columns of every annotations file list, in order. */
export const ANNOTATION_COLUMNS = [FILES_COLUMN, 'Annotation Type', 'Source Image'] as const;

const TEMPLATE_PLACEHOLDERS = ['dir', 'parent', 'stem', 'ext'] as const;
type Placeholder = (typeof TEMPLATE_PLACEHOLDERS)[number];
const knownTypes: ReadonlySet<string> = new Set(ANNOTATION_TYPES);

/**
 * Whether a set's selector takes a path: a folder ending in `/` takes everything under it, a pattern without
 * `/` is matched against the file name, one with `/` against the whole path (see {@link globMatcher}). An
 * empty selector takes nothing.
 */
export function setSelector(set: AnnotationSet): (path: string) => boolean {
  const select = set.select.trim();
  if (select === '') return () => false;
  return globMatcher(select);
}

/** The paths any of the sets selects: files that go in annotations file lists instead of the file list. */
export function annotatedPaths(
  files: readonly ListFile[],
  sets: readonly AnnotationSet[],
): ReadonlySet<string> {
  const selectors = sets.map(setSelector);
  const paths = new Set<string>();
  for (const { path } of files) if (selectors.some((selects) => selects(path))) paths.add(path);
  return paths;
}

/**
 * The annotations file list of one set: columns `Files`, `Annotation Type` (the set's types, comma-separated)
 * and `Source Image`, one row per selected file in path order. The source is looked for among the files the
 * set does not select (see {@link AnnotationLink}); an annotation with no source, or with several, gets an
 * error and an empty Source Image. Problems with the set itself and the archive's own rules come first.
 */
export function buildBiaAnnotations(context: ListContext, set: AnnotationSet): BuiltList {
  const selects = setSelector(set);
  const annotations: string[] = [];
  const candidates: string[] = [];
  for (const { path } of context.files) (selects(path) ? annotations : candidates).push(path);

  const setProblems = annotationSetProblems(set, annotations.length, context.files);
  const link = linkProblems(set);
  const found = new CappedProblems();
  const findSource = link.ok ? sourceFinder(set.link, candidates) : () => undefined;
  const typeCell = [...new Set(set.types)].join(',');
  const rows = annotations.map((path): string[] => {
    const source = findSource(path);
    if (source !== undefined && source.kind === 'problem') found.add('error', source.message);
    return [path, typeCell, source?.kind === 'found' ? source.path : ''];
  });

  const table = { columns: [...ANNOTATION_COLUMNS], rows };
  const listName = `the annotations file list (${set.name})`;
  const uploadPaths = new Set(context.files.map((file) => file.path));
  return {
    kind: 'bia-annotations',
    title: `BioImage Archive annotations file list (${set.name})`,
    fileName: safeFileName(`${context.batch}-annotations-${set.name}`, 'tsv'),
    format: 'tsv',
    bom: false,
    table,
    problems: problemsInOrder([
      ...setProblems,
      ...link.problems,
      ...found.problems(),
      ...biaListProblems(table, uploadPaths, listName),
    ]),
    notes: heldBackNote(context),
  };
}

function setLabel(set: AnnotationSet): string {
  return set.name.trim() === '' ? 'The annotation set without a name' : `Annotation set '${set.name}'`;
}

function error(message: string): ListProblem {
  return { status: 'error', message };
}

function annotationSetProblems(
  set: AnnotationSet,
  selected: number,
  files: readonly ListFile[],
): ListProblem[] {
  const problems: ListProblem[] = [];
  const label = setLabel(set);
  if (set.name.trim() === '')
    problems.push(
      error('An annotation set has no name; give it one, such as masks, as it names the list and its file.'),
    );
  if (set.types.length === 0)
    problems.push(error(`${label} has no annotation type; choose at least one, such as segmentation_mask.`));
  for (const type of new Set(set.types))
    if (!knownTypes.has(type))
      problems.push(
        error(
          `${label} has the type '${type}', which is not one of the BioImage Archive's annotation types (${listInWords(ANNOTATION_TYPES)}); choose one of those.`,
        ),
      );
  const select = set.select.trim();
  if (select === '')
    problems.push(
      error(`${label} selects nothing; enter a folder, such as masks/, or a pattern, such as *_mask.png.`),
    );
  else if (selected === 0)
    problems.push(error(`${label} selects no file with '${select}'; ${selectorHint(select, files)}.`));
  return problems;
}

/** What to try when a selector takes no file: the full path of a folder it names, or the form of a folder. */
function selectorHint(select: string, files: readonly ListFile[]): string {
  const folder = select.endsWith('/') ? select : `${select}/`;
  if (!select.includes('*')) {
    const inside = files.find((file) => file.path.includes(`/${folder}`))?.path;
    if (inside !== undefined) {
      const full = inside.slice(0, inside.indexOf(`/${folder}`) + 1 + folder.length);
      return `paths start at the picked folder, so write ${full} to select that folder`;
    }
    if (!select.includes('/')) return `to select a folder, end it with /, as in ${folder}`;
  }
  return 'enter a folder, such as masks/, or a pattern, such as *_mask.png, that names some of the files';
}

interface LinkCheck {
  readonly ok: boolean;
  readonly problems: readonly ListProblem[];
}

function linkProblems(set: AnnotationSet): LinkCheck {
  const label = setLabel(set);
  const { link } = set;
  if (link.kind === 'same-name') return { ok: true, problems: [] };
  if (link.kind === 'suffix') {
    if (suffixList(link.suffixes).length > 0) return { ok: true, problems: [] };
    return {
      ok: false,
      problems: [
        error(
          `${label} finds sources by cutting a suffix, but no suffix is given; enter the endings to cut from annotation names, such as _mask, _labels.`,
        ),
      ],
    };
  }
  const problems = parseSourceTemplate(link.template).problems.map((reason) =>
    error(`The source template of ${label.charAt(0).toLowerCase()}${label.slice(1)} ${reason}.`),
  );
  return { ok: problems.length === 0, problems };
}

/** The comma-separated suffixes, trimmed, without empty ones, longest first: `_mask_2` is cut before `_2`. */
export function suffixList(suffixes: string): string[] {
  return [...new Set(suffixes.split(',').map((suffix) => suffix.trim()))]
    .filter((suffix) => suffix !== '')
    .sort((a, b) => b.length - a.length);
}

/**
 * A file's name without its extension, and without `.ome` or `.nii` before it, so `img_01.ome.tif` and
 * `img_01.png` share the name `img_01` (OME-TIFF and NIfTI write two extensions).
 */
export function baseStem(name: string): string {
  return stem(name).replace(/\.(?:ome|nii)$/i, '');
}

type SourceResult =
  | { readonly kind: 'found'; readonly path: string }
  | { readonly kind: 'problem'; readonly message: () => string };

type SourceFinder = (annotation: string) => SourceResult | undefined;

function sourceFinder(link: AnnotationLink, candidates: readonly string[]): SourceFinder {
  if (link.kind === 'template') return templateFinder(link.template, candidates);
  const byStem = new Map<string, string[]>();
  for (const path of candidates) {
    const key = baseStem(fileName(path));
    const same = byStem.get(key);
    if (same === undefined) byStem.set(key, [path]);
    else same.push(path);
  }
  if (link.kind === 'same-name')
    return (annotation) => {
      const key = baseStem(fileName(annotation));
      const folder = folderOf(annotation);
      const found = (byStem.get(key) ?? []).filter((path) => folderOf(path) !== folder);
      const where = folder === '' ? 'the top folder' : `${folder}/`;
      return oneOf(annotation, found, `no file named ${key}.* outside ${where}`);
    };
  const suffixes = suffixList(link.suffixes);
  return (annotation) => {
    const name = baseStem(fileName(annotation));
    const suffix = suffixes.find((end) => name.length > end.length && name.endsWith(end));
    if (suffix === undefined)
      return {
        kind: 'problem',
        message: () =>
          `${annotation} has no source image: its name does not end in ${listInWords(suffixes, 'or')}, so no suffix can be cut to find the image's name; rename it, or change the suffixes.`,
      };
    const key = name.slice(0, -suffix.length);
    return oneOf(annotation, byStem.get(key) ?? [], `no file named ${key}.* (its name without ${suffix})`);
  };
}

/** The one candidate, or the problem with none or several, in the words the user needs to fix it. */
function oneOf(annotation: string, found: readonly string[], noneBecause: string): SourceResult {
  const [first] = found;
  if (found.length === 1 && first !== undefined) return { kind: 'found', path: first };
  if (found.length === 0)
    return {
      kind: 'problem',
      message: () =>
        `${annotation} has no source image: ${noneBecause}; add the image, or change how annotations find their source.`,
    };
  return {
    kind: 'problem',
    message: () =>
      `${annotation} could come from ${alternatives(found)}; rename all but one, or change how annotations find their source.`,
  };
}

/** Up to three paths joined with "or", then how many more. */
function alternatives(paths: readonly string[], limit = 3): string {
  if (paths.length <= limit) return listInWords(paths, 'or');
  return `${paths.slice(0, limit).join(', ')} or ${paths.length - limit} more`;
}

type TemplatePiece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'placeholder'; readonly name: Placeholder };

/**
 * Reads a source template (`{parent}/raw/{stem}.*`): text, in which `*` is any characters within one name,
 * and the placeholders {dir}, {parent}, {stem} and {ext}. Problems are clauses to follow "The source template
 * of annotation set 'masks'".
 */
export function parseSourceTemplate(template: string): {
  readonly pieces: readonly TemplatePiece[];
  readonly problems: readonly string[];
} {
  const pieces: TemplatePiece[] = [];
  const problems: string[] = [];
  if (template.trim() === '')
    problems.push('is empty; write where the source sits, such as {parent}/raw/{stem}.*');
  const known: ReadonlySet<string> = new Set(TEMPLATE_PLACEHOLDERS);
  const placeholder = /\{([^{}]*)\}/g;
  let from = 0;
  for (const match of template.matchAll(placeholder)) {
    const name = match[1] ?? '';
    pieces.push({ kind: 'text', text: template.slice(from, match.index) });
    from = match.index + match[0].length;
    if (known.has(name)) pieces.push({ kind: 'placeholder', name: name as Placeholder });
    else
      problems.push(
        `uses {${name}}, which is not one of {dir}, {parent}, {stem} and {ext}; write the source's path with those, such as {parent}/raw/{stem}.*`,
      );
  }
  pieces.push({ kind: 'text', text: template.slice(from) });
  if (pieces.some((piece) => piece.kind === 'text' && /[{}]/.test(piece.text)))
    problems.push('has a brace that does not close a placeholder; write placeholders as {stem}');
  return { pieces, problems };
}

/** The placeholders for one annotation: `s/masks/a.png` has dir s/masks, parent s, stem a, ext png. */
function placeholderValues(annotation: string): Record<Placeholder, string> {
  const dir = folderOf(annotation);
  const name = fileName(annotation);
  const nameStem = stem(name);
  return {
    dir,
    parent: folderOf(dir),
    stem: nameStem,
    ext: nameStem === name ? '' : name.slice(nameStem.length + 1),
  };
}

/**
 * The template filled in for one annotation, as glob names: `*` in the template is a wildcard, every
 * character of a value literal (the archive allows `*` in names). Empty names are dropped, so `{parent}/x`
 * at the top of the folder is `x`, not `/x`.
 */
function filledGlob(pieces: readonly TemplatePiece[], values: Record<Placeholder, string>): GlobSegment[] {
  const segments: (string | typeof STAR)[][] = [[]];
  const current = (): (string | typeof STAR)[] => segments.at(-1) ?? [];
  const addText = (text: string): void => {
    const parts = current();
    const last = parts.at(-1);
    if (typeof last === 'string') parts[parts.length - 1] = last + text;
    else parts.push(text);
  };
  const add = (text: string, wildcards: boolean): void => {
    for (const c of text) {
      if (c === '/') segments.push([]);
      else if (c === '*' && wildcards) {
        if (current().at(-1) !== STAR) current().push(STAR);
      } else addText(c);
    }
  };
  for (const piece of pieces)
    if (piece.kind === 'text') add(piece.text, true);
    else add(values[piece.name], false);
  return segments.filter((parts) => parts.length > 0);
}

function templateFinder(template: string, candidates: readonly string[]): SourceFinder {
  const { pieces } = parseSourceTemplate(template);
  const index = new CandidateIndex(candidates);
  return (annotation) => {
    const glob = filledGlob(pieces, placeholderValues(annotation));
    return oneOf(annotation, index.matching(glob), `no file matches ${globText(glob)}`);
  };
}

/**
 * The candidate sources, indexed so a filled template looks at few of them: an exact path is a set lookup,
 * a name with a literal start (`{stem}.*`) a range of the names sorted, a literal folder that folder's files.
 * Only a template whose folder and name both start with a wildcard reads every candidate.
 */
class CandidateIndex {
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
