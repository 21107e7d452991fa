import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseDelimited } from '#core/validation/delimited-text';

describe('detectDelimiter', () => {
  it.each([
    ['catalogNumber,sciname\n1,a', ','],
    ['Files\tPlate\tWell\na\t1\t2', '\t'],
    ['Files\tDescription, notes\n', '\t'],
    ['a;b;c\n1;2;3', ';'],
    ['a|b\n', '|'],
    ['"a,b";c;d\n', ';'],
    ['Internal_ID\nAbc', ','],
  ])('finds the delimiter of %j', (text, delimiter) => expect(detectDelimiter(text)).toBe(delimiter));
});

describe('parseDelimited', () => {
  it.each([
    [
      'plain rows',
      'a,b\n1,2\n',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'Windows line endings',
      'a,b\r\n1,2\r\n',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'old Mac line endings',
      'a,b\r1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'a byte-order mark',
      '\uFEFFa,b\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'quoted delimiters and quotes',
      'a,b\n"x, y","say ""hi"""',
      [
        ['a', 'b'],
        ['x, y', 'say "hi"'],
      ],
    ],
    [
      'a line break inside quotes',
      'a,b\n"two\nlines",2',
      [
        ['a', 'b'],
        ['two\nlines', '2'],
      ],
    ],
    [
      'empty fields',
      'a,b,c\n,,\n1,,',
      [
        ['a', 'b', 'c'],
        ['', '', ''],
        ['1', '', ''],
      ],
    ],
    ['blank lines', 'a\n\n1\n\n', [['a'], ['1']]],
    [
      'tabs',
      'Files\tPlate\nx.tif\t1',
      [
        ['Files', 'Plate'],
        ['x.tif', '1'],
      ],
    ],
  ])('reads %s', (_case, text, rows) => expect(parseDelimited(text).rows).toEqual(rows));

  it('notes the line each row starts on, counting line breaks inside quotes', () =>
    expect(parseDelimited('h\n"a\nb"\n\nc\n').lines).toEqual([1, 2, 5]));

  it('reports a quote that never closes', () => {
    const parsed = parseDelimited('a,b\n1,"open\n2,3\n');
    expect(parsed.unclosedQuoteLine).toBe(2);
    expect(parsed.rows).toEqual([
      ['a', 'b'],
      ['1', 'open\n2,3\n'],
    ]);
  });
});
