/** The rules of `deriva/records/Gene_Expression/Specimen_simple.csv`, which becomes rows of Gene_Expression:Specimen. */
import { finding } from '#core/validation/finding';
import { fileName, listInWords } from '#core/validation/path-parts';
import { lineOf } from '#core/validation/record-list';
import type { Finding, RecordTable } from '#core/validation/types';

export const specimenColumns = [
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
] as const;

/** Columns every specimen row must fill, and those it must fill too when the specimen has image data. */
export const requiredSpecimenColumns = [
  'Internal_ID',
  'Title',
  'Species',
  'Principal_Investigator',
  'Assay_Type',
] as const;
export const requiredForImageData = ['Preparation', 'Embedding', 'Fixation'] as const;

export const specimenVocabularies: Readonly<Record<string, readonly string[]>> = {
  Species: ['Homo sapiens', 'Mus musculus'],
  Consortium: ['RBK', 'GUDMAP'],
  Assay_Type: ['ISH', 'IHC'],
  Preparation: ['section', 'wholemount'],
  Sex: ['Male', 'Female', 'Unknown', 'Both'],
  Embedding: ['Paraffin', 'Cryosection', 'Agarose', 'OCT'],
};

const quoted = (values: readonly string[]): string[] => values.map((v) => `'${v}'`);

/** The header must be exactly the thirteen columns, in order. */
export function specimenColumnProblem(table: RecordTable): Finding | undefined {
  const { columns, name } = table;
  const list = fileName(name);
  if (columns.length === specimenColumns.length && columns.every((c, i) => c === specimenColumns[i])) {
    return undefined;
  }
  const missing = specimenColumns.filter((c) => !columns.includes(c));
  const extra = columns.filter((c) => !(specimenColumns as readonly string[]).includes(c));
  const details: string[] = [];
  if (missing.length > 0) details.push(`it lacks ${listInWords(missing)}`);
  if (extra.length > 0) details.push(`it also has ${listInWords(quoted(extra))}`);
  if (details.length === 0) {
    const at = columns.findIndex((c, i) => c !== specimenColumns[i]);
    details.push(`column ${at + 1} is ${columns[at]} where ${specimenColumns[at]} belongs`);
  }
  return finding(
    name,
    'error',
    'gudmap.specimen-columns',
    `${list} must have exactly the columns ${specimenColumns.join(', ')}, in this order, but ${details.join(' and ')}; correct its header row.`,
  );
}

/** Required values and controlled vocabularies, one finding per row and rule broken. */
export function specimenRowProblems(table: RecordTable, requireImageFields: boolean): Finding[] {
  const { columns, name } = table;
  const list = fileName(name);
  const at = (column: string): number => columns.indexOf(column);
  const idColumn = at('Internal_ID');
  const required = (
    requireImageFields ? [...requiredSpecimenColumns, ...requiredForImageData] : requiredSpecimenColumns
  )
    .map((column) => [column, at(column)] as const)
    .filter(([, index]) => index !== -1);
  const vocabularies = Object.entries(specimenVocabularies)
    .map(([column, values]) => {
      const byLowerCase = new Map(values.map((v) => [v.toLowerCase(), v]));
      return { column, index: at(column), allowed: new Set(values), values, byLowerCase };
    })
    .filter((v) => v.index !== -1);

  const findings: Finding[] = [];
  table.rows.forEach((row, r) => {
    const id = idColumn === -1 ? '' : (row[idColumn] ?? '');
    const where = `Line ${lineOf(table, r)} of ${list} (${id === '' ? 'no Internal_ID' : `Internal_ID ${id}`})`;
    const empty = required.filter(([, index]) => (row[index] ?? '').trim() === '').map(([column]) => column);
    if (empty.length > 0) {
      const them = empty.length === 1 ? 'which is' : 'which are';
      findings.push(
        finding(
          name,
          'error',
          'gudmap.specimen-required',
          `${where} has no ${listInWords(empty, 'or')}, ${them} required; fill ${empty.length === 1 ? 'it' : 'them'} in.`,
          id,
        ),
      );
    }
    for (const vocabulary of vocabularies) {
      const value = row[vocabulary.index] ?? '';
      if (value.trim() === '' || vocabulary.allowed.has(value)) continue;
      const spelled = vocabulary.byLowerCase.get(value.toLowerCase());
      const fix =
        spelled === undefined
          ? `use ${listInWords(vocabulary.values, 'or')}`
          : `write it as '${spelled}' (the case matters)`;
      findings.push(
        finding(
          name,
          'error',
          'gudmap.specimen-vocabulary',
          `${where} has ${vocabulary.column} '${value}', which is not an allowed value; ${fix}.`,
          id,
        ),
      );
    }
  });
  return findings;
}

export function checkSpecimenTable(table: RecordTable, requireImageFields: boolean): Finding[] {
  const columnProblem = specimenColumnProblem(table);
  return [
    ...(columnProblem === undefined ? [] : [columnProblem]),
    ...specimenRowProblems(table, requireImageFields),
  ];
}
