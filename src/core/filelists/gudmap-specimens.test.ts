import { describe, expect, it } from 'vitest';
import { buildGudmapSpecimens } from '#core/filelists/gudmap-specimens';
import type { ListContext, ListFile } from '#core/filelists/types';
import { specimenColumns, specimenRowProblems } from '#core/profiles/gudmap-specimen';
import type { RecordLink, RecordTable } from '#core/validation/types';

const image = (id: string, record: RecordLink, number = '1'): ListFile => ({
  path: `deriva/images/${id}-${number}.tif`,
  size: 100,
  status: record === 'missing' ? 'error' : 'ok',
  identifier: id,
  parts: { kind: '2d', internal_id: id, number, suffix: 'tif' },
  record,
});
const records: RecordTable = {
  name: 'deriva/records/Gene_Expression/Specimen_simple.csv',
  columns: specimenColumns,
  rows: [['K2']],
  lines: [1, 2],
};
const context = (files: ListFile[], extra: Partial<ListContext> = { records }): ListContext => ({
  profile: 'gudmap',
  files,
  heldBack: [],
  batch: 'b1',
  ...extra,
});
const listed = (c: ListContext): (string | undefined)[] =>
  buildGudmapSpecimens(c).table.rows.map((r) => r[0]);
const blanks = specimenColumns.slice(1).map(() => '');

describe('buildGudmapSpecimens', () => {
  it("is Specimen_simple.csv in the template's column order, without a byte order mark for Deriva", () => {
    const list = buildGudmapSpecimens(context([]));
    expect([list.kind, list.title, list.fileName, list.format, list.bom]).toEqual([
      'gudmap-specimens',
      'Specimen_simple.csv (new specimens)',
      'Specimen_simple.csv',
      'csv',
      false,
    ]);
    // The columns of GUDMAP's Specimen_simple.csv template, in its order.
    expect(list.table.columns).toEqual([
      'Internal_ID',
      'Title',
      'Species',
      'Consortium',
      'Principal_Investigator',
      'Assay_Type',
      'Preparation',
      'Stage_ID',
      'Sex',
      'Stage_Detail',
      'Embedding',
      'Fixation',
      'Upload_Notes',
    ]);
  });

  it('holds one row per Internal_ID without a record, in path order, every other column left empty', () => {
    const files = [
      image('K2', 'linked'),
      image('X9', 'missing'),
      image('X9', 'missing', '2'),
      image('A-1', 'missing'),
    ];
    expect(buildGudmapSpecimens(context(files)).table.rows).toEqual([
      ['A-1', ...blanks],
      ['X9', ...blanks],
    ]);
  });

  it.each([
    [
      'without a record list, every Internal_ID',
      [image('K2', 'unchecked'), image('X9', 'unchecked')],
      undefined,
      ['K2', 'X9'],
    ],
    ['when every Internal_ID has a record, none', [image('K2', 'linked')], records, []],
    [
      'files without an Internal_ID, never',
      [{ ...image('', 'unchecked'), parts: { kind: 'records' } }],
      undefined,
      [],
    ],
  ])('lists %s', (_case, files, recordList, ids) => {
    expect(listed(context(files, recordList === undefined ? {} : { records: recordList }))).toEqual(ids);
  });
});

describe('buildGudmapSpecimens notes', () => {
  const fillIn =
    'Fill in the empty columns, then add the rows to deriva/records/Gene_Expression/Specimen_simple.csv (or save this file there), which the Deriva uploader loads into Gene_Expression:Specimen.';
  const required =
    'Internal_ID, Title, Species, Principal_Investigator and Assay_Type are required, and for image data Preparation, Embedding and Fixation too; the other columns may stay empty.';
  const vocabulary =
    'Only these values are allowed, exactly as written: Species Homo sapiens or Mus musculus; Consortium RBK or GUDMAP; Assay_Type ISH or IHC; Preparation section or wholemount; Sex Male, Female, Unknown or Both; Embedding Paraffin, Cryosection, Agarose or OCT.';

  it('say which Internal_IDs lack a record, where the rows go, and what to fill in', () => {
    expect(buildGudmapSpecimens(context([image('X9', 'missing')])).notes).toEqual([
      '1 Internal_ID of the images has no row in Specimen_simple.csv, so it is listed as a new specimen.',
      fillIn,
      required,
      vocabulary,
    ]);
  });

  it('say there was nothing to compare with when there is no record list', () => {
    const notes = buildGudmapSpecimens(
      context([image('K2', 'unchecked'), image('X9', 'unchecked')], {}),
    ).notes;
    expect(notes[0]).toBe(
      'There was no Specimen_simple.csv or other record list to compare with, so all 2 Internal_IDs of the images are listed; delete the rows of specimens Deriva already has.',
    );
  });

  it('say there is nothing to add when every Internal_ID has a record, and still name the rules', () => {
    expect(buildGudmapSpecimens(context([image('K2', 'linked')])).notes).toEqual([
      'Every Internal_ID of the images has a row in Specimen_simple.csv, so there are no new specimens to add.',
      required,
      vocabulary,
    ]);
  });

  it('say there is nothing to add in a folder without images', () => {
    expect(buildGudmapSpecimens(context([], {})).notes[0]).toBe(
      'No image in the upload names an Internal_ID, so there are no specimens to add.',
    );
  });

  it('list the Internal_IDs of images held back for want of a record: that is what the list is for', () => {
    const list = buildGudmapSpecimens(
      context([image('K2', 'linked')], {
        records,
        heldBack: [image('X9', 'missing'), image('K2', 'linked', '2')],
      }),
    );
    expect(list.table.rows.map((row) => row[0])).toEqual(['X9']);
    expect(list.notes[0]).toBe(
      '1 Internal_ID of the images has no row in Specimen_simple.csv, so it is listed as a new specimen.',
    );
  });
});

describe('buildGudmapSpecimens problems', () => {
  it('refuses a new Internal_ID that starts like a formula', () => {
    const problems = buildGudmapSpecimens(context([image('@x', 'missing'), image('K2', 'missing')])).problems;
    expect(problems.map((p) => [p.status, p.message.slice(0, 36)])).toEqual([
      ['error', 'Internal_ID @x (of deriva/images/@x-'],
    ]);
  });

  it('leaves alone one that already has a record, since it is not in this list', () => {
    expect(buildGudmapSpecimens(context([image('@x', 'linked')])).problems).toEqual([]);
  });
});

describe('the required columns', () => {
  const emptyRow: RecordTable = { ...records, rows: [specimenColumns.map(() => '')] };
  it.each([
    [
      'for image data',
      true,
      'Internal_ID, Title, Species, Principal_Investigator, Assay_Type, Preparation, Embedding or Fixation',
    ],
    ['otherwise', false, 'Internal_ID, Title, Species, Principal_Investigator or Assay_Type'],
  ])('are the ones the Specimen_simple.csv check requires %s', (_case, forImages, columns) => {
    const [problem] = specimenRowProblems(emptyRow, forImages);
    expect(problem?.message).toContain(`has no ${columns}, which are required`);
  });
});
