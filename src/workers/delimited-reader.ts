/**
 * Reads a CSV or TSV with papaparse (delimiter detected, BOM dropped, blank lines skipped) and notes the line on
 * which each row starts, so a finding can say "line 3 of records.csv" even when quoted values span lines.
 * Lives beside the workers because @types/papaparse brings Node's types, which the pure core must not see.
 */
import Papa from 'papaparse';
import { recordListFrom, type RecordListParse } from '#core/validation/record-list';
import type { DelimitedText } from '#core/validation/types';

export function readDelimited(text: string): DelimitedText {
  const rows: string[][] = [];
  const lines: number[] = [];
  let line = 1;
  let counted = 0;
  let start = 0;
  const lineAt = (offset: number) => {
    for (; counted < offset; counted += 1) if (text.charCodeAt(counted) === 10) line += 1;
    return line;
  };
  let unclosedQuoteLine: number | undefined;
  Papa.parse<string[]>(text, {
    skipEmptyLines: 'greedy',
    step(result) {
      // Blank lines skipped before this row still sit between the last cursor and the row's first character.
      while (
        start < text.length &&
        (text[start] === '\n' || text[start] === '\r' || text[start] === '\ufeff')
      ) {
        start += 1;
      }
      const rowLine = lineAt(start);
      if (result.errors.some((e) => e.code === 'MissingQuotes')) unclosedQuoteLine ??= rowLine;
      rows.push(result.data);
      lines.push(rowLine);
      start = result.meta.cursor;
    },
  });
  return { rows, lines, unclosedQuoteLine };
}

export function readRecordList(text: string, name: string): RecordListParse {
  return recordListFrom(readDelimited(text), name);
}
