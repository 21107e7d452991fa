import { describe, expect, it } from 'vitest';
import { closestSources, mirrors, sharedFolders } from '#core/filelists/source-ranking';
import { placeOf } from '#core/filelists/source-template';

describe('mirrors', () => {
  it.each([
    ['masks/P1/A01/a_mask.png', 1, 'images/P1/A01/a.tif', true],
    ['masks/P1/A01/a_mask.png', 1, 'images/P2/A01/a.tif', false],
    ['masks/P1/A01/a_mask.png', 1, 'images/P1/A01/x/a.tif', false],
    ['masks/P1/A01/a_mask.png', 1, 'P1/A01/a.tif', false],
    ['study/masks/P1/A01/a.png', 2, 'study/images/P1/A01/a.tif', true],
    ['study/masks/P1/A01/a.png', 2, 'other/images/P1/A01/a.tif', true],
    ['masks/a.png', 1, 'images/a.tif', true],
    ['masks/a.png', 1, 'a.tif', false],
    ['P1/A01/a_mask.png', 0, 'P1/A01/a.tif', true],
    ['P1/A01/a_mask.png', 0, 'P2/A01/a.tif', false],
  ])('%s (set folder of %i) is mirrored by %s: %s', (annotation, depth, candidate, expected) => {
    expect(mirrors(placeOf(annotation, depth), candidate)).toBe(expected);
  });
});

describe('sharedFolders', () => {
  it.each([
    ['s1/masks/P1/A01/a.png', 's1/images/P1/A01/a.tif', 3],
    ['s1/masks/P1/A01/a.png', 's2/images/P1/A01/a.tif', 2],
    ['s1/masks/P1/A01/a.png', 's1/images/P2/A01/a.tif', 2],
    ['masks/a.png', 'masks/a.tif', 1],
    ['masks/a.png', 'a.tif', 0],
    // No folder counts twice, from the top and from the bottom.
    ['a/a/a.png', 'a/a.tif', 1],
  ])('%s and %s share %i', (annotation, candidate, shared) => {
    expect(sharedFolders(placeOf(annotation, 0), candidate)).toBe(shared);
  });
});

describe('closestSources', () => {
  it.each<[string, number, string[], string[]]>([
    [
      'masks/P2/A01/A01_DAPI_mask.png',
      1,
      ['images/P1/A01/A01_DAPI.tif', 'images/P2/A01/A01_DAPI.tif'],
      ['images/P2/A01/A01_DAPI.tif'],
    ],
    [
      's1/masks/P1/a.png',
      2,
      ['s1/images/P1/a.tif', 's2/images/P1/a.tif', 's1/images/P2/a.tif'],
      ['s1/images/P1/a.tif'],
    ],
    // A flat set of masks names neither plate.
    ['masks/a.png', 1, ['images/P1/a.tif', 'images/P2/a.tif'], ['images/P1/a.tif', 'images/P2/a.tif']],
    ['masks/a.png', 1, ['images/a.tif', 'raw/a.tif'], ['images/a.tif', 'raw/a.tif']],
    // Selected by a name pattern, masks have no set folder: the folders shared from the bottom decide.
    ['masks/P1/A01/a_mask.png', 0, ['images/P2/A01/a.tif', 'images/P1/A01/a.tif'], ['images/P1/A01/a.tif']],
    ['masks/a.png', 1, [], []],
  ])('of %s (set folder of %i) among %j keeps %j', (annotation, depth, candidates, closest) => {
    expect(closestSources(placeOf(annotation, depth), candidates)).toEqual(closest);
  });
});
