import { describe, expect, it } from 'vitest';
import { listContext } from '#core/filelists/context';
import { symbiotaDefaultSettings } from '#core/profiles/symbiota';
import { validate } from '#core/validation/validate';

describe('listContext', () => {
  const files = [
    { path: 'A-1_a.jpg', size: 10, lastModified: 0 },
    { path: 'A-2.jpg', size: 20, lastModified: 0 },
    { path: 'bad name.jpg', size: 5, lastModified: 0 },
  ];
  const settings = {
    ...symbiotaDefaultSettings,
    patternSyntax: 'javascript' as const,
    pattern: '^([A-Z]-\\d)',
  };
  const result = validate(files, 'symbiota', settings);

  it('holds back files with errors unless told otherwise, keeping them for the lists of new records', () => {
    const context = listContext({ files, result, includeErrors: false, batch: 'b' });
    expect(context.files.map((f) => f.path)).toEqual(['A-1_a.jpg', 'A-2.jpg']);
    expect(context.heldBack.map((f) => f.path)).toEqual(['bad name.jpg']);
    expect(listContext({ files, result, includeErrors: true, batch: 'b' }).heldBack).toEqual([]);
  });

  it('gives each original its copies by role, marks those left home, and applies arrivals to files and copies', () => {
    const context = listContext({
      files,
      result,
      includeErrors: false,
      batch: 'b',
      copies: [
        { path: 'A-1_a_tn.jpg', size: 1, copyOf: 'A-1_a.jpg', role: 'thumbnail' },
        { path: 'A-1_a_lg.jpg', size: 3, copyOf: 'A-1_a.jpg', role: 'large' },
      ],
      leftHome: new Set(['A-1_a.jpg']),
      arrivals: new Map([
        ['A-1_a_tn.jpg', { storedPath: 'b/A-1_a_tn.jpg', uploadUrl: 'https://r/files/1' }],
        ['A-2.jpg', { storedPath: 'b/A-2 (2).jpg' }],
      ]),
    });
    const [first, second] = context.files;
    expect(first).toMatchObject({
      path: 'A-1_a.jpg',
      leftHome: true,
      derivatives: { thumbnail: 'A-1_a_tn.jpg', large: 'A-1_a_lg.jpg' },
    });
    expect(second).toMatchObject({ path: 'A-2.jpg', storedPath: 'b/A-2 (2).jpg' });
    expect(second).not.toHaveProperty('leftHome');
    expect(context.copies).toEqual([
      {
        path: 'A-1_a_tn.jpg',
        size: 1,
        copyOf: 'A-1_a.jpg',
        role: 'thumbnail',
        storedPath: 'b/A-1_a_tn.jpg',
        uploadUrl: 'https://r/files/1',
      },
      { path: 'A-1_a_lg.jpg', size: 3, copyOf: 'A-1_a.jpg', role: 'large' },
    ]);
  });

  it('gives a file checked under a name from its barcode its own path as well', () => {
    const context = listContext({
      files,
      result,
      includeErrors: false,
      batch: 'b',
      originalOf: (path) => (path === 'A-2.jpg' ? 'IMG_0002.JPG' : undefined),
    });
    expect(context.files.map((f) => [f.path, f.originalPath])).toEqual([
      ['A-1_a.jpg', undefined],
      ['A-2.jpg', 'IMG_0002.JPG'],
    ]);
  });
});
