/**
 * The Darwin Core Archive multimedia extension with Audubon Core terms (rowType
 * `http://rs.tdwg.org/ac/terms/Multimedia`), the way Symbiota itself exports and imports images: one row per
 * image, keyed by catalog number, with the addresses of its original, web and thumbnail copies.
 */
import { heldBackNote, leadingCharacter, problemsInOrder } from '#core/filelists/common';
import { imageAddresses, missingCopiesNote, selectMappedImages } from '#core/filelists/symbiota-field-map';
import type { BuiltList, DwcMultimediaOptions, ListContext, ListProblem } from '#core/filelists/types';
import { listInWords } from '#core/validation/path-parts';
import { startsLikeFormula, tsvProblems } from '#core/table';

export const MULTIMEDIA_ROW_TYPE = 'http://rs.tdwg.org/ac/terms/Multimedia';

/**
 * The columns in order, each with the term meta.xml maps it to: the URIs Symbiota's own archive export uses.
 * `coreid` has none, as it is the key to the core. thumbnailAccessURI and goodQualityAccessURI are the 2013
 * Audubon Core terms that GBIF, iDigBio and Symbiota still read.
 */
const COLUMN_TERMS: readonly (readonly [string, string | undefined])[] = [
  ['coreid', undefined],
  ['identifier', 'http://purl.org/dc/terms/identifier'],
  ['accessURI', 'http://rs.tdwg.org/ac/terms/accessURI'],
  ['thumbnailAccessURI', 'http://rs.tdwg.org/ac/terms/thumbnailAccessURI'],
  ['goodQualityAccessURI', 'http://rs.tdwg.org/ac/terms/goodQualityAccessURI'],
  ['format', 'http://purl.org/dc/terms/format'],
  ['type', 'http://purl.org/dc/terms/type'],
  ['subtype', 'http://rs.tdwg.org/ac/terms/subtype'],
  ['rights', 'http://purl.org/dc/terms/rights'],
  ['Owner', 'http://ns.adobe.com/xap/1.0/rights/Owner'],
  ['creator', 'http://purl.org/dc/elements/1.1/creator'],
  ['caption', 'http://rs.tdwg.org/ac/terms/caption'],
  ['comments', 'http://rs.tdwg.org/ac/terms/comments'],
  ['associatedSpecimenReference', 'http://rs.tdwg.org/ac/terms/associatedSpecimenReference'],
];

const TERM_OF_COLUMN: ReadonlyMap<string, string | undefined> = new Map(COLUMN_TERMS);

/**
 * multimedia.txt, a TSV with the columns of {@link COLUMN_TERMS}: `coreid` is the catalog number,
 * `identifier` and `accessURI` the address of the best copy a browser shows (the large copy or the original),
 * `goodQualityAccessURI` and `thumbnailAccessURI` those of the web and thumbnail copies when they exist,
 * `format` the MIME type of the accessURI copy, `type` StillImage and `subtype` Photograph (as Symbiota
 * writes them), rights, Owner and creator from the options; caption, comments and
 * associatedSpecimenReference are left for the collection to fill.
 *
 * It is an extension, not a whole archive: it goes beside the collection's own occurrence core, whose id must
 * be the catalog number for `coreid` to link each image. No core is made here on purpose: a core holding only
 * catalog numbers, imported into a portal as a full archive, could blank the records it matches.
 */
export function buildDwcMultimedia(context: ListContext, options: DwcMultimediaOptions): BuiltList {
  const selection = selectMappedImages(context, 'the multimedia file');
  const addresses = imageAddresses(options.baseUrl);
  const credits = {
    rights: options.rights.trim(),
    Owner: options.owner.trim(),
    creator: options.creator.trim(),
  };
  const rows = selection.images.map((image) => {
    const accessUri = addresses.of(image.original);
    return [
      image.file.identifier,
      accessUri,
      accessUri,
      addresses.of(image.thumbnail),
      addresses.of(image.web),
      image.original.type,
      'StillImage',
      'Photograph',
      credits.rights,
      credits.Owner,
      credits.creator,
      '',
      '',
      '',
    ];
  });
  const table = { columns: COLUMN_TERMS.map(([column]) => column), rows };
  const problems: ListProblem[] = [
    ...(addresses.problem === undefined ? [] : [addresses.problem]),
    ...selection.problems,
    ...tsvProblems(table, 'the multimedia file').map((message) => ({ status: 'error' as const, message })),
    ...formulaOptionWarnings(credits),
  ];
  return {
    kind: 'dwc-multimedia',
    title: 'Darwin Core multimedia extension',
    fileName: 'multimedia.txt',
    format: 'tsv',
    bom: false,
    table,
    problems: problemsInOrder(problems),
    notes: [
      ...heldBackNote(context),
      ...selection.notes,
      ...missingCopiesNote(selection.images, 'goodQualityAccessURI and thumbnailAccessURI'),
      ...emptyOptionsNote(credits),
      'multimedia.txt is an extension, not a whole archive: add it and the <extension> element of its meta.xml to the Darwin Core Archive of your occurrence records, whose core id must be the catalog number so that coreid links each image.',
    ],
  };
}

function formulaOptionWarnings(values: Readonly<Record<string, string>>): ListProblem[] {
  return Object.entries(values)
    .filter(([, value]) => startsLikeFormula(value))
    .map(([column, value]): ListProblem => ({
      status: 'warning',
      message: `The ${column} value '${value}' starts with ${leadingCharacter(value)}, so the multimedia file writes it with a leading apostrophe; remove that first character if it is not meant.`,
    }));
}

function emptyOptionsNote(values: Readonly<Record<string, string>>): string[] {
  const empty = Object.keys(values).filter((column) => values[column] === '');
  if (empty.length === 0) return [];
  const one = empty.length === 1;
  return [
    `The ${listInWords(empty)} ${one ? 'column is' : 'columns are'} empty; fill ${one ? 'it' : 'them'} in so that users of the images know who made and owns them and how they may be reused.`,
  ];
}

/**
 * The meta.xml that describes a multimedia file built by {@link buildDwcMultimedia} as a Darwin Core text
 * extension: its location, delimiters (tab, LF, `"` as the quote papaparse may use), the header line to skip,
 * `coreid` at index 0 and one field per other column with its term.
 *
 * The `<archive>` holds only the `<extension>`, no `<core>`: the element is meant to be added to the meta.xml
 * of the collection's archive beside its occurrence core (see {@link buildDwcMultimedia} for why no core is
 * made). No `metadata` attribute either, as no EML document comes with it.
 */
export function dwcMetaXml(list: BuiltList): string {
  if (list.kind !== 'dwc-multimedia')
    throw new Error(`dwcMetaXml describes a dwc-multimedia list, not ${list.kind}.`);
  const { columns } = list.table;
  const fields = columns.flatMap((column, index) => {
    const term = TERM_OF_COLUMN.get(column);
    return term === undefined ? [] : [`    <field index="${index}" term="${xmlEscape(term)}"/>`];
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<archive xmlns="http://rs.tdwg.org/dwc/text/">',
    `  <extension encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="&quot;" ignoreHeaderLines="1" rowType="${xmlEscape(MULTIMEDIA_ROW_TYPE)}">`,
    '    <files>',
    `      <location>${xmlEscape(list.fileName)}</location>`,
    '    </files>',
    `    <coreid index="${columns.indexOf('coreid')}"/>`,
    ...fields,
    '  </extension>',
    '</archive>',
    '',
  ].join('\n');
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text safe inside an XML element or a double- or single-quoted attribute. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ENTITIES[char] ?? char);
}
