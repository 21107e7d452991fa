import { describe, expect, it } from 'vitest';
import {
  neutraliseFormula,
  neutraliseTable,
  safeFileName,
  shapeProblems,
  startsLikeFormula,
  tsvProblems,
} from '#core/table';

describe('neutraliseFormula', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `'=HYPERLINK("http://evil.example","click")`],
    ['=', `'=`],
    ['+1', `'+1`],
    ['-1+2', `'-1+2`],
    ['@SUM(A1:A9)', `'@SUM(A1:A9)`],
    ['\tleading tab', `'\tleading tab`],
    ['\rleading carriage return', `'\rleading carriage return`],
    ['=1+1\nsecond line', `'=1+1\nsecond line`],
    ['-scan.tif', `'-scan.tif`],
    ['@eaDir/thumb.jpg', `'@eaDir/thumb.jpg`],
    ['-1e5', `'-1e5`],
    ['-.5', `'-.5`],
    ['-12,5', `'-12,5`],
    ['-', `'-`],
  ])('prefixes an apostrophe to %j', (value, expected) => {
    expect(neutraliseFormula(value)).toBe(expected);
    expect(startsLikeFormula(value)).toBe(true);
  });

  it.each([
    ['-12.5'],
    ['-73'],
    ['-0.000001'],
    ['12.5'],
    ['specimen/Käfer 01.tif'],
    ['a=b'],
    ['x-1'],
    [''],
    [' =1+1'],
    [`'=already neutralised`],
    ['標本'],
  ])('leaves %j as it is', (value) => {
    expect(neutraliseFormula(value)).toBe(value);
    expect(startsLikeFormula(value)).toBe(false);
  });

  it.each([['=1'], ['+1'], ['-1+2'], ['@x'], ['\t'], ['plain']])(
    'changes nothing the second time it runs on %j',
    (value) => {
      const once = neutraliseFormula(value);
      expect(neutraliseFormula(once)).toBe(once);
    },
  );
});

describe('neutraliseTable', () => {
  it('neutralises column names and values and pads short rows to the header', () => {
    const table = { columns: ['path', '=status'], rows: [['=x', '-1'], ['only one'], []] };
    expect(neutraliseTable(table)).toEqual({
      columns: ['path', `'=status`],
      rows: [
        [`'=x`, '-1'],
        ['only one', ''],
        ['', ''],
      ],
    });
  });

  it('keeps a row longer than the header whole, for shapeProblems to report', () => {
    expect(neutraliseTable({ columns: ['a'], rows: [['1', '2']] }).rows).toEqual([['1', '2']]);
  });

  it('does not touch the table it is given', () => {
    const rows = [['=x']];
    neutraliseTable({ columns: ['a'], rows });
    expect(rows).toEqual([['=x']]);
  });
});

describe('shapeProblems', () => {
  it.each([
    [{ columns: ['a', 'b'], rows: [['1', '2'], ['1'], []] }, []],
    [
      { columns: ['a', 'b'], rows: [['1', '2', '3']] },
      ['Row 2 of the report has 3 values, but the header names only 2 columns.'],
    ],
    [
      { columns: ['a'], rows: [['1'], ['1', '2']] },
      ['Row 3 of the report has 2 values, but the header names only 1 column.'],
    ],
    [{ columns: [], rows: [] }, ['The report has no columns.']],
  ])('finds in %j: %j', (table, expected) => {
    expect(shapeProblems(table, 'the report')).toEqual(expected);
  });
});

describe('tsvProblems', () => {
  it('finds nothing in a table without tabs or line breaks', () => {
    const table = {
      columns: ['Files', 'Description'],
      rows: [
        ['a/Käfer 01.tif', '"quoted", with comma'],
        ['b', ''],
      ],
    };
    expect(tsvProblems(table, 'file_list.tsv')).toEqual([]);
  });

  it.each([
    [
      'a tab in a value',
      { columns: ['path', 'note'], rows: [['Käfer\t01.tif', '']] },
      [
        'Row 2, column "path" of file_list.tsv holds a tab ("Käfer\\t01.tif"), which a TSV value cannot contain.',
      ],
    ],
    [
      'a line feed in a value',
      { columns: ['path', 'note'], rows: [['a.tif', 'first\nsecond']] },
      [
        'Row 2, column "note" of file_list.tsv holds a line break ("first\\nsecond"), which a TSV value cannot contain.',
      ],
    ],
    [
      'a carriage return in a value',
      { columns: ['path', 'note'], rows: [['a.tif', 'old Mac\rline']] },
      [
        'Row 2, column "note" of file_list.tsv holds a line break ("old Mac\\rline"), which a TSV value cannot contain.',
      ],
    ],
    [
      'a tab and a line break in one value',
      { columns: ['path', 'note'], rows: [['a.tif', 'a\tb\r\nc']] },
      [
        'Row 2, column "note" of file_list.tsv holds a tab and a line break ("a\\tb\\r\\nc"), which a TSV value cannot contain.',
      ],
    ],
    [
      'a tab in a column name',
      { columns: ['path', 'bad\tname'], rows: [['a.tif', 'b']] },
      [
        'Row 1 (the header), column 2 of file_list.tsv holds a tab ("bad\\tname"), which a TSV value cannot contain.',
      ],
    ],
    [
      'a long value, cut to a dozen characters either side',
      { columns: ['path'], rows: [['specimens/plate 0001/a very long\tname that goes on and on.tif']] },
      [
        'Row 2, column "path" of file_list.tsv holds a tab ("…/a very long\\tname that go…"), which a TSV value cannot contain.',
      ],
    ],
    [
      'a row longer than the header, in row order with the rest',
      {
        columns: ['path', 'note'],
        rows: [
          ['a', 'b', 'c'],
          ['x\ty', ''],
        ],
      },
      [
        'Row 2 of file_list.tsv has 3 values, but the header names only 2 columns.',
        'Row 3, column "path" of file_list.tsv holds a tab ("x\\ty"), which a TSV value cannot contain.',
      ],
    ],
    [
      'a value beyond the header, named by its column number',
      { columns: ['path'], rows: [['a', 'b\tc']] },
      [
        'Row 2 of file_list.tsv has 2 values, but the header names only 1 column.',
        'Row 2, column 2 of file_list.tsv holds a tab ("b\\tc"), which a TSV value cannot contain.',
      ],
    ],
  ])('refuses %s', (_case, table, expected) => {
    expect(tsvProblems(table, 'file_list.tsv')).toEqual(expected);
  });

  it('lists up to the limit and counts the rest in one sentence', () => {
    const table = { columns: ['a'], rows: Array.from({ length: 100_000 }, () => ['x\ty']) };
    const problems = tsvProblems(table, 'the table', 3);
    expect(problems).toEqual([
      'Row 2, column "a" of the table holds a tab ("x\\ty"), which a TSV value cannot contain.',
      'Row 3, column "a" of the table holds a tab ("x\\ty"), which a TSV value cannot contain.',
      'Row 4, column "a" of the table holds a tab ("x\\ty"), which a TSV value cannot contain.',
      '99,997 more problems like these are not listed.',
    ]);
  });

  it('says "1 more problem" in the singular', () => {
    const table = { columns: ['a'], rows: [['\t'], ['\n']] };
    expect(tsvProblems(table, 'the table', 1).at(-1)).toBe('1 more problem like these is not listed.');
  });

  it('lists fifty problems by default', () => {
    const table = { columns: ['a'], rows: Array.from({ length: 60 }, () => ['\t']) };
    expect(tsvProblems(table, 'the table')).toHaveLength(51);
  });
});

describe('safeFileName', () => {
  it.each([
    ['validation report', undefined, 'validation_report'],
    ['Käfer 01.tif', undefined, 'Käfer_01.tif'],
    ['Ka\u0308fer', undefined, 'Käfer'],
    ['報告 2024', 'csv', '報告_2024.csv'],
    ['../../etc/passwd', undefined, 'etc_passwd'],
    ['a/b\\c:d*e?f"g<h>i|j', undefined, 'a_b_c_d_e_f_g_h_i_j'],
    ['  .hidden  ', undefined, 'hidden'],
    ['tabs\tand\nbreaks', undefined, 'tabs_and_breaks'],
    ['con', undefined, 'con_'],
    ['CON.csv', 'csv', 'CON_.csv'],
    ['lpt1', 'tsv', 'lpt1_.tsv'],
    ['', 'csv', 'download.csv'],
    ['---', undefined, 'download'],
    ['report.CSV', 'csv', 'report.csv'],
    ['report.csv', 'csv', 'report.csv'],
    ['report', '.csv', 'report.csv'],
    ['file_list', 'tsv', 'file_list.tsv'],
  ])('makes %j (extension %j) into %j', (base, extension, expected) => {
    expect(safeFileName(base, extension)).toBe(expected);
  });

  it('cuts a long name without cutting the extension', () => {
    const name = safeFileName('ä'.repeat(300), 'csv');
    expect(name).toBe(`${'ä'.repeat(100)}.csv`);
  });

  it('does not split a character outside the Basic Multilingual Plane when it cuts', () => {
    const name = safeFileName('𠀀'.repeat(150));
    expect(Array.from(name)).toHaveLength(100);
    expect(() => encodeURIComponent(name)).not.toThrow();
  });

  it.each([['Käfer 01'], ['../x'], ['con'], ['  a  b  '], ['x'.repeat(200)]])(
    'changes nothing the second time it runs on %j',
    (base) => {
      const once = safeFileName(base, 'csv');
      expect(safeFileName(once, 'csv')).toBe(once);
    },
  );
});
