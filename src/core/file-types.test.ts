import { describe, expect, it } from 'vitest';
import { fileKind } from '#core/file-types';

describe('fileKind', () => {
  it.each([
    ['a/IMG_0001.JPG', 'JPEG', 'image/jpeg'],
    ['deriva/images/Abc-1.ome.tif', 'OME-TIFF', 'image/tiff'],
    ['scan.v2.tif', 'TIFF', 'image/tiff'],
    ['stack.czi', 'CZI', 'application/octet-stream'],
    ['notes.md', 'MD', 'application/octet-stream'],
    ['README', 'Other', 'application/octet-stream'],
    ['.hidden', 'Other', 'application/octet-stream'],
  ])('calls %s a %s file sent as %s', (path, label, mime) => {
    expect(fileKind(path)).toEqual({ label, mime });
  });
});
