/**
 * The source template of an annotation set: where an annotation's source image sits, written with placeholders
 * for the parts of the annotation's own path (`images/{subdir}/{base}.tif`), and `*` for any characters within
 * one name. Read once per set, filled in once per annotation.
 */
import { globFolderDepth, globText, STAR, type GlobSegment } from '#core/filelists/path-template';
import { fileName, stem } from '#core/validation/path-parts';

/** The placeholders, in the order the form and the sentences name them; `{subdir1}` stands for every level. */
export const PLACEHOLDERS = ['dir', 'parent', 'subdir', 'subdir1', 'stem', 'base', 'ext'] as const;

/** What each placeholder stands for, for the form's legend. */
export const PLACEHOLDER_MEANINGS: Readonly<Record<(typeof PLACEHOLDERS)[number], string>> = {
  dir: "the annotation's folder",
  parent: "that folder's parent",
  subdir: "the folders between the set's folder and the annotation",
  subdir1: 'the first of those folders ({subdir2} the second …)',
  stem: "the annotation's name without its extension",
  base: 'that name without .ome or .nii, and without the suffix it ends in (_mask, _labels …)',
  ext: "the annotation's extension",
};

/** The example the sentences give of a template. */
export const EXAMPLE_TEMPLATE = 'images/{subdir}/{base}.*';

export type TemplatePiece =
  { readonly kind: 'text'; readonly text: string } | { readonly kind: 'placeholder'; readonly name: string };

export interface SourceTemplate {
  readonly pieces: readonly TemplatePiece[];
  /** Clauses to follow "The source template of annotation set 'masks'"; none when the template can be used. */
  readonly problems: readonly string[];
}

const LEVEL = /^subdir([1-9]\d*)$/;

function isPlaceholder(name: string): boolean {
  return (PLACEHOLDERS as readonly string[]).includes(name) || LEVEL.test(name);
}

const placeholderList = '{dir}, {parent}, {subdir}, {subdir1}, {subdir2} …, {stem}, {base} and {ext}';

/**
 * Reads a source template (`images/{subdir}/{base}.*`): text, in which `*` is any characters within one name,
 * and the placeholders of {@link PLACEHOLDERS}, `{subdirN}` for any level N from 1.
 */
export function parseSourceTemplate(template: string): SourceTemplate {
  const pieces: TemplatePiece[] = [];
  const problems: string[] = [];
  if (template.trim() === '')
    problems.push(`is empty; write where the source sits, such as ${EXAMPLE_TEMPLATE}`);
  let from = 0;
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    const name = match[1] ?? '';
    pieces.push({ kind: 'text', text: template.slice(from, match.index) });
    from = match.index + match[0].length;
    if (isPlaceholder(name)) pieces.push({ kind: 'placeholder', name });
    else
      problems.push(
        `uses {${name}}, which is not one of ${placeholderList}; write the source's path with those, such as ${EXAMPLE_TEMPLATE}`,
      );
  }
  pieces.push({ kind: 'text', text: template.slice(from) });
  if (pieces.some((piece) => piece.kind === 'text' && /[{}]/.test(piece.text)))
    problems.push('has a brace that does not close a placeholder; write placeholders as {stem}');
  return { pieces, problems };
}

/** An annotation as the placeholders see it: its path, and how many of its folders are the set's folder. */
export interface AnnotationPlace {
  readonly path: string;
  /** The names of the folders it sits in, from the top. */
  readonly folders: readonly string[];
  /** How many of those folders are the set's own (`masks/` 1, `study/masks/` 2, `*_mask.png` none). */
  readonly setDepth: number;
}

export function placeOf(path: string, setDepth: number): AnnotationPlace {
  const folders = path.split('/').slice(0, -1);
  return { path, folders, setDepth: Math.min(setDepth, folders.length) };
}

/** The annotation's folders below the set's folder: `P1/A01` for `masks/P1/A01/a.png` in `masks/`. */
export function subdirOf(place: AnnotationPlace): readonly string[] {
  return place.folders.slice(place.setDepth);
}

/**
 * A file's name without its extension, and without `.ome` or `.nii` before it, so `img_01.ome.tif` and
 * `img_01.png` share the name `img_01` (OME-TIFF and NIfTI write two extensions).
 */
export function baseStem(name: string): string {
  return stem(name).replace(/\.(?:ome|nii)$/i, '');
}

/** The comma-separated suffixes, trimmed, without empty ones, longest first: `_mask_2` is cut before `_2`. */
export function suffixList(suffixes: string): string[] {
  return [...new Set(suffixes.split(',').map((suffix) => suffix.trim()))]
    .filter((suffix) => suffix !== '')
    .sort((a, b) => b.length - a.length);
}

/** The longest of the suffixes (longest first) that the name ends in and is more than; undefined for none. */
export function suffixOf(name: string, suffixes: readonly string[]): string | undefined {
  return suffixes.find((end) => name.length > end.length && name.endsWith(end));
}

/** The name's {@link baseStem}, without the suffix it ends in, if any: `a_mask.ome.png` → `a`. */
export function baseName(name: string, suffixes: readonly string[]): string {
  const base = baseStem(name);
  const suffix = suffixOf(base, suffixes);
  return suffix === undefined ? base : base.slice(0, -suffix.length);
}

/** The value of a placeholder for one annotation; `suffixes` (longest first) are cut for {base}. */
export function placeholderValue(name: string, place: AnnotationPlace, suffixes: readonly string[]): string {
  const file = fileName(place.path);
  switch (name) {
    case 'dir':
      return place.folders.join('/');
    case 'parent':
      return place.folders.slice(0, -1).join('/');
    case 'subdir':
      return subdirOf(place).join('/');
    case 'stem':
      return stem(file);
    case 'base':
      return baseName(file, suffixes);
    case 'ext':
      return stem(file) === file ? '' : file.slice(stem(file).length + 1);
    default: {
      const level = LEVEL.exec(name)?.[1];
      return level === undefined ? '' : (subdirOf(place)[Number(level) - 1] ?? '');
    }
  }
}

/** The placeholders a template uses, each once, in the order written. */
export function placeholdersUsed(pieces: readonly TemplatePiece[]): string[] {
  const names = pieces.flatMap((piece) => (piece.kind === 'placeholder' ? [piece.name] : []));
  return [...new Set(names)];
}

/**
 * The template filled in for one annotation, as glob names: `*` in the template is a wildcard, every
 * character of a value literal (the archive allows `*` in names). Empty names are dropped, so
 * `images/{subdir}/x` for an annotation right in the set's folder is `images/x`, not `images//x`.
 */
export function filledGlob(
  pieces: readonly TemplatePiece[],
  place: AnnotationPlace,
  suffixes: readonly string[],
): GlobSegment[] {
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
    else add(placeholderValue(piece.name, place, suffixes), false);
  return segments.filter((parts) => parts.length > 0);
}

/** What a template reads in one annotation's path, for the form: each placeholder's value, and where it looks. */
export interface TemplateExample {
  readonly annotation: string;
  /** Every placeholder with its value for this annotation ('' when empty), one level of {subdir} each. */
  readonly values: readonly (readonly [placeholder: string, value: string])[];
  /** The template filled in (`*` where any characters fit); undefined when the template has problems. */
  readonly filled?: string;
}

/** The annotation the form shows when the set selects none yet: the layout labs use most for masks. */
export const EXAMPLE_ANNOTATION = { select: 'masks/', path: 'masks/P1/A01/A01_DAPI_mask.png' } as const;

/**
 * The worked example of a template: `images/{subdir}/{base}.*` with `_mask` for `masks/P1/A01/A01_DAPI_mask.png`
 * of the set `masks/` reads {subdir} P1/A01, {base} A01_DAPI …, and looks for `images/P1/A01/A01_DAPI.*`.
 */
export function templateExample(
  template: string,
  suffixes: string,
  select: string,
  annotation: string,
): TemplateExample {
  const place = placeOf(annotation, globFolderDepth(select.trim()));
  const cuts = suffixList(suffixes);
  const levels = subdirOf(place).map((_, i) => `subdir${i + 1}`);
  const names = PLACEHOLDERS.flatMap((name) => (name === 'subdir1' ? levels : [name]));
  const values = names.map((name) => [name, placeholderValue(name, place, cuts)] as const);
  const { pieces, problems } = parseSourceTemplate(template);
  if (problems.length > 0) return { annotation, values };
  return { annotation, values, filled: globText(filledGlob(pieces, place, cuts)) };
}
