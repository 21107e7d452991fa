import { describe, expect, it } from 'vitest';
import {
  biaListProblems,
  CappedProblems,
  columnNameRule,
  LISTED_ROW_PROBLEMS,
  validateColumnName,
} from '#core/filelists/bia-rules';
import type { ListProblem } from '#core/filelists/types';

const LIST = 'the file list';

/** The problems of a list with these columns and rows, its paths uploaded unless `uploaded` says not. */
function problemsOf(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  uploaded: readonly string[] = rows.map((row) => row[0] ?? ''),
): ListProblem[] {
  return biaListProblems({ columns, rows }, new Set(uploaded), LIST);
}

function messagesOf(columns: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return problemsOf(columns, rows).map((problem) => problem.message);
}

describe('columnNameRule', () => {
  it.each([
    [
      '',
      'error',
      'is blank, and the BioImage Archive refuses a column without a name (“Attribute name is required”)',
    ],
    [
      '  ',
      'error',
      'is blank, and the BioImage Archive refuses a column without a name (“Attribute name is required”)',
    ],
    ['a\tb', 'error', 'holds a tab or a line break, which a TSV header cannot hold'],
    ['a\nb', 'error', 'holds a tab or a line break, which a TSV header cannot hold'],
    [' Plate', 'error', 'starts or ends with a space, which the BioImage Archive trims'],
    ['Plate ', 'error', 'starts or ends with a space, which the BioImage Archive trims'],
    [
      'md5',
      'error',
      'is one of the names the BioImage Archive keeps for itself (md5, dbMd5, dbId, dbPath, dbSize and dbPublished)',
    ],
    [
      'MD5',
      'error',
      'is one of the names the BioImage Archive keeps for itself (md5, dbMd5, dbId, dbPath, dbSize and dbPublished)',
    ],
    [
      'dbPublished',
      'error',
      'is one of the names the BioImage Archive keeps for itself (md5, dbMd5, dbId, dbPath, dbSize and dbPublished)',
    ],
    [
      'Files',
      'error',
      'is the name of the first column, which holds the paths, and may not name another one',
    ],
    [
      'files',
      'error',
      'is the name of the first column, which holds the paths, and may not name another one',
    ],
    ['(Plate)', 'warning', 'is wrapped in ( ), which the BioImage Archive asks you to avoid in column names'],
    ['[Plate]', 'warning', 'is wrapped in [ ], which the BioImage Archive asks you to avoid in column names'],
    ['<Plate>', 'warning', 'is wrapped in < >, which the BioImage Archive asks you to avoid in column names'],
  ])('says %j %s', (name, status, reason) => {
    expect(columnNameRule(name)).toEqual({ status, reason });
    expect(validateColumnName(name)).toBe(reason);
  });

  it.each([['Plate'], ['Source Image'], ['md5sum'], ['Files 2'], ['(Plate'], ['Plate (mm)'], ['Käfer']])(
    'accepts %j',
    (name) => {
      expect(columnNameRule(name)).toBeUndefined();
      expect(validateColumnName(name)).toBeUndefined();
    },
  );
});

describe('biaListProblems', () => {
  it('finds nothing wrong with a clean list', () => {
    expect(
      problemsOf(
        ['Files', 'Plate'],
        [
          ['a/x.tif', 'p1'],
          ['a/y.tif', 'p2'],
        ],
      ),
    ).toEqual([]);
  });

  it.each([
    [
      ['Path', 'Plate'],
      "The first column of the file list is named 'Path', but the BioImage Archive wants exactly 'Files' (“First header value should be 'Files'”); rename it to Files.",
    ],
    [
      ['files'],
      "The first column of the file list is named 'files', but the BioImage Archive wants exactly 'Files' (“First header value should be 'Files'”); rename it to Files.",
    ],
    [
      ['Files', ''],
      'Column 2 of the file list is blank, and the BioImage Archive refuses a column without a name (“Attribute name is required”); give it a name or remove it.',
    ],
    [
      ['Files', 'dbId'],
      "Column 'dbId' of the file list is one of the names the BioImage Archive keeps for itself (md5, dbMd5, dbId, dbPath, dbSize and dbPublished); rename it.",
    ],
    [
      ['Files', 'Files'],
      "Column 'Files' of the file list is the name of the first column, which holds the paths, and may not name another one; rename it.",
    ],
    [
      ['Files', 'Plate', 'Plate'],
      "Column 'Plate' appears 2 times in the file list; give each column its own name.",
    ],
  ])('checks the header %j', (columns, message) => {
    expect(problemsOf(columns, [['a.tif', ...columns.slice(1).map(() => 'v')]])).toContainEqual({
      status: 'error',
      message,
    });
  });

  it('warns about a column name wrapped in brackets', () => {
    expect(problemsOf(['Files', '(Plate)'], [['a.tif', '1']])).toEqual([
      {
        status: 'warning',
        message:
          "Column '(Plate)' of the file list is wrapped in ( ), which the BioImage Archive asks you to avoid in column names; rename it.",
      },
    ]);
  });

  it.each([
    [
      ['', ''],
      'Line 3 of the file list is blank, and the BioImage Archive allows no blank lines; remove it.',
    ],
    [
      ['', 'p2'],
      'Line 3 of the file list has values but no path in its Files column; add the path or remove the line.',
    ],
    [['b.tif', 'p2', 'extra'], 'Row 3 of the file list has 3 values, but the header names only 2 columns.'],
    [
      ['b.tif', 'two\nlines'],
      'Row 3, column "Plate" of the file list holds a line break ("two\\nlines"), which a TSV value cannot contain.',
    ],
  ])('checks the rows: %j', (row, message) => {
    expect(messagesOf(['Files', 'Plate'], [['a.tif', 'p1'], row])).toContain(message);
  });

  it.each([
    [
      'a/b#c.tif',
      'error',
      "a/b#c.tif contains '#', which the BioImage Archive does not allow in file or folder names; rename it using only letters, digits and ! - _ . * ' ( ).",
    ],
    [
      'a/Käfer&.tif',
      'error',
      "a/Käfer&.tif contains 'ä' and '&', which the BioImage Archive does not allow in file or folder names; rename it using only letters, digits and ! - _ . * ' ( ).",
    ],
    [
      'a/b\u200bc.tif',
      'error',
      "a/b\u200bc.tif contains U+200B, which the BioImage Archive does not allow in file or folder names; rename it using only letters, digits and ! - _ . * ' ( ).",
    ],
    [
      'a/b c.tif',
      'warning',
      "a/b c.tif contains a space, which the BioImage Archive's help page does not list as allowed (its server accepts it); replace spaces with _ to be safe.",
    ],
    [
      './a.tif',
      'error',
      './a.tif starts with ./, which the BioImage Archive refuses in a file list; give the path relative to the upload folder, without ./, ../ or a trailing /.',
    ],
    [
      'a/../b.tif',
      'error',
      'a/../b.tif contains ../, which the BioImage Archive refuses in a file list; give the path relative to the upload folder, without ./, ../ or a trailing /.',
    ],
    [
      'a/',
      'error',
      'a/ ends with /, which the BioImage Archive refuses in a file list; give the path relative to the upload folder, without ./, ../ or a trailing /.',
    ],
    [
      'a/b.tif ',
      'error',
      "'a/b.tif ' starts or ends with a space, which the BioImage Archive trims, so it would look for 'a/b.tif' and not find the file; rename the file without that space.",
    ],
    [
      '-scan.tif',
      'error',
      "-scan.tif starts with '-', so the file list writes it with an apostrophe in front ('-scan.tif) to keep spreadsheets from running it as a formula, and the BioImage Archive would not find the file; rename it to start with a letter or digit.",
    ],
    [
      '=x.tif',
      'error',
      "=x.tif starts with '=', so the file list writes it with an apostrophe in front ('=x.tif) to keep spreadsheets from running it as a formula, and the BioImage Archive would not find the file; rename it to start with a letter or digit.",
    ],
    [
      '@eaDir/x.tif',
      'error',
      "@eaDir/x.tif contains '@', which the BioImage Archive does not allow in file or folder names; rename it using only letters, digits and ! - _ . * ' ( ).",
    ],
    [
      '+1.tif',
      'error',
      "+1.tif contains '+', which the BioImage Archive does not allow in file or folder names; rename it using only letters, digits and ! - _ . * ' ( ).",
    ],
  ])('checks the path %j', (path, status, message) => {
    expect(problemsOf(['Files'], [[path]])).toContainEqual({ status, message });
  });

  it('lets a plain negative number through as a path, as no spreadsheet takes it for a formula', () => {
    expect(problemsOf(['Files'], [['-12']])).toEqual([]);
  });

  it('refuses a path that is not among the files to upload', () => {
    expect(problemsOf(['Files'], [['a.tif'], ['b.tif']], ['a.tif'])).toEqual([
      {
        status: 'error',
        message:
          'b.tif is in the file list but not among the files to upload, so the BioImage Archive would refuse the list (“The following files could not be found”); upload the file or leave it out of the list.',
      },
    ]);
  });

  it('refuses a path listed twice', () => {
    expect(messagesOf(['Files'], [['a.tif'], ['b.tif'], ['a.tif']])).toEqual([
      'a.tif is listed on line 2 and again on line 4 of the file list; list each file once.',
    ]);
  });

  it.each([['Source Image'], ['source_image'], ['Source Image Association']])(
    'checks the source image column named %j',
    (sourceColumn) => {
      const columns = ['Files', 'Annotation Type', sourceColumn];
      const rows = [
        ['m/a.png', 'segmentation_mask', 'i/a.tif'],
        ['m/b.png', 'segmentation_mask', 'i/missing.tif'],
        ['m/c.png', 'segmentation_mask', 'm/c.png'],
        ['m/d.png', 'segmentation_mask', ''],
      ];
      expect(problemsOf(columns, rows, ['m/a.png', 'm/b.png', 'm/c.png', 'm/d.png', 'i/a.tif'])).toEqual([
        {
          status: 'error',
          message:
            'm/b.png names i/missing.tif as its source image, which is not among the files to upload, so the BioImage Archive could not link them; upload the image or correct the source.',
        },
        {
          status: 'error',
          message: 'm/c.png names itself as its source image; name the image it annotates instead.',
        },
      ]);
    },
  );

  it('refuses a source image that starts like a formula', () => {
    const problems = problemsOf(
      ['Files', 'Annotation Type', 'Source Image'],
      [['m/a.png', 'other', '-a.tif']],
      ['m/a.png', '-a.tif'],
    );
    expect(problems).toEqual([
      {
        status: 'error',
        message:
          "-a.tif starts with '-', so the Source Image column of the file list writes it with an apostrophe in front ('-a.tif) to keep spreadsheets from running it as a formula, and the BioImage Archive would not find the file; rename it to start with a letter or digit.",
      },
    ]);
  });

  it('lists twenty row problems, then counts the rest by status', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`bad#${i}.tif`]);
    const problems = problemsOf(['Files'], rows);
    expect(problems).toHaveLength(LISTED_ROW_PROBLEMS + 1);
    expect(problems.at(-1)).toEqual({
      status: 'error',
      message: '10 more errors like these are not listed; fix the ones above and look again.',
    });
  });

  it('says so when a list has no columns at all', () => {
    expect(messagesOf([], [])).toEqual(['The file list has no columns.']);
  });

  it('checks 100,000 rows', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => [`study/p${i % 9}/f${i}.tif`, `${i % 9}`]);
    expect(problemsOf(['Files', 'Plate'], rows)).toEqual([]);
  });
});

describe('CappedProblems', () => {
  it('builds only the sentences it lists and counts the rest, errors and warnings apart', () => {
    const capped = new CappedProblems(2);
    let built = 0;
    const sentence = (text: string) => () => {
      built += 1;
      return text;
    };
    capped.add('error', sentence('One.'));
    capped.add('warning', sentence('Two.'));
    capped.add('error', sentence('Three.'));
    capped.add('warning', sentence('Four.'));
    capped.add('warning', sentence('Five.'));
    expect(built).toBe(2);
    expect(capped.problems()).toEqual([
      { status: 'error', message: 'One.' },
      { status: 'warning', message: 'Two.' },
      {
        status: 'error',
        message: '1 more error like these is not listed; fix the ones above and look again.',
      },
      {
        status: 'warning',
        message: '2 more warnings like these are not listed; fix the ones above and look again.',
      },
    ]);
  });
});
