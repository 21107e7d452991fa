import { describe, expect, it } from 'vitest';
import { pythonTruthy, readDerivaConfig, stob } from '#core/deriva/config';
import { fixtureConfig } from '../../../tests/fixtures/deriva/configs';

function problemsOf(text: string): readonly string[] {
  const reading = readDerivaConfig(text, 'config.json');
  return reading.ok ? [] : reading.problems;
}

describe('readDerivaConfig', () => {
  it("compiles the RBK config's one mapping with its groups in pattern order", () => {
    const reading = readDerivaConfig(fixtureConfig('rbk-upload-config.json'), 'rbk-upload-config.json');
    if (!reading.ok) throw new Error(reading.problems.join(' '));
    const [mapping] = reading.config.mappings;
    expect(mapping?.label).toBe('mapping 0 (RNASeq:File)');
    expect(mapping?.patterns.map((p) => p.key)).toEqual(['dir_pattern', 'ext_pattern', 'file_pattern']);
    expect(mapping?.groups).toEqual([
      'study_internal_id',
      'file_ext',
      'sample_internal_id',
      'replicate_number',
      'custom',
    ]);
    expect(mapping?.identifierGroup).toBe('sample_internal_id');
    expect(reading.config.relativePaths).toBe(false);
    expect(reading.config.extMappings['R1.fastq.gz']).toEqual({
      file_ext: 'fastq.gz',
      file_type: 'FastQ',
      file_desc: 'F reads',
    });
  });

  it("compiles deriva-qt's default config, whose table comes from the path", () => {
    const reading = readDerivaConfig(fixtureConfig('deriva-qt-default-config.json'), 'default.json');
    if (!reading.ok) throw new Error(reading.problems.join(' '));
    expect(reading.config.mappings.map((m) => [m.label, m.groups])).toEqual([
      ['mapping 0 (table from the path)', ['file_ext', 'schema', 'table']],
    ]);
  });

  it.each([
    ['{"asset_mappings": [', 'The upload config config.json is not valid JSON ('],
    ['', 'The upload config config.json is empty;'],
    ['[1]', 'The upload config config.json is not a JSON object'],
    ['{"asset_mappings": []}', 'The upload config config.json has no asset_mappings list'],
    ['{"asset_mappings": ["x"]}', 'Entry 0 of asset_mappings in config.json is not an object'],
    [
      '{"asset_mappings": [{"file_pattern": 3}]}',
      'The file_pattern of mapping 0 (table from the path) in config.json is not text',
    ],
  ])('says what is wrong with %j', (text, sentence) => {
    expect(problemsOf(text)[0]).toContain(sentence);
  });

  it('refuses an untranslatable pattern with a sentence naming the construct and the mapping', () => {
    const text = JSON.stringify({
      asset_mappings: [
        { file_pattern: '[.]tif$', target_table: ['S', 'Image'] },
        { dir_pattern: '^(?>/data)/', file_pattern: 'x', target_table: ['S', 'File'] },
      ],
    });
    expect(problemsOf(text)).toEqual([
      'The dir_pattern "^(?>/data)/" of mapping 1 (S:File) in config.json uses an atomic group (?>…) (Python 3.11), which JavaScript has no equivalent of, so this uploader cannot check files against it as deriva-py would; ask the catalog\'s curators to write that part another way.',
    ]);
  });

  it('refuses a pattern that does not compile, and one that could backtrack for ever', () => {
    const [broken, nested] = problemsOf(
      JSON.stringify({ asset_mappings: [{ file_pattern: '(a' }, { file_pattern: '(\\d+)+x' }] }),
    );
    expect(broken).toContain('of mapping 0 (table from the path) in config.json does not compile');
    expect(nested).toContain(
      'of mapping 1 (table from the path) in config.json repeats a group that itself repeats',
    );
  });
});

describe('Python truth', () => {
  it.each([
    [true, true, true],
    ['False', true, false],
    ['True', true, true],
    ['', false, false],
    [0, false, false],
    [false, false, false],
  ])('%j is %j to `if`, %j to stob', (value, truthy, asBool) => {
    expect(pythonTruthy(value)).toBe(truthy);
    expect(stob(value)).toBe(asBool);
  });
});
