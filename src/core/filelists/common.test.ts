import { describe, expect, it } from 'vitest';
import {
  arrivalNotes,
  baseUrlProblem,
  BY_FAST_DIGEST,
  identifiersWithoutRecord,
  leadingCharacter,
  publicUrl,
  storedPathOf,
  verifiedColumn,
} from '#core/filelists/common';
import type { ListContext, ListFile } from '#core/filelists/types';
import type { RecordLink } from '#core/validation/types';

const file = (path: string, identifier = '', record: RecordLink = 'unchecked'): ListFile => ({
  path,
  size: 1,
  status: 'ok',
  identifier,
  parts: {},
  record,
});

describe('storedPathOf', () => {
  it("is the path in the batch's payload folder until the receiver says otherwise", () => {
    expect(storedPathOf(file('a/b.jpg'), 'batch-1')).toBe('batch-1/data/a/b.jpg');
    expect(storedPathOf(file('a/b.jpg'), '')).toBe('a/b.jpg');
    expect(storedPathOf({ path: 'a/b.jpg', storedPath: 'batch-1/data/a/b (2).jpg' }, 'batch-1')).toBe(
      'batch-1/data/a/b (2).jpg',
    );
  });
});

describe('publicUrl', () => {
  it.each([
    ['https://img.example.org/herb', 'b/x.jpg', 'https://img.example.org/herb/b/x.jpg'],
    ['https://img.example.org/herb///', 'b/x.jpg', 'https://img.example.org/herb/b/x.jpg'],
    [' https://img.example.org ', 'b/drawer 2/x #1.jpg', 'https://img.example.org/b/drawer%202/x%20%231.jpg'],
    ['https://img.example.org', 'b/Käfer?.jpg', 'https://img.example.org/b/K%C3%A4fer%3F.jpg'],
  ])('joins %s and %s', (base, stored, url) => expect(publicUrl(base, stored)).toBe(url));
});

describe('baseUrlProblem', () => {
  it('accepts an https address', () => expect(baseUrlProblem('https://img.example.org/a/b')).toBeUndefined());
  it.each([
    ['', 'error', /is empty/],
    ['img.example.org', 'error', /is not a web address/],
    ['https://img.example.org/a?x=1', 'error', /is not a web address/],
    ['ftp://img.example.org', 'error', /is not a web address/],
    ['http://img.example.org', 'warning', /starts with http:\/\//],
  ])('%j is a problem', (base, status, message) => {
    const problem = baseUrlProblem(base);
    expect(problem?.status).toBe(status);
    expect(problem?.message).toMatch(message);
  });
});

describe('identifiersWithoutRecord', () => {
  const context = (files: ListFile[], heldBack: ListFile[] = []): ListContext => ({
    profile: 'symbiota',
    files,
    heldBack,
    batch: 'b',
  });

  it('lists each identifier without a record once, by the path of its first file, held-back files too', () => {
    const ids = identifiersWithoutRecord(
      context(
        [file('c.jpg', 'C', 'missing'), file('d.jpg', 'A', 'linked'), file('e.jpg', 'C', 'missing')],
        [file('a.jpg', 'B', 'missing'), file('b.jpg', '', 'unchecked')],
      ),
    );
    expect(ids).toEqual(['B', 'C']);
  });

  it('takes every identifier when there was no record list to compare with', () => {
    expect(identifiersWithoutRecord(context([file('a.jpg', 'A'), file('b.jpg', 'B')]))).toEqual(['A', 'B']);
  });
});

describe('leadingCharacter', () => {
  it.each([
    ['=x', "'='"],
    ['\tx', 'a tab'],
    ['\rx', 'a carriage return'],
  ])('shows %j as %s', (value, shown) => expect(leadingCharacter(value)).toBe(shown));
});

describe('verifiedColumn and arrivalNotes for a file verified by XXH3-128', () => {
  const fast = { path: 'a.jpg', storedPath: 'b/data/a.jpg', verified: 'xxh3-128' };

  it('says yes, by XXH3-128, and a note says whose checksums the columns hold', () => {
    expect(verifiedColumn(fast)).toBe(BY_FAST_DIGEST);
    expect(verifiedColumn({ ...fast, verified: 'sha-256' })).toBe('yes');
    expect(verifiedColumn({ ...fast, verified: '' })).toBe('not verified by the receiver');
    expect(arrivalNotes([fast, { ...fast, path: 'c.jpg' }])).toEqual([
      "The receiver verified 2 files by XXH3-128 (verified: yes, by XXH3-128), sent because the upload began before the app had computed their SHA-256: the checksum columns hold the receiver's SHA-256 (and MD5) of bytes proven identical to the files sent by XXH3-128, as rsync verifies transfers.",
    ]);
  });
});
