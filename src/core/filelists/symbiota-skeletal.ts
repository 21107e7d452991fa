/**
 * Symbiota's skeletal data file: one row per catalog number that has images but no record, with the constant
 * fields the user gives (country, stateProvince …), so the portal makes an `unprocessed` record for each.
 * Skeletal values only ever fill empty fields, so listing a catalog number that does have a record is harmless.
 */
import { identifiersWithoutRecord, leadingCharacter, problemsInOrder } from '#core/filelists/common';
import { formulaCatalogNumberProblems } from '#core/filelists/symbiota-field-map';
import type { BuiltList, ListContext, ListProblem, SkeletalOptions } from '#core/filelists/types';
import { formatCount } from '#core/format';
import { safeFileName, startsLikeFormula } from '#core/table';
import { listInWords } from '#core/validation/path-parts';

/**
 * Occurrence fields a skeletal file commonly fills: those Symbiota's documentation names, and other columns of
 * its occurrence table that its own code reads and writes. Lower-cased, as the portal matches headers.
 */
const KNOWN_FIELDS: ReadonlySet<string> = new Set(
  [
    'catalogNumber',
    'otherCatalogNumbers',
    'occurrenceID',
    'basisOfRecord',
    'sciname',
    'scientificName',
    'scientificNameAuthorship',
    'family',
    'genus',
    'specificEpithet',
    'identifiedBy',
    'dateIdentified',
    'identificationQualifier',
    'typeStatus',
    'recordedBy',
    'recordNumber',
    'associatedCollectors',
    'eventDate',
    'verbatimEventDate',
    'country',
    'stateProvince',
    'county',
    'municipality',
    'locality',
    'decimalLatitude',
    'decimalLongitude',
    'geodeticDatum',
    'coordinateUncertaintyInMeters',
    'verbatimCoordinates',
    'georeferencedBy',
    'minimumElevationInMeters',
    'maximumElevationInMeters',
    'verbatimElevation',
    'habitat',
    'substrate',
    'associatedTaxa',
    'occurrenceRemarks',
    'verbatimAttributes',
    'reproductiveCondition',
    'establishmentMeans',
    'lifeStage',
    'sex',
    'individualCount',
    'preparations',
    'disposition',
    'language',
    'processingStatus',
  ].map((name) => name.toLowerCase()),
);

/** Symbiota field names are identifiers: letters, digits and underscores, no spaces. */
const fieldNameShape = /^[A-Za-z0-9_]+$/;

interface Field {
  readonly name: string;
  readonly value: string;
}

interface FieldCheck {
  /** The fields that become columns, in the order given. */
  readonly columns: readonly Field[];
  readonly problems: readonly ListProblem[];
  readonly notes: readonly string[];
}

/**
 * Checks the constant fields and picks those that become columns. Names and values are trimmed; a field with neither
 * name nor value is an unused row of the form and is passed over. Errors: a value without a name, a name
 * repeated (ignoring case, as the portal does), `catalogNumber` itself, a name with spaces or other characters.
 * Warnings: a name this uploader does not know as a Symbiota field, a value the writer will neutralise.
 * A named field without value is left out with a note. Repeats and `catalogNumber` never become columns.
 */
export function checkSkeletalFields(fields: SkeletalOptions['fields']): FieldCheck {
  const columns: Field[] = [];
  const problems: ListProblem[] = [];
  const empty: string[] = [];
  const seen = new Map<string, string>([['catalognumber', 'catalogNumber']]);
  fields.forEach(([rawName, rawValue], index) => {
    const name = rawName.trim();
    const value = rawValue.trim();
    if (name === '') {
      if (value !== '') problems.push(namelessValue(value, index));
      return;
    }
    const key = name.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push(key === 'catalognumber' ? catalogNumberField(name) : repeatedField(name, earlier));
      return;
    }
    seen.set(key, name);
    problems.push(...nameProblems(name));
    if (value === '') empty.push(name);
    else {
      if (startsLikeFormula(value)) problems.push(formulaValue(name, value));
      columns.push({ name, value });
    }
  });
  return { columns, problems, notes: emptyFieldsNote(empty) };
}

function namelessValue(value: string, index: number): ListProblem {
  return {
    status: 'error',
    message: `Skeletal field ${index + 1} has the value '${value}' but no name; enter the Symbiota field it fills, such as stateProvince, or clear the value.`,
  };
}

function catalogNumberField(name: string): ListProblem {
  return {
    status: 'error',
    message: `The skeletal field ${name} is the file's first column, filled from each image's name; remove it from the constant fields.`,
  };
}

function repeatedField(name: string, earlier: string): ListProblem {
  const same =
    name === earlier ? 'is given twice' : `repeats ${earlier}, as the portal ignores case in field names`;
  return {
    status: 'error',
    message: `The skeletal field ${name} ${same}; remove one of them.`,
  };
}

function nameProblems(name: string): ListProblem[] {
  if (!fieldNameShape.test(name)) {
    return [
      {
        status: 'error',
        message: `The skeletal field name '${name}' holds spaces or characters other than letters, digits and _, which Symbiota field names never have; write it as the portal names it, such as stateProvince.`,
      },
    ];
  }
  if (KNOWN_FIELDS.has(name.toLowerCase())) return [];
  return [
    {
      status: 'warning',
      message: `The skeletal field ${name} is not a Symbiota occurrence field this uploader knows; check the spelling against your portal's field list.`,
    },
  ];
}

function formulaValue(name: string, value: string): ListProblem {
  return {
    status: 'warning',
    message: `The value of the skeletal field ${name}, '${value}', starts with ${leadingCharacter(value)}, so it is written with a leading apostrophe that the portal will store as part of it; remove that first character if it is not meant.`,
  };
}

function emptyFieldsNote(names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const one = names.length === 1;
  return [
    `The skeletal ${one ? 'field' : 'fields'} ${listInWords(names)} ${one ? 'has' : 'have'} no value, so ${one ? 'its column is' : 'their columns are'} left out; enter a value to fill ${one ? 'it' : 'them'} in the new records.`,
  ];
}

/**
 * The skeletal file: `catalogNumber`, then the constant fields in the order given, one row per catalog number
 * that has images but no record, every row carrying the same values. Without a record list every catalog
 * number is listed. A CSV without byte order mark, since the portal imports it.
 */
export function buildSymbiotaSkeletal(context: ListContext, options: SkeletalOptions): BuiltList {
  const fields = checkSkeletalFields(options.fields);
  const catalogNumbers = identifiersWithoutRecord(context);
  const values = fields.columns.map((field) => field.value);
  return {
    kind: 'symbiota-skeletal',
    title: 'Symbiota skeletal file',
    fileName: safeFileName(`${context.batch}-skeletal`, 'csv'),
    format: 'csv',
    bom: false,
    table: {
      columns: ['catalogNumber', ...fields.columns.map((field) => field.name)],
      rows: catalogNumbers.map((catalogNumber) => [catalogNumber, ...values]),
    },
    problems: problemsInOrder([
      ...formulaCatalogNumberProblems(catalogNumbers, 'the skeletal file'),
      ...fields.problems,
    ]),
    notes: [...rowsNote(context, catalogNumbers.length), ...fields.notes],
  };
}

/** Why the file holds the rows it holds: all catalog numbers without a record list, none when all have records. */
function rowsNote(context: ListContext, rows: number): string[] {
  if (!context.files.some((file) => file.identifier !== '')) {
    return ['No file has a catalog number, so the skeletal file has no rows.'];
  }
  if (context.records === undefined) {
    return [
      `No record list was given, so the skeletal file lists every catalog number (${formatCount(rows)}); that is harmless, as skeletal values only fill empty fields of records that already exist.`,
    ];
  }
  if (rows > 0) return [];
  return [
    `Every image's catalog number already has a record in ${context.records.name}, so the skeletal file has no rows.`,
  ];
}
