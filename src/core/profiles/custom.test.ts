import { describe, expect, it } from 'vitest';
import { custom, customDefaultSettings } from '#core/profiles/custom';
import { validate } from '#core/validation/validate';
import type { CustomSettings } from '#core/validation/types';

const settings = (changes: Partial<CustomSettings> = {}): CustomSettings => ({
  ...customDefaultSettings,
  ...changes,
});
/** The identifier read from a path, with any notes, or the problem as `status rule`. */
const reading = (path: string, changes: Partial<CustomSettings> = {}): string => {
  const preparation = custom.prepare(settings(changes));
  if (!preparation.ok) return preparation.problems.map((p) => p.message).join(' ');
  const id = preparation.profile.identify(path);
  if ('problem' in id) return `${id.problem.status} ${id.problem.rule}`;
  return id.identifier + id.notes.map((n) => ` + ${n.status} ${n.rule}`).join('');
};

describe('Custom pattern identify', () => {
  it.each([
    ['reads the id group', 'a/MICH1234567_label.jpg', {}, 'MICH1234567'],
    ['reads group 1 when there is no id group', 'x/S-12_b.tif', { pattern: '^([A-Z]-\\d+)' }, 'S-12'],
    ['prefers the id group to group 1', 'P7-S12.tif', { pattern: '^(P\\d+)-(?<id>S\\d+)' }, 'S12'],
    ['applies flags', 'mich1234.jpg', { pattern: '^(?<id>MICH\\d+)', flags: 'i' }, 'mich1234'],
    [
      'matches the whole path when told to',
      'plate7/well3.tif',
      { pattern: '^(?<id>plate\\d+)/', matchAgainst: 'path' as const },
      'plate7',
    ],
    [
      'warns when the pattern cuts the identifier short',
      'AB123456.jpg',
      { pattern: '^(?<id>AB\\d{5})' },
      'AB12345 + warning pattern.cut-short',
    ],
    [
      'is an error for a name the pattern does not match',
      'notes.jpg',
      { pattern: '^(?<id>\\d+)' },
      'error custom.no-match',
    ],
  ])('%s: %s', (_case, path, changes, expected) => expect(reading(path, changes)).toBe(expected));
  it.each([
    ['a pattern with no group', '^[A-Z]+\\d+', 'The pattern needs a group around the identifier'],
    ['a pattern that does not compile', '^(?<id>[A-Z+', 'The pattern does not compile'],
    ['a pattern that can backtrack for ever', '^(?<id>(\\d+)+)x', 'repeats a group that itself repeats'],
  ])('refuses %s', (_case, pattern, words) => expect(reading('x', { pattern })).toContain(words));
});

describe('Custom pattern validate', () => {
  it('marks every file not checked when the pattern is refused', () => {
    const result = validate(
      [{ path: 'a.jpg', size: 1, lastModified: 0 }],
      'custom',
      settings({ pattern: '^\\d+' }),
    );
    expect(result.findings.map((f) => [f.path, f.status, f.rule])).toEqual([
      ['', 'error', 'custom.pattern'],
      ['a.jpg', 'skipped', 'settings.invalid'],
    ]);
    expect(result.counts).toEqual({ ok: 0, warning: 0, error: 0, skipped: 1 });
  });
  it('finds duplicates by identifier and name without extension', () => {
    const files = ['a/X1.tif', 'b/X1.jpg', 'X1_b.jpg'].map((path) => ({ path, size: 1, lastModified: 0 }));
    const result = validate(files, 'custom', settings());
    expect(result.findings.map((f) => [f.path, f.rule])).toEqual([
      ['X1_b.jpg', 'ok'],
      ['a/X1.tif', 'common.duplicate'],
      ['b/X1.jpg', 'common.duplicate'],
    ]);
    expect(result.findings[1]?.message).toBe(
      "a/X1.tif has the same identifier and name (X1, 'X1') as b/X1.jpg; keep one of them, or rename one.",
    );
  });
});
