import { describe, expect, it } from 'vitest';
import { globText } from '#core/filelists/path-template';
import {
  baseName,
  baseStem,
  filledGlob,
  parseSourceTemplate,
  placeOf,
  placeholderValue,
  suffixList,
  templateExample,
} from '#core/filelists/source-template';

describe('suffixList', () => {
  it('trims the suffixes, drops empty ones and repeats, and puts the longest first', () => {
    expect(suffixList(' _2 , _mask_2,,_mask, _2')).toEqual(['_mask_2', '_mask', '_2']);
    expect(suffixList(' , ')).toEqual([]);
  });
});

describe('baseStem', () => {
  it.each([
    ['img_01.png', 'img_01'],
    ['img_01.ome.tif', 'img_01'],
    ['img_01.OME.TIFF', 'img_01'],
    ['brain.nii.gz', 'brain'],
    ['a.b.tif', 'a.b'],
    ['noext', 'noext'],
  ])('reads %s as %s', (name, expected) => {
    expect(baseStem(name)).toBe(expected);
  });
});

describe('parseSourceTemplate', () => {
  it('reads text and placeholders', () => {
    expect(parseSourceTemplate('{parent}/raw/{stem}.*')).toEqual({
      pieces: [
        { kind: 'text', text: '' },
        { kind: 'placeholder', name: 'parent' },
        { kind: 'text', text: '/raw/' },
        { kind: 'placeholder', name: 'stem' },
        { kind: 'text', text: '.*' },
      ],
      problems: [],
    });
  });

  it.each([
    ['', 'is empty; write where the source sits, such as images/{subdir}/{base}.*'],
    [
      '{folder}/{stem}.tif',
      "uses {folder}, which is not one of {dir}, {parent}, {subdir}, {subdir1}, {subdir2} …, {stem}, {base} and {ext}; write the source's path with those, such as images/{subdir}/{base}.*",
    ],
    [
      '{Stem}.tif',
      "uses {Stem}, which is not one of {dir}, {parent}, {subdir}, {subdir1}, {subdir2} …, {stem}, {base} and {ext}; write the source's path with those, such as images/{subdir}/{base}.*",
    ],
    [
      '{subdir0}/{stem}.tif',
      "uses {subdir0}, which is not one of {dir}, {parent}, {subdir}, {subdir1}, {subdir2} …, {stem}, {base} and {ext}; write the source's path with those, such as images/{subdir}/{base}.*",
    ],
    ['{stem.tif', 'has a brace that does not close a placeholder; write placeholders as {stem}'],
  ])('refuses %j', (template, problem) => {
    expect(parseSourceTemplate(template).problems).toContain(problem);
  });
});

describe('baseName', () => {
  it.each([
    ['A01_DAPI_mask.png', 'A01_DAPI'],
    ['A01_DAPI_labels.ome.tif', 'A01_DAPI'],
    ['A01_DAPI.png', 'A01_DAPI'],
    ['_mask.png', '_mask'],
  ])('reads %s as %s with _mask and _labels', (name, expected) => {
    expect(baseName(name, suffixList('_mask, _labels'))).toBe(expected);
  });
});

describe('placeholderValue', () => {
  const suffixes = suffixList('_mask, _labels');

  it.each([
    ['dir', 'study/masks/P1/A01'],
    ['parent', 'study/masks/P1'],
    ['subdir', 'P1/A01'],
    ['subdir1', 'P1'],
    ['subdir2', 'A01'],
    ['subdir3', ''],
    ['stem', 'A01_DAPI_mask.ome'],
    ['base', 'A01_DAPI'],
    ['ext', 'png'],
  ])('reads {%s} of study/masks/P1/A01/A01_DAPI_mask.ome.png in study/masks/ as %j', (name, value) => {
    const place = placeOf('study/masks/P1/A01/A01_DAPI_mask.ome.png', 2);
    expect(placeholderValue(name, place, suffixes)).toBe(value);
  });

  it.each([
    [0, 'P1/A01/a.png', 'P1/A01'],
    [1, 'masks/a.png', ''],
    [3, 'masks/a.png', ''],
    [0, 'a.png', ''],
  ])('with %i folders of the set, reads {subdir} of %s as %j', (depth, path, subdir) => {
    expect(placeholderValue('subdir', placeOf(path, depth), suffixes)).toBe(subdir);
  });
});

describe('filledGlob', () => {
  it.each([
    ['images/{subdir}/{base}.tif', 'masks/P1/A01/A01_DAPI_mask.png', 'images/P1/A01/A01_DAPI.tif'],
    ['images/{subdir}/{base}.tif', 'masks/A01_DAPI_mask.png', 'images/A01_DAPI.tif'],
    ['images/{subdir2}/{subdir1}/{base}.*', 'masks/P1/A01/A01_DAPI_labels.png', 'images/A01/P1/A01_DAPI.*'],
    ['{parent}/images/{stem}.{ext}', 'study/masks/a.png', 'study/images/a.png'],
  ])('fills %s for %s as %s', (template, annotation, filled) => {
    const { pieces } = parseSourceTemplate(template);
    const glob = filledGlob(pieces, placeOf(annotation, 1), suffixList('_mask, _labels'));
    expect(globText(glob)).toBe(filled);
  });
});

describe('templateExample', () => {
  it('gives every placeholder its value in the annotation, one per level, and the path looked for', () => {
    expect(
      templateExample('images/{subdir}/{base}.*', '_mask', 'masks/', 'masks/P1/A01/A01_DAPI_mask.png'),
    ).toEqual({
      annotation: 'masks/P1/A01/A01_DAPI_mask.png',
      values: [
        ['dir', 'masks/P1/A01'],
        ['parent', 'masks/P1'],
        ['subdir', 'P1/A01'],
        ['subdir1', 'P1'],
        ['subdir2', 'A01'],
        ['stem', 'A01_DAPI_mask'],
        ['base', 'A01_DAPI'],
        ['ext', 'png'],
      ],
      filled: 'images/P1/A01/A01_DAPI.*',
    });
  });

  it('has no level of {subdir} for an annotation right in the set’s folder, and no path for a broken template', () => {
    const example = templateExample('images/{plate}/{stem}.tif', '', 'masks/', 'masks/a.png');
    expect(example.values.map(([name]) => name)).toEqual(['dir', 'parent', 'subdir', 'stem', 'base', 'ext']);
    expect(example.filled).toBeUndefined();
  });
});
