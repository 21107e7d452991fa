import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { numbered, placeFile, PlacementError, sha256 } from '../../server/placement.ts';
import { listFiles, makeTempDir, sha256 as sha256Of } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup() {
  const temp = await makeTempDir();
  cleanups.push(temp.remove);
  const uploadDir = path.join(temp.dir, 'uploads');
  await mkdir(uploadDir);
  const source = async (content: string) => {
    const file = path.join(temp.dir, `source-${Math.random()}`);
    await writeFile(file, content);
    return file;
  };
  return { root: temp.dir, uploadDir, source };
}

describe('numbered', () => {
  it.each([
    ['a/name.jpg', 2, 'a/name (2).jpg'],
    ['a/name.ome.tif', 3, 'a/name (3).ome.tif'],
    ['a/archive.tar.gz', 2, 'a/archive (2).tar.gz'],
    ['a/Käfer 01.v2.JPG', 2, 'a/Käfer 01.v2 (2).JPG'],
    ['a/README', 2, 'a/README (2)'],
    ['a/.DS_Store', 2, 'a/.DS_Store (2)'],
  ])('numbers %s as copy %d: %s', (file, n, expected) => {
    expect(numbered(file, n)).toBe(expected);
  });
});

describe('placeFile', () => {
  it('moves the file into <uploadDir>/<batch>/data/<path> and leaves the source for the caller', async () => {
    const { uploadDir, source } = await setup();
    const file = await source('hello');
    const placement = await placeFile(file, uploadDir, 'batch', 'x/y/z.txt');
    expect(placement).toEqual({ storedPath: 'batch/data/x/y/z.txt', outcome: 'stored' });
    expect(await readFile(path.join(uploadDir, 'batch', 'data', 'x', 'y', 'z.txt'), 'utf8')).toBe('hello');
    expect(await readFile(file, 'utf8')).toBe('hello');
  });

  it('hashes files with SHA-256', async () => {
    const { source } = await setup();
    expect(await sha256(await source('abc'))).toBe(sha256Of('abc'));
  });

  it.each([
    ['a path with ".."', 'batch', '../../escape.txt'],
    ['a batch of ".."', '..', 'escape.txt'],
    ['an empty path', 'batch', ''],
  ])('refuses %s even if the caller forgot to check it', async (_what, batch, relativePath) => {
    const { root, uploadDir, source } = await setup();
    const file = await source('evil');
    await expect(placeFile(file, uploadDir, batch, relativePath)).rejects.toBeInstanceOf(PlacementError);
    expect((await listFiles(root)).filter((name) => !name.startsWith('source-'))).toEqual([]);
  });

  it('refuses to follow a folder link that leads outside the batch', async () => {
    const { root, uploadDir, source } = await setup();
    await mkdir(path.join(root, 'outside'));
    await mkdir(path.join(uploadDir, 'batch', 'data'), { recursive: true });
    await symlink(path.join(root, 'outside'), path.join(uploadDir, 'batch', 'data', 'link'));
    const attempt = placeFile(await source('x'), uploadDir, 'batch', 'link/x.txt');
    await expect(attempt).rejects.toThrow(
      'a folder on the path is a link that leads outside its batch folder.',
    );
    expect(await listFiles(path.join(root, 'outside'))).toEqual([]);
  });

  it('skips numbered names taken by other content and reuses an identical one', async () => {
    const { uploadDir, source } = await setup();
    await placeFile(await source('one'), uploadDir, 'b', 'f.txt');
    await placeFile(await source('two'), uploadDir, 'b', 'f.txt');
    await placeFile(await source('three'), uploadDir, 'b', 'f.txt');
    expect(await placeFile(await source('thr'), uploadDir, 'b', 'f.txt')).toEqual({
      storedPath: 'b/data/f (4).txt',
      outcome: 'renamed',
    });
    expect(await placeFile(await source('three'), uploadDir, 'b', 'f.txt')).toEqual({
      storedPath: 'b/data/f (3).txt',
      outcome: 'identical',
    });
  });
});
