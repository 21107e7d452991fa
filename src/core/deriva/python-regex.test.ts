import { describe, expect, it } from 'vitest';
import { translatePythonRegex } from '#core/deriva/python-regex';

/**
 * Each row: a Python pattern, whether it runs with re.IGNORECASE (as deriva-py's ext_pattern does), the
 * JavaScript it becomes where the spelling matters, and what Python 3.11's `re.search` found in each subject
 * (null: no match), taken from running Python on the same pattern and subjects.
 */
const translations: readonly {
  readonly python: string;
  readonly ignoreCase?: boolean;
  readonly js?: string;
  readonly searches: readonly (readonly [string, string | null])[];
}[] = [
  {
    python: '(?P<id>[A-Z]+)-(?P=id)',
    js: '(?<id>[A-Z]+)-\\k<id>',
    searches: [
      ['AB-AB', 'AB-AB'],
      ['AB-CD', null],
      ['x AB-AB', 'AB-AB'],
    ],
  },
  {
    python: '(?i)abc',
    js: '[aA][bB][cC]',
    searches: [
      ['xABc', 'ABc'],
      ['ab', null],
    ],
  },
  {
    python: 'a(?i:b)c',
    js: 'a(?:[bB])c',
    searches: [
      ['aBc', 'aBc'],
      ['ABc', null],
      ['abC', null],
    ],
  },
  {
    python: '(?i)a(?-i:b)c',
    js: '[aA](?:b)[cC]',
    searches: [
      ['AbC', 'AbC'],
      ['ABC', null],
    ],
  },
  {
    python: 'bam$',
    js: 'bam(?=\\n?(?![\\s\\S]))',
    searches: [
      ['x.bam', 'bam'],
      ['x.bam\n', 'bam'],
      ['x.bam\n\n', null],
      ['x.bamx', null],
    ],
  },
  {
    python: 'bam\\Z',
    js: 'bam(?![\\s\\S])',
    searches: [
      ['x.bam', 'bam'],
      ['x.bam\n', null],
    ],
  },
  {
    python: '\\Aab',
    js: '(?<![\\s\\S])ab',
    searches: [
      ['ab', 'ab'],
      ['cab', null],
    ],
  },
  {
    python: '(?m)^b$',
    searches: [
      ['a\nb\nc', 'b'],
      ['ab', null],
    ],
  },
  {
    python: 'a.c',
    js: 'a[^\\n]c',
    searches: [
      ['abc', 'abc'],
      ['a\nc', null],
      ['a\rc', 'a\rc'],
    ],
  },
  { python: '(?s)a.c', js: 'a[\\s\\S]c', searches: [['a\nc', 'a\nc']] },
  {
    python: '\\d+',
    searches: [
      ['x٣٤y', '٣٤'],
      ['x12', '12'],
    ],
  },
  { python: '(?a)\\d+', js: '[0-9]+', searches: [['x٣٤y', null]] },
  { python: '\\w+', searches: [['é_1-', 'é_1']] },
  {
    python: '\\bkid\\b',
    searches: [
      ['a kid.', 'kid'],
      ['kidney', null],
      ['ékid', null],
    ],
  },
  { python: 'x{,2}y', js: 'x{0,2}y', searches: [['xxxy', 'xxy']] },
  { python: 'a{}', js: 'a\\{\\}', searches: [['a{}', 'a{}']] },
  { python: '[\\W_a-c]+', ignoreCase: true, searches: [['ABC_-!', 'ABC_-!']] },
  {
    python: '(?x) a b # comment\n c',
    js: 'abc',
    searches: [
      ['abc', 'abc'],
      ['a b c', null],
    ],
  },
  { python: 'a(?#note)b', js: 'ab', searches: [['ab', 'ab']] },
  { python: '[]a]+', js: '[\\]a]+', searches: [[']a]', ']a]']] },
  { python: '\\x41\\u00e9\\101', searches: [['AéA', 'AéA']] },
  {
    python: '(?P<file_ext>bam|bed)$',
    ignoreCase: true,
    searches: [
      ['x.BAM', 'BAM'],
      ['x.Bed', 'Bed'],
      ['x.bw', null],
    ],
  },
  { python: '[^\\s]+', searches: [['ab cd', 'ab']] },
  { python: '\\.(?P<ext>tif|TIF)', js: '\\.(?<ext>tif|TIF)', searches: [['a.TIF', '.TIF']] },
  {
    python: '(a)\\1',
    searches: [
      ['aa', 'aa'],
      ['ab', null],
    ],
  },
  {
    python: '[^\\W\\d]+',
    searches: [
      ['_ab9c', '_ab'],
      ['12 héllo', 'héllo'],
    ],
  },
  {
    python: '\\Bb\\B',
    searches: [
      ['abc', 'b'],
      ['b c', null],
    ],
  },
  {
    python: '[ǅ]',
    ignoreCase: true,
    searches: [
      ['ǆ', 'ǆ'],
      ['Ǆ', 'Ǆ'],
    ],
  },
  {
    python: '(?P<a>x)(?P<b>y)?(?P=a)',
    searches: [
      ['xyx', 'xyx'],
      ['xx', 'xx'],
    ],
  },
  { python: '(?x)[ ]a', js: '[ ]a', searches: [[' a', ' a']] },
  {
    python: '.*/(?P<sample_internal_id>.*)#(?P<replicate_number>[0-9]+)(?P<custom>.*?)[.]',
    js: '[^\\n]*\\/(?<sample_internal_id>[^\\n]*)#(?<replicate_number>[0-9]+)(?<custom>[^\\n]*?)[.]',
    searches: [['/rbk/rnaseq/S1/K2#1_trim.bam', '/rbk/rnaseq/S1/K2#1_trim.']],
  },
];

/** Each row: a Python pattern that cannot be carried over, the construct named, and words of the reason. */
const refusals: readonly (readonly [string, string, string])[] = [
  ['a*+', '*+', 'possessive quantifier'],
  ['a++b', '++', 'possessive quantifier'],
  ['x{2,3}+', '{2,3}+', 'possessive quantifier'],
  ['(?>ab)c', '(?>', 'atomic group'],
  ['(a)?(?(1)b|c)', '(?(', 'conditional group'],
  ['(?<id>a)', '(?<', 'Python itself refuses'],
  ['a(?i)b', '(?i)', 'global flags not at the start'],
  ['(?L)a', '(?L)', 'locale'],
  ['\\N{EM DASH}', '\\N{…}', 'named'],
  ['\\q', '\\q', 'bad escape'],
  ['(?P<x>a)(?P=x)', '(?P=x)', 'ignore-case'],
];

describe('translatePythonRegex', () => {
  it.each(translations.map((row) => [row.python, row] as const))('translates %j', (_python, row) => {
    const translated = translatePythonRegex(row.python, { ignoreCase: row.ignoreCase === true });
    if (!translated.ok) throw new Error(translated.reason);
    if (row.js !== undefined) expect(translated.source).toBe(row.js);
    const regex = new RegExp(translated.source, 'u');
    for (const [subject, found] of row.searches)
      expect([subject, regex.exec(subject)?.[0] ?? null]).toEqual([subject, found]);
  });

  it.each(refusals)('refuses %j, naming %j', (python, construct, words) => {
    const translated = translatePythonRegex(python, { ignoreCase: python.includes('(?P=') });
    expect(translated.ok).toBe(false);
    if (translated.ok) return;
    expect(translated.construct).toBe(construct);
    expect(translated.reason).toContain(words);
  });

  it('lists the named groups in order', () => {
    const translated = translatePythonRegex('^.*/(?P<a>x)/(?P<b>y)(z)');
    expect(translated.ok && translated.groups).toEqual(['a', 'b']);
  });
});
