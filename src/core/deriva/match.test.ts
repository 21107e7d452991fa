import { describe, expect, it } from 'vitest';
import { readDerivaConfig, type DerivaConfig } from '#core/deriva/config';
import { findMapping, matchedPath } from '#core/deriva/match';

function configOf(json: object): DerivaConfig {
  const reading = readDerivaConfig(JSON.stringify(json), 'test.json');
  if (!reading.ok) throw new Error(reading.problems.join(' '));
  return reading.config;
}

const config = configOf({
  asset_mappings: [
    {
      dir_pattern: '/(?P<study>[^/]+)/(?P<kind>raw)/',
      ext_pattern: '[.](?P<kind>tif)$',
      file_pattern: '/(?P<id>[A-Z]+\\d+)(?:_(?P<kind>[a-z]+))?[.]',
      target_table: ['S', 'Raw'],
    },
    { dir_pattern: '/images/', ext_pattern: '[.]jpg$', target_table: ['S', 'Image'] },
    { target_table: ['S', 'Other'] },
  ],
});

describe('matchedPath', () => {
  it('puts the picked folder first, or keeps the relative path when the config validates relative paths', () => {
    expect(matchedPath('a/b.tif', 'batch', false)).toBe('/batch/a/b.tif');
    expect(matchedPath('a/b.tif', 'batch', true)).toBe('a/b.tif');
  });
});

describe('findMapping', () => {
  it('merges groups file over ext over dir; a file group left unmatched wipes the value, as dict.update(None) does', () => {
    expect(findMapping(config, '/b/s1/raw/K12_mask.tif')?.groups).toEqual({
      study: 's1',
      kind: 'mask',
      id: 'K12',
    });
    expect(findMapping(config, '/b/s1/raw/K12.tif')?.groups).toEqual({
      study: 's1',
      kind: undefined,
      id: 'K12',
    });
  });

  it('matches ext_pattern ignoring case, dir_pattern and file_pattern not', () => {
    expect(findMapping(config, '/b/s1/raw/K12.TIF')?.mapping.index).toBe(0);
    expect(findMapping(config, '/b/s1/RAW/K12.tif')?.mapping.index).toBe(2);
    expect(findMapping(config, '/b/s1/raw/k12.tif')?.mapping.index).toBe(2);
  });

  it('searches anywhere in the path and takes the first mapping that fits', () => {
    expect(findMapping(config, '/x/images/deep/a.JPG')?.mapping.label).toBe('mapping 1 (S:Image)');
    expect(findMapping(config, '/x/s1/raw/images/K1.jpg')?.mapping.index).toBe(1);
  });

  it('lets a mapping without patterns take every file', () => {
    expect(findMapping(config, '/x/notes.txt')?.mapping.index).toBe(2);
    expect(findMapping(configOf({ asset_mappings: [{ file_pattern: 'x' }] }), '/a/b')).toBeUndefined();
  });
});
