import { describe, expect, it } from 'vitest';
import { specimenColumnProblem, specimenColumns, specimenRowProblems } from '#core/profiles/gudmap-specimen';
import type { RecordTable } from '#core/validation/types';

const header = [...specimenColumns];
const table = (columns: string[], rows: string[][] = []): RecordTable => ({
  name: 'deriva/records/Gene_Expression/Specimen_simple.csv',
  columns,
  rows,
  lines: rows.map((_row, i) => i + 2),
});
/** A complete, valid row, with some values replaced. */
const row = (values: Partial<Record<(typeof specimenColumns)[number], string>> = {}): string[] => {
  const valid: Record<string, string> = {
    Internal_ID: 'K1',
    Title: 'Kidney',
    Species: 'Mus musculus',
    Consortium: 'GUDMAP',
    Principal_Investigator: 'Doe',
    Assay_Type: 'ISH',
    Preparation: 'section',
    Stage_ID: '',
    Sex: 'Male',
    Stage_Detail: '',
    Embedding: 'OCT',
    Fixation: 'PFA',
    Upload_Notes: '',
  };
  return header.map((column) => values[column] ?? valid[column] ?? '');
};
const columnMessage = (columns: string[]): string | undefined =>
  specimenColumnProblem(table(columns))?.message;
const rowMessages = (values: Parameters<typeof row>[0], requireImageFields = true): string[] =>
  specimenRowProblems(table(header, [row(values)]), requireImageFields).map((f) => f.message);

describe('specimenColumnProblem', () => {
  it('accepts exactly the thirteen columns in order', () => expect(columnMessage(header)).toBeUndefined());
  it.each([
    ['lacks a column', header.filter((c) => c !== 'Sex'), 'but it lacks Sex;'],
    ['has an extra column', [...header, 'Notes'], "but it also has 'Notes';"],
    [
      'spells a column in the wrong case',
      header.map((c) => (c === 'Species' ? 'species' : c)),
      "but it lacks Species and it also has 'species';",
    ],
    [
      'puts columns out of order',
      ['Title', 'Internal_ID', ...header.slice(2)],
      'but column 1 is Title where Internal_ID belongs;',
    ],
  ])('is an error when the header %s', (_case, columns, words) =>
    expect(columnMessage(columns)).toContain(words),
  );
  it('names the file and the fix', () =>
    expect(columnMessage(header.slice(0, 12))).toBe(
      'Specimen_simple.csv must have exactly the columns Internal_ID, Title, Species, Consortium, Principal_Investigator, Assay_Type, Preparation, Stage_ID, Sex, Stage_Detail, Embedding, Fixation, Upload_Notes, in this order, but it lacks Upload_Notes; correct its header row.',
    ));
});

describe('specimenRowProblems', () => {
  it('accepts a complete row', () => expect(rowMessages({})).toEqual([]));
  it.each([
    [
      { Title: '' },
      'Line 2 of Specimen_simple.csv (Internal_ID K1) has no Title, which is required; fill it in.',
    ],
    [
      { Species: ' ', Assay_Type: '' },
      'Line 2 of Specimen_simple.csv (Internal_ID K1) has no Species or Assay_Type, which are required; fill them in.',
    ],
    [
      { Internal_ID: '' },
      'Line 2 of Specimen_simple.csv (no Internal_ID) has no Internal_ID, which is required; fill it in.',
    ],
    [
      { Embedding: '', Fixation: '' },
      'Line 2 of Specimen_simple.csv (Internal_ID K1) has no Embedding or Fixation, which are required; fill them in.',
    ],
  ])('requires values: %j', (values, expected) => expect(rowMessages(values)).toEqual([expected]));
  it('does not require Preparation, Embedding and Fixation for specimens without image data', () =>
    expect(rowMessages({ Preparation: '', Embedding: '', Fixation: '' }, false)).toEqual([]));
  it.each([
    [
      { Species: 'mouse' },
      "has Species 'mouse', which is not an allowed value; use Homo sapiens or Mus musculus.",
    ],
    [{ Consortium: 'NIH' }, "has Consortium 'NIH', which is not an allowed value; use RBK or GUDMAP."],
    [{ Assay_Type: 'RNA-seq' }, "has Assay_Type 'RNA-seq', which is not an allowed value; use ISH or IHC."],
    [
      { Preparation: 'Section' },
      "has Preparation 'Section', which is not an allowed value; write it as 'section' (the case matters).",
    ],
    [{ Sex: 'M' }, "has Sex 'M', which is not an allowed value; use Male, Female, Unknown or Both."],
    [
      { Embedding: 'paraffin ' },
      "has Embedding 'paraffin ', which is not an allowed value; use Paraffin, Cryosection, Agarose or OCT.",
    ],
  ])('keeps to the vocabularies: %j', (values, words) =>
    expect(rowMessages(values)).toEqual([`Line 2 of Specimen_simple.csv (Internal_ID K1) ${words}`]),
  );
  it('leaves optional vocabulary columns empty without complaint', () =>
    expect(rowMessages({ Consortium: '', Sex: '' })).toEqual([]));
  it('still checks rows by column name when the header is out of order', () => {
    const columns = ['Title', 'Internal_ID', ...header.slice(2)];
    const values = row({ Species: 'rat' });
    const rows = [[values[1] ?? '', values[0] ?? '', ...values.slice(2)]];
    expect(specimenRowProblems(table(columns, rows), true).map((f) => [f.rule, f.identifier])).toEqual([
      ['gudmap.specimen-vocabulary', 'K1'],
    ]);
  });
});
