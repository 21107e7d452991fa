import { createHash } from 'node:crypto';
import { xxhash128 } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import type { FileDigests } from '#core/digest';
import { ChecksumStore } from './checksum-run';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const file = (text: string, lastModified = 1000) => new File([text], 'x.txt', { lastModified });

/** The checksums the store gives the upload for one file. */
const digestOf = (store: ChecksumStore, path: string, sent: File, md5: boolean) =>
  store.readAll([{ path, file: sent }], md5)[0] as Promise<FileDigests>;

describe('ChecksumStore.readAll, for files the upload sends', () => {
  it('streams SHA-256, and MD5 when asked', async () => {
    const store = new ChecksumStore();
    expect(await digestOf(store, 'a.txt', file('specimen'), false)).toEqual({ sha256: sha256('specimen') });
    expect(await digestOf(store, 'b.txt', file('label'), true)).toEqual({
      sha256: sha256('label'),
      md5: md5('label'),
    });
  });

  it('reuses what it computed for the same size and date, and computes afresh when they differ', async () => {
    const store = new ChecksumStore();
    await digestOf(store, 'a.txt', file('aaaa'), false);
    // Same size and date: the kept digest stands for the file (the check's own rule for "unchanged").
    expect(await digestOf(store, 'a.txt', file('bbbb'), false)).toEqual({ sha256: sha256('aaaa') });
    expect(await digestOf(store, 'a.txt', file('bbbb', 2000), false)).toEqual({ sha256: sha256('bbbb') });
    expect(store.knownFor({ path: 'a.txt', size: 4, lastModified: 2000 }, false)).toEqual({
      sha256: sha256('bbbb'),
    });
    // Kept without MD5: asking for MD5 computes it.
    expect(store.knownFor({ path: 'a.txt', size: 4, lastModified: 2000 }, true)).toBeUndefined();
    expect(await digestOf(store, 'a.txt', file('bbbb', 2000), true)).toEqual({
      sha256: sha256('bbbb'),
      md5: md5('bbbb'),
    });
  });

  it('serves requests in the order they were made, and a failure does not stop the next', async () => {
    const store = new ChecksumStore();
    const finished: string[] = [];
    const broken = {
      size: 3,
      lastModified: 1,
      stream: () =>
        new ReadableStream<Uint8Array>({
          pull: (controller) => controller.error(new Error('gone')),
        }),
    } as unknown as File;
    const requests = [
      digestOf(store, 'big.txt', file('x'.repeat(1_000_000)), false).then(() => finished.push('big')),
      digestOf(store, 'broken.txt', broken, false).catch((error: Error) => finished.push(error.message)),
      digestOf(store, 'small.txt', file('y'), false).then(() => finished.push('small')),
    ];
    await Promise.all(requests);
    expect(finished[0]).toBe('big');
    expect(finished[1]).toMatch(/^broken\.txt .*could not be read/);
    expect(finished[2]).toBe('small');
  });
});

describe('ChecksumStore.compute, the checksum pass', () => {
  it('hashes small files in groups, each right, and a file that cannot be opened fails alone with its name', async () => {
    const store = new ChecksumStore();
    const texts = Array.from({ length: 150 }, (_, i) => `sheet ${i}`);
    const files = new Map(texts.map((text, i) => [`f${i}.jpg`, file(text)]));
    files.delete('f70.jpg');
    const source = {
      name: 'f',
      open: (path: string) => {
        const found = files.get(path);
        return found
          ? Promise.resolve(found)
          : Promise.reject(new DOMException(`"${path}" is not in the picked folder.`, 'NotFoundError'));
      },
    };
    const facts = texts.map((text, i) => ({ path: `f${i}.jpg`, size: text.length, lastModified: 1000 }));
    const outcome = await store.compute(facts, source, true, () => undefined);
    expect(outcome).toMatchObject({ files: 150, doneFiles: 150, failed: 1, cancelled: false });
    expect(outcome.failures).toEqual([
      {
        path: 'f70.jpg',
        message: 'f70.jpg is no longer in the folder; choose the folder again to rescan it.',
      },
    ]);
    texts.forEach((text, i) => {
      const kept = store.knownFor(facts[i] as (typeof facts)[0], true);
      expect(kept).toEqual(i === 70 ? undefined : { sha256: sha256(text), md5: md5(text) });
    });
  });

  it('answers an upload asking for several files at once, kept, under way or new, each with its own', async () => {
    const store = new ChecksumStore();
    await digestOf(store, 'kept.txt', file('kept'), false);
    const items = ['kept', 'new one', 'another'].map((text) => ({ path: `${text}.txt`, file: file(text) }));
    const results = await Promise.all(store.readAll(items, false));
    expect(results).toEqual(['kept', 'new one', 'another'].map((text) => ({ sha256: sha256(text) })));
  });

  it('keeps the checksums of the small files it read together for the upload, with MD5 when asked', async () => {
    const store = new ChecksumStore();
    const texts = ['new one', 'l'.repeat(40_000), 'another'];
    const items = texts.map((text, i) => ({ path: `f${i}.txt`, file: file(text) }));
    const results = await Promise.all(store.readAll(items, false));
    expect(results).toEqual(texts.map((text) => ({ sha256: sha256(text) })));
    expect(store.knownFor({ path: 'f0.txt', size: 7, lastModified: 1000 }, false)).toEqual({
      sha256: sha256('new one'),
    });
    const [withMd5] = await Promise.all(store.readAll(items.slice(0, 1), true));
    expect(withMd5).toEqual({ sha256: sha256('new one'), md5: md5('new one') });
  });

  it('streams a file of a megabyte or more, and never holds it whole', async () => {
    const store = new ChecksumStore();
    const big = 'x'.repeat(1024 * 1024);
    const [result] = await Promise.all(store.readAll([{ path: 'big.txt', file: file(big) }], false));
    expect(result).toEqual({ sha256: sha256(big) });
  });
});

describe('ChecksumStore: the checksum pass waits while an upload runs', () => {
  const texts = ['one', 'two', 'three'];
  const facts = texts.map((text) => ({ path: `${text}.txt`, size: text.length, lastModified: 1000 }));
  const source = { name: 'f', open: (path: string) => Promise.resolve(file(path.replace('.txt', ''))) };
  const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('reads nothing while paused, and hashes every file once it goes on', async () => {
    const store = new ChecksumStore();
    store.pause(true);
    let settled = false;
    const pass = store.compute(facts, source, false, () => undefined).finally(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    expect(facts.map((f) => store.knownFor(f, false))).toEqual([undefined, undefined, undefined]);
    store.pause(false);
    expect((await pass).doneFiles).toBe(3);
    expect(facts.map((f) => store.knownFor(f, false))).toEqual(
      texts.map((text) => ({ sha256: sha256(text) })),
    );
  });

  it('ends at once when cancelled while paused', async () => {
    const store = new ChecksumStore();
    store.pause(true);
    const pass = store.compute(facts, source, false, () => undefined);
    await tick();
    store.cancel();
    expect(await pass).toMatchObject({ cancelled: true, doneFiles: 0 });
  });
});

describe('ChecksumStore: the checksum pass and the upload share a hash under way', () => {
  /** A file whose bytes come only once `release()` is called, and which counts how often it is read. */
  function heldFile(text: string) {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const reads = { count: 0 };
    const bytes = new TextEncoder().encode(text);
    const held = {
      size: bytes.length,
      lastModified: 1000,
      stream: () => {
        reads.count += 1;
        return new ReadableStream<Uint8Array>({
          async pull(controller) {
            await released;
            controller.enqueue(bytes);
            controller.close();
          },
        });
      },
    } as unknown as File;
    return { held, release, reads };
  }

  it('an upload asking for a file the pass is hashing waits for that hash instead of reading the file again', async () => {
    const store = new ChecksumStore();
    const inPass = heldFile('specimen');
    const source = { name: 'f', open: () => Promise.resolve(inPass.held) };
    const facts = { path: 'a.txt', size: inPass.held.size, lastModified: 1000 };
    const pass = store.compute([facts], source, false, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const forUpload = heldFile('specimen');
    const sent = digestOf(store, 'a.txt', forUpload.held, false);
    inPass.release();
    forUpload.release();
    expect(await sent).toEqual({ sha256: sha256('specimen') });
    expect((await pass).doneFiles).toBe(1);
    expect(inPass.reads.count).toBe(1);
    expect(forUpload.reads.count).toBe(0);
  });

  it('a cancelled pass leaves the upload to hash the file itself', async () => {
    const store = new ChecksumStore();
    const inPass = heldFile('label');
    const source = { name: 'f', open: () => Promise.resolve(inPass.held) };
    const pass = store.compute(
      [{ path: 'b.txt', size: inPass.held.size, lastModified: 1000 }],
      source,
      false,
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    const forUpload = heldFile('label');
    const sent = digestOf(store, 'b.txt', forUpload.held, false);
    store.cancel();
    forUpload.release();
    expect(await sent).toEqual({ sha256: sha256('label') });
    expect((await pass).cancelled).toBe(true);
    expect(forUpload.reads.count).toBe(1);
  });

  it('a file an upload run takes is proven by XXH3-128 alone, and the pass stops hashing it and skips it', async () => {
    const store = new ChecksumStore();
    // Large enough to be read on its own (small files are read in groups, too quickly to be worth stopping).
    const herbarium = 'herbarium'.repeat(120_000);
    const inPass = heldFile(herbarium);
    const skipped = heldFile('sheet');
    const files = new Map([
      ['a.txt', inPass.held],
      ['b.txt', skipped.held],
    ]);
    const source = { name: 'f', open: (path: string) => Promise.resolve(files.get(path) as File) };
    const facts = [
      { path: 'a.txt', size: inPass.held.size, lastModified: 1000 },
      { path: 'b.txt', size: skipped.held.size, lastModified: 1000 },
    ];
    const pass = store.compute(facts.slice(0, 1), source, false, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 10));
    store.hold(['a.txt', 'b.txt']);
    const sent = file(herbarium);
    const [fast] = store.fastReadAll([{ path: 'a.txt', file: sent }]);
    expect(await fast).toEqual({ xxh3: await xxhash128(herbarium) });
    const outcome = await pass;
    expect(outcome).toMatchObject({ cancelled: false, failed: 0, doneFiles: 1 });
    expect(store.knownFor(facts[0] as (typeof facts)[0], false)).toBeUndefined();
    // A later pass leaves the held file alone: it reads nothing.
    expect((await store.compute(facts.slice(1), source, false, () => undefined)).failed).toBe(0);
    expect(skipped.reads.count).toBe(0);
    // The receiver's SHA-256 of the verified bytes is kept, and the file let go.
    store.adopt('a.txt', { size: sent.size, lastModified: 1000 }, { sha256: sha256(herbarium) });
    expect(store.knownFor(facts[0] as (typeof facts)[0], false)).toEqual({ sha256: sha256(herbarium) });
    store.release(['b.txt']);
    skipped.release();
    await store.compute(facts, source, false, () => undefined);
    expect(store.knownFor(facts[1] as (typeof facts)[1], false)).toEqual({ sha256: sha256('sheet') });
  });

  it('small files proven by XXH3-128 are read together; an unreadable one names itself', async () => {
    const store = new ChecksumStore();
    const sheet = 'sheet'.repeat(1000);
    const large = 's'.repeat(40_000);
    const together = store.fastReadAll([
      { path: 'label.jpg', file: file('label') },
      { path: 'empty.txt', file: file('') },
      { path: 'sheet.jpg', file: file(sheet) },
      { path: 'large.jpg', file: file(large) },
    ]);
    expect(await Promise.all(together)).toEqual([
      { xxh3: await xxhash128('label') },
      { xxh3: await xxhash128('') },
      { xxh3: await xxhash128(sheet) },
      { xxh3: await xxhash128(large) },
    ]);
    // One that cannot be read: the group is read file by file, so only that one fails, with its name.
    const gone = {
      size: 4,
      lastModified: 1000,
      stream: () => {
        throw new TypeError('gone');
      },
    };
    const [label, unreadable] = store.fastReadAll([
      { path: 'label.jpg', file: file('label') },
      { path: 'gone.jpg', file: gone as unknown as File },
    ]);
    await expect(unreadable).rejects.toThrow(/^gone\.jpg: /);
    expect(await label).toEqual({ xxh3: await xxhash128('label') });
    expect(store.knownFor({ path: 'label.jpg', size: 5, lastModified: 1000 }, false)).toBeUndefined();
  });
});
