import { describe, expect, it } from 'vitest';
import { readDerivaConfig } from '#core/deriva/config';
import { pathSuffixes, planFile, prepareConfig, pythonQuote, type PreparedConfig } from '#core/deriva/plan';
import { fixtureConfig } from '../../../tests/fixtures/deriva/configs';

function prepared(text: string, folder = 'rbk-batch'): PreparedConfig {
  const reading = readDerivaConfig(text, 'test.json');
  if (!reading.ok) throw new Error(reading.problems.join(' '));
  return prepareConfig(reading.config, folder);
}

const rbk = prepared(fixtureConfig('rbk-upload-config.json'));
const md5 = '0123456789abcdef0123456789abcdef';
const sha256 = 'ab'.repeat(32);

describe('planFile with the RBK config', () => {
  const plan = planFile(rbk, { path: 'rnaseq/S1/K2#2_trim.R1.fastq.gz', size: 1234, md5, sha256 });

  it('reads the groups, and file_ext_mappings renames the extension in the Hatrac URI', () => {
    expect(plan?.match.groups).toEqual({
      study_internal_id: 'S1',
      file_ext: 'R1.fastq.gz',
      sample_internal_id: 'K2',
      replicate_number: '2',
      custom: '_trim',
    });
    expect(plan?.targetTable).toBe('RNASeq:File');
    expect(plan?.hatracUri).toBe(
      '/hatrac/resources/rnaseq/study/{Study_Accession_ID}/sample/{Sample_Accession_ID}/replicate/{Replicate_Accession_ID}/{Accession_ID}.fastq.gz',
    );
    expect(plan?.extMissing).toBeUndefined();
    expect(plan?.undefinedNames).toEqual([]);
  });

  it('fills the columns it can and files the rest under where their values come from', () => {
    expect(Object.fromEntries(plan?.columns ?? [])).toEqual({
      URI: '{URI}',
      File_Name: 'K2#2_trim.R1.fastq.gz',
      File_Type: 'FastQ',
      File_size: '1234',
      SHA256: sha256,
      Accession_ID: '{Accession_ID}',
      Sample_Accession_ID: '{Sample_Accession_ID}',
      Replicate_Accession_ID: '{Replicate_Accession_ID}',
      Consortium: '{Consortium}',
      Data_Provider: '{Data_Provider}',
      Caption: '{caption}',
    });
    expect(Object.fromEntries(plan?.pending ?? [])).toEqual({
      catalog: [
        'Sample_Accession_ID',
        'Species',
        'Study_Accession_ID',
        'Replicate_Accession_ID',
        'Consortium',
        'Data_Provider',
      ],
      record: ['Accession_ID'],
      upload: ['URI'],
      value: ['caption'],
    });
  });

  it('says when file_ext_mappings has no entry for an extension written in another case', () => {
    const upper = planFile(rbk, { path: 'rnaseq/S1/K2#1.BAM', size: 1 });
    expect(upper?.extMissing).toEqual({ ext: 'BAM', names: ['file_desc', 'file_type'] });
    expect(upper?.hatracUri?.endsWith('{Accession_ID}.BAM')).toBe(true);
    expect(upper?.pending.get('checksum')).toEqual(['sha256']);
  });

  it('finds no mapping for a file outside rnaseq/<study>/ or without #<replicate>', () => {
    expect(planFile(rbk, { path: 'K2#1.bam', size: 1 })).toBeUndefined();
    expect(planFile(rbk, { path: 'rnaseq/S1/K2.bam', size: 1 })).toBeUndefined();
  });
});

describe('planFile', () => {
  it('names a placeholder that nothing fills, with the template that uses it', () => {
    const config = prepared(
      JSON.stringify({
        asset_mappings: [
          {
            file_pattern: '/(?P<id>[^/]+)[.]tif$',
            target_table: ['S', 'T'],
            hatrac_templates: { hatrac_uri: '/hatrac/{id}/{specimen}.{file_ext}' },
            column_map: { MD5: '{md5}', Name: '{file_name_urlencoded}' },
          },
        ],
      }),
    );
    const plan = planFile(config, { path: 'a/x y.tif', size: 3, md5 });
    expect(plan?.undefinedNames).toEqual([{ name: 'specimen', where: 'hatrac_templates.hatrac_uri' }]);
    expect(plan?.hatracUri).toBe('/hatrac/x y/{specimen}..tif');
    expect(plan?.columns).toEqual([
      ['MD5', md5],
      ['Name', 'x%20y.tif'],
    ]);
  });

  it('takes the target table from the schema and table groups, quoted as deriva-py quotes it', () => {
    const defaults = prepared(fixtureConfig('deriva-qt-default-config.json'), 'rows');
    const plan = planFile(defaults, { path: 'records/isa/my table.CSV', size: 1 });
    expect(plan?.targetTable).toBe('isa:my%20table');
    expect(plan?.hatracUri).toBeUndefined();
    expect(planFile(defaults, { path: 'assets/records/isa/x.csv', size: 1 })).toBeUndefined();
  });
});

describe('Python helpers', () => {
  it.each([
    ['a.R1.fastq.gz', '.R1.fastq.gz'],
    ['.bashrc', ''],
    ['.hidden#1.bed', '.bed'],
    ['name.', ''],
    ['plain', ''],
  ])('suffixes of %j are %j', (name, suffixes) => expect(pathSuffixes(name)).toBe(suffixes));

  it("quotes like urllib.parse.quote(safe='')", () => {
    expect(pythonQuote("a b/c(d)*!'~_.-é")).toBe('a%20b%2Fc%28d%29%2A%21%27~_.-%C3%A9');
  });
});
