import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  askingSource,
  handleSource,
  type FolderSource,
  LISTING_PATIENCE_MS,
  MAX_LISTED_HANDLES,
  type SourceDir,
  type SourceFile,
} from './folder-source';

/** A folder in memory that counts how files are reached: through its listing or by name. */
class FakeDir implements SourceDir {
  readonly kind = 'directory';
  readonly children = new Map<string, FakeDir | SourceFile>();
  byName = 0;
  listings = 0;
  listed = 0;
  failListingAfter = Infinity;
  /** After this many entries the listing answers no more, as some browser builds have done. */
  stallListingAfter = Infinity;

  constructor(readonly name: string) {}

  addFile(name: string, text = name): this {
    this.children.set(name, {
      kind: 'file',
      name,
      getFile: () => Promise.resolve(new File([text], name)),
    });
    return this;
  }

  addDir(dir: FakeDir): this {
    this.children.set(dir.name, dir);
    return this;
  }

  async *values(): AsyncIterable<SourceFile | SourceDir> {
    this.listings += 1;
    for (const child of [...this.children.values()]) {
      if (this.listed >= this.failListingAfter) throw new DOMException('gone', 'NotFoundError');
      if (this.listed >= this.stallListingAfter) await new Promise(() => undefined);
      this.listed += 1;
      await Promise.resolve();
      yield child;
    }
  }

  getFileHandle(name: string): Promise<SourceFile> {
    this.byName += 1;
    const child = this.children.get(name);
    if (child?.kind !== 'file') return Promise.reject(new DOMException(name, 'NotFoundError'));
    return Promise.resolve(child);
  }

  getDirectoryHandle(name: string): Promise<SourceDir> {
    const child = this.children.get(name);
    if (child?.kind !== 'directory') return Promise.reject(new DOMException(name, 'NotFoundError'));
    return Promise.resolve(child);
  }
}

/** The text of the file at `path`, opened through `source`. */
const textOf = async (source: FolderSource, path: string) => (await source.open(path)).text();

const folderOf = (count: number, name = 'photos') => {
  const dir = new FakeDir(name);
  for (let i = 0; i < count; i += 1) dir.addFile(`img-${i}.jpg`);
  return dir;
};

describe('handleSource', () => {
  it('reads the files of a folder from one listing when they are asked for in its order', async () => {
    const photos = folderOf(20);
    const root = new FakeDir('root').addDir(photos);
    const source = handleSource(root);
    for (let i = 0; i < 20; i += 1) {
      expect(await textOf(source, `photos/img-${i}.jpg`)).toBe(`img-${i}.jpg`);
    }
    expect(photos.listings).toBe(1);
    expect(photos.byName).toBe(0);
  });

  it('keeps the handles it reads past, so files asked for in another order come from the same listing', async () => {
    const root = folderOf(30, 'root');
    const source = handleSource(root);
    const order = Array.from({ length: 30 }, (_, i) => (i * 7) % 30);
    const texts = await Promise.all(order.map((i) => textOf(source, `img-${i}.jpg`)));
    expect(texts).toEqual(order.map((i) => `img-${i}.jpg`));
    expect(root.listings).toBe(1);
    expect(root.listed).toBe(30);
    expect(root.byName).toBe(0);
  });

  it('asks by name for a file opened a second time, and for one added after the listing was read', async () => {
    const root = folderOf(3, 'root');
    const source = handleSource(root);
    await source.open('img-0.jpg');
    expect(root.byName).toBe(0);
    expect(await textOf(source, 'img-0.jpg')).toBe('img-0.jpg');
    expect(root.byName).toBe(1);
    root.addFile('late.jpg', 'late');
    expect(await textOf(source, 'late.jpg')).toBe('late');
    expect(root.byName).toBe(2);
    expect(root.listings).toBe(1);
  });

  it('lists the folder again for a later batch once a listing has been used up', async () => {
    const root = folderOf(3, 'root');
    const source = handleSource(root);
    await source.open('img-2.jpg');
    await source.open('img-0.jpg');
    await source.open('img-1.jpg');
    // The first listing is at its end with nothing left: the next batch gets a new one.
    await source.open('img-1.jpg');
    expect(await textOf(source, 'img-0.jpg')).toBe('img-0.jpg');
    expect(root.listings).toBe(2);
  });

  it('names a file that is gone with the error of asking for it by name', async () => {
    const root = folderOf(3, 'root');
    const source = handleSource(root);
    await expect(source.open('missing.jpg')).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(source.open('sub/missing.jpg')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('asks by name once the listing fails part way', async () => {
    const root = folderOf(10, 'root');
    root.failListingAfter = 2;
    const source = handleSource(root);
    for (let i = 0; i < 10; i += 1) await source.open(`img-${i}.jpg`);
    expect(root.byName).toBe(8);
  });

  describe('with a listing that stops answering', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it(`waits ${LISTING_PATIENCE_MS / 1000} s for it, then asks by name for this file and every later one`, async () => {
      vi.useFakeTimers();
      const root = folderOf(5, 'root');
      root.stallListingAfter = 2;
      const source = handleSource(root);
      expect(await textOf(source, 'img-0.jpg')).toBe('img-0.jpg');
      let third: string | undefined;
      const opening = source.open('img-2.jpg').then(async (file) => (third = await file.text()));
      await vi.advanceTimersByTimeAsync(LISTING_PATIENCE_MS - 1);
      expect(third).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      await opening;
      expect(third).toBe('img-2.jpg');
      // img-1 was read past before the listing stalled, but a listing given up keeps nothing.
      const rest = await Promise.all([1, 3, 4].map((i) => textOf(source, `img-${i}.jpg`)));
      expect(rest).toEqual(['img-1.jpg', 'img-3.jpg', 'img-4.jpg']);
      expect(root.byName).toBe(4);
      expect(root.listings).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it(`gives the listing up rather than hold more than ${MAX_LISTED_HANDLES} handles`, async () => {
    const root = folderOf(MAX_LISTED_HANDLES + 2, 'root');
    const source = handleSource(root);
    // The last file first: every other handle would have to be kept on the way.
    const last = `img-${MAX_LISTED_HANDLES + 1}.jpg`;
    expect(await textOf(source, last)).toBe(last);
    expect(root.byName).toBe(1);
    expect(root.listed).toBe(MAX_LISTED_HANDLES + 1);
    expect(await textOf(source, 'img-0.jpg')).toBe('img-0.jpg');
  });
});

describe('askingSource', () => {
  const held = new Map([
    ['a/1.jpg', new File(['one'], '1.jpg')],
    ['a/2.jpg', new File(['two'], '2.jpg')],
  ]);

  it('asks for the files opened in the same turn in one call, each answered by its own', async () => {
    const asked: (readonly string[])[] = [];
    const source = askingSource('folder', async (paths) => {
      asked.push(paths);
      return paths.map((path) => held.get(path) ?? null);
    });
    const [one, two] = await Promise.all([source.open('a/1.jpg'), source.open('a/2.jpg')]);
    expect(await one.text()).toBe('one');
    expect(await two.text()).toBe('two');
    await source.open('a/2.jpg');
    expect(asked).toEqual([['a/1.jpg', 'a/2.jpg'], ['a/2.jpg']]);
  });

  it('names a path the holder does not have, and fails only that file', async () => {
    const source = askingSource('folder', async (paths) => paths.map((path) => held.get(path) ?? null));
    const [found, missing] = await Promise.allSettled([source.open('a/1.jpg'), source.open('a/9.jpg')]);
    expect(found.status).toBe('fulfilled');
    expect(missing).toMatchObject({
      status: 'rejected',
      reason: { name: 'NotFoundError', message: '"a/9.jpg" is not in the picked folder.' },
    });
  });

  it('fails every file of a call that failed', async () => {
    const source = askingSource('folder', () => Promise.reject(new Error('the page is gone')));
    const results = await Promise.allSettled([source.open('a/1.jpg'), source.open('a/2.jpg')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
