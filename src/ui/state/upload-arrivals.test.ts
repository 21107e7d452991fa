import { describe, expect, it } from 'vitest';
import type { Arrival } from '#core/filelists/context';
import { keepArrivals } from '../../workers/file-lists';
import { Arrivals, type Arrived } from './upload-arrivals';

const arrived = (storedPath: string, sha256 = 'a'.repeat(64)): Arrived => ({
  storedPath,
  uploadUrl: `/files/${storedPath.length}`,
  sha256,
  md5: '',
  verified: 'sha-256',
});

const row = (path: string) => ({ path, size: 10 });

/** The folder worker's side: what it holds after taking in each hand-over. */
class WorkerSide {
  kept = new Map<string, Arrival>();
  handOvers: number[] = [];

  take(arrivals: Arrivals): void {
    const delta = arrivals.handOver(this);
    if (!delta) return;
    this.handOvers.push(delta.text.paths === '' ? 0 : delta.text.paths.split('\u0000').length);
    this.kept = keepArrivals(this.kept, delta);
  }
}

describe('arrivals handed over to the folder worker', () => {
  it('hands a worker all arrivals once, then only those since, and nothing when it has them all', () => {
    const arrivals = new Arrivals();
    const worker = new WorkerSide();
    arrivals.set(row('a/1.jpg'), arrived('b/data/a/1.jpg'), 'a/1.jpg');
    arrivals.set(row('a/2.jpg'), arrived('b/data/a/2.jpg'), 'a/2.jpg');
    worker.take(arrivals);
    arrivals.set(row('a/3.jpg'), arrived('b/data/a/3.jpg'), 'a/3.jpg');
    worker.take(arrivals);
    worker.take(arrivals);

    expect(worker.handOvers).toEqual([2, 1]);
    expect([...worker.kept.keys()]).toEqual(['a/1.jpg', 'a/2.jpg', 'a/3.jpg']);
    expect(worker.kept.get('a/3.jpg')).toEqual({
      storedPath: 'b/data/a/3.jpg',
      uploadUrl: '/files/14',
      sha256: 'a'.repeat(64),
      verified: 'sha-256',
    });
  });

  it('replaces a file that arrived again with its new arrival', () => {
    const arrivals = new Arrivals();
    const worker = new WorkerSide();
    arrivals.set(row('x.tif'), arrived('b/data/x.tif', '1'.repeat(64)), 'x.tif');
    worker.take(arrivals);
    arrivals.set(row('x.tif'), arrived('b/data/x (2).tif', '2'.repeat(64)), 'x.tif');
    worker.take(arrivals);

    expect(worker.kept.size).toBe(1);
    expect(worker.kept.get('x.tif')).toMatchObject({
      storedPath: 'b/data/x (2).tif',
      sha256: '2'.repeat(64),
    });
  });

  it('hands a new worker everything, from a reset', () => {
    const arrivals = new Arrivals();
    const first = new WorkerSide();
    arrivals.set(row('a.jpg'), arrived('b/data/a.jpg'), 'a.jpg');
    first.take(arrivals);
    arrivals.set(row('b.jpg'), arrived('b/data/b.jpg'), 'b.jpg');
    const second = new WorkerSide();
    second.kept.set('stale.jpg', { storedPath: 'old/data/stale.jpg' });
    second.take(arrivals);

    expect(second.handOvers).toEqual([2]);
    expect([...second.kept.keys()]).toEqual(['a.jpg', 'b.jpg']);
  });

  it("makes a worker forget the last batch's arrivals once they are cleared, even when none came since", () => {
    const arrivals = new Arrivals();
    const worker = new WorkerSide();
    arrivals.set(row('a.jpg'), arrived('b/data/a.jpg'), 'a.jpg');
    worker.take(arrivals);
    arrivals.clear();
    worker.take(arrivals);

    expect(worker.handOvers).toEqual([1, 0]);
    expect(worker.kept.size).toBe(0);
    worker.take(arrivals);
    expect(worker.handOvers).toEqual([1, 0]);
  });
});
