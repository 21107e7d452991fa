import { describe, expect, it } from 'vitest';
import { ProgressMeter } from '#core/progress-meter';

describe('ProgressMeter', () => {
  it('knows no speed from a single sample', () => {
    const m = new ProgressMeter();
    expect(m.record(0, 0, 100)).toEqual({ bytesPerSecond: 0, secondsLeft: Infinity });
  });

  it('measures bytes per second and the time left at that speed', () => {
    const m = new ProgressMeter();
    m.record(0, 0, 1000);
    expect(m.record(2000, 200, 1000)).toEqual({ bytesPerSecond: 100, secondsLeft: 8 });
  });

  it('follows a slowdown once old samples leave the window', () => {
    const m = new ProgressMeter(1000);
    m.record(0, 0, 10_000);
    m.record(1000, 1000, 10_000);
    m.record(2000, 1100, 10_000);
    expect(m.record(3000, 1200, 10_000).bytesPerSecond).toBe(100);
  });

  it('says zero seconds left when everything is done, and starts over after a reset', () => {
    const m = new ProgressMeter();
    m.record(0, 0, 10);
    expect(m.record(1000, 10, 10).secondsLeft).toBe(0);
    m.reset();
    expect(m.record(5000, 10, 20).bytesPerSecond).toBe(0);
  });
});
