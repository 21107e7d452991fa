import { describe, expect, it } from 'vitest';
import {
  caseVariant,
  chooseIdentifierColumn,
  findRecord,
  indexRecords,
  withoutLeadingZeros,
} from '#core/validation/record-list';
import type { RecordTable } from '#core/validation/types';
import { readRecordList } from '../../workers/delimited-reader';

const table = (text: string, name = 'records.csv'): RecordTable => {
  const { table: parsed } = readRecordList(text, name);
  if (parsed === null) throw new Error('no table');
  return parsed;
};
const choose = (text: string, identifiers: string[] = [], preferred: string[] = [], chosen?: string) => {
  const choice = chooseIdentifierColumn(table(text), {
    preferred,
    identifiers: () => new Set(identifiers),
    ...(chosen === undefined ? {} : { chosen }),
  });
  return 'problem' in choice ? choice.problem.message : `${choice.name} (${choice.how})`;
};
const symbiotaColumns = ['catalogNumber', 'otherCatalogNumbers'];

describe('parseRecordList', () => {
  it('takes the first row as the header and notes the line of every row', () =>
    expect(
      table('\uFEFFcatalogNumber,sciname\r\nWIS-L-0001234,Usnea\r\n\r\nWIS-L-0001235,Parmelia\r\n'),
    ).toEqual({
      name: 'records.csv',
      columns: ['catalogNumber', 'sciname'],
      rows: [
        ['WIS-L-0001234', 'Usnea'],
        ['WIS-L-0001235', 'Parmelia'],
      ],
      lines: [2, 4],
    }));
  it('refuses an empty list', () =>
    expect(readRecordList('\n\n', 'exports/empty.csv')).toEqual({
      table: null,
      problems: [
        {
          path: 'exports/empty.csv',
          status: 'error',
          identifier: '',
          rule: 'records.parse',
          message: 'empty.csv is empty; export the record list again, with its header row.',
        },
      ],
    }));
  it('warns about a quote that never closes', () =>
    expect(readRecordList('a\n"b\n', 'r.csv').problems.map((p) => p.message)).toEqual([
      'r.csv has a quote on line 2 that never closes, so the rest of the file was read as one value; close or remove the quote.',
    ]));
});

describe('chooseIdentifierColumn', () => {
  it.each([
    ['catalogNumber', 'id,catalogNumber\n1,A'],
    ['catalognumber', 'catalognumber,x\nA,1'],
    ['Catalog Number', 'x,Catalog Number\n1,A'],
    ['otherCatalogNumbers', 'x,otherCatalogNumbers\n1,A'],
  ])('finds the Symbiota column %s by its name', (name, text) =>
    expect(choose(text, [], symbiotaColumns)).toBe(`${name} (named)`),
  );
  it('prefers catalogNumber to otherCatalogNumbers', () =>
    expect(choose('otherCatalogNumbers,catalogNumber\n1,2', [], symbiotaColumns)).toBe(
      'catalogNumber (named)',
    ));
  it('otherwise takes the column whose values match the most file identifiers', () =>
    expect(choose('title,barcode,n\nA,X1,1\nB,X2,2\nX3,Z,3', ['X1', 'X2', 'X3'])).toBe(
      'barcode (most-matches)',
    ));
  it('falls back to the first column when no column matches', () =>
    expect(choose('title,barcode\nA,B', ['X1'])).toBe('title (first)'));
  it('follows the user’s choice over everything else', () =>
    expect(choose('catalogNumber,barcode\nA,B', [], symbiotaColumns, 'barcode')).toBe('barcode (chosen)'));
  it('says which columns there are when the chosen one is missing', () =>
    expect(choose('catalogNumber,barcode\nA,B', [], [], 'Barcode')).toBe(
      "records.csv has no column named 'Barcode'; choose one of 'catalogNumber', 'barcode'.",
    ));
});

describe('indexRecords and findRecord', () => {
  const index = indexRecords(
    table('catalogNumber,otherCatalogNumbers\nWIS-1,\n1234,OLD-9\nwis-2,\nWIS-1,\n 77 ,\n'),
    [0, 1],
  );
  it.each([
    ['WIS-1', { row: 0, recordId: 'WIS-1', withoutLeadingZeros: false }],
    ['OLD-9', { row: 1, recordId: 'OLD-9', withoutLeadingZeros: false }],
    ['0001234', { row: 1, recordId: '1234', withoutLeadingZeros: true }],
    ['WIS-2', undefined],
    ['00 77', undefined],
  ])('finds %s as %j', (identifier, match) => expect(findRecord(index, identifier, true)).toEqual(match));
  it('matches exactly unless told to try without leading zeros', () =>
    expect(findRecord(index, '0001234')).toBeUndefined());
  it('points out an identifier that differs only in case', () =>
    expect(caseVariant(index, 'WIS-2')).toBe('wis-2'));
  it('keeps every row of a repeated identifier', () =>
    expect([...index.repeated]).toEqual([['WIS-1', [0, 3]]]));
  it('drops trailing spaces only when told to', () => {
    expect(indexRecords(table('Files\na.tif  \n'), [0], true).rowOf.has('a.tif')).toBe(true);
    expect(indexRecords(table('Files\na.tif  \n'), [0]).rowOf.has('a.tif')).toBe(false);
  });
});

describe('withoutLeadingZeros', () => {
  it.each([
    ['0001234', '1234'],
    ['0 12', '12'],
    ['00A1', 'A1'],
    ['1234', undefined],
    ['ASU-L-0001234', undefined],
    ['0000', undefined],
  ])('turns %s into %j, as Symbiota’s ltrim does', (id, expected) =>
    expect(withoutLeadingZeros(id)).toBe(expected),
  );
});
