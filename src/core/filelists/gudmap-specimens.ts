/**
 * The new rows of `deriva/records/Gene_Expression/Specimen_simple.csv`: one per Internal_ID that has images but
 * no specimen record, with every other column left for the curator, since only they know the values.
 */
import { identifiersWithoutRecord, problemsInOrder } from '#core/filelists/common';
import { formulaInternalIdProblems } from '#core/filelists/gudmap-manifest';
import type { BuiltList, ListContext } from '#core/filelists/types';
import { plural } from '#core/format';
import {
  requiredForImageData,
  requiredSpecimenColumns,
  specimenColumns,
  specimenVocabularies,
} from '#core/profiles/gudmap-specimen';
import { fileName, listInWords } from '#core/validation/path-parts';

const specimenFilePath = 'deriva/records/Gene_Expression/Specimen_simple.csv';

/**
 * Specimen_simple.csv rows for the specimens the upload lacks, in the template's column order. Without a
 * record list every Internal_ID of the images is listed, since none can be ruled out.
 */
export function buildGudmapSpecimens(context: ListContext): BuiltList {
  const identifiers = identifiersWithoutRecord(context);
  const empty = specimenColumns.slice(1).map(() => '');
  const newIdentifiers = new Set(identifiers);
  return {
    kind: 'gudmap-specimens',
    title: 'Specimen_simple.csv (new specimens)',
    fileName: 'Specimen_simple.csv',
    format: 'csv',
    // Deriva's uploader reads this file, and a byte order mark would become part of the name Internal_ID.
    bom: false,
    table: { columns: specimenColumns, rows: identifiers.map((id) => [id, ...empty]) },
    problems: problemsInOrder(
      formulaInternalIdProblems(
        [...context.files, ...context.heldBack].filter((file) => newIdentifiers.has(file.identifier)),
      ),
    ),
    notes: [
      coverageNote(context, identifiers.length),
      ...(identifiers.length === 0 ? [] : [fillInNote]),
      requiredNote,
      vocabularyNote,
    ],
  };
}

/** Which Internal_IDs the list holds, and why. */
function coverageNote(context: ListContext, count: number): string {
  const { records } = context;
  if (records === undefined) {
    return count === 0
      ? 'No image in the upload names an Internal_ID, so there are no specimens to add.'
      : `There was no Specimen_simple.csv or other record list to compare with, so all ${plural(count, 'Internal_ID')} of the images ${count === 1 ? 'is' : 'are'} listed; delete the rows of specimens Deriva already has.`;
  }
  const list = fileName(records.name);
  if (count === 0) {
    return `Every Internal_ID of the images has a row in ${list}, so there are no new specimens to add.`;
  }
  return `${plural(count, 'Internal_ID')} of the images ${count === 1 ? 'has' : 'have'} no row in ${list}, so ${count === 1 ? 'it is listed as a new specimen' : 'they are listed as new specimens'}.`;
}

const fillInNote = `Fill in the empty columns, then add the rows to ${specimenFilePath} (or save this file there), which the Deriva uploader loads into Gene_Expression:Specimen.`;

const requiredNote = `${listInWords(requiredSpecimenColumns)} are required, and for image data ${listInWords(requiredForImageData)} too; the other columns may stay empty.`;

const vocabularyNote = `Only these values are allowed, exactly as written: ${Object.entries(
  specimenVocabularies,
)
  .map(([column, values]) => `${column} ${listInWords(values, 'or')}`)
  .join('; ')}.`;
