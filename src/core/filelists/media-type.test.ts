import { describe, expect, it } from 'vitest';
import { webImageType } from '#core/filelists/media-type';

describe('webImageType', () => {
  it.each([
    ['ASU-L-0001234_a.jpg', 'image/jpeg'],
    ['drawer/ASU-L-0001234.JPEG', 'image/jpeg'],
    ['label.png', 'image/png'],
    ['anim.gif', 'image/gif'],
    ['x_med.webp', 'image/webp'],
  ])('gives %j the type %j', (path, type) => {
    expect(webImageType(path)).toBe(type);
  });

  it.each([
    ['scan.tif'],
    ['scan.TIFF'],
    ['x.ome.tif'],
    ['photo.heic'],
    ['photo.avif'],
    ['records.csv'],
    ['jpg'],
    ['README'],
  ])('gives %j no type, as a browser does not show it', (path) => {
    expect(webImageType(path)).toBeUndefined();
  });
});
