import { describe, expect, it } from 'vitest';
import { contextOfFiles, listFile } from '../../../tests/unit/filelists/list-files';
import { buildSymbiotaSkeletal, checkSkeletalFields } from '#core/filelists/symbiota-skeletal';
import type { ListContext, ListFile, SkeletalOptions } from '#core/filelists/types';

const file = (path: string, identifier: string, extra: Partial<ListFile> = {}): ListFile =>
  listFile(path, { identifier, ...extra });
const context = (files: ListFile[], extra: Partial<ListContext> = {}): ListContext =>
  contextOfFiles('symbiota', files, extra);
const records = { name: 'records.csv', columns: ['catalogNumber'], rows: [], lines: [] };
const skeletal = (
  files: ListFile[],
  fields: SkeletalOptions['fields'] = [],
  extra: Partial<ListContext> = {},
) => buildSymbiotaSkeletal(context(files, extra), { fields });
/** Each problem as `status: message`, in order. */
const problemsOf = (fields: SkeletalOptions['fields']): string[] =>
  checkSkeletalFields(fields).problems.map((p) => `${p.status}: ${p.message}`);
const columnsOf = (fields: SkeletalOptions['fields']): string[] =>
  checkSkeletalFields(fields).columns.map((field) => `${field.name}=${field.value}`);

describe('buildSymbiotaSkeletal', () => {
  it('names itself after the batch, as a CSV without byte order mark for the importer', () => {
    const list = skeletal([], [], { batch: 'Lichens 2024' });
    expect([list.kind, list.title, list.fileName, list.format, list.bom]).toEqual([
      'symbiota-skeletal',
      'Symbiota skeletal file',
      'Lichens_2024-skeletal.csv',
      'csv',
      false,
    ]);
  });

  it('lists each catalog number without a record once, with the constant fields in the order given', () => {
    const list = skeletal(
      [
        file('a_1.jpg', 'A', { record: 'missing' }),
        file('a_2.jpg', 'A', { record: 'missing' }),
        file('b.jpg', 'B', { record: 'linked' }),
        file('c.tif', 'C', { record: 'missing' }),
      ],
      [
        ['stateProvince', 'Arizona'],
        ['country', 'United States'],
      ],
      { records },
    );
    expect(list.table).toEqual({
      columns: ['catalogNumber', 'stateProvince', 'country'],
      rows: [
        ['A', 'Arizona', 'United States'],
        ['C', 'Arizona', 'United States'],
      ],
    });
    expect(list.problems).toEqual([]);
    expect(list.notes).toEqual([]);
  });

  it('lists every catalog number without a record list, and says why that is harmless', () => {
    const list = skeletal([file('a.jpg', 'A'), file('b.jpg', 'B'), file('n.jpg', '')]);
    expect(list.table.rows).toEqual([['A'], ['B']]);
    expect(list.notes).toEqual([
      'No record list was given, so the skeletal file lists every catalog number (2); that is harmless, as skeletal values only fill empty fields of records that already exist.',
    ]);
  });

  it('has no rows, with a note, when every catalog number has a record', () => {
    const list = skeletal([file('a.jpg', 'A', { record: 'linked' })], [['country', 'Chile']], { records });
    expect(list.table).toEqual({ columns: ['catalogNumber', 'country'], rows: [] });
    expect(list.notes).toEqual([
      "Every image's catalog number already has a record in records.csv, so the skeletal file has no rows.",
    ]);
  });

  it('says so when no file has a catalog number, with or without a record list', () => {
    const note = 'No file has a catalog number, so the skeletal file has no rows.';
    expect(skeletal([file('n.jpg', '')]).notes).toEqual([note]);
    expect(skeletal([], [], { records }).notes).toEqual([note]);
  });

  it('refuses catalog numbers a spreadsheet would take for a formula', () => {
    const list = skeletal([file('x.jpg', '+1', { record: 'missing' })], [], { records });
    expect(list.problems.map((p) => p.message)).toEqual([
      "Catalog number '+1' starts with '+', so the skeletal file writes it with a leading apostrophe and the portal will not match it to its record; rename the files so the catalog number starts with a letter or digit, or change the replace step.",
    ]);
  });

  it('puts errors before warnings', () => {
    const list = skeletal(
      [file('a.jpg', 'A')],
      [
        ['colour', 'red'],
        ['', 'x'],
      ],
    );
    expect(list.problems.map((p) => p.status)).toEqual(['error', 'warning']);
  });

  it('lists the catalog numbers of images held back by errors too, which the new records let through', () => {
    const list = skeletal([file('a.jpg', 'A', { record: 'linked' })], [], {
      records,
      heldBack: [file('b.jpg', 'B', { status: 'error', record: 'missing' })],
    });
    expect(list.table.rows).toEqual([['B']]);
  });
});

describe('checkSkeletalFields', () => {
  it.each([
    [
      'known fields, in any case',
      [
        ['Country', 'Chile'],
        ['STATEPROVINCE', 'Maule'],
      ],
      ['Country=Chile', 'STATEPROVINCE=Maule'],
    ],
    ['trimmed names and values', [['  county ', ' Pima  ']], ['county=Pima']],
    [
      'a plain negative number, which is not neutralised',
      [['decimalLatitude', '-33.45']],
      ['decimalLatitude=-33.45'],
    ],
  ] as const)('takes %s without a problem', (_case, fields, columns) => {
    expect(problemsOf(fields)).toEqual([]);
    expect(columnsOf(fields)).toEqual(columns);
  });

  it.each([
    [
      'a value without a name',
      [
        ['country', 'Chile'],
        [' ', 'Arizona'],
      ],
      "error: Skeletal field 2 has the value 'Arizona' but no name; enter the Symbiota field it fills, such as stateProvince, or clear the value.",
    ],
    [
      'catalogNumber among the constant fields',
      [['catalognumber', 'X']],
      "error: The skeletal field catalognumber is the file's first column, filled from each image's name; remove it from the constant fields.",
    ],
    [
      'a name given twice',
      [
        ['country', 'Chile'],
        ['country', 'Peru'],
      ],
      'error: The skeletal field country is given twice; remove one of them.',
    ],
    [
      'a name that repeats another but for case',
      [
        ['country', 'Chile'],
        ['Country', 'Peru'],
      ],
      'error: The skeletal field Country repeats country, as the portal ignores case in field names; remove one of them.',
    ],
    [
      'a name with a space',
      [['state province', 'Arizona']],
      "error: The skeletal field name 'state province' holds spaces or characters other than letters, digits and _, which Symbiota field names never have; write it as the portal names it, such as stateProvince.",
    ],
    [
      'a name with a hyphen',
      [['state-province', 'Arizona']],
      "error: The skeletal field name 'state-province' holds spaces or characters other than letters, digits and _, which Symbiota field names never have; write it as the portal names it, such as stateProvince.",
    ],
    [
      'a name this uploader does not know',
      [['contry', 'Chile']],
      "warning: The skeletal field contry is not a Symbiota occurrence field this uploader knows; check the spelling against your portal's field list.",
    ],
    [
      'a value a spreadsheet would take for a formula',
      [['family', '=SUM(1)']],
      "warning: The value of the skeletal field family, '=SUM(1)', starts with '=', so it is written with a leading apostrophe that the portal will store as part of it; remove that first character if it is not meant.",
    ],
  ] as const)('reports %s', (_case, fields, problem) => {
    expect(problemsOf(fields)).toEqual([problem]);
  });

  it('makes no column of a repeat or of catalogNumber, and keeps the first of a repeat', () => {
    expect(
      columnsOf([
        ['country', 'Chile'],
        ['COUNTRY', 'Peru'],
        ['catalogNumber', 'X'],
      ]),
    ).toEqual(['country=Chile']);
  });

  it('passes over an unused row with neither name nor value', () => {
    expect(
      checkSkeletalFields([
        ['', ''],
        ['  ', ' '],
      ]),
    ).toEqual({ columns: [], problems: [], notes: [] });
  });

  it.each([
    [
      [['county', '']],
      'The skeletal field county has no value, so its column is left out; enter a value to fill it in the new records.',
    ],
    [
      [
        ['county', ' '],
        ['habitat', ''],
        ['country', 'Chile'],
      ],
      'The skeletal fields county and habitat have no value, so their columns are left out; enter a value to fill them in the new records.',
    ],
  ] as const)('leaves out fields without a value, with one note', (fields, note) => {
    const check = checkSkeletalFields(fields);
    expect(check.notes).toEqual([note]);
    expect(check.columns.map((field) => field.name)).not.toContain('county');
  });
});
