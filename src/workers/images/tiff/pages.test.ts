import { describe, expect, it } from 'vitest';
import { decoded, imageTags, type Page, pixelAt, tiff } from '../../../../tests/unit/images/tiff-files';

describe('decodeTiff chooses the first full-resolution page', () => {
  const grey = (width: number, height: number, value: number, others: Page['tags'] = {}): Page => ({
    tags: imageTags(width, height, 8, 1, others),
    strip: new Uint8Array(width * height).fill(value),
  });
  const thumbnail = (value: number) => grey(2, 2, value, { 254: [1] });

  it.each<[string, ArrayBuffer, [number, number, number], string[]]>([
    ['a thumbnail first, then the page', tiff([thumbnail(9), grey(4, 4, 200)]), [4, 4, 200], []],
    [
      'a thumbnail whose SubIFDs hold a reduced and the full-resolution image',
      tiff([{ ...thumbnail(9), subPages: [thumbnail(8), grey(6, 6, 150)] }]),
      [6, 6, 150],
      [],
    ],
    [
      'a pyramid: the full-resolution page with its reductions in SubIFDs',
      tiff([{ ...grey(8, 8, 100), subPages: [grey(4, 4, 50, { 254: [1] }), grey(2, 2, 25, { 254: [1] })] }]),
      [8, 8, 100],
      [],
    ],
    [
      'a page whose next-directory offset points back at itself',
      tiff([grey(3, 3, 70)], { nextOfLast: 0 }),
      [3, 3, 70],
      [],
    ],
    [
      'two pages whose chain loops back to the first',
      tiff([grey(3, 3, 70), grey(5, 5, 90)], { nextOfLast: 0 }),
      [3, 3, 70],
      ['it has 2 pages; the web copy shows the first.'],
    ],
  ])('%s', (_, bytes, [width, height, value], notes) => {
    const image = decoded(bytes);
    expect([image.width, image.height, pixelAt(image, 0, 0)[0], image.notes]).toEqual([
      width,
      height,
      value,
      notes,
    ]);
  });
});
