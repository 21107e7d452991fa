import { describe, expect, it } from 'vitest';
import { caseClash, caseKey, duplicate, groupBy } from '#core/validation/group-rules';

describe('groupBy', () => {
  it('groups in one pass, keeping the order items came in and skipping undefined keys', () =>
    expect([...groupBy(['b1', 'a1', 'b2', 'x'], (s) => (s === 'x' ? undefined : s[0]))]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1']],
    ]));
});

describe('caseKey', () => {
  it.each([
    ['Images/A.TIF', 'images/a.tif'],
    ['Cafe\u0301.jpg', 'café.jpg'],
  ])('files %s with the names that differ from it only in case', (path, key) =>
    expect(caseKey(path)).toBe(key),
  );
});

describe('caseClash and duplicate', () => {
  it('name every other file involved', () => {
    expect(caseClash('a/X.jpg', ['a/x.jpg', 'a/x.JPG'], 'X').message).toBe(
      'a/X.jpg differs only in case from a/x.jpg and a/x.JPG; rename one, because Windows and macOS treat such names as the same file.',
    );
    const slot = {
      key: 'k',
      what: 'Internal_ID and image number (Abc, 1)',
      fix: 'give each image its own number',
    };
    expect(duplicate('Abc-1.tif', ['Abc-01.jpg', 'b', 'c', 'd'], slot, 'Abc').message).toBe(
      'Abc-1.tif has the same Internal_ID and image number (Abc, 1) as Abc-01.jpg, b, c and 1 more; give each image its own number.',
    );
  });
});
