import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PlacedFiles, type PlacedFile } from '../../server/placed-files.ts';
import { makeTempDir } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const placed = (name: string): PlacedFile => ({
  path: name,
  stored: name,
  bytes: 3,
  mtimeMs: 1,
  sha256: 'ab',
});

describe('PlacedFiles', () => {
  it('reads back what it recorded, per batch', async () => {
    const temp = await makeTempDir();
    cleanups.push(temp.remove);
    const files = new PlacedFiles(temp.dir);
    files.record('b1', placed('a.jpg'));
    files.record('b2', placed('b.jpg'));
    files.record('b1', placed('c.jpg'));
    expect(await files.read('b1')).toEqual([placed('a.jpg'), placed('c.jpg')]);
    expect(await files.read('none')).toEqual([]);
  });

  it('makes its folder again when someone removed it while the receiver ran', async () => {
    const temp = await makeTempDir();
    cleanups.push(temp.remove);
    const files = new PlacedFiles(temp.dir);
    files.record('b1', placed('a.jpg'));
    await rm(path.join(temp.dir, '.batches'), { recursive: true });
    files.record('b1', placed('b.jpg'));
    expect(await files.read('b1')).toEqual([placed('b.jpg')]);
  });
});
