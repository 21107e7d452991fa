import { describe, expect, it } from 'vitest';
import { partSizeFor } from '../../server/s3-store.ts';

const MiB = 2 ** 20;
/** S3's limits on a multipart upload. */
const MAX_PARTS = 10_000;
const MIN_PART = 5 * MiB;

describe('the part size on S3', () => {
  it('is 8 MiB without a largest file size, and for sizes that fit 10,000 such parts', () => {
    expect(partSizeFor(undefined)).toBe(8 * MiB);
    expect(partSizeFor(MAX_PARTS * 8 * MiB)).toBe(8 * MiB);
  });

  it('grows so that the largest file the receiver accepts fits in 10,000 parts', () => {
    for (const maxFileSize of [MAX_PARTS * 8 * MiB + 1, 200e9, 5 * 2 ** 40]) {
      const partSize = partSizeFor(maxFileSize);
      expect(partSize).toBeGreaterThanOrEqual(MIN_PART);
      expect(Math.ceil(maxFileSize / partSize), `${maxFileSize} bytes`).toBeLessThanOrEqual(MAX_PARTS);
    }
    expect(partSizeFor(200e9)).toBe(20_000_000);
  });
});
