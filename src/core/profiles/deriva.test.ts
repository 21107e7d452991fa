import { describe, expect, it } from 'vitest';
import { deriva } from '#core/profiles/deriva';
import { validate } from '#core/validation/validate';
import type { DerivaSettings, ScannedFile } from '#core/validation/types';
import { fixtureConfig } from '../../../tests/fixtures/deriva/configs';
import { derivaFolder, derivaRecordsFolder } from '../../../tests/fixtures/filelists/deriva-folder';
import type { FixtureFolder } from '../../../tests/fixtures/filelists/fixture-folder';

function scanned(folder: FixtureFolder): ScannedFile[] {
  return folder.files.map(({ path, content }) => ({ path, size: content.length, lastModified: 0 }));
}

/** deriva-upload-cli uploads hidden files, so a curator checking for it includes them (Include hidden files). */
function check(folder: FixtureFolder, settings: DerivaSettings) {
  return validate(scanned(folder), 'deriva', settings, undefined, {
    folderName: folder.name,
    includeHidden: true,
  });
}

const rbk: DerivaSettings = {
  config: fixtureConfig('rbk-upload-config.json'),
  configSource: 'rbk-upload-config.json',
  catalogUrl: '',
};

describe('the Deriva upload config target with the RBK config', () => {
  const result = check(derivaFolder, rbk);
  const rules = (path: string) =>
    result.findings.filter((f) => f.path === path).map((f) => `${f.status} ${f.rule}`);

  it.each([
    ['README.txt', ['warning deriva.no-mapping']],
    ['rnaseq/Study1/notes.txt', ['warning deriva.no-mapping']],
    ['rnaseq/Study1/.DS_Store', ['skipped common.system-file']],
    ['rnaseq/Study1/.deriva-upload-state-rbk.json', ['skipped deriva.upload-state']],
    ['rnaseq/Study1/.hidden#1.bed', ['ok deriva.plan', 'ok ok']],
    ['rnaseq/Study1/K2#1.BAM', ['ok deriva.plan', 'warning deriva.file-ext', 'warning common.case-clash']],
    ['rnaseq/Study1/K2#2_trimmed.R1.fastq.gz', ['ok deriva.plan', 'ok ok']],
    ['rnaseq/Study1/nested/deeper/K3#1.bw', ['ok deriva.plan', 'ok ok']],
    ['rnaseq/Study 2/A#B#3.bed', ['ok deriva.plan', 'ok ok']],
  ])('%s: %j', (path, expected) => expect(rules(path)).toEqual(expected));

  it('says the uploader will skip a file no mapping fits, with the path the patterns saw', () => {
    expect(result.findings.find((f) => f.path === 'README.txt')?.message).toBe(
      "README.txt (matched as /rbk-batch/README.txt) does not fit the config's only asset mapping, so the Deriva uploader will skip it; move or rename it to fit one, or leave it out.",
    );
  });

  it('gives the mapping, its groups, the Hatrac URI, the columns and what the catalog fills', () => {
    const plan = result.findings.find(
      (f) => f.path === 'rnaseq/Study 2/A#B#3.bed' && f.rule === 'deriva.plan',
    );
    expect(plan?.identifier).toBe('A#B');
    expect(plan?.message).toBe(
      "rnaseq/Study 2/A#B#3.bed (matched as /rbk-batch/rnaseq/Study 2/A#B#3.bed) fits mapping 0 (RNASeq:File) into RNASeq:File with study_internal_id 'Study 2', file_ext 'bed', sample_internal_id 'A#B', replicate_number '3', custom '', Hatrac URI /hatrac/resources/rnaseq/study/{Study_Accession_ID}/sample/{Sample_Accession_ID}/replicate/{Replicate_Accession_ID}/{Accession_ID}.bed, columns URI {URI}, File_Name 'A#B#3.bed', File_Type 'bed', File_size '25', SHA256 {sha256}, Accession_ID {Accession_ID}, Sample_Accession_ID {Sample_Accession_ID}, Replicate_Accession_ID {Replicate_Accession_ID}, Consortium {Consortium}, Data_Provider {Data_Provider}, Caption {caption}; still to fill from the catalog's metadata queries: {Sample_Accession_ID}, {Species}, {Study_Accession_ID}, {Replicate_Accession_ID}, {Consortium} and {Data_Provider}; once checksums are computed: {sha256}; from the file's record in the catalog: {Accession_ID}; at upload (the Hatrac URL, the time, your login): {URI}; from column_value_templates, once their values are known: {caption}.",
    );
  });

  it('matches relative to the folder when the config says relative_path_validation', () => {
    const relative = JSON.stringify({ ...JSON.parse(rbk.config), relative_path_validation: true });
    const reread = check(derivaFolder, { ...rbk, config: relative });
    const statuses = reread.files.filter((f) => f.path.endsWith('.bam')).map((f) => f.status);
    expect(statuses).toEqual(['warning', 'warning']);
  });
});

describe('the Deriva upload config target', () => {
  it("checks against deriva-py's default config while none is loaded, and says so", () => {
    const result = check(derivaRecordsFolder, deriva.defaultSettings);
    expect(result.findings.filter((f) => f.path === '').map((f) => f.rule)).toEqual([
      'deriva.default-config',
    ]);
    expect(result.files.map((f) => [f.path, f.status])).toEqual([
      ['.records.csv', 'warning'],
      ['assets/records/isa/x.csv', 'warning'],
      ['records/isa/Experiment.JSON', 'ok'],
      ['records/isa/dataset.csv', 'ok'],
      ['records/isa/nested/File.json', 'ok'],
      ['records/isa/notes.txt', 'warning'],
    ]);
  });

  it('reports a template that names a group no pattern defines as an error on each file', () => {
    const config = JSON.stringify({
      asset_mappings: [
        {
          file_pattern: '(?P<id>K\\d+)',
          target_table: ['S', 'T'],
          hatrac_templates: { hatrac_uri: '/hatrac/{specimen_id}' },
        },
      ],
    });
    const result = check(
      { name: 'b', files: [{ path: 'K1.tif', content: 'x' }] },
      { ...rbk, config, configSource: 'c.json' },
    );
    expect(result.findings.find((f) => f.rule === 'deriva.template')?.message).toBe(
      'K1.tif fits mapping 0 (S:T), whose templates use {specimen_id} in hatrac_templates.hatrac_uri, but none of its patterns defines such a group and neither the file, its checksums nor the catalog fills it, so the uploader would stop on this file; add the group to a pattern of the config or correct the placeholder.',
    );
    expect(result.files[0]?.status).toBe('error');
  });

  it('warns when two files would get the same Hatrac URI, which the second upload would replace', () => {
    const config = JSON.stringify({
      asset_mappings: [
        {
          file_pattern: '/(?P<id>K\\d+)[^/]*[.]tif$',
          target_table: ['S', 'T'],
          hatrac_templates: { hatrac_uri: '/hatrac/{id}.tif' },
        },
        {
          file_pattern: '[.]jpg$',
          target_table: ['S', 'J'],
          hatrac_templates: { hatrac_uri: '/hatrac/{md5}.jpg' },
        },
      ],
    });
    const files = ['a/K1.tif', 'b/K1_copy.tif', 'b/K2.tif', 'x.jpg', 'y.jpg'].map((path) => ({
      path,
      content: path,
    }));
    const result = check({ name: 'b', files }, { ...rbk, config, configSource: 'c.json' });
    expect(result.findings.filter((f) => f.rule === 'common.duplicate').map((f) => f.message)).toEqual([
      'a/K1.tif has the same Hatrac URI (/hatrac/K1.tif) as b/K1_copy.tif; the second upload would replace the first, so rename one to give it a URI of its own.',
      'b/K1_copy.tif has the same Hatrac URI (/hatrac/K1.tif) as a/K1.tif; the second upload would replace the first, so rename one to give it a URI of its own.',
    ]);
  });

  it('leaves every file unchecked with one clear sentence when the config is not JSON', () => {
    const result = check(derivaRecordsFolder, {
      config: '{"asset_mappings": [}',
      configSource: 'bad.json',
      catalogUrl: '',
    });
    expect(result.findings[0]?.message).toMatch(
      /^The upload config bad\.json is not valid JSON \(.+\); load the JSON file/,
    );
    expect(result.counts.skipped).toBe(derivaRecordsFolder.files.length);
  });
});
