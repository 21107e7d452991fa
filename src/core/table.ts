/**
 * Tables the user downloads (validation reports, repository file lists): their shape, their defence against
 * spreadsheet formula injection, the checks a TSV needs before it is written, and safe file names.
 *
 * Pure on purpose: the papaparse serialisation lives in src/workers/table-writer.ts, the save dialog in
 * src/platform/download.ts.
 */

/** A header row and the data rows under it, every value already a string. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * A plain negative decimal such as `-12.5` or `-73`: ASCII digits, at most one point, nothing after.
 * Spreadsheets read it as a number constant, never as a formula, so it needs no defence; exponents (`-1e5`),
 * a leading point (`-.5`) and decimal commas (`-12,5`) are rare enough that they are neutralised like any
 * other value starting with `-`.
 */
const plainNegativeNumber = /^-\d+(?:\.\d+)?$/;

/** Equals, plus, minus, at, tab and carriage return: the first characters OWASP lists for CSV injection. */
function isFormulaTrigger(code: number): boolean {
  return code === 61 || code === 43 || code === 45 || code === 64 || code === 9 || code === 13;
}

/**
 * Whether a value would be taken for a formula when a spreadsheet opens the file, so that
 * {@link neutraliseFormula} changes it. Validation can use this to warn about file names that will show up
 * with an apostrophe in a file list.
 */
export function startsLikeFormula(value: string): boolean {
  return isFormulaTrigger(value.charCodeAt(0)) && !plainNegativeNumber.test(value);
}

/**
 * Defends a value against spreadsheet formula injection by prefixing an apostrophe when it starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return, the OWASP "CSV Injection" advice. Excel and LibreOffice
 * then show the value as text instead of evaluating it; quoting alone does not stop Excel.
 *
 * Spreadsheet safety wins over prettiness: the apostrophe stays visible when a CSV is opened, and it is
 * part of the value for any program that reads the file. That includes file paths: a file named
 * `-scan.tif` or `@eaDir/x.jpg` is written as `'-scan.tif`, which no longer matches the uploaded file, so
 * a file list that a repository reads should refuse or warn about such names (see {@link startsLikeFormula})
 * rather than rely on this.
 *
 * The one exception is a plain negative decimal (`-12.5`, `-73`), left alone because it cannot run anything
 * and coordinates, elevations and temperatures in Symbiota tables are full of them.
 *
 * Idempotent: a neutralised value starts with an apostrophe and is not changed again.
 */
export function neutraliseFormula(value: string): string {
  return startsLikeFormula(value) ? `'${value}` : value;
}

/**
 * The table as it will be written: every value, column names included, passed through
 * {@link neutraliseFormula}, and rows shorter than the header padded with empty values. Rows longer than the
 * header are kept as they are; {@link shapeProblems} reports them.
 */
export function neutraliseTable(table: Table): Table {
  const width = table.columns.length;
  return {
    columns: table.columns.map(neutraliseFormula),
    rows: table.rows.map((row) => {
      const out = row.map(neutraliseFormula);
      while (out.length < width) out.push('');
      return out;
    }),
  };
}

/** How many problems {@link tsvProblems} lists before summing up the rest in one sentence. */
export const LISTED_PROBLEMS = 50;

/**
 * What stops a table being written at all, one sentence each: a table without columns, and rows holding
 * more values than the header names. Rows are numbered as in the file, the header being row 1.
 */
export function shapeProblems(table: Table, tableName: string, limit = LISTED_PROBLEMS): readonly string[] {
  if (table.columns.length === 0) return [noColumns(tableName)];
  const problems = new ProblemList(limit);
  table.rows.forEach((row, i) => checkWidth(problems, table, tableName, row, i + 1));
  return problems.sentences();
}

const breaksTsv = /[\t\r\n]/;

/**
 * Why a table cannot be written as TSV, one sentence each in row order; empty when it can. A TSV value
 * cannot hold a tab or a line break (CR or LF): TSV readers do not agree on quoting them, so they are refused
 * rather than quoted. No row may hold more values than the header names either. Each sentence names the row
 * (1-based, the header being row 1), the column and a short excerpt with the offending characters shown as
 * `\t`, `\r` and `\n`. After `limit` sentences the rest are counted in one more.
 */
export function tsvProblems(table: Table, tableName: string, limit = LISTED_PROBLEMS): readonly string[] {
  if (table.columns.length === 0) return [noColumns(tableName)];
  const problems = new ProblemList(limit);
  const check = (value: string, rowIndex: number, columnIndex: number): void => {
    if (!breaksTsv.test(value)) return;
    problems.add(() => {
      const kinds = [value.includes('\t') && 'a tab', /[\r\n]/.test(value) && 'a line break'].filter(
        (kind) => kind !== false,
      );
      const where = rowIndex === 0 ? 'Row 1 (the header)' : `Row ${rowIndex + 1}`;
      return (
        `${where}, ${columnLabel(table.columns, columnIndex)} of ${tableName} holds ${kinds.join(' and ')} ` +
        `(${excerpt(value)}), which a TSV value cannot contain.`
      );
    });
  };
  table.columns.forEach((name, c) => check(name, 0, c));
  table.rows.forEach((row, r) => {
    checkWidth(problems, table, tableName, row, r + 1);
    row.forEach((value, c) => check(value, r + 1, c));
  });
  return problems.sentences();
}

function noColumns(tableName: string): string {
  return `${tableName.charAt(0).toUpperCase()}${tableName.slice(1)} has no columns.`;
}

function checkWidth(
  problems: ProblemList,
  table: Table,
  tableName: string,
  row: readonly string[],
  rowIndex: number,
): void {
  const width = table.columns.length;
  if (row.length <= width) return;
  problems.add(
    () =>
      `Row ${rowIndex + 1} of ${tableName} has ${row.length} values, but the header names only ` +
      `${width} ${width === 1 ? 'column' : 'columns'}.`,
  );
}

function columnLabel(columns: readonly string[], index: number): string {
  const name = columns[index];
  return name === undefined || name === '' || breaksTsv.test(name)
    ? `column ${index + 1}`
    : `column "${name}"`;
}

const EXCERPT_SIDE = 12;

/** Up to a dozen characters either side of the first tab or line break, quoted, with the breaks made visible. */
function excerpt(value: string): string {
  const chars = Array.from(value);
  const at = chars.findIndex((c) => c === '\t' || c === '\r' || c === '\n');
  const from = Math.max(0, at - EXCERPT_SIDE);
  const to = Math.min(chars.length, at + 1 + EXCERPT_SIDE);
  const shown = chars
    .slice(from, to)
    .join('')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n');
  return `"${from > 0 ? '…' : ''}${shown}${to < chars.length ? '…' : ''}"`;
}

/** Sentences up to a limit, then a count of the rest: 100,000 broken rows must not make 100,000 sentences. */
class ProblemList {
  readonly #limit: number;
  readonly #listed: string[] = [];
  #unlisted = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(sentence: () => string): void {
    if (this.#listed.length < this.#limit) this.#listed.push(sentence());
    else this.#unlisted += 1;
  }

  sentences(): readonly string[] {
    if (this.#unlisted === 0) return this.#listed;
    const more =
      this.#unlisted === 1
        ? '1 more problem like these is not listed.'
        : `${this.#unlisted.toLocaleString('en-US')} more problems like these are not listed.`;
    return [...this.#listed, more];
  }
}

/** Longest name {@link safeFileName} returns before the extension, in characters. */
export const FILE_NAME_MAX = 100;

const notAllowedInFileName = /[^\p{L}\p{M}\p{N}._-]+/gu;
const windowsReserved = /^(con|prn|aux|nul|com\d|lpt\d)(?=\.|$)/i;

/**
 * A name to suggest when saving a file. Keeps letters of any script (after NFC normalisation, so names read
 * from macOS folders compare equal), digits, `.`, `_` and `-`; whitespace and everything else, path
 * separators included, become `_`, runs of `_` collapse, and dots, underscores and hyphens are trimmed from
 * both ends (no hidden files, no `..`). Windows device names (`con`, `lpt1`, …) get a `_` appended. The
 * name is cut to {@link FILE_NAME_MAX} characters; an empty result becomes `download`.
 *
 * With `extension` (no dot) the base may already end in it or not; the result ends in it exactly once and
 * the cut never eats it. Applying the function twice changes nothing.
 */
export function safeFileName(base: string, extension?: string): string {
  let stem = base.normalize('NFC');
  const suffix = extension === undefined ? '' : `.${extension.replace(/^\.+/, '')}`;
  if (suffix !== '' && stem.toLowerCase().endsWith(suffix.toLowerCase()))
    stem = stem.slice(0, -suffix.length);
  stem = trimName(stem.replace(notAllowedInFileName, '_').replace(/_+/g, '_'));
  const chars = Array.from(stem);
  if (chars.length > FILE_NAME_MAX) stem = trimName(chars.slice(0, FILE_NAME_MAX).join(''));
  if (stem === '') stem = 'download';
  return stem.replace(windowsReserved, '$1_') + suffix;
}

function trimName(name: string): string {
  return name.replace(/^[._-]+|[._-]+$/g, '');
}
