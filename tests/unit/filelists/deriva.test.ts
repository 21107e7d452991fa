import { describe, expect, it } from 'vitest';
import { buildDerivaPlan } from '#core/filelists/deriva-plan';
import type { DerivaSettings } from '#core/validation/types';
import { fixtureConfig } from '../../fixtures/deriva/configs';
import { derivaFolder, derivaRecordsFolder } from '../../fixtures/filelists/deriva-folder';
import { contextOf, expectGolden } from './golden';

const rbk: DerivaSettings = {
  config: fixtureConfig('rbk-upload-config.json'),
  configSource: 'rbk-upload-config.json',
  catalogUrl: '',
};

/** deriva-upload-cli uploads hidden files, so a curator checking for it includes them (Include hidden files). */
function planOf(folder = derivaFolder, settings = rbk, withChecksums = true) {
  const context = contextOf(folder, {
    profile: 'deriva',
    settings,
    folderName: folder.name,
    withChecksums,
    includeHidden: true,
  });
  return buildDerivaPlan(context, {
    config: settings.config,
    configName: settings.configSource,
    folderName: folder.name,
  });
}

describe('Deriva upload plan', () => {
  const list = planOf();

  it('matches deriva-plan-rbk.csv', () => expectGolden(list, 'deriva-plan-rbk.csv'));

  it('has the fixed columns around one column per named group', () => {
    expect(list.table.columns).toEqual([
      'path',
      'mapping',
      'target_table',
      'study_internal_id',
      'file_ext',
      'sample_internal_id',
      'replicate_number',
      'custom',
      'hatrac_uri',
      'md5',
      'sha256',
    ]);
    expect(list.fileName).toBe('batch-1-deriva-upload-plan.csv');
  });

  it('lists a file no mapping fits with an empty mapping, and warns that the uploader skips it', () => {
    const readme = list.table.rows.find((row) => row[0] === 'README.txt');
    expect(readme?.slice(1, 9)).toEqual(['', '', '', '', '', '', '', '']);
    expect(list.problems).toEqual([
      {
        status: 'warning',
        message:
          '2 files (README.txt and rnaseq/Study1/notes.txt) fit no asset mapping, so the Deriva uploader will skip them; their mapping column is empty.',
      },
    ]);
  });

  it('leaves out system files and the uploader state file, keeps the hidden file', () => {
    const paths = list.table.rows.map((row) => row[0]);
    expect(paths).toContain('rnaseq/Study1/.hidden#1.bed');
    expect(paths).not.toContain('rnaseq/Study1/.DS_Store');
    expect(paths).not.toContain('rnaseq/Study1/.deriva-upload-state-rbk.json');
  });

  it('says which values only the catalog fills, and when checksums are missing', () => {
    expect(list.notes).toContain(
      'hatrac_uri keeps {name} where only the catalog or the upload fills the value (metadata queries, the file record, the time of upload).',
    );
    expect(planOf(derivaFolder, rbk, false).notes).toContain(
      'The md5 column is empty for 10 files whose checksums are not computed yet; compute checksums first to fill it.',
    );
  });

  it("follows deriva-py's default config while none is loaded", () => {
    const plan = planOf(derivaRecordsFolder, { config: '', configSource: '', catalogUrl: '' });
    expect(plan.table.columns.slice(0, 6)).toEqual([
      'path',
      'mapping',
      'target_table',
      'file_ext',
      'schema',
      'table',
    ]);
    expect(plan.table.rows.find((row) => row[0] === 'records/isa/Experiment.JSON')?.slice(0, 6)).toEqual([
      'records/isa/Experiment.JSON',
      '0',
      'isa:Experiment',
      'JSON',
      'isa',
      'Experiment',
    ]);
    expect(plan.notes[0]).toContain("deriva-py's default config");
  });

  it('is one clear error, and no rows, when the config cannot be read', () => {
    const plan = planOf(derivaRecordsFolder, { config: 'nope', configSource: 'x.json', catalogUrl: '' });
    expect(plan.table.rows).toEqual([]);
    expect(plan.problems[0]?.message).toMatch(/^The upload config x\.json is not valid JSON/);
  });
});
