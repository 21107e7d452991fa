/**
 * The BioImage Archive file list: one line per file to upload (annotations aside), the information its path
 * holds read out into columns by the user's template, the user's own table merged in by path, and only the
 * columns that vary between files, as the archive asks.
 */
import { annotatedPaths } from '#core/filelists/bia-annotations';
import { biaListProblems, columnNameRule, FILES_COLUMN } from '#core/filelists/bia-rules';
import { heldBackNote, problemsInOrder } from '#core/filelists/common';
import { parsePathTemplate } from '#core/filelists/path-template';
import type { BiaFileListOptions, BuiltList, ListContext, ListProblem } from '#core/filelists/types';
import { plural } from '#core/format';
import { safeFileName, startsLikeFormula } from '#core/table';
import { listInWords, namePaths } from '#core/validation/path-parts';
import type { RecordTable } from '#core/validation/types';

/** How many paths a sentence about many files names before counting the rest. */
const NAMED_PATHS = 5;

/** Column names (any case) that hold the path in a table the user merges in. */
const KEY_COLUMNS = new Set(['files', 'path', 'file', 'filename']);

/** One column of the list under construction: its name and a value per listed path. */
interface Column {
  readonly name: string;
  readonly values: readonly string[];
}

interface Columns {
  readonly columns: readonly Column[];
  readonly problems: readonly ListProblem[];
}

const NO_COLUMNS: Columns = { columns: [], problems: [] };

/**
 * The file list of the study: `Files` (each path, in path order, without the files the annotation sets
 * select), the template's columns, then the extra table's, leaving out every column whose value is the same
 * for all files (a note says which: such values belong in the study form). The archive's own rules run on
 * the result.
 */
export function buildBiaFileList(context: ListContext, options: BiaFileListOptions): BuiltList {
  const annotated = annotatedPaths(context.files, options.annotationSets ?? []);
  const paths = context.files.map((file) => file.path).filter((path) => !annotated.has(path));
  const fromTemplate = templateColumns(options.template, paths);
  const fromExtra =
    options.extra === undefined
      ? NO_COLUMNS
      : extraColumns(
          options.extra,
          paths,
          fromTemplate.columns.map((column) => column.name),
        );
  const { kept, notes: leftOut } = varyingColumns(
    [...fromTemplate.columns, ...fromExtra.columns],
    paths.length,
  );
  const table = {
    columns: [FILES_COLUMN, ...kept.map((column) => column.name)],
    rows: paths.map((path, i) => [path, ...kept.map((column) => column.values[i] ?? '')]),
  };
  const uploadPaths = new Set(context.files.map((file) => file.path));
  return {
    kind: 'bia-file-list',
    title: 'BioImage Archive file list',
    fileName: safeFileName(`${context.batch}-file-list`, 'tsv'),
    format: 'tsv',
    bom: false,
    table,
    problems: problemsInOrder([
      ...emptyListProblem(paths.length, annotated.size),
      ...fromTemplate.problems,
      ...fromExtra.problems,
      ...formulaValuesProblem(kept, paths.length),
      ...biaListProblems(table, uploadPaths, 'the file list'),
    ]),
    notes: [...heldBackNote(context), ...annotatedNote(annotated.size), ...leftOut],
  };
}

function emptyListProblem(listed: number, annotated: number): ListProblem[] {
  if (listed > 0) return [];
  return [
    {
      status: 'warning',
      message:
        annotated > 0
          ? 'The file list is empty, as the annotation sets select every file to upload; check their selections, since a study needs its images in a file list.'
          : 'The file list is empty, as there are no files to upload; pick a folder whose files pass the check.',
    },
  ];
}

function annotatedNote(annotated: number): string[] {
  if (annotated === 0) return [];
  return [
    `${plural(annotated, 'file')} selected by the annotation sets ${annotated === 1 ? 'is' : 'are'} left out of the file list, as ${annotated === 1 ? 'it goes' : 'they go'} in the annotations file lists.`,
  ];
}

/** The template's columns with each path's values; a path the template does not fit gets empty values. */
function templateColumns(text: string, paths: readonly string[]): Columns {
  const written = text.trim();
  if (written === '') return NO_COLUMNS;
  const parsed = parsePathTemplate(written);
  if (!parsed.ok)
    return {
      columns: [],
      problems: parsed.problems.map((message): ListProblem => ({ status: 'error', message })),
    };
  const { template } = parsed;
  if (template.columns.length === 0)
    return {
      columns: [],
      problems: [
        {
          status: 'warning',
          message: `The template ${written} names no column in braces, so it adds none; write the parts to read out as {Name}, such as {Plate}/{Well}/{Field}.tif.`,
        },
      ],
    };
  const values = template.columns.map(() => [] as string[]);
  const unmatched: string[] = [];
  for (const path of paths) {
    const found = template.match(path);
    if (found === undefined) unmatched.push(path);
    values.forEach((column, c) => column.push(found?.[c] ?? ''));
  }
  return {
    columns: template.columns.map((name, c) => ({ name, values: values[c] ?? [] })),
    problems: unmatchedProblem(unmatched, written, template.columns),
  };
}

function unmatchedProblem(
  unmatched: readonly string[],
  template: string,
  columns: readonly string[],
): ListProblem[] {
  const count = unmatched.length;
  if (count === 0) return [];
  return [
    {
      status: 'warning',
      message: `${plural(count, 'file')} ${count === 1 ? 'does' : 'do'} not match the template ${template}, so ${count === 1 ? 'its' : 'their'} ${listInWords(columns)} ${columns.length === 1 ? 'cell is' : 'cells are'} empty (${namePaths(unmatched, NAMED_PATHS)}); change the template or move the files.`,
    },
  ];
}

/**
 * The columns of the user's table, merged in by exact path. The key column is the one named Files, path,
 * file or filename (any case), else the first. Columns the archive refuses, or named like a template column
 * or an earlier column, are left out with an error; a blank-named column without values is dropped quietly.
 */
function extraColumns(extra: RecordTable, paths: readonly string[], taken: readonly string[]): Columns {
  const found = extra.columns.findIndex((name) => KEY_COLUMNS.has(name.trim().toLowerCase()));
  const key = found === -1 ? 0 : found;
  const { rowOf, problems } = rowsByPath(extra, key, paths);
  const names = new Set(taken);
  const columns: Column[] = [];
  extra.columns.forEach((name, c) => {
    if (c === key) return;
    const refusal = columnRefusal(extra, name, c, names);
    if (refusal === 'quiet') return;
    names.add(name);
    if (refusal !== undefined) {
      problems.push({ status: 'error', message: refusal });
      return;
    }
    const values = paths.map((path) => rowOf.get(path)?.[c] ?? '');
    columns.push({ name, values });
  });
  return { columns, problems };
}

function columnRefusal(
  extra: RecordTable,
  name: string,
  index: number,
  taken: ReadonlySet<string>,
): string | 'quiet' | undefined {
  if (name.trim() === '' && extra.rows.every((row) => (row[index] ?? '').trim() === '')) return 'quiet';
  const rule = columnNameRule(name);
  if (rule?.status === 'error') {
    const blank = name.trim() === '';
    return `Column ${blank ? index + 1 : `'${name}'`} of ${extra.name} ${rule.reason}, so it was left out of the file list; ${blank ? 'give it a name' : 'rename it'}.`;
  }
  if (taken.has(name))
    return `Column '${name}' of ${extra.name} has the name of a column the file list already has, so it was left out; rename it.`;
  return undefined;
}

function rowsByPath(
  extra: RecordTable,
  key: number,
  paths: readonly string[],
): { readonly rowOf: ReadonlyMap<string, readonly string[]>; readonly problems: ListProblem[] } {
  const listed = new Set(paths);
  const rowOf = new Map<string, readonly string[]>();
  const repeated = new Set<string>();
  const unlisted: string[] = [];
  for (const row of extra.rows) {
    const path = row[key] ?? '';
    if (path.trim() === '') continue;
    if (rowOf.has(path)) repeated.add(path);
    else {
      rowOf.set(path, row);
      if (!listed.has(path)) unlisted.push(path);
    }
  }
  const keyName = extra.columns[key] ?? FILES_COLUMN;
  return {
    rowOf,
    problems: [
      ...unlistedProblem(unlisted, extra.name, keyName),
      ...repeatedProblem([...repeated], extra.name),
    ],
  };
}

function unlistedProblem(unlisted: readonly string[], table: string, keyName: string): ListProblem[] {
  const count = unlisted.length;
  if (count === 0) return [];
  return [
    {
      status: 'warning',
      message: `${plural(count, 'row')} of ${table} ${count === 1 ? 'has' : 'have'} a ${keyName} that is not in the file list (${namePaths(unlisted, NAMED_PATHS)}), so ${count === 1 ? 'it was' : 'they were'} not merged; write each path exactly as the file list has it.`,
    },
  ];
}

function repeatedProblem(repeated: readonly string[], table: string): ListProblem[] {
  const count = repeated.length;
  if (count === 0) return [];
  return [
    {
      status: 'warning',
      message: `${namePaths(repeated, NAMED_PATHS)} ${count === 1 ? 'has' : 'have'} more than one row in ${table}, and only the first was merged; remove the other rows.`,
    },
  ];
}

/**
 * The columns whose value differs between files; every other one is left out with a note, since the archive
 * wants constant values in the study form. Without rows nothing varies, and every column is kept.
 */
function varyingColumns(
  columns: readonly Column[],
  rowCount: number,
): { readonly kept: readonly Column[]; readonly notes: readonly string[] } {
  if (rowCount === 0) return { kept: columns, notes: [] };
  const kept: Column[] = [];
  const notes: string[] = [];
  for (const column of columns) {
    const first = column.values[0] ?? '';
    if (column.values.some((value) => value !== first)) kept.push(column);
    else
      notes.push(
        first === ''
          ? `${column.name} is empty for every file, so it was left out.`
          : `${column.name} is '${first}' for every file, so it was left out: it belongs in the study form.`,
      );
  }
  return { kept, notes };
}

/**
 * Values a spreadsheet would run as formulas (`=HYPERLINK(…)`, `+1`) are written with an apostrophe in front,
 * which the archive then keeps as part of the value: one warning naming the first few, row by row.
 */
function formulaValuesProblem(columns: readonly Column[], rowCount: number): ListProblem[] {
  const examples: string[] = [];
  let count = 0;
  for (let row = 0; row < rowCount; row += 1)
    for (const column of columns) {
      const value = column.values[row] ?? '';
      if (!startsLikeFormula(value)) continue;
      count += 1;
      if (examples.length < NAMED_PATHS) examples.push(`${column.name} '${value}'`);
    }
  if (count === 0) return [];
  const named =
    count > examples.length
      ? `${examples.join(', ')} and ${count - examples.length} more`
      : listInWords(examples);
  const [starts, them, formulas] =
    count === 1 ? ['starts', 'it', 'a formula'] : ['start', 'them', 'formulas'];
  return [
    {
      status: 'warning',
      message: `${plural(count, 'value')} of the file list ${starts} with =, +, - or @ (${named}), so the list writes ${them} with an apostrophe in front to keep spreadsheets from running ${them} as ${formulas}, and the BioImage Archive will keep the apostrophe; remove the first character where it is not meant.`,
    },
  ];
}
