import { describe, expect, it } from 'vitest';
import {
  compileJsPattern,
  compilePhpPattern,
  cutShort,
  groupCount,
  nestedRepetition,
  phpReplacement,
  splitPhpPattern,
} from '#core/validation/pattern';

const needsGroup = { missingGroup: 'needs a group' };
/** The reason a PHP-style pattern is refused, or 'accepted'. */
const refusal = (pattern: string): string => {
  const compiled = compilePhpPattern(pattern, needsGroup);
  return compiled.ok ? 'accepted' : compiled.reason;
};
/** Group 1 of the pattern on the name, or null when it does not match. */
const groupOne = (pattern: string, name: string): string | null | undefined => {
  const compiled = compilePhpPattern(pattern, needsGroup);
  if (!compiled.ok) throw new Error(compiled.reason);
  return compiled.regex.exec(name)?.[1] ?? null;
};

describe('splitPhpPattern', () => {
  it.each([
    ['/^(ASU-L-\\d{7})\\D*/', '^(ASU-L-\\d{7})\\D*', ''],
    ['/^(a\\/b)/i', '^(a\\/b)', 'i'],
    ['  /^(x)/ms  ', '^(x)', 'ms'],
  ])('splits %s at its first unescaped slash', (text, body, flags) =>
    expect(splitPhpPattern(text)).toEqual({ body, flags }),
  );
  it.each(['^(ASU-L-\\d{7})', '/^(ASU-L-\\d{7})', '#^(x)#'])('finds no delimiters in %s', (text) =>
    expect(splitPhpPattern(text)).toBeUndefined(),
  );
});

describe('compilePhpPattern reads the catalog number', () => {
  it.each([
    ['/^(ASU-L-\\d{7})\\D*/', 'ASU-L-0001234_a.jpg', 'ASU-L-0001234'],
    ['/^(WIS-L-\\d{7})\\D*/', 'WIS-L-0001234_a.jpg', 'WIS-L-0001234'],
    ['/^(asu-l-\\d{7})/i', 'ASU-L-0001234.jpg', 'ASU-L-0001234'],
    ['/^(ASU\\-L\\-\\d{7})/u', 'ASU-L-0001234.jpg', 'ASU-L-0001234'],
    ['/\\A(\\d+)\\.jpg\\z/', '0001234.jpg', '0001234'],
    ['/^(?P<catalog>\\d+)/', '123_a.jpg', '123'],
    ['/^([]a]+)/', ']a]_x.jpg', ']a]'],
    ['/^(\\p{Lu}+-\\d+)/', 'ÅB-12.jpg', 'ÅB-12'],
    ['/(\\d+)/A', 'x123.jpg', null],
    ['/^(\\d+)$/D', '123', '123'],
  ])('%s reads %s as %j', (pattern, name, expected) => expect(groupOne(pattern, name)).toBe(expected));
});

describe('compilePhpPattern refuses', () => {
  it.each([
    ['a pattern without delimiters', '^(ASU-L-\\d{7})\\D*', 'missing forward slashes'],
    ['a pattern without its closing slash', '/^(ASU-L-\\d{7})\\D*', 'missing forward slashes'],
    ['a pattern without a capture group', '/^ASU-L-\\d{7}/', 'needs a group'],
    ['a pattern with only a non-capturing group', '/^(?:ASU)-\\d+/', 'needs a group'],
    ['a pattern that does not compile', '/^(ASU/', 'Unterminated group'],
    ['the x flag', '/^(\\d+)/x', "The flag 'x'"],
    ['the U flag', '/^(\\d+)/U', "The flag 'U'"],
    ['an unknown flag', '/^(\\d+)/q', "Unknown modifier 'q'"],
    ['a possessive quantifier', '/^(\\d++)/', 'possessive'],
    ['an atomic group', '/^(?>\\d+)(x)/', 'atomic group'],
    ['recursion', '/^(a(?R)?b)/', 'recursion'],
    ['inline flags', '/(?i)^(x)/', 'like (?i)'],
    ['a PCRE-only escape', '/^(\\d+)\\h/', '\\h'],
    ['a POSIX class', '/^([[:digit:]]+)/', 'POSIX class'],
    ['nested repetition', '/^((\\d+)+)$/', 'repeats a group that itself repeats'],
  ])('%s', (_case, pattern, words) => expect(refusal(pattern)).toContain(words));
  it('quotes the JavaScript error in words', () =>
    expect(refusal('/^(ASU/')).toBe(
      'The pattern does not compile (Invalid regular expression: /^(ASU/d: Unterminated group); check its brackets and escapes.',
    ));
});

describe('compileJsPattern', () => {
  it('compiles a plain pattern with its flags', () => {
    const compiled = compileJsPattern('^(?<id>[a-z]+\\d+)', 'i', needsGroup);
    expect(compiled.ok && compiled.regex.exec('NY0123_a.jpg')?.groups?.id).toBe('NY0123');
  });
  it.each([
    ['', 'The pattern is empty'],
    ['^[a-z]+', 'needs a group'],
    ['^([a-z]+', 'Unterminated group'],
    ['^(\\w+\\s?)+$', 'repeats a group'],
  ])('refuses %j', (source, words) => {
    const compiled = compileJsPattern(source, '', needsGroup);
    expect(compiled.ok ? 'accepted' : compiled.reason).toContain(words);
  });
  it('drops the stateful g and y flags of a pattern run once per name', () => {
    const compiled = compileJsPattern('(\\d+)', 'gy', needsGroup);
    expect(compiled.ok && compiled.regex.flags).toBe('d');
  });
});

describe('nestedRepetition', () => {
  it.each(['(\\d+)+', '(a*)*', '(\\w+\\s?)+', '((ab)+)*', '(x+){2,}', '(?:[a-z]+)+'])(
    'flags %s, which can backtrack for ever',
    (source) => expect(nestedRepetition(source)).toBe(true),
  );
  it.each([
    '^(ASU-L-\\d{7})\\D*',
    '(?:[A-Z]+-)+\\d+',
    '(\\d{3})+',
    '\\d+\\D*',
    '^(?<id>[^_.]+)',
    '([a-z]+)_\\1',
  ])('leaves %s alone', (source) => expect(nestedRepetition(source)).toBe(false));
});

describe('groupCount', () => {
  it.each([
    ['^ASU', 0],
    ['^(ASU)-(\\d+)', 2],
    ['^(?:ASU)(?<n>\\d+)', 1],
    ['[(]x', 0],
  ])('counts the capturing groups of %s as %d', (source, count) =>
    expect(groupCount(new RegExp(source))).toBe(count),
  );
});

describe('phpReplacement', () => {
  it.each([
    ['barcode-', ['0012345'], 'barcode-'],
    ['$1-\\1-${1}', ['A', 'A'], 'A-A-A'],
    ['$2$1', ['ab', 'a', 'b'], 'ba'],
    ['cost $x and \\q', ['m'], 'cost $x and \\q'],
    ['[$3]', ['m'], '[]'],
  ])('writes %j with groups %j as %j', (replacement, groups, expected) =>
    expect(phpReplacement(replacement)(groups)).toBe(expected),
  );
});

describe('cutShort', () => {
  it.each([
    ['ASU-L-00012345.jpg', 13, true],
    ['ASU-L-0001234_a.jpg', 13, false],
    ['ASU-L-0001234a.jpg', 13, false],
    ['ABCdef-1.jpg', 3, true],
    ['ASU-L-0001234', 13, false],
    ['', 0, false],
  ])('for %s cut at %d says %s', (subject, end, expected) => expect(cutShort(subject, end)).toBe(expected));
});
