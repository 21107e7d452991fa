import { describe, expect, it } from 'vitest';
import { SourceSuggester, type SourceSuggestion } from '#core/filelists/source-suggestion';
import { suffixList } from '#core/filelists/source-template';

const plates = [
  'images/P1/A01/A01_DAPI.tif',
  'images/P1/A01/A01_GFP.tif',
  'images/P2/A01/A01_DAPI.tif',
  'images/P2/A01/A01_GFP.tif',
];

describe('SourceSuggester', () => {
  it.each<[string, string, number, string, string[], SourceSuggestion | undefined]>([
    [
      'a mirrored tree, by its sub-folders and the name without the suffix',
      'masks/P2/A01/A01_DAPI_mask.png',
      1,
      '_mask',
      plates,
      { template: 'images/{subdir}/{base}.tif', source: 'images/P2/A01/A01_DAPI.tif' },
    ],
    [
      'a mirrored tree, naming the suffix the set lacks',
      'masks/P1/A01/A01_GFP_labels.png',
      1,
      '_mask',
      plates,
      { template: 'images/{subdir}/{base}.tif', suffix: '_labels', source: 'images/P1/A01/A01_GFP.tif' },
    ],
    [
      'a tree with its levels swapped',
      'masks/A01/P2/A01_DAPI_mask.png',
      1,
      '_mask',
      ['images/P2/A01/A01_DAPI.tif'],
      { template: 'images/{subdir2}/{subdir1}/{base}.tif', source: 'images/P2/A01/A01_DAPI.tif' },
    ],
    [
      'a flat folder, by the same name',
      'masks/b.png',
      1,
      '',
      ['images/b.tif', 'raw/b.tif'],
      { template: 'images/{stem}.tif', source: 'images/b.tif' },
    ],
    [
      'images beside the set’s folder, by its parent',
      'study/masks/a.png',
      2,
      '',
      ['study/raw/a.ome.tif', 'other/raw/a.ome.tif'],
      { template: '{parent}/raw/{stem}.ome.tif', source: 'study/raw/a.ome.tif' },
    ],
    [
      'images in a folder inside the annotation’s',
      'masks/a.png',
      1,
      '',
      ['masks/raw/a.tif'],
      { template: '{dir}/raw/{stem}.tif', source: 'masks/raw/a.tif' },
    ],
    ['no image with a name like it', 'masks/c_mask.png', 1, '_mask', ['images/a.tif'], undefined],
    // Only a wildcard could write the source's name, which would take both.
    ['a source whose name holds a *', 'masks/a.png', 1, '', ['im*/a.tif', 'imx/a.tif'], undefined],
  ])('suggests for %s', (_, annotation, depth, suffixes, candidates, expected) => {
    const suggester = new SourceSuggester(candidates, depth, suffixList(suffixes));
    expect(suggester.suggest(annotation)).toEqual(expected);
  });

  it('suggests no template the set already uses, unless it needs another suffix', () => {
    const suggester = new SourceSuggester(['images/b.jpg', 'images/b.tif', 'images/c.tif'], 1, []);
    expect(suggester.suggest('masks/b.png', 'images/{stem}.jpg')).toBeUndefined();
    expect(suggester.suggest('masks/b.png', 'images/{stem}.*')).toEqual({
      template: 'images/{stem}.jpg',
      source: 'images/b.jpg',
    });
    expect(suggester.suggest('masks/c_seg.png', 'images/{base}.tif')).toEqual({
      template: 'images/{base}.tif',
      suffix: '_seg',
      source: 'images/c.tif',
    });
  });
});
