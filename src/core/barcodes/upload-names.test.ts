import { describe, expect, it } from 'vitest';
import { UploadNames } from '#core/barcodes/upload-names';

describe('UploadNames', () => {
  const names = new UploadNames([
    ['day1/IMG_0001.JPG', 'day1/1390992.jpg'],
    ['day1/IMG_0002.JPG', 'day1/BR1_a.jpg'],
  ]);

  it('gives a renamed file its upload path and leaves the others alone', () => {
    expect(names.of('day1/IMG_0001.JPG')).toBe('day1/1390992.jpg');
    expect(names.of('day1/MICH-V-1.jpg')).toBe('day1/MICH-V-1.jpg');
    expect(names.originalOf('day1/BR1_a.jpg')).toBe('day1/IMG_0002.JPG');
    expect(names.originalOf('day1/MICH-V-1.jpg')).toBeUndefined();
  });

  it('renames items in place of order, keeping their other fields', () => {
    const files = [
      { path: 'day1/MICH-V-1.jpg', size: 1 },
      { path: 'day1/IMG_0001.JPG', size: 2 },
    ];
    expect(names.rename(files)).toEqual([
      { path: 'day1/MICH-V-1.jpg', size: 1 },
      { path: 'day1/1390992.jpg', size: 2 },
    ]);
  });

  it('rekeys a map by upload path', () => {
    const sums = new Map([
      ['day1/IMG_0002.JPG', 'abc'],
      ['other.jpg', 'def'],
    ]);
    expect([...names.rekey(sums)]).toEqual([
      ['day1/BR1_a.jpg', 'abc'],
      ['other.jpg', 'def'],
    ]);
  });

  it('gives a file named again only its latest name', () => {
    const again = new UploadNames([['a.jpg', 'X.jpg']]);
    again.set('a.jpg', 'Y.jpg');
    expect(again.of('a.jpg')).toBe('Y.jpg');
    expect(again.originalOf('X.jpg')).toBeUndefined();
    expect(again.pairs()).toEqual([['a.jpg', 'Y.jpg']]);
  });

  it('returns the same objects when nothing is renamed', () => {
    const empty = new UploadNames();
    const files = [{ path: 'a.jpg' }];
    const map = new Map([['a.jpg', 1]]);
    expect(empty.rename(files)).toBe(files);
    expect(empty.rekey(map)).toBe(map);
  });
});
