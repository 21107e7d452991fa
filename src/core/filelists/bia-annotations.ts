/**
 * A BioImage Archive annotations file list: the files of one annotation set (masks, labels …), what kind of
 * annotation they are, and for each the one image of the submission it annotates.
 */
import { heldBackNote, problemsInOrder } from '#core/filelists/common';
import { biaListProblems, CappedProblems, FILES_COLUMN } from '#core/filelists/bia-rules';
import { globFolderDepth, globMatcher, globText } from '#core/filelists/path-template';
import { byBaseStem, CandidateIndex } from '#core/filelists/source-candidates';
import { closestSources } from '#core/filelists/source-ranking';
import { SourceSuggester, type SourceSuggestion } from '#core/filelists/source-suggestion';
import {
  baseStem,
  filledGlob,
  parseSourceTemplate,
  placeOf,
  suffixList,
  suffixOf,
} from '#core/filelists/source-template';
import {
  ANNOTATION_TYPES,
  type AnnotationSet,
  type BuiltList,
  type ListContext,
  type ListFile,
  type ListProblem,
} from '#core/filelists/types';
import { formatCount, plural } from '#core/format';
import { safeFileName } from '#core/table';
import { fileName, folderOf, listInWords, namePaths } from '#core/validation/path-parts';

/** The columns of every annotations file list, in order. */
export const ANNOTATION_COLUMNS = [FILES_COLUMN, 'Annotation Type', 'Source Image'] as const;

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
 * set does not select (see {@link AnnotationLink}); an annotation with no source, or with several alike, gets an
 * error and an empty Source Image, and the list counts such rows as incomplete: the archive requires the
 * source. Problems with the set itself come first, then the count of incomplete rows, each source not found,
 * and the archive's own rules.
 */
export function buildBiaAnnotations(context: ListContext, set: AnnotationSet): BuiltList {
  const selects = setSelector(set);
  const annotations: string[] = [];
  const candidates: string[] = [];
  for (const { path } of context.files) (selects(path) ? annotations : candidates).push(path);

  const setProblems = annotationSetProblems(set, annotations.length, context.files);
  const link = linkProblems(set);
  const found = new CappedProblems();
  const findSource = link.ok ? sourceFinder(set, candidates) : undefined;
  const typeCell = [...new Set(set.types)].join(',');
  const incomplete: string[] = [];
  const rows = annotations.map((path): string[] => {
    const source = findSource?.(path);
    if (source?.kind === 'problem') found.add('error', source.message);
    if (source?.kind !== 'found') incomplete.push(path);
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
      ...incompleteProblem(incomplete, rows.length),
      ...found.problems(),
      ...biaListProblems(table, uploadPaths, listName),
    ]),
    notes: heldBackNote(context),
    // Without a type every row lacks one; the set's own problem says so once.
    incompleteRows: typeCell === '' ? rows.length : incomplete.length,
    ...(annotations[0] === undefined ? {} : { firstFile: annotations[0] }),
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

type SourceResult =
  | { readonly kind: 'found'; readonly path: string }
  | { readonly kind: 'problem'; readonly message: () => string };

type SourceFinder = (annotation: string) => SourceResult;

/**
 * How the set's annotations find their source: by name (the same, or with a suffix cut), the closest of the
 * images so named (see {@link closestSources}); or by the template, which says exactly where. Every sentence
 * about a source not found ends with the template that would find it, when there is one.
 */
function sourceFinder(set: AnnotationSet, candidates: readonly string[]): SourceFinder {
  const { link } = set;
  const setDepth = globFolderDepth(set.select.trim());
  const suffixes = link.kind === 'same-name' ? [] : suffixList(link.suffixes ?? '');
  const names = link.kind === 'template' ? undefined : byBaseStem(candidates);
  const suggester = new SourceSuggester(candidates, setDepth, suffixes, names);
  const fix = (annotation: string, otherwise: string): string => {
    const suggestion = suggester.suggest(annotation, link.kind === 'template' ? link.template : undefined);
    return suggestion === undefined ? otherwise : templateClause(suggestion);
  };
  const oneOf = (annotation: string, found: readonly string[], noneBecause: string): SourceResult => {
    const [first] = found;
    if (found.length === 1 && first !== undefined) return { kind: 'found', path: first };
    const change = 'change how annotations find their source';
    return {
      kind: 'problem',
      message:
        found.length === 0
          ? () =>
              `${annotation} has no source image: ${noneBecause}; add the image, or ${fix(annotation, change)}.`
          : () =>
              `${annotation} could come from ${alternatives(found)}; rename all but one, or ${fix(annotation, change)}.`,
    };
  };

  if (link.kind === 'template') {
    const { pieces } = parseSourceTemplate(link.template);
    const index = new CandidateIndex(candidates);
    return (annotation) => {
      const glob = filledGlob(pieces, placeOf(annotation, setDepth), suffixes);
      return oneOf(annotation, index.matching(glob), `no file matches ${globText(glob)}`);
    };
  }
  // Most names are unique: only several alike need the annotation's place.
  const closest = (annotation: string, found: readonly string[]): readonly string[] =>
    found.length <= 1 ? found : closestSources(placeOf(annotation, setDepth), found);
  if (link.kind === 'same-name')
    return (annotation) => {
      const key = baseStem(fileName(annotation));
      const folder = folderOf(annotation);
      const found = (names?.get(key) ?? []).filter((path) => folderOf(path) !== folder);
      const where = folder === '' ? 'the top folder' : `${folder}/`;
      return oneOf(annotation, closest(annotation, found), `no file named ${key}.* outside ${where}`);
    };
  return (annotation) => {
    const name = baseStem(fileName(annotation));
    const suffix = suffixOf(name, suffixes);
    if (suffix === undefined)
      return {
        kind: 'problem',
        message: () =>
          `${annotation} has no source image: its name does not end in ${listInWords(suffixes, 'or')}, so no suffix can be cut to find the image's name; rename it, or ${fix(annotation, 'change the suffixes')}.`,
      };
    const key = name.slice(0, -suffix.length);
    const found = closest(annotation, names?.get(key) ?? []);
    return oneOf(annotation, found, `no file named ${key}.* (its name without ${suffix})`);
  };
}

/** "find sources by the path template images/{subdir}/{base}.tif, which takes images/P1/A01/A01_DAPI.tif". */
function templateClause({ template, suffix, source }: SourceSuggestion): string {
  const cut = suffix === undefined ? '' : ` with ${suffix} among the suffixes`;
  return `find sources by the path template ${template}${cut}, which takes ${source}`;
}

/** Up to three paths joined with "or", then how many more. */
function alternatives(paths: readonly string[], limit = 3): string {
  if (paths.length <= limit) return listInWords(paths, 'or');
  return `${paths.slice(0, limit).join(', ')} or ${paths.length - limit} more`;
}

/**
 * The sentence on the rows the archive would refuse for want of a source, naming the first of them; it stands
 * for every such row, also those no other sentence names (when the set cannot link at all).
 */
function incompleteProblem(incomplete: readonly string[], total: number): ListProblem[] {
  if (incomplete.length === 0) return [];
  const count = `${formatCount(incomplete.length)} of ${plural(total, 'row')} ${incomplete.length === 1 ? 'has' : 'have'}`;
  return [
    error(
      `${count} no Source Image (${namePaths(incomplete)}), which the BioImage Archive requires of every row, so it would refuse the list as it is; fix what is said here, or fill in each source by hand in the downloaded file.`,
    ),
  ];
}
