import { describe, expect, it } from 'vitest';
import { aboutFile, formatBytes, formatCount, formatDuration, formatRate, plural } from '#core/format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [50 * 1024 * 1024, '50.0 MiB'],
    [1024 ** 3 * 150, '150 GiB'],
    [-1, '–'],
  ])('writes %d bytes as %s', (input, expected) => {
    expect(formatBytes(input)).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, 'under 1 s'],
    [0.6, 'under 1 s'],
    [59.4, '59 s'],
    [61, '1 min 1 s'],
    [3 * 3600 + 120, '3 h 2 min'],
    [Infinity, '–'],
  ])('writes %d seconds as %s', (input, expected) => {
    expect(formatDuration(input)).toBe(expected);
  });
});

describe('formatCount', () => {
  it.each([0, 7, 999, 1000, 12_345, 100_000, 1_234_567, -1234, -999, 2 ** 53 - 1, 1.5, 1234.5678, NaN])(
    'writes %d as en-US does',
    (n) => {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    },
  );
});

describe('formatRate and plural', () => {
  it('writes a rate per second and a dash when nothing moves', () => {
    expect(formatRate(2 * 1024 * 1024)).toBe('2.0 MiB/s');
    expect(formatRate(0)).toBe('–');
  });
  it('picks the singular only for exactly one', () => {
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(100000, 'file')).toBe('100,000 files');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });
});

describe('aboutFile', () => {
  it('puts the path in place of "it", or before a colon', () => {
    expect(aboutFile('a/x.tif', 'it could not be read; try again.')).toBe(
      'a/x.tif could not be read; try again.',
    );
    expect(aboutFile('a/x.tif', 'decoding stopped.')).toBe('a/x.tif: decoding stopped.');
  });
});
