import { describe, expect, it } from 'vitest';
import { contextOfFiles, listFile } from '../../../tests/unit/filelists/list-files';
import { buildGudmapManifest, formulaInternalIdProblems } from '#core/filelists/gudmap-manifest';
import type { ListContext, ListFile } from '#core/filelists/types';

/** A file as the GUDMAP profile reads it: `parts` holds kind, internal_id, number or image_type, and suffix. */
const file = (path: string, parts: Record<string, string> = {}, extra: Partial<ListFile> = {}): ListFile =>
  listFile(path, { identifier: parts.internal_id ?? '', parts, record: 'linked', ...extra });
const image2d = (id: string, number = '1', suffix = 'tif'): ListFile =>
  file(`deriva/images/${id}-${number}.${suffix}`, { kind: '2d', internal_id: id, number, suffix });
const context = (files: ListFile[], extra: Partial<ListContext> = {}): ListContext =>
  contextOfFiles('gudmap', files, extra);
const sums = { sha256: 'aa', md5: 'bb' };

describe('buildGudmapManifest', () => {
  it('is a CSV for Excel named after the batch, with number and image type in columns of their own', () => {
    const list = buildGudmapManifest(context([], { batch: 'Kidney 2024' }));
    expect([list.kind, list.title, list.fileName, list.format, list.bom]).toEqual([
      'gudmap-manifest',
      'GUDMAP upload manifest',
      'Kidney_2024-gudmap-manifest.csv',
      'csv',
      true,
    ]);
    expect(list.table.columns).toEqual([
      'path',
      'Internal_ID',
      'kind',
      'number',
      'image_type',
      'suffix',
      'bytes',
      'sha256',
      'md5',
    ]);
  });

  it.each([
    [
      'a 2D image',
      file(
        'deriva/images/Abc-1-2.ome.tif',
        { kind: '2d', internal_id: 'Abc-1', number: '2', suffix: 'ome.tif' },
        sums,
      ),
      ['deriva/images/Abc-1-2.ome.tif', 'Abc-1', '2D image', '2', '', 'ome.tif', '100', 'aa', 'bb'],
    ],
    [
      'a 3D image named by type',
      file('deriva/image_3d/K2-volume.tif', {
        kind: '3d',
        internal_id: 'K2',
        image_type: 'volume',
        suffix: 'tif',
      }),
      ['deriva/image_3d/K2-volume.tif', 'K2', '3D image', '', 'volume', 'tif', '100', '', ''],
    ],
    [
      'a 3D image named by number',
      file('deriva/image_3d/K2-3.ims', { kind: '3d', internal_id: 'K2', number: '3', suffix: 'ims' }),
      ['deriva/image_3d/K2-3.ims', 'K2', '3D image', '3', '', 'ims', '100', '', ''],
    ],
    [
      'the specimen records',
      file('deriva/records/Gene_Expression/Specimen_simple.csv', { kind: 'records' }),
      [
        'deriva/records/Gene_Expression/Specimen_simple.csv',
        '',
        'specimen records',
        '',
        '',
        '',
        '100',
        '',
        '',
      ],
    ],
    ['a file Deriva does not read', file('notes.txt'), ['notes.txt', '', '', '', '', '', '100', '', '']],
  ])('writes %s', (_case, listed, row) => {
    expect(buildGudmapManifest(context([listed])).table.rows).toEqual([row]);
  });
});

describe('buildGudmapManifest notes', () => {
  it('says which checksums are missing and which files Deriva will skip', () => {
    const files = [image2d('K2'), file('notes.txt'), file('deriva/x-1.tif'), file('a.txt'), file('b.txt')];
    expect(
      buildGudmapManifest(context(files, { heldBack: [file('h/1.tif'), file('h/2.tif')] })).notes,
    ).toEqual([
      '2 files with errors are left out, as from the upload; fix them, or tick "Upload files with errors too".',
      'The sha256 column is empty for 5 files whose checksums are not computed yet; compute checksums first to fill it.',
      'The md5 column is empty for 5 files whose checksums are not computed yet; compute checksums first to fill it.',
      'notes.txt, deriva/x-1.tif, a.txt and 1 more are uploaded but are not in a place or form the Deriva uploader reads, so their Internal_ID and kind are empty and Deriva will skip them as “Invalid file type or directory location”.',
    ]);
  });

  it('speaks of one unread file in the singular', () => {
    expect(buildGudmapManifest(context([file('notes.txt', {}, sums)])).notes).toEqual([
      'notes.txt is uploaded but is not in a place or form the Deriva uploader reads, so its Internal_ID and kind are empty and Deriva will skip it as “Invalid file type or directory location”.',
    ]);
  });

  it('has nothing to say about read images with checksums', () => {
    expect(buildGudmapManifest(context([{ ...image2d('K2'), ...sums }])).notes).toEqual([]);
  });
});

describe('formulaInternalIdProblems', () => {
  it.each(['=1+1', '+K2', '-K2', '@K2'])('refuses Internal_ID %s', (id) => {
    expect(formulaInternalIdProblems([image2d(id)]).map((p) => p.status)).toEqual(['error']);
  });

  it.each(['K2', '-5', 'K-2', ''])('lets Internal_ID %j pass', (id) => {
    expect(formulaInternalIdProblems([image2d(id)])).toEqual([]);
  });

  it('names the Internal_ID once, with its first file and how many more', () => {
    expect(formulaInternalIdProblems([image2d('=1+1'), image2d('=1+1', '2'), image2d('=1+1', '3')])).toEqual([
      {
        status: 'error',
        message:
          "Internal_ID =1+1 (of deriva/images/=1+1-1.tif and 2 more) starts with '=', so the list writes it with an apostrophe in front ('=1+1) to keep spreadsheets from running it as a formula, and then it no longer matches the Internal_ID in the image names; rename the images and the specimen record to an Internal_ID that starts with a letter or digit.",
      },
    ]);
  });

  it('lists 20 Internal_IDs, then counts the rest, even among 100,000 files', () => {
    const files = Array.from({ length: 100_000 }, (_, i) => image2d(`@S${i % 1000}`, String(i)));
    const problems = formulaInternalIdProblems(files);
    expect(problems).toHaveLength(21);
    expect(problems[0]?.message).toMatch(/^Internal_ID @S0 \(of deriva\/images\/@S0-0\.tif and 99 more\)/);
    expect(problems[20]?.message).toBe(
      '980 more Internal_IDs start like a formula too; rename them the same way.',
    );
  });

  it('are errors in the manifest, before the warnings about paths', () => {
    const list = buildGudmapManifest(context([file('-notes.txt'), image2d('@x')]));
    expect(list.problems.map((p) => [p.status, p.message.slice(0, 20)])).toEqual([
      ['error', 'Internal_ID @x (of d'],
      ['warning', '-notes.txt starts wi'],
    ]);
  });
});
