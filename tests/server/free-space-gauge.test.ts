import { describe, expect, it } from 'vitest';
import { FreeSpaceGauge } from '../../server/disk-space.ts';

/** A disk whose free space the test sets, counting how often it is read, on a clock the test moves. */
function disk(free: number) {
  const state = { free, reads: 0, now: 0 };
  const read = () => {
    state.reads += 1;
    return Promise.resolve(state.free);
  };
  const gauge = new FreeSpaceGauge(read, 100, { maxAgeMs: 1000, now: () => state.now });
  return { state, gauge };
}

describe('FreeSpaceGauge', () => {
  it('reads the disk once for many small grants within a second', async () => {
    const { state, gauge } = disk(10_000);
    for (let i = 0; i < 50; i += 1) expect(await gauge.refuses(10)).toBeUndefined();
    expect(state.reads).toBe(1);
  });

  it('counts what it granted since its reading, and reads again before refusing', async () => {
    const { state, gauge } = disk(1_000);
    expect(await gauge.refuses(400)).toBeUndefined();
    expect(await gauge.refuses(400)).toBeUndefined();
    expect(state.reads).toBe(1);
    // 200 left above the 100 reserve by its count: the next 300 make it look at the disk, which has room again.
    state.free = 5_000;
    expect(await gauge.refuses(300)).toBeUndefined();
    expect(state.reads).toBe(2);
  });

  it('refuses with the free space it has just read', async () => {
    const { state, gauge } = disk(1_000);
    expect(await gauge.refuses(400)).toBeUndefined();
    state.free = 350;
    expect(await gauge.refuses(700)).toBe(350);
  });

  it('reads afresh after a refusal, so space freed by hand is seen at the next try', async () => {
    const { state, gauge } = disk(150);
    expect(await gauge.refuses(100)).toBe(150);
    state.free = 10_000;
    expect(await gauge.refuses(100)).toBeUndefined();
    expect(state.reads).toBe(2);
  });

  it('reads the disk again once its reading is a second old', async () => {
    const { state, gauge } = disk(10_000);
    expect(await gauge.refuses(10)).toBeUndefined();
    state.now = 999;
    expect(await gauge.refuses(10)).toBeUndefined();
    expect(state.reads).toBe(1);
    state.now = 1000;
    state.free = 50;
    expect(await gauge.refuses(10)).toBe(50);
    expect(state.reads).toBe(2);
  });
});
