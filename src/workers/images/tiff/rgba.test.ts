import { describe, expect, it } from 'vitest';
import { decoded, imageTags, pixelAt, tiff } from '../../../../tests/unit/images/tiff-files';

describe('decodeTiff hands ImageData straight alpha', () => {
  it('un-premultiplies associated alpha for ImageData', () => {
    const image = decoded(
      tiff([
        {
          tags: imageTags(1, 1, 8, 2, { 258: [8, 8, 8, 8], 277: [4], 338: [1] }),
          strip: Uint8Array.from([64, 32, 0, 128]),
        },
      ]),
    );
    expect(pixelAt(image, 0, 0)).toEqual([128, 64, 0, 128]);
  });
});
