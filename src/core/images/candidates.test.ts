import { describe, expect, it } from 'vitest';
import { isImageFile } from '#core/images/candidates';

describe('isImageFile', () => {
  it.each([
    'a.jpg',
    'b/C.JPEG',
    'x.png',
    'x.tif',
    'x.ome.tiff',
    'x.webp',
    'x.heic',
    'x.jp2',
    'x.czi',
    'x.lif',
    'x.nd2',
  ])('%s is an image', (path) => expect(isImageFile(path)).toBe(true));
  it.each(['records.csv', 'notes.txt', 'movie.mp4', 'data.dat', 'README', 'x.json'])('%s is not', (path) =>
    expect(isImageFile(path)).toBe(false),
  );
});
