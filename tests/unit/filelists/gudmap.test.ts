import { describe, expect, it } from 'vitest';
import { buildGudmapManifest } from '#core/filelists/gudmap-manifest';
import { buildGudmapSpecimens } from '#core/filelists/gudmap-specimens';
import type { ListContext } from '#core/filelists/types';
import { gudmapDefaultSettings } from '#core/profiles/gudmap';
import { gudmapFolder, specimenListPath } from '../../fixtures/filelists/gudmap-folder';
import { contextOf, expectGolden } from './golden';

/** The folder checked against its own Specimen_simple.csv, files with errors let through unless told otherwise. */
const checked = (options: { recordList?: boolean; includeErrors?: boolean } = {}): ListContext =>
  contextOf(gudmapFolder, {
    profile: 'gudmap',
    settings: gudmapDefaultSettings,
    ...(options.recordList === false ? {} : { recordListPath: specimenListPath }),
    includeErrors: options.includeErrors ?? true,
  });

const formulaId = {
  status: 'error',
  message:
    "Internal_ID =1+1 (of deriva/images/=1+1-1.jpg) starts with '=', so the list writes it with an apostrophe in front ('=1+1) to keep spreadsheets from running it as a formula, and then it no longer matches the Internal_ID in the image names; rename the images and the specimen record to an Internal_ID that starts with a letter or digit.",
};
const required =
  'Internal_ID, Title, Species, Principal_Investigator and Assay_Type are required, and for image data Preparation, Embedding and Fixation too; the other columns may stay empty.';
const vocabulary =
  'Only these values are allowed, exactly as written: Species Homo sapiens or Mus musculus; Consortium RBK or GUDMAP; Assay_Type ISH or IHC; Preparation section or wholemount; Sex Male, Female, Unknown or Both; Embedding Paraffin, Cryosection, Agarose or OCT.';

describe('the GUDMAP fixture folder', () => {
  it('has a Specimen_simple.csv the check finds clean', () => {
    expect(checked().files.find((file) => file.path === specimenListPath)?.status).toBe('ok');
  });
});

describe('GUDMAP upload manifest', () => {
  const list = buildGudmapManifest(checked());

  it('matches gudmap-manifest.csv', () => expectGolden(list, 'gudmap-manifest.csv'));

  it('refuses the Internal_ID that starts like a formula and warns about the path that does', () => {
    expect(list.problems).toEqual([
      formulaId,
      {
        status: 'warning',
        message:
          "-notes.txt starts with '-', so the list writes it with an apostrophe in front ('-notes.txt) to keep spreadsheets from running it as a formula, and the listed path no longer matches the file; rename the file so it starts with a letter or digit.",
      },
    ]);
  });

  it('says which file Deriva will skip', () => {
    expect(list.notes).toEqual([
      '-notes.txt is uploaded but is not in a place or form the Deriva uploader reads, so its Internal_ID and kind are empty and Deriva will skip it as “Invalid file type or directory location”.',
    ]);
  });
});

describe('GUDMAP new specimens', () => {
  const list = buildGudmapSpecimens(checked());

  it('matches gudmap-specimens.csv', () => expectGolden(list, 'gudmap-specimens.csv'));

  it('refuses the new Internal_ID that starts like a formula', () => {
    expect(list.problems).toEqual([formulaId]);
  });

  it('says what is listed, where it goes and what to fill in', () => {
    expect(list.notes).toEqual([
      '2 Internal_IDs of the images have no row in Specimen_simple.csv, so they are listed as new specimens.',
      'Fill in the empty columns, then add the rows to deriva/records/Gene_Expression/Specimen_simple.csv (or save this file there), which the Deriva uploader loads into Gene_Expression:Specimen.',
      required,
      vocabulary,
    ]);
  });

  it('lists the specimens of images held back for want of a record, as it must to let them through', () => {
    const held = buildGudmapSpecimens(checked({ includeErrors: false }));
    expect(held).toEqual(buildGudmapSpecimens(checked({ includeErrors: true })));
  });

  it('lists every Internal_ID, once each, when there is no record list to compare with', () => {
    const unchecked = buildGudmapSpecimens(checked({ recordList: false }));
    expect(unchecked.table.rows.map((row) => row[0])).toEqual(['Abc-1', 'K2', '=1+1', 'X9']);
    expect(unchecked.notes[0]).toBe(
      'There was no Specimen_simple.csv or other record list to compare with, so all 4 Internal_IDs of the images are listed; delete the rows of specimens Deriva already has.',
    );
  });
});
