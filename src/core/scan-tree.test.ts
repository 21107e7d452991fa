import { describe, expect, it } from 'vitest';
import { walkTree, type TreeDir, type TreeFile } from '#core/scan-tree';
import { HIDDEN_FILE, type ScanBatch } from '#core/scan-types';

type Spec = { [name: string]: number | Spec | Error };

/** An in-memory tree shaped like FileSystemDirectoryHandle; a number is a file size, an Error a broken entry. */
function tree(name: string, spec: Spec | Error): TreeDir {
  return {
    kind: 'directory',
    name,
    async *values() {
      if (spec instanceof Error) throw spec;
      for (const [child, value] of Object.entries(spec)) {
        if (typeof value === 'number' || (value instanceof Error && child.includes('.')))
          yield file(child, value);
        else yield tree(child, value);
      }
    },
  };
}

function file(name: string, value: number | Error): TreeFile {
  return {
    kind: 'file',
    name,
    getFile: async () => {
      if (value instanceof Error) throw value;
      return { size: value, lastModified: 1700000000000 };
    },
  };
}

function denied(): Error {
  const e = new Error('denied');
  e.name = 'NotReadableError';
  return e;
}

async function scan(spec: Spec, options = {}) {
  const batches: ScanBatch[] = [];
  const totals = await walkTree(tree('root', spec), (b) => void batches.push(b), options);
  return {
    totals,
    batches,
    entries: batches.flatMap((b) => b.entries),
    notes: batches.flatMap((b) => b.notes),
  };
}

describe('walkTree', () => {
  it('lists every file with its path relative to the root, folders in natural name order', async () => {
    const { entries, totals } = await scan({
      'b 10.jpg': 5,
      'b 9.jpg': 4,
      sub: { 'Käfer 01.tif': 3, deeper: { 'x.txt': 0 } },
      aaa: { 'y.czi': 7 },
    });
    expect(entries.map((e) => e.path)).toEqual([
      'b 9.jpg',
      'b 10.jpg',
      'aaa/y.czi',
      'sub/Käfer 01.tif',
      'sub/deeper/x.txt',
    ]);
    expect(totals).toEqual({ files: 5, bytes: 19, skipped: 0, hidden: 0, folders: 4 });
  });

  it('skips and counts system files but keeps them visible as skipped rows', async () => {
    const { entries, totals } = await scan({ '.DS_Store': 6, '._a.jpg': 1, 'a.jpg': 2, 'Thumbs.db': 3 });
    expect(entries.filter((e) => e.skip).map((e) => e.path)).toEqual(['._a.jpg', '.DS_Store', 'Thumbs.db']);
    expect(totals).toMatchObject({ files: 1, bytes: 2, skipped: 3 });
  });

  it('skips hidden files and folders as it does system files, with a reason and a note', async () => {
    const spec: Spec = {
      '.env': 4,
      '.git': { config: 9 },
      'a.jpg': 2,
      '.DS_Store': 6,
      sub: { '.notes.txt': 1 },
    };
    const { entries, notes, totals } = await scan(spec);
    expect(entries.map((e) => [e.path, e.skip ?? ''])).toEqual([
      ['.DS_Store', 'macOS Finder settings'],
      ['.env', HIDDEN_FILE],
      ['a.jpg', ''],
      ['sub/.notes.txt', HIDDEN_FILE],
    ]);
    expect(notes.map((n) => [n.kind, n.path])).toEqual([['hidden-folder', '.git']]);
    expect(notes[0]?.message).toContain('Tick Include hidden files to upload it.');
    expect(totals).toMatchObject({ files: 1, bytes: 2, skipped: 3, hidden: 2 });
  });

  it('scans hidden files and folders as data when told to include them, never system files', async () => {
    const spec: Spec = { '.env': 4, '.git': { config: 9 }, '.DS_Store': 6 };
    const { entries, notes, totals } = await scan(spec, { includeHidden: true });
    expect(entries.map((e) => [e.path, e.skip ?? ''])).toEqual([
      ['.DS_Store', 'macOS Finder settings'],
      ['.env', ''],
      ['.git/config', ''],
    ]);
    expect(notes).toEqual([]);
    expect(totals).toMatchObject({ files: 2, bytes: 13, skipped: 1, hidden: 0 });
  });

  it('reports empty folders and system folders without failing', async () => {
    const { notes, totals } = await scan({ empty: {}, '.Trashes': { 'old.jpg': 1 }, 'a.jpg': 1 });
    expect(notes.map((n) => [n.kind, n.path])).toEqual([
      ['system-folder', '.Trashes'],
      ['empty-folder', 'empty'],
    ]);
    expect(totals.files).toBe(1);
  });

  it('reports an unreadable file and an unreadable folder, and goes on with the rest', async () => {
    const { entries, notes } = await scan({ 'bad.jpg': denied(), locked: denied(), ok: { 'fine.jpg': 1 } });
    expect(entries.map((e) => e.path)).toEqual(['ok/fine.jpg']);
    expect(notes.map((n) => n.kind)).toEqual(['unreadable', 'unreadable']);
    expect(notes[0]?.message).toMatch(/^"bad\.jpg" could not be read \(NotReadableError\).*scan again\.$/);
    expect(notes[1]?.message).toMatch(/^The folder "locked" could not be read completely/);
  });

  it('streams batches of bounded size with running totals', async () => {
    const spec: Spec = {};
    for (let i = 0; i < 250; i++) spec[`f${i}.jpg`] = 1;
    const { batches } = await scan(spec, { maxBatch: 100, concurrency: 50 });
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.every((b) => b.entries.length <= 100)).toBe(true);
    expect(batches.at(-1)?.progress.files).toBe(250);
  });
});

describe('walkTree on the page', () => {
  it('pauses after every batch so the event loop can run', async () => {
    const spec: Spec = {};
    for (let i = 0; i < 30; i++) spec[`f${i}.jpg`] = 1;
    let pauses = 0;
    const batches: ScanBatch[] = [];
    await walkTree(tree('root', spec), (b) => void batches.push(b), {
      maxBatch: 10,
      concurrency: 10,
      pause: async () => {
        pauses += 1;
      },
    });
    expect(pauses).toBe(batches.length);
    expect(pauses).toBeGreaterThanOrEqual(3);
  });
});

describe('walkTree with a slow receiver', () => {
  it('waits for each batch to be taken before it finishes', async () => {
    const spec: Spec = {};
    for (let i = 0; i < 20; i++) spec[`f${i}.jpg`] = 1;
    const received: number[] = [];
    const totals = await walkTree(
      tree('root', spec),
      async (batch) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        received.push(batch.entries.length);
      },
      { maxBatch: 5, concurrency: 5 },
    );
    expect(received.reduce((a, b) => a + b, 0)).toBe(totals.files);
  });
});
