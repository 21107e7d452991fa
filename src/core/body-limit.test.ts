import { describe, expect, it } from 'vitest';
import { BodyLimit, halvedChunk } from '#core/body-limit';

const MiB = 1024 * 1024;

describe('halvedChunk', () => {
  it('halves until the chunk is smaller than the body that was refused', () => {
    expect(halvedChunk(32 * MiB, 32 * MiB)).toBe(16 * MiB);
    // A whole 3 MB file refused in its creation request: 32 → 16 → 8 → 4 → 2 MiB.
    expect(halvedChunk(32 * MiB, 3_000_000)).toBe(2 * MiB);
    expect(halvedChunk(2 * MiB, 2 * MiB)).toBe(MiB);
  });

  it('keeps a chunk that another request already brought below the body', () => {
    expect(halvedChunk(MiB, 16 * MiB)).toBe(MiB);
  });

  it('stops at the floor, and gives up when even the floor is not below the body', () => {
    expect(halvedChunk(MiB, 300 * 1024)).toBe(256 * 1024);
    expect(halvedChunk(256 * 1024, 256 * 1024)).toBeNull();
    expect(halvedChunk(32 * MiB, 33_333)).toBeNull();
  });
});

describe('BodyLimit', () => {
  it('shrinks on a 413 to a body, and says whether the size changed', () => {
    const limit = new BodyLimit(32 * MiB);
    expect(limit.refused(32 * MiB)).toEqual({ kind: 'smaller', chunkSize: 16 * MiB, shrunk: true });
    // A second file's 32 MiB request, sent before the first was refused, goes again at 16 MiB.
    expect(limit.refused(32 * MiB)).toEqual({ kind: 'smaller', chunkSize: 16 * MiB, shrunk: false });
    expect(limit.chunkSize).toBe(16 * MiB);
  });

  it('a 413 to a small body is not a body limit to work around (the file is too large)', () => {
    const limit = new BodyLimit(32 * MiB);
    expect(limit.refused(10_000)).toEqual({ kind: 'unexplained' });
    expect(limit.chunkSize).toBe(32 * MiB);
  });

  it('a large body that gets no answer counts as the limit once the server answers and a body as large fails again', () => {
    const limit = new BodyLimit(32 * MiB);
    // Answers before the failure (other files, the request's own HEAD) prove nothing: the server may have gone since.
    limit.answered(150);
    expect(limit.networkFailure(32 * MiB, 200)).toEqual({ kind: 'unexplained' });
    // The retry of the same size, with no answer in between (the server is down): still unexplained.
    expect(limit.networkFailure(32 * MiB, 400)).toEqual({ kind: 'unexplained' });
    // The server answers (a probe, a HEAD), then the same body fails again.
    limit.answered(500);
    expect(limit.networkFailure(32 * MiB, 700)).toMatchObject({ kind: 'smaller', chunkSize: 16 * MiB });
    expect(limit.chunkSize).toBe(16 * MiB);
    // A 16 MiB body failing starts its own count.
    expect(limit.networkFailure(16 * MiB, 800)).toEqual({ kind: 'unexplained' });
    limit.answered(900);
    expect(limit.networkFailure(16 * MiB, 1000)).toMatchObject({ kind: 'smaller', chunkSize: 8 * MiB });
  });

  it('starts larger where the server prefers it, and falls back to the usual chunk at the first refusal, then halves', () => {
    const limit = new BodyLimit(32 * MiB, undefined, 1024 * MiB);
    expect(limit.chunkSize).toBe(1024 * MiB);
    expect(limit.refused(1024 * MiB)).toEqual({ kind: 'smaller', chunkSize: 32 * MiB, shrunk: true });
    expect(limit.refused(32 * MiB)).toEqual({ kind: 'smaller', chunkSize: 16 * MiB, shrunk: true });
    const unanswered = new BodyLimit(32 * MiB, undefined, 1024 * MiB);
    expect(unanswered.networkFailure(1024 * MiB, 100)).toEqual({ kind: 'unexplained' });
    unanswered.answered(200);
    expect(unanswered.networkFailure(1024 * MiB, 300)).toMatchObject({
      kind: 'smaller',
      chunkSize: 32 * MiB,
    });
  });

  it('a small body that gets no answer is never taken for a body limit', () => {
    const limit = new BodyLimit(32 * MiB);
    for (const at of [100, 300]) {
      expect(limit.networkFailure(256 * 1024, at)).toEqual({ kind: 'unexplained' });
      expect(limit.networkFailure(10_000, at)).toEqual({ kind: 'unexplained' });
      limit.answered(at + 100);
    }
  });

  it('knows whether the server answered since a moment', () => {
    const limit = new BodyLimit(32 * MiB);
    expect(limit.answeredSince(0)).toBe(false);
    limit.answered(10);
    expect(limit.answeredSince(5)).toBe(true);
    expect(limit.answeredSince(10)).toBe(false);
  });
});
