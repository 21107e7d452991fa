/**
 * The BioImage Archive's own rules for a file list, checked before the user downloads it: the header the
 * ingest insists on, column names it reserves, and paths it would refuse or fail to find among the uploads.
 */
import { plural } from '#core/format';
import type { ListProblem } from '#core/filelists/types';
import { leadingCharacter } from '#core/filelists/common';
import { characterLabel, disallowedCharacters, pathFormProblem } from '#core/profiles/bia';
import { startsLikeFormula, tsvProblems, type Table } from '#core/table';
import { listInWords } from '#core/validation/path-parts';

/** How many problems about single rows (or single files) a list reports before counting the rest. */
export const LISTED_ROW_PROBLEMS = 20;

/** The first column of every file list, holding the paths. */
export const FILES_COLUMN = 'Files';

/** Column names the archive keeps for its own data. */
const RESERVED_COLUMNS = ['md5', 'dbMd5', 'dbId', 'dbPath', 'dbSize', 'dbPublished'];
const reservedLowerCase = new Set(RESERVED_COLUMNS.map((name) => name.toLowerCase()));

/** The names the ingest accepts, in any case, for the column linking an annotation to its image. */
const SOURCE_COLUMNS = new Set([
  'source image',
  'source_image',
  'source image association',
  'source_image_association',
]);

const wrappedName = /^(?:\(.*\)|\[.*\]|<.*>)$/s;
const lineBreakOrTab = /[\t\r\n]/;

/** Why a column name is refused (error) or discouraged (warning); `reason` reads after the name. */
export interface ColumnNameRule {
  readonly status: ListProblem['status'];
  readonly reason: string;
}

/**
 * What the archive says against a column name other than the first: blank, a tab or line break, spaces at
 * either end, one of its reserved names (in any case), `Files`, or a name wrapped in `()`, `[]` or `<>`
 * (only a warning). The reason is a clause to follow the name: "'md5' is one of the names …".
 */
export function columnNameRule(name: string): ColumnNameRule | undefined {
  const error = (reason: string): ColumnNameRule => ({ status: 'error', reason });
  if (name.trim() === '')
    return error(
      'is blank, and the BioImage Archive refuses a column without a name (“Attribute name is required”)',
    );
  if (lineBreakOrTab.test(name)) return error('holds a tab or a line break, which a TSV header cannot hold');
  if (name !== name.trim()) return error('starts or ends with a space, which the BioImage Archive trims');
  if (reservedLowerCase.has(name.toLowerCase()))
    return error(
      `is one of the names the BioImage Archive keeps for itself (${listInWords(RESERVED_COLUMNS)})`,
    );
  if (name.toLowerCase() === FILES_COLUMN.toLowerCase())
    return error('is the name of the first column, which holds the paths, and may not name another one');
  if (wrappedName.test(name))
    return {
      status: 'warning',
      reason: `is wrapped in ${name.charAt(0)} ${name.charAt(name.length - 1)}, which the BioImage Archive asks you to avoid in column names`,
    };
  return undefined;
}

/** Why a name cannot be a column of a BioImage Archive file list (see {@link columnNameRule}), if so. */
export function validateColumnName(name: string): string | undefined {
  return columnNameRule(name)?.reason;
}

/**
 * Problems up to a limit, then one sentence per status counting the rest, so 100,000 broken rows never make
 * 100,000 sentences. Sentences are built only when they are listed.
 */
export class CappedProblems {
  readonly #limit: number;
  readonly #listed: ListProblem[] = [];
  readonly #unlisted = { error: 0, warning: 0 };

  constructor(limit = LISTED_ROW_PROBLEMS) {
    this.#limit = limit;
  }

  add(status: ListProblem['status'], message: () => string): void {
    if (this.#listed.length < this.#limit) this.#listed.push({ status, message: message() });
    else this.#unlisted[status] += 1;
  }

  problems(): ListProblem[] {
    const more = (['error', 'warning'] as const)
      .filter((status) => this.#unlisted[status] > 0)
      .map((status) => {
        const count = this.#unlisted[status];
        return {
          status,
          message: `${plural(count, `more ${status}`)} like these ${count === 1 ? 'is' : 'are'} not listed; fix the ones above and look again.`,
        };
      });
    return [...this.#listed, ...more];
  }
}

/**
 * The archive's rules for a file list (or an annotations file list), checked on the table as it will be
 * written: the header (first cell exactly `Files`, no blank, reserved, bracketed or repeated names), the shape
 * (no row wider than the header, nothing a TSV cannot hold), and every row (no blank line or empty path,
 * allowed characters, no `./`, `../` or trailing `/`, no spaces at the ends, no path a spreadsheet would take
 * for a formula, every path among the files to upload, none listed twice). A source image column, when
 * there is one, must name another file to upload. `listName` names the list in the sentences: "the file list".
 */
export function biaListProblems(
  table: Table,
  uploadPaths: ReadonlySet<string>,
  listName: string,
): ListProblem[] {
  const shape = tsvProblems(table, listName, LISTED_ROW_PROBLEMS).map((message): ListProblem => ({
    status: 'error',
    message,
  }));
  if (table.columns.length === 0) return shape;
  const rows = new CappedProblems();
  const firstLine = new Map<string, number>();
  const sourceColumn = table.columns.findIndex((name) => SOURCE_COLUMNS.has(name.trim().toLowerCase()));
  table.rows.forEach((row, index) => {
    const line = index + 2;
    const path = row[0] ?? '';
    if (path === '') {
      emptyPath(rows, row, line, listName);
      return;
    }
    pathProblems(rows, path, uploadPaths, listName);
    repeatedPath(rows, path, line, firstLine, listName);
    if (sourceColumn > 0) sourceProblems(rows, path, row[sourceColumn] ?? '', uploadPaths, listName);
  });
  return [...headerProblems(table.columns, listName), ...shape, ...rows.problems()];
}

function headerProblems(columns: readonly string[], listName: string): ListProblem[] {
  const problems: ListProblem[] = [];
  const first = columns[0] ?? '';
  if (first !== FILES_COLUMN)
    problems.push({
      status: 'error',
      message: `The first column of ${listName} is named '${first}', but the BioImage Archive wants exactly 'Files' (“First header value should be 'Files'”); rename it to Files.`,
    });
  columns.forEach((name, index) => {
    if (index === 0) return;
    const rule = columnNameRule(name);
    if (rule === undefined) return;
    const label = name.trim() === '' ? `${index + 1}` : `'${name}'`;
    const fix = name.trim() === '' ? 'give it a name or remove it' : 'rename it';
    problems.push({ status: rule.status, message: `Column ${label} of ${listName} ${rule.reason}; ${fix}.` });
  });
  return [...problems, ...repeatedColumns(columns, listName)];
}

function repeatedColumns(columns: readonly string[], listName: string): ListProblem[] {
  const counts = new Map<string, number>();
  for (const name of columns) if (name.trim() !== '') counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts]
    .filter(([, count]) => count > 1)
    .map(([name, count]) => ({
      status: 'error',
      message: `Column '${name}' appears ${count} times in ${listName}; give each column its own name.`,
    }));
}

function emptyPath(problems: CappedProblems, row: readonly string[], line: number, listName: string): void {
  const blank = row.every((value) => value.trim() === '');
  problems.add('error', () =>
    blank
      ? `Line ${line} of ${listName} is blank, and the BioImage Archive allows no blank lines; remove it.`
      : `Line ${line} of ${listName} has values but no path in its Files column; add the path or remove the line.`,
  );
}

function pathProblems(
  problems: CappedProblems,
  path: string,
  uploadPaths: ReadonlySet<string>,
  listName: string,
): void {
  if (path !== path.trim())
    problems.add(
      'error',
      () =>
        `'${path}' starts or ends with a space, which the BioImage Archive trims, so it would look for '${path.trim()}' and not find the file; rename the file without that space.`,
    );
  const characters = disallowedCharacters(path);
  if (characters.length > 0)
    problems.add(
      'error',
      () =>
        `${path} contains ${listInWords(characters.map(characterLabel))}, which the BioImage Archive does not allow in file or folder names; rename it using only letters, digits and ! - _ . * ' ( ).`,
    );
  if (path.includes(' '))
    problems.add(
      'warning',
      () =>
        `${path} contains a space, which the BioImage Archive's help page does not list as allowed (its server accepts it); replace spaces with _ to be safe.`,
    );
  const form = pathFormProblem(path);
  if (form !== undefined)
    problems.add(
      'error',
      () =>
        `${path} ${form}, which the BioImage Archive refuses in a file list; give the path relative to the upload folder, without ./, ../ or a trailing /.`,
    );
  if (startsLikeFormula(path)) problems.add('error', () => formulaPath(path, `${listName} writes it`));
  if (!uploadPaths.has(path))
    problems.add(
      'error',
      () =>
        `${path} is in ${listName} but not among the files to upload, so the BioImage Archive would refuse the list (“The following files could not be found”); upload the file or leave it out of the list.`,
    );
}

function formulaPath(path: string, writer: string): string {
  return `${path} starts with ${leadingCharacter(path)}, so ${writer} with an apostrophe in front ('${path}) to keep spreadsheets from running it as a formula, and the BioImage Archive would not find the file; rename it to start with a letter or digit.`;
}

function repeatedPath(
  problems: CappedProblems,
  path: string,
  line: number,
  firstLine: Map<string, number>,
  listName: string,
): void {
  const first = firstLine.get(path);
  if (first === undefined) {
    firstLine.set(path, line);
    return;
  }
  problems.add(
    'error',
    () => `${path} is listed on line ${first} and again on line ${line} of ${listName}; list each file once.`,
  );
}

function sourceProblems(
  problems: CappedProblems,
  path: string,
  source: string,
  uploadPaths: ReadonlySet<string>,
  listName: string,
): void {
  if (source === '') return;
  if (source === path)
    problems.add(
      'error',
      () => `${path} names itself as its source image; name the image it annotates instead.`,
    );
  else if (!uploadPaths.has(source))
    problems.add(
      'error',
      () =>
        `${path} names ${source} as its source image, which is not among the files to upload, so the BioImage Archive could not link them; upload the image or correct the source.`,
    );
  if (startsLikeFormula(source))
    problems.add('error', () => formulaPath(source, `the Source Image column of ${listName} writes it`));
}
