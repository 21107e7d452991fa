import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoreShare, IN_USE_MS } from './core-share';

describe('CoreShare', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const share = (cores: number) => new CoreShare(cores, () => Date.now());

  it('gives every core to image jobs while nothing else runs', () => {
    const s = share(4);
    expect([s.take(), s.take(), s.take(), s.take(), s.take()]).toEqual([true, true, true, true, false]);
    expect(s.running).toBe(4);
  });

  it('keeps one core free while other work holds a claim, and gives it back when that work ends', () => {
    const s = share(2);
    const release = s.claim();
    expect(s.allowed).toBe(1);
    expect([s.take(), s.take()]).toEqual([true, false]);
    const freed = vi.fn();
    s.onFreed(freed);
    release();
    release();
    expect(freed).toHaveBeenCalledTimes(1);
    expect(s.allowed).toBe(2);
    expect(s.take()).toBe(true);
  });

  it('never goes below one image job, even on one core with other work running', () => {
    const s = share(1);
    s.claim();
    expect(s.allowed).toBe(1);
  });

  it('shrinks while the page is in use and grows back, saying so, once it has been quiet for a while', () => {
    const s = share(2);
    const freed = vi.fn();
    s.onFreed(freed);
    s.pageInUse();
    expect(s.allowed).toBe(1);
    vi.advanceTimersByTime(IN_USE_MS - 500);
    s.pageInUse();
    vi.advanceTimersByTime(IN_USE_MS - 1);
    expect(s.allowed).toBe(1);
    expect(freed).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(s.allowed).toBe(2);
    expect(freed).toHaveBeenCalledTimes(1);
  });

  it('does not stop running jobs when it shrinks: new ones wait until one gives its permit back', () => {
    const s = share(2);
    s.take();
    s.take();
    s.pageInUse();
    s.give();
    expect(s.take()).toBe(false);
    s.give();
    expect(s.take()).toBe(true);
  });
});
