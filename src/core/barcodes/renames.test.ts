import { describe, expect, it } from 'vitest';
import { planRenames } from '#core/barcodes/renames';

const plan = (suggested: Record<string, string>, others: string[] = []) =>
  planRenames(new Map(Object.entries(suggested)), [...Object.keys(suggested), ...others]).map(
    (r) => `${r.from} → ${r.to}`,
  );

describe('planRenames', () => {
  it.each([
    {
      what: 'one image takes the barcode as its name, with its extension in lower case',
      suggested: { 'day1/IMG_0001.JPG': '1390992' },
      others: [],
      expected: ['day1/IMG_0001.JPG → day1/1390992.jpg'],
    },
    {
      what: 'several images of one specimen get _a, _b in path order',
      suggested: { 'IMG_0002.JPG': 'BR1', 'IMG_0001.JPG': 'BR1', 'IMG_0003.JPG': 'BR2' },
      others: [],
      expected: ['IMG_0001.JPG → BR1_a.jpg', 'IMG_0002.JPG → BR1_b.jpg', 'IMG_0003.JPG → BR2.jpg'],
    },
    {
      what: 'a name already in the folder is never given, whatever its case',
      suggested: { 'IMG_0001.JPG': 'BR1' },
      others: ['br1.jpg', 'BR1_a.jpg'],
      expected: ['IMG_0001.JPG → BR1_b.jpg'],
    },
    {
      what: 'the same specimen in two folders is named in each',
      suggested: { 'a/IMG_1.jpg': 'BR1', 'b/IMG_1.jpg': 'BR1' },
      others: [],
      expected: ['a/IMG_1.jpg → a/BR1.jpg', 'b/IMG_1.jpg → b/BR1.jpg'],
    },
  ])('$what', ({ suggested, others, expected }) => expect(plan(suggested, others)).toEqual(expected));

  it('runs past z to aa', () => {
    const suggested = Object.fromEntries(
      Array.from({ length: 28 }, (_, i) => [`IMG_${String(i).padStart(4, '0')}.jpg`, 'X']),
    );
    expect(plan(suggested).slice(25)).toEqual([
      'IMG_0025.jpg → X_z.jpg',
      'IMG_0026.jpg → X_aa.jpg',
      'IMG_0027.jpg → X_ab.jpg',
    ]);
  });
});
