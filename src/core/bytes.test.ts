import { describe, expect, it } from 'vitest';
import { formatBytes } from '#core/bytes';

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
