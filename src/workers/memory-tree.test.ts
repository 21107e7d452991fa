import { describe, expect, it } from 'vitest';
import { HIDDEN_FILE, type ScanEntry } from '#core/scan-types';
import { AbsorbedFolder, MemoryDir } from './memory-tree';

/** Hands `paths` to a folder in slices of `per`, as the page does; each file's size is its position. */
function absorb(paths: readonly string[], per: number): AbsorbedFolder {
  const folder = new AbsorbedFolder();
  for (let i = 0; i < paths.length; i += per) {
    const slice = paths.slice(i, i + per);
    const sizes = Float64Array.from(slice, (_, j) => i + j);
    folder.add(
      slice,
      sizes,
      sizes.map((size) => 1_700_000_000_000 + size),
    );
  }
  return folder;
}

async function walk(folder: AbsorbedFolder, includeHidden = false) {
  const kept: ScanEntry[] = [];
  const scanned = await folder.walk(includeHidden, (entries) => kept.push(...entries));
  return { ...scanned, kept };
}

describe('MemoryDir', () => {
  it('keeps its files, then its folders, in natural name order as they arrive', async () => {
    const dir = new MemoryDir('');
    const facts = { size: 0, lastModified: 0 };
    for (const path of ['f-10', 'b/x', 'f-2', 'a10/x', 'F-1', 'a9/x', 'f-2', 'f-1'])
      dir.add(path.split('/'), facts);
    const names: string[] = [];
    for await (const child of dir.values()) names.push(`${child.kind} ${child.name}`);
    expect(names).toEqual([
      'file f-1',
      'file F-1',
      'file f-2',
      'file f-10',
      'directory a9',
      'directory a10',
      'directory b',
    ]);
  });
});

describe('AbsorbedFolder', () => {
  it('walks the files in natural name order, depth first, whatever order they came in', async () => {
    const paths = [
      'b/file-10.dat',
      'a/x/file-1.dat',
      'file-2.dat',
      'b/file-9.dat',
      'a/file-1.dat',
      'file-10.dat',
      'a/x/file-0.dat',
      'b/file-1.dat',
    ];
    const { kept, order, progress } = await walk(absorb(paths, 3));
    const walked = [
      'file-2.dat',
      'file-10.dat',
      'a/file-1.dat',
      'a/x/file-0.dat',
      'a/x/file-1.dat',
      'b/file-1.dat',
      'b/file-9.dat',
      'b/file-10.dat',
    ];
    expect(kept.map((entry) => entry.path)).toEqual(walked);
    // Each walked file's position in the list the page read, so the page can build its rows from its own facts.
    expect([...order].map((at) => paths[at])).toEqual(walked);
    expect(kept.map((entry) => entry.size)).toEqual([...order]);
    expect(progress).toMatchObject({ files: 8, folders: 4 });
  });

  it('gives the same order for any arrival order and slice size', async () => {
    const paths = Array.from(
      { length: 300 },
      (_, i) => `folder-${i % 7}/sub-${i % 3}/file-${(i * 37) % 300}.tif`,
    );
    const sorted = (await walk(absorb(paths, 1000))).kept.map((entry) => entry.path);
    const reversed = (await walk(absorb([...paths].reverse(), 7))).kept.map((entry) => entry.path);
    const rotated = (await walk(absorb([...paths.slice(150), ...paths.slice(0, 150)], 1))).kept.map(
      (entry) => entry.path,
    );
    expect(reversed).toEqual(sorted);
    expect(rotated).toEqual(sorted);
    expect(new Set(sorted).size).toBe(300);
  });

  it('says which walked files are skipped and why, and notes the folders left out', async () => {
    const paths = ['img.tif', '.DS_Store', '.env', '.git/config', 'sub/Thumbs.db', '__MACOSX/img.tif'];
    const { kept, order, skips, notes, progress } = await walk(absorb(paths, 2));
    expect(kept.map((entry) => entry.path)).toEqual(['.DS_Store', '.env', 'img.tif', 'sub/Thumbs.db']);
    expect([...order].map((at) => paths[at])).toEqual(['.DS_Store', '.env', 'img.tif', 'sub/Thumbs.db']);
    expect(skips.map(([at]) => at)).toEqual([0, 1, 3]);
    expect(skips[1]?.[1]).toBe(HIDDEN_FILE);
    expect(notes.map((note) => `${note.path} ${note.kind}`).sort()).toEqual([
      '.git hidden-folder',
      '__MACOSX system-folder',
    ]);
    expect(progress).toMatchObject({ files: 1, skipped: 3, hidden: 1 });
  });

  it('scans hidden files and folders as data when told to', async () => {
    const { kept, skips } = await walk(absorb(['.env', '.git/config', 'img.tif'], 2), true);
    expect(kept.map((entry) => entry.path)).toEqual(['.env', 'img.tif', '.git/config']);
    expect(skips).toEqual([]);
  });
});
