import { describe, expect, it } from 'vitest';
import { UploadQueue, type QueueItem } from '#core/upload-queue';

const items = (n: number, size = 10): QueueItem[] =>
  Array.from({ length: n }, (_, id) => ({ id, size, key: `k${id}` }));
const ids = (list: readonly QueueItem[]) => list.map((i) => i.id);

describe('UploadQueue', () => {
  it('hands out a bounded window in queue order', () => {
    const q = new UploadQueue(items(5));
    expect(ids(q.take(2))).toEqual([0, 1]);
    expect(ids(q.take(2))).toEqual([2, 3]);
    expect(q.totals).toMatchObject({ waiting: 1, active: 4 });
  });

  it('refills the window as files finish and counts done bytes', () => {
    const q = new UploadQueue(items(3, 100));
    q.take(2);
    q.markDone(0);
    expect(ids(q.take(1))).toEqual([2]);
    expect(q.totals).toMatchObject({ done: 1, active: 2, waiting: 0, doneBytes: 100, bytes: 300 });
    expect(q.settled).toBe(false);
    q.markDone(1);
    q.markFailed(2);
    expect(q.settled).toBe(true);
  });

  it('holds back a file whose key is already in the window until the other leaves', () => {
    const q = new UploadQueue([
      { id: 0, size: 1, key: 'a/img.jpg' },
      { id: 1, size: 1, key: 'a/img.jpg' },
      { id: 2, size: 1, key: 'b.jpg' },
    ]);
    expect(ids(q.take(3))).toEqual([0, 2]);
    expect(ids(q.take(3))).toEqual([]);
    q.markDone(0);
    expect(ids(q.take(3))).toEqual([1]);
  });

  it('puts a failed file back at the end when retried, and only failed or cancelled ones', () => {
    const q = new UploadQueue(items(3));
    q.take(1);
    q.markFailed(0);
    expect(q.failedIds()).toEqual([0]);
    expect(q.retry(1)).toBe(false);
    expect(q.retry(0)).toBe(true);
    expect(ids(q.take(5))).toEqual([1, 2, 0]);
    expect(q.failedIds()).toEqual([]);
  });

  it('cancels what waits and what is in flight, and reports the files that were in flight', () => {
    const q = new UploadQueue(items(4));
    q.take(2);
    q.markDone(0);
    expect(q.cancelAll()).toEqual([1]);
    expect(q.totals).toMatchObject({ done: 1, cancelled: 3, waiting: 0, active: 0 });
    expect(q.take(4)).toEqual([]);
    expect(q.retry(2)).toBe(true);
    expect(ids(q.take(4))).toEqual([2]);
  });

  it('takes more files while it runs, and refuses an id it already holds', () => {
    const q = new UploadQueue(items(2));
    q.take(2);
    q.add([{ id: 7, size: 5, key: 'k7' }]);
    expect(q.has(7)).toBe(true);
    expect(ids(q.take(2))).toEqual([7]);
    expect(q.totals).toMatchObject({ files: 3, bytes: 25, active: 3 });
    expect(() => q.add([{ id: 0, size: 1, key: 'x' }])).toThrow('Duplicate queue id 0');
  });

  it('ignores a second finish of the same file', () => {
    const q = new UploadQueue(items(1, 7));
    q.take(1);
    q.markDone(0);
    q.markDone(0);
    q.markFailed(0);
    expect(q.totals).toMatchObject({ done: 1, failed: 0, doneBytes: 7 });
  });

  it('stays linear for 100,000 files fed through a small window', () => {
    const q = new UploadQueue(items(100_000));
    let seen = 0;
    for (let batch = q.take(64); batch.length > 0; batch = q.take(64)) {
      for (const item of batch) q.markDone(item.id);
      seen += batch.length;
    }
    expect(seen).toBe(100_000);
    expect(q.totals.done).toBe(100_000);
  });
});
