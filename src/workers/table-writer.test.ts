import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { neutraliseTable } from '#core/table';
import type { Table } from '#core/table';
import { BOM, CSV_DIALECT, TSV_DIALECT, toCsv, toTsv } from './table-writer';

/** What a spreadsheet-minded reader gets back: papaparse with the dialect the writer used, errors checked. */
function read(text: string, dialect: typeof CSV_DIALECT | typeof TSV_DIALECT): string[][] {
  const result = Papa.parse<string[]>(text, { ...dialect, skipEmptyLines: false });
  expect(result.errors).toEqual([]);
  return result.data;
}

/** The rows a file must read back as: the header, then the neutralised, padded rows. */
function expectedRows(table: Table): (readonly string[])[] {
  const written = neutraliseTable(table);
  return [written.columns, ...written.rows];
}

function tsvText(table: Table): string {
  const result = toTsv(table, 'file_list.tsv');
  if (!('text' in result)) throw new Error(result.problems.join(' '));
  return result.text;
}

const report: Table = {
  columns: ['path', 'status', 'identifier', 'rule', 'message'],
  rows: [
    ['plate 1/Käfer 01.tif', 'error', 'K01', 'name-pattern', 'The name does not match the pattern.'],
    ['plate 1/標本 02.tif', 'ok', '', '', ''],
  ],
};

const injections: Table = {
  columns: ['value'],
  rows: [
    ['=HYPERLINK("http://evil.example","click")'],
    ['+1'],
    ['-1+2'],
    ['@SUM(A1:A9)'],
    ['\tleading tab'],
    ['\rleading carriage return'],
    ['='],
    ['=1+1\nsecond line'],
    ['-12.5'],
  ],
};

const awkward: Table = {
  columns: ['quote', 'comma', 'lf', 'crlf', 'cr', 'spaces', 'empty'],
  rows: [['say "hi"', 'a,b', 'line 1\nline 2', 'line 1\r\nline 2', 'line 1\rline 2', ' padded ', '']],
};

const tables: [string, Table][] = [
  ['a validation report with non-ASCII paths', report],
  ['injection attempts', injections],
  ['quotes, commas, line breaks, edge spaces and empty values', awkward],
  ['short rows, padded on writing', { columns: ['a', 'b', 'c'], rows: [['1'], [], ['1', '2', '3']] }],
  ['one column ending in an empty value', { columns: ['a'], rows: [['x'], [''], ['']] }],
  ['a header and no rows', { columns: ['path', 'status'], rows: [] }],
  ['a header that needs neutralising', { columns: ['=cmd', '@who'], rows: [['1', '2']] }],
  [
    'CJK, accents and emoji',
    { columns: ['名前', 'Beschreibung'], rows: [['甲虫 01.tif', 'Käfer 🪲, groß']] },
  ],
];

const tsvTables: [string, Table][] = [
  ['a validation report with non-ASCII paths', report],
  [
    'injection attempts without tabs or line breaks',
    { columns: ['value'], rows: [['=1+1'], ['+1'], ['@x'], ['-1']] },
  ],
  ['quotes, commas and edge spaces', { columns: ['a', 'b', 'c'], rows: [['5" slide', 'a,b', ' padded ']] }],
  ['short rows, padded on writing', { columns: ['a', 'b', 'c'], rows: [['1'], [], ['1', '2', '3']] }],
  ['one column ending in an empty value', { columns: ['a'], rows: [['x'], ['']] }],
  ['a header and no rows', { columns: ['Files', 'Description'], rows: [] }],
];

describe('toCsv', () => {
  it.each(tables)('writes %s so that papaparse reads back the same rows', (_name, table) => {
    expect(read(toCsv(table), CSV_DIALECT)).toEqual(expectedRows(table));
    expect(read(toCsv(table, { bom: false }), CSV_DIALECT)).toEqual(expectedRows(table));
  });

  it('reads back the same rows when papaparse has to guess the delimiter and line ending', () => {
    const result = Papa.parse<string[]>(toCsv(report));
    expect(result.data).toEqual(expectedRows(report));
    expect(result.meta.delimiter).toBe(',');
    expect(result.meta.linebreak).toBe('\r\n');
  });

  it.each([
    [
      'a small report, with the byte order mark',
      report,
      {},
      `${BOM}path,status,identifier,rule,message\r\n` +
        'plate 1/Käfer 01.tif,error,K01,name-pattern,The name does not match the pattern.\r\n' +
        'plate 1/標本 02.tif,ok,,,',
    ],
    [
      'without the byte order mark when asked',
      { columns: ['catalogNumber', 'decimalLongitude'], rows: [['K01', '-73.9857']] },
      { bom: false },
      'catalogNumber,decimalLongitude\r\nK01,-73.9857',
    ],
    [
      'quotes only the values that need it',
      awkward,
      { bom: false },
      'quote,comma,lf,crlf,cr,spaces,empty\r\n' +
        '"say ""hi""","a,b","line 1\nline 2","line 1\r\nline 2","line 1\rline 2"," padded ",',
    ],
    [
      'an apostrophe before every formula, quoting only for commas, quotes and line breaks',
      injections,
      { bom: false },
      'value\r\n' +
        `"'=HYPERLINK(""http://evil.example"",""click"")"\r\n` +
        `'+1\r\n` +
        `'-1+2\r\n` +
        `'@SUM(A1:A9)\r\n` +
        `'\tleading tab\r\n` +
        `"'\rleading carriage return"\r\n` +
        `'=\r\n` +
        `"'=1+1\nsecond line"\r\n` +
        '-12.5',
    ],
    ['a header and no rows, without a line break', { columns: ['a', 'b'], rows: [] }, { bom: false }, 'a,b'],
  ])('writes %s', (_name, table, options, expected) => {
    expect(toCsv(table, options)).toBe(expected);
  });

  it('starts with the UTF-8 byte order mark EF BB BF once the text is encoded', () => {
    const bytes = new TextEncoder().encode(toCsv(report));
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('refuses a row with more values than the header, naming it', () => {
    expect(() =>
      toCsv({
        columns: ['a', 'b'],
        rows: [
          ['1', '2'],
          ['1', '2', '3'],
        ],
      }),
    ).toThrow('Row 3 of the table has 3 values, but the header names only 2 columns.');
  });

  it('refuses a table without columns', () => {
    expect(() => toCsv({ columns: [], rows: [] })).toThrow('The table has no columns.');
  });
});

describe('toTsv', () => {
  it.each(tsvTables)('writes %s so that papaparse reads back the same rows', (_name, table) => {
    expect(read(tsvText(table), TSV_DIALECT)).toEqual(expectedRows(table));
  });

  it.each([
    [
      'a small report, no byte order mark, LF between rows',
      report,
      `path\tstatus\tidentifier\trule\tmessage\n` +
        'plate 1/Käfer 01.tif\terror\tK01\tname-pattern\tThe name does not match the pattern.\n' +
        'plate 1/標本 02.tif\tok\t\t\t',
    ],
    [
      'formulas neutralised and plain negative numbers kept',
      {
        columns: ['Files', 'value'],
        rows: [
          ['-scan.tif', '=1+1'],
          ['a.tif', '-12.5'],
        ],
      },
      `Files\tvalue\n'-scan.tif\t'=1+1\na.tif\t-12.5`,
    ],
    [
      'a double quote or an edge space quoted as papaparse does, commas left alone',
      { columns: ['a', 'b', 'c'], rows: [['5" slide', 'a,b', ' padded ']] },
      'a\tb\tc\n"5"" slide"\ta,b\t" padded "',
    ],
  ])('writes %s', (_name, table, expected) => {
    expect(tsvText(table)).toBe(expected);
  });

  it.each([
    [
      'a tab in a value',
      { columns: ['Files', 'Description'], rows: [['plate 1/Käfer\t01.tif', '']] },
      [
        'Row 2, column "Files" of file_list.tsv holds a tab ("…late 1/Käfer\\t01.tif"), which a TSV value cannot contain.',
      ],
    ],
    [
      'a leading tab, the formula trigger',
      { columns: ['Files', 'Description'], rows: [['a.tif', '\t=1+1']] },
      [
        'Row 2, column "Description" of file_list.tsv holds a tab ("\\t=1+1"), which a TSV value cannot contain.',
      ],
    ],
    [
      'line breaks of every kind',
      {
        columns: ['Files', 'Description'],
        rows: [
          ['a.tif', 'one\ntwo'],
          ['b.tif', 'one\r\ntwo'],
          ['c.tif', '\r=1'],
        ],
      },
      [
        'Row 2, column "Description" of file_list.tsv holds a line break ("one\\ntwo"), which a TSV value cannot contain.',
        'Row 3, column "Description" of file_list.tsv holds a line break ("one\\r\\ntwo"), which a TSV value cannot contain.',
        'Row 4, column "Description" of file_list.tsv holds a line break ("\\r=1"), which a TSV value cannot contain.',
      ],
    ],
    [
      'a row with more values than the header',
      { columns: ['Files'], rows: [['a.tif', 'extra']] },
      ['Row 2 of file_list.tsv has 2 values, but the header names only 1 column.'],
    ],
  ])('refuses %s with a sentence per problem', (_name, table, problems) => {
    expect(toTsv(table, 'file_list.tsv')).toEqual({ problems });
  });

  it('names the table "the table" when not told otherwise', () => {
    expect(toTsv({ columns: ['a'], rows: [['x\ty']] })).toEqual({
      problems: ['Row 2, column "a" of the table holds a tab ("x\\ty"), which a TSV value cannot contain.'],
    });
  });
});

describe('papaparse escapeFormulae, which the writer does not use', () => {
  it('misses a formula followed by a line break, so the writer neutralises values itself', () => {
    expect(Papa.unparse([['=1+1'], ['=1+1\nnote']], { escapeFormulae: true })).toBe(
      `"'=1+1"\r\n"=1+1\nnote"`,
    );
  });
});

describe('a table of 100,000 rows', () => {
  const rows = Array.from({ length: 100_000 }, (_, i) => [
    `plate ${Math.floor(i / 96)}/Käfer ${String(i).padStart(6, '0')}.tif`,
    i % 10 === 0 ? 'error' : 'ok',
    i % 7 === 0 ? `=HYPERLINK("x${i}")` : `K${i}`,
    i % 3 === 0 ? '' : 'name-pattern',
    i % 5 === 0 ? `says "no", twice` : '-12.5',
  ]);
  const big: Table = { columns: report.columns, rows };

  it('writes CSV that reads back as the same 100,001 rows', () => {
    const back = read(toCsv(big), CSV_DIALECT);
    expect(back).toHaveLength(100_001);
    expect(back).toEqual(expectedRows(big));
    expect(back.filter((row) => row[2]?.startsWith(`'=`))).toHaveLength(Math.ceil(100_000 / 7));
  });

  it('writes TSV that reads back as the same 100,001 rows', () => {
    const back = read(tsvText(big), TSV_DIALECT);
    expect(back).toHaveLength(100_001);
    expect(back).toEqual(expectedRows(big));
  });
});
