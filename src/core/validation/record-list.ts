/** Reading a record list (a CSV or TSV export) and looking identifiers up in it. */
import { finding } from '#core/validation/finding';
import { fileName } from '#core/validation/path-parts';
import type { DelimitedText, Finding, RecordTable } from '#core/validation/types';

export interface RecordListParse {
  readonly table: RecordTable | null;
  readonly problems: readonly Finding[];
}

/** Takes a read CSV or TSV as a record list: the first row is the header. */
export function recordListFrom(parsed: DelimitedText, name: string): RecordListParse {
  const [header, ...rows] = parsed.rows;
  if (header === undefined) {
    const message = `${fileName(name)} is empty; export the record list again, with its header row.`;
    return { table: null, problems: [finding(name, 'error', 'records.parse', message)] };
  }
  const problems: Finding[] = [];
  if (parsed.unclosedQuoteLine !== undefined) {
    problems.push(
      finding(
        name,
        'warning',
        'records.parse',
        `${fileName(name)} has a quote on line ${parsed.unclosedQuoteLine} that never closes, so the rest of the file was read as one value; close or remove the quote.`,
      ),
    );
  }
  return { table: { name, columns: header, rows, lines: parsed.lines.slice(1) }, problems };
}

/** Column names compared loosely: `Catalog Number`, `catalog_number` and `catalogNumber` are one. */
export function columnKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

export interface ColumnChoice {
  readonly index: number;
  readonly name: string;
  /** chosen: by the user; named: a name the profile knows; most-matches: by its values; first: nothing better. */
  readonly how: 'chosen' | 'named' | 'most-matches' | 'first';
}

export interface ColumnRequest {
  /** The user's choice, by exact header name. */
  readonly chosen?: string;
  /** Names the profile knows, best first, compared by `columnKey`. */
  readonly preferred: readonly string[];
  /** The identifiers found in the files, for choosing by values; asked for only when needed. */
  readonly identifiers: () => ReadonlySet<string>;
  readonly sampleSize?: number;
}

/**
 * The identifier column: the user's choice, else a column the profile names, else the column whose
 * values (in the first `sampleSize` rows) match the most file identifiers, else the first column.
 */
export function chooseIdentifierColumn(
  table: RecordTable,
  request: ColumnRequest,
): ColumnChoice | { readonly problem: Finding } {
  const { columns } = table;
  if (request.chosen !== undefined) {
    const index = columns.indexOf(request.chosen);
    if (index !== -1) return { index, name: request.chosen, how: 'chosen' };
    const message = `${fileName(table.name)} has no column named '${request.chosen}'; choose one of ${columns.map((c) => `'${c}'`).join(', ')}.`;
    return { problem: finding(table.name, 'error', 'records.column', message) };
  }
  const keys = columns.map(columnKey);
  for (const name of request.preferred) {
    const index = keys.indexOf(columnKey(name));
    if (index !== -1) return { index, name: columns[index] ?? name, how: 'named' };
  }
  const sample = table.rows.slice(0, request.sampleSize ?? 1000);
  const identifiers = request.identifiers();
  let best = -1;
  let bestHits = 0;
  for (let index = 0; index < columns.length; index += 1) {
    let hits = 0;
    for (const row of sample) {
      const value = row[index] ?? '';
      if (value !== '' && identifiers.has(value)) hits += 1;
    }
    if (hits > bestHits) [best, bestHits] = [index, hits];
  }
  if (best !== -1) return { index: best, name: columns[best] ?? '', how: 'most-matches' };
  return { index: 0, name: columns[0] ?? '', how: 'first' };
}

export interface RecordIndex {
  readonly table: RecordTable;
  /** The first row holding each identifier. */
  readonly rowOf: ReadonlyMap<string, number>;
  /** Identifiers held by more than one row, with all their rows. */
  readonly repeated: ReadonlyMap<string, readonly number[]>;
  /** Lower-cased identifier → identifier, to point out names that differ only in case; built on first use. */
  byLowerCase(): ReadonlyMap<string, string>;
  /** The identifier of each row ('' when its cell is empty), from the first indexed column that has one. */
  readonly idOfRow: readonly string[];
}

/** Indexes the identifier columns in one pass; `trimEnd` drops trailing spaces, as some servers do. */
export function indexRecords(table: RecordTable, columns: readonly number[], trimEnd = false): RecordIndex {
  const rowOf = new Map<string, number>();
  const repeated = new Map<string, number[]>();
  const idOfRow: string[] = [];
  table.rows.forEach((row, r) => {
    let rowId = '';
    for (const column of columns) {
      const raw = row[column] ?? '';
      const id = trimEnd ? raw.trimEnd() : raw;
      if (id === '') continue;
      if (rowId === '') rowId = id;
      const first = rowOf.get(id);
      if (first === undefined) {
        rowOf.set(id, r);
      } else if (first !== r) {
        const rows = repeated.get(id);
        if (rows === undefined) repeated.set(id, [first, r]);
        else if (rows[rows.length - 1] !== r) rows.push(r);
      }
    }
    idOfRow.push(rowId);
  });
  let lowerCase: Map<string, string> | undefined;
  const byLowerCase = (): ReadonlyMap<string, string> => {
    // Reversed so that, of ids differing only in case, the one earliest in the list wins.
    lowerCase ??= new Map([...rowOf.keys()].reverse().map((id) => [id.toLowerCase(), id]));
    return lowerCase;
  };
  return { table, rowOf, repeated, byLowerCase, idOfRow };
}

export interface RecordMatch {
  readonly row: number;
  /** The identifier as the record list holds it. */
  readonly recordId: string;
  readonly withoutLeadingZeros: boolean;
}

const leadingZeros = /^[0 ]+/;

/** Symbiota's second try: a catalog number that starts with 0, with its leading zeros and spaces removed. */
export function withoutLeadingZeros(identifier: string): string | undefined {
  if (!identifier.startsWith('0')) return undefined;
  const stripped = identifier.replace(leadingZeros, '');
  return stripped === '' ? undefined : stripped;
}

export function findRecord(
  index: RecordIndex,
  identifier: string,
  tryWithoutZeros = false,
): RecordMatch | undefined {
  const row = index.rowOf.get(identifier);
  if (row !== undefined) return { row, recordId: identifier, withoutLeadingZeros: false };
  if (!tryWithoutZeros) return undefined;
  const stripped = withoutLeadingZeros(identifier);
  const strippedRow = stripped === undefined ? undefined : index.rowOf.get(stripped);
  if (stripped === undefined || strippedRow === undefined) return undefined;
  return { row: strippedRow, recordId: stripped, withoutLeadingZeros: true };
}

/** The record that differs from `identifier` only in case, if there is one. */
export function caseVariant(index: RecordIndex, identifier: string): string | undefined {
  const variant = index.byLowerCase().get(identifier.toLowerCase());
  return variant === identifier ? undefined : variant;
}

/** The 1-based line of the text a row starts on. */
export function lineOf(table: RecordTable, row: number): number {
  return table.lines[row] ?? row + 2;
}
