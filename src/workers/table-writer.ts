/**
 * Writes a {@link Table} as CSV or TSV text with papaparse, inside the worker that built it.
 *
 * Every value goes through neutraliseTable from the core, so what `Papa.parse` reads back from the text is
 * exactly `neutraliseTable(table)`: the header first, then the rows, short rows padded with empty values.
 *
 * Formula injection is handled by our `neutraliseFormula`, not by papaparse's `escapeFormulae`, and never
 * both (both would prefix two apostrophes). Papaparse 5.7.1 tests values against `/^[=+\-@\t\r].*$/`,
 * where `.` stops at a line break and `$` only matches the end of the text, so `=HYPERLINK(…)` followed by a
 * line break is written unescaped (papaparse PR #1149, still open); it also quotes every escaped value and
 * has no way to spare plain negative numbers. Ours is pure, tested in the core, and the same function the
 * tests use to state what a file must read back as.
 */
import Papa from 'papaparse';
import { neutraliseTable, shapeProblems, tsvProblems } from '#core/table';
import type { Table } from '#core/table';

/**
 * CSV as RFC 4180 writes it: comma, double quote, CRLF between rows, which is papaparse's default and what
 * Excel itself writes. A value is quoted only when it holds a comma, a quote, a CR or LF, or starts or ends
 * with a space (papaparse's rule); a quote inside is doubled. Good for `Papa.parse` as well as `Papa.unparse`.
 */
export const CSV_DIALECT = { delimiter: ',', newline: '\r\n', quoteChar: '"' } as const;

/**
 * TSV: tab, LF between rows, so line-based tools (cut, awk, a shell `read` loop) never see a stray CR at the
 * end of the last value. Tabs and line breaks in values are refused before writing. Papaparse still quotes
 * a value that holds a double quote or starts or ends with a space (`5" slide` is written `"5"" slide"`), and
 * there is no option to stop it, so the reader must take `"` as the quote character: papaparse, pandas and
 * R's read.delim do by default; a reader that only splits on tabs would see the quotes.
 */
export const TSV_DIALECT = { delimiter: '\t', newline: '\n', quoteChar: '"' } as const;

/** The byte order mark, written as U+FEFF and encoded as EF BB BF when the text becomes a UTF-8 Blob. */
export const BOM = '\ufeff';

export interface CsvOptions {
  /**
   * Start the text with a byte order mark. On by default: without it Excel reads a CSV as the Windows code
   * page and shows `Käfer` as `KÃ¤fer`. Turn it off for files a program imports rather than a person opens:
   * Symbiota's importer, for one, may take the mark as part of the first column's name.
   */
  readonly bom?: boolean;
}

/**
 * The table as CSV text: header row, then the data rows, no line break after the last row (so a one-column
 * table ending in an empty value still reads back the same rows). Throws when a row holds more values than
 * the header names or the table has no columns, which is a mistake in the code building the table, not in
 * the user's data; papaparse itself would silently drop the extra values.
 */
export function toCsv(table: Table, options: CsvOptions = {}): string {
  const problems = shapeProblems(table, 'the table');
  if (problems.length > 0) throw new Error(problems.join(' '));
  const text = unparse(neutraliseTable(table), CSV_DIALECT);
  return options.bom === false ? text : BOM + text;
}

/**
 * The table as TSV text, or the sentences saying why it cannot be written (see `tsvProblems`). No byte
 * order mark: TSV file lists are read by programs. `tableName` is how the sentences name the table.
 */
export function toTsv(
  table: Table,
  tableName = 'the table',
): { readonly text: string } | { readonly problems: readonly string[] } {
  const problems = tsvProblems(table, tableName);
  if (problems.length > 0) return { problems };
  return { text: unparse(neutraliseTable(table), TSV_DIALECT) };
}

function unparse(table: Table, dialect: typeof CSV_DIALECT | typeof TSV_DIALECT): string {
  // Rows as arrays, header first: each row is written with its own length, which neutraliseTable has made
  // the header's. Not the { fields, data } form: given no rows it writes a line break after the header,
  // which reads back as an extra empty row, and it drops values beyond the header without a word.
  return Papa.unparse([table.columns, ...table.rows] as string[][], {
    ...dialect,
    quotes: false,
    escapeFormulae: false,
    skipEmptyLines: false,
  });
}
