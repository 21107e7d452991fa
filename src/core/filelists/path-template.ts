/**
 * Patterns the user writes over paths. A path template (`{Plate}/{Well}/{Field}_{Channel}.tif`) reads named
 * parts out of the end of each path, for the columns of a BioImage Archive file list; a glob (`masks/`,
 * `*_mask.png`, `labels/**` + `/*.png`) selects files. A template is compiled to one regular expression, once;
 * a glob is matched name by name.
 */
import { validateColumnName } from '#core/filelists/bia-rules';
import { fileName } from '#core/validation/path-parts';

/** A compiled path template: its column names, in order, and the values they take in a path. */
export interface PathTemplate {
  readonly columns: readonly string[];
  /** The value of each column for this path, or undefined when the end of the path does not fit. */
  match(path: string): readonly string[] | undefined;
}

export type ParsedTemplate =
  | { readonly ok: true; readonly template: PathTemplate }
  | { readonly ok: false; readonly problems: readonly string[] };

type TemplateToken =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'star' }
  | { readonly kind: 'capture'; readonly name: string };

/** One or more characters within a name, as few as fit: `{Field}_{Channel}` splits `f1_c2_x` after `f1`. */
const CAPTURE_SOURCE = '([^/]+?)';
/** Any characters within one name, as few as fit, so every part of a template reads left to right alike. */
const STAR_SOURCE = '[^/]*?';

/** Escapes every character a regular expression gives a meaning. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Reads a path template: `{Name}` captures one or more characters within one folder or file name, `*` any
 * characters within one name without capturing them, everything else is literal. Captures and `*` take as
 * few characters as fit, left to right: `{Field}_{Channel}` splits `f1_c2_x` into `f1` and `c2_x`. The
 * template is matched against the end of each path, at a `/`, so `{Well}/{Field}.tif` reads
 * `study/plate1/A01/f1.tif`. Returns every problem found, one sentence each, or the compiled template.
 */
export function parsePathTemplate(text: string): ParsedTemplate {
  const { tokens, problems } = tokenise(text);
  problems.push(...shapeProblems(text), ...nameProblems(tokens), ...adjacencyProblems(tokens));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, template: compileTemplate(tokens) };
}

function tokenise(text: string): { tokens: TemplateToken[]; problems: string[] } {
  const tokens: TemplateToken[] = [];
  const problems: string[] = [];
  let literal = '';
  const flushLiteral = (): void => {
    if (literal !== '') tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (c === '{') {
      const close = text.indexOf('}', i + 1);
      const nextOpen = text.indexOf('{', i + 1);
      if (close === -1 || (nextOpen !== -1 && nextOpen < close)) {
        problems.push(
          `The template opens a brace at character ${i + 1} (${excerptFrom(text, i)}) and never closes it; close it with }.`,
        );
        continue;
      }
      flushLiteral();
      tokens.push({ kind: 'capture', name: text.slice(i + 1, close) });
      i = close;
    } else if (c === '}') {
      problems.push(
        `The template has a } at character ${i + 1} with no { before it; remove it, or add the { that opens the name.`,
      );
    } else if (c === '*') {
      flushLiteral();
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else literal += c;
  }
  flushLiteral();
  return { tokens, problems };
}

function excerptFrom(text: string, at: number): string {
  const shown = text.slice(at, at + 12);
  return `'${shown}${at + 12 < text.length ? '…' : ''}'`;
}

function shapeProblems(text: string): string[] {
  const problems: string[] = [];
  if (text.trim() === '')
    problems.push(
      'The template is empty; write where the information sits in the paths, such as {Plate}/{Well}/{Field}.tif.',
    );
  if (text.startsWith('/'))
    problems.push(
      'The template starts with /, but it is matched against the end of each path; remove the leading /.',
    );
  if (text.length > 1 && text.endsWith('/'))
    problems.push(
      'The template ends with /, so it can match no file; end it with the file name, such as {Field}.tif.',
    );
  if (text.includes('//'))
    problems.push('The template holds //, an empty folder name no path has; write one / between names.');
  return problems;
}

function nameProblems(tokens: readonly TemplateToken[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'capture') continue;
    const { name } = token;
    if (name === '') {
      problems.push(
        'The template has empty braces {}; write a column name inside them, such as {Plate}, or * to skip that part.',
      );
      continue;
    }
    if (name.includes('/')) {
      problems.push(
        `The template's {${name}} holds a /, but a name in braces stands for part of one folder or file name; write one name per part, such as {${name.split('/').join('}/{')}}.`,
      );
      continue;
    }
    if (seen.has(name)) {
      repeated.add(name);
      continue;
    }
    seen.add(name);
    const reason = validateColumnName(name);
    if (reason !== undefined)
      problems.push(`The template's column {${name}} ${reason}; choose another name.`);
  }
  for (const name of repeated)
    problems.push(
      `The template names {${name}} more than once; give each part its own name, or write * for a part to skip.`,
    );
  return problems;
}

/**
 * Two parts side by side (`{A}{B}`, `{A}*`) have nothing between them to say where one ends: the split would
 * be arbitrary, and such patterns are where regular expressions backtrack without end.
 */
function adjacencyProblems(tokens: readonly TemplateToken[]): string[] {
  const problems: string[] = [];
  tokens.forEach((token, i) => {
    const next = tokens[i + 1];
    if (token.kind === 'literal' || next === undefined || next.kind === 'literal') return;
    const [left, right] = [label(token), label(next)];
    problems.push(
      `The template puts ${left} and ${right} side by side, so nothing says where one ends and the other begins; put a separator between them, such as ${left}_${right}.`,
    );
  });
  return problems;
}

function label(token: TemplateToken): string {
  return token.kind === 'capture' ? `{${token.name}}` : token.kind === 'star' ? '*' : token.text;
}

function compileTemplate(tokens: readonly TemplateToken[]): PathTemplate {
  const columns: string[] = [];
  let source = '';
  let slashes = 0;
  for (const token of tokens) {
    if (token.kind === 'capture') {
      columns.push(token.name);
      source += CAPTURE_SOURCE;
    } else if (token.kind === 'star') source += STAR_SOURCE;
    else {
      source += escapeRegExp(token.text);
      slashes += token.text.split('/').length - 1;
    }
  }
  const regex = new RegExp(`^${source}$`);
  const last = tokens.at(-1);
  // Most paths that do not fit fail on the ending (`.tif`): checking it first spares the expression.
  const ending = last?.kind === 'literal' ? last.text : '';
  return {
    columns,
    match(path) {
      const tail = lastSegments(path, slashes + 1);
      if (tail === undefined || !tail.endsWith(ending)) return undefined;
      const found = regex.exec(tail);
      return found === null ? undefined : found.slice(1).map((value) => value ?? '');
    },
  };
}

/**
 * The last `count` names of a path, joined: the only place a template with `count - 1` slashes can match,
 * so the expression runs once per path, anchored at both ends.
 */
function lastSegments(path: string, count: number): string | undefined {
  let cut = path.length;
  for (let found = 0; found < count; found += 1) {
    if (cut <= 0) return undefined;
    cut = path.lastIndexOf('/', cut - 1);
    if (cut === -1) return found === count - 1 ? path : undefined;
  }
  return path.slice(cut + 1);
}

/** `*` in a glob: any characters within one name. */
export const STAR = Symbol('*');
/** `**` as a whole name in a glob: any number of folders (or, at the end, anything below). */
export const ANY_FOLDERS = Symbol('**');

/** One name of a glob: literal text and {@link STAR}s, or {@link ANY_FOLDERS}. */
export type GlobSegment = readonly (string | typeof STAR)[] | typeof ANY_FOLDERS;

/** Splits a glob at `/` into names: `*` is {@link STAR}, a name that is exactly `**` {@link ANY_FOLDERS}. */
export function parseGlob(pattern: string): GlobSegment[] {
  const segments = pattern.split('/').map((name): GlobSegment => {
    if (name === '**') return ANY_FOLDERS;
    const parts: (string | typeof STAR)[] = [];
    name.split(/\*+/).forEach((text, i) => {
      if (i > 0) parts.push(STAR);
      if (text !== '') parts.push(text);
    });
    return parts;
  });
  // `**/**` says no more than `**`, and each one more would multiply the ways to try.
  return segments.filter((segment, i) => segment !== ANY_FOLDERS || segments[i - 1] !== ANY_FOLDERS);
}

/**
 * Whether a whole path fits the glob. Without a regular expression: a glob is often used once (a source
 * template filled in for one annotation), and compiling an expression costs more than matching by hand.
 */
export function globMatches(segments: readonly GlobSegment[], path: string): boolean {
  return namesMatch(segments, 0, path.split('/'), 0);
}

function namesMatch(glob: readonly GlobSegment[], g: number, names: readonly string[], n: number): boolean {
  for (; g < glob.length; g += 1, n += 1) {
    const segment = glob[g];
    if (segment === ANY_FOLDERS) {
      if (g === glob.length - 1) return n < names.length;
      for (let next = n; next < names.length; next += 1)
        if (namesMatch(glob, g + 1, names, next)) return true;
      return false;
    }
    const name = names[n];
    if (segment === undefined || name === undefined || !nameMatches(segment, name)) return false;
  }
  return n === names.length;
}

/**
 * Whether one name fits literal text and `*`s. With `*` as the only wildcard, taking each literal at its
 * first place after the previous one never misses a match, so this is linear in the name.
 */
function nameMatches(parts: readonly (string | typeof STAR)[], name: string): boolean {
  const literals = [''];
  for (const part of parts)
    if (part === STAR) literals.push('');
    else literals[literals.length - 1] += part;
  const first = literals[0] ?? '';
  if (literals.length === 1) return name === first;
  const last = literals.at(-1) ?? '';
  const end = name.length - last.length;
  if (end < first.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  for (const literal of literals.slice(1, -1)) {
    const found = name.indexOf(literal, at);
    if (found === -1 || found + literal.length > end) return false;
    at = found + literal.length;
  }
  return true;
}

/** The path a glob without wildcards stands for; undefined when it has any. */
export function globLiteral(segments: readonly GlobSegment[]): string | undefined {
  const names: string[] = [];
  for (const segment of segments) {
    if (segment === ANY_FOLDERS || segment.some((part) => part === STAR)) return undefined;
    names.push(segment.join(''));
  }
  return names.join('/');
}

/** The glob written back as text: `*` for wildcards, `**` for any folders. */
export function globText(segments: readonly GlobSegment[]): string {
  return segments
    .map((segment) =>
      segment === ANY_FOLDERS ? '**' : segment.map((part) => (part === STAR ? '*' : part)).join(''),
    )
    .join('/');
}

/** The literal text a glob name starts with, before its first wildcard: `a_*.tif` → `a_`. */
export function literalStart(segment: GlobSegment): string {
  if (segment === ANY_FOLDERS) return '';
  const first = segment[0];
  return typeof first === 'string' ? first : '';
}

/**
 * Tests paths against a glob: a pattern without `/` against the file name (`*_mask.png`), one with `/`
 * against the whole path (`labels/**` + `/*.png`, `**` being any number of folders), and one ending in `/`
 * selects everything under that folder (`study/masks/`).
 */
export function globMatcher(pattern: string): (path: string) => boolean {
  const glob = parseGlob(pattern.endsWith('/') ? `${pattern}**` : pattern);
  if (pattern.includes('/')) return (path) => globMatches(glob, path);
  return (path) => globMatches(glob, fileName(path));
}

/**
 * How many folders at the start of a path a glob names before any `**` and before the file name: the folder
 * of an annotation set, below which a mirrored tree begins. `masks/` and `masks/*.png` name 1,
 * `plates/*` + `/masks/` 3, `**` + `/masks/` and `*_mask.png` (a file name anywhere) none.
 */
export function globFolderDepth(pattern: string): number {
  if (!pattern.includes('/')) return 0;
  const glob = parseGlob(pattern.endsWith('/') ? `${pattern}**` : pattern);
  const folders = glob.slice(0, -1);
  const anyFolders = folders.indexOf(ANY_FOLDERS);
  return anyFolders === -1 ? folders.length : anyFolders;
}
