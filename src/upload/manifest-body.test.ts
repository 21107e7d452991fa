import { describe, expect, it } from 'vitest';
import type { CompletionRequest } from '#core/protocol';
import { completionBody, manifestEntryJson } from './manifest-body';

describe('completionBody', () => {
  it('reads back as the request it stands for, entries in the order given', async () => {
    const entries = [
      manifestEntryJson('a/1.jpg', 'a/1.jpg', 10, 'ab'.repeat(32), ''),
      manifestEntryJson('B123.jpg', 'IMG "0001".jpg', 20, 'cd'.repeat(32), 'ef'.repeat(16)),
    ];
    const body = completionBody(entries, { completionId: 'id-1', target: 'Symbiota', leftOut: 2 });
    const expected: CompletionRequest = {
      completionId: 'id-1',
      target: 'Symbiota',
      leftOut: 2,
      files: [
        { path: 'a/1.jpg', bytes: 10, sha256: 'ab'.repeat(32) },
        {
          path: 'B123.jpg',
          originalPath: 'IMG "0001".jpg',
          bytes: 20,
          sha256: 'cd'.repeat(32),
          md5: 'ef'.repeat(16),
        },
      ],
    };
    expect(JSON.parse(await body.text())).toEqual(expected);
    expect(body.type).toBe('application/json');
  });

  it('is valid JSON with no files', async () => {
    expect(JSON.parse(await completionBody([], { completionId: 'id-2' }).text())).toEqual({
      completionId: 'id-2',
      files: [],
    });
  });
});
