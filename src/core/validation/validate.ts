/**
 * Checks a scanned folder against a target profile and, optionally, a record list, in a few linear
 * passes: identify every file; group case clashes and duplicates through Maps; index the record list;
 * then write each file's findings and look its identifier up. Only the sort by path is O(n log n).
 */
import { barcodeFindings, type ReadCode } from '#core/barcodes/compare';
import type { BarcodeReading } from '#core/barcodes/types';
import { getProfile } from '#core/profiles/registry';
import type { Identified, PreparedProfile, RecordRules } from '#core/profiles/types';
import {
  contentMismatch,
  edgeSpaces,
  emptyFile,
  hiddenFile,
  nameCharacter,
  nameTooLong,
  notNfc,
  systemFile,
} from '#core/validation/common-rules';
import { countFindings, emptyCounts, finding, isProblem, worseStatus } from '#core/validation/finding';
import { caseClash, caseKey, duplicate, groupBy, groupCollisions } from '#core/validation/group-rules';
import { fileName, folderOf, lastExtension } from '#core/validation/path-parts';
import {
  caseVariant,
  chooseIdentifierColumn,
  columnKey,
  findRecord,
  indexRecords,
  lineOf,
} from '#core/validation/record-list';
import type { ColumnChoice, RecordIndex } from '#core/validation/record-list';
import type {
  FileSummary,
  Finding,
  RecordLink,
  ProfileId,
  ProfileSettings,
  RecordListInput,
  ScannedFile,
  Status,
  ValidationResult,
} from '#core/validation/types';

interface Entry {
  readonly file: ScannedFile;
  /** Set for files no rule looks at: system files, and kinds the profile skips. */
  readonly skipped: Finding | undefined;
  readonly identified: Identified | undefined;
  readonly problem: Finding | undefined;
}

interface Records {
  readonly index: RecordIndex;
  readonly column: string;
  readonly matched: Uint8Array;
}

interface FileOutcome {
  readonly findings: Finding[];
  readonly record: RecordLink;
}

interface PerFile {
  readonly file: ScannedFile;
  readonly own: readonly Finding[];
  readonly identifier: string;
  readonly parts: Readonly<Record<string, string>>;
  readonly record: RecordLink;
}

const NO_PARTS: Readonly<Record<string, string>> = Object.freeze({});

function byPath(a: ScannedFile, b: ScannedFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** What a check takes besides the files, the target and the record list. */
export interface ValidateOptions {
  /** Hidden files are data (the user included them); otherwise they are skipped like system files. */
  readonly includeHidden?: boolean;
  /** The picked folder's name ('' when unknown); Deriva patterns see it as the start of every path. */
  readonly folderName?: string;
  /** What the barcode reader found on each image, by path; compared with the identifier its name gives. */
  readonly barcodes?: ReadonlyMap<string, BarcodeReading>;
}

function identifyAll(
  files: readonly ScannedFile[],
  profile: PreparedProfile,
  { includeHidden = false }: ValidateOptions,
): Entry[] {
  return files.map((file) => {
    const system = systemFile(file.path);
    let identification = system === undefined ? profile.identify(file.path) : { problem: system };
    // A hidden file the target itself skips keeps the target's reason (GUDMAP's .deriva-upload-state).
    const skippedByTarget = 'problem' in identification && identification.problem.status === 'skipped';
    const hidden =
      includeHidden || skippedByTarget ? undefined : hiddenFile(file.path, profile.hiddenFilesTaken);
    if (hidden !== undefined) identification = { problem: hidden };
    if (!('problem' in identification)) {
      return { file, skipped: undefined, identified: identification, problem: undefined };
    }
    const { problem } = identification;
    return problem.status === 'skipped'
      ? { file, skipped: problem, identified: undefined, problem: undefined }
      : { file, skipped: undefined, identified: undefined, problem };
  });
}

/**
 * For each entry that shares its key with others, the paths of those others. The keys live only while
 * this runs, and almost every entry has none, so the result stays small.
 */
function collisionPartners(
  entries: readonly Entry[],
  keyOf: (entry: Entry) => string | undefined,
): Map<Entry, string[]> {
  const partners = new Map<Entry, string[]>();
  for (const group of groupCollisions(entries, keyOf).values()) {
    for (const entry of group) {
      const paths = group
        .filter((e) => e !== entry && e.file.path !== entry.file.path)
        .map((e) => e.file.path);
      if (paths.length > 0) partners.set(entry, paths);
    }
  }
  return partners;
}

const columnReasons: Readonly<Record<Exclude<ColumnChoice['how'], 'first'>, string>> = {
  chosen: 'as chosen',
  named: 'found by its name',
  'most-matches': 'because its values match the most file identifiers',
};

/** Says which column linked files to records, and asks for a choice when none fitted. */
function columnFinding(listPath: string, choice: ColumnChoice): Finding {
  const list = fileName(listPath);
  if (choice.how === 'first') {
    const message = `No column of ${list} holds the files' identifiers in its first rows, so its first column '${choice.name}' was used; choose the identifier column.`;
    return finding(listPath, 'warning', 'records.column', message);
  }
  const message = `Files were matched to ${list} by its column '${choice.name}', ${columnReasons[choice.how]}.`;
  return finding(listPath, 'ok', 'records.column', message);
}

/** Picks the identifier column, indexes the list and reports on the list itself. */
function prepareRecords(
  input: RecordListInput,
  rules: RecordRules,
  identifiers: () => ReadonlySet<string>,
  out: Finding[],
): Records | undefined {
  const { table } = input;
  const list = fileName(table.name);
  out.push(...rules.checkTable(table));
  const choice = chooseIdentifierColumn(table, {
    ...(input.column === undefined ? {} : { chosen: input.column }),
    preferred: rules.columns,
    identifiers,
  });
  if ('problem' in choice) {
    out.push(choice.problem);
    return undefined;
  }
  out.push(columnFinding(table.name, choice));
  const keys = table.columns.map(columnKey);
  const extra = rules.extraColumns
    .map((name) => keys.indexOf(columnKey(name)))
    .filter((index) => index !== -1 && index !== choice.index);
  const index = indexRecords(table, [choice.index, ...extra], rules.trimEnd);
  for (const [id, rows] of index.repeated) {
    const lines = rows.map((row) => lineOf(table, row));
    out.push(
      finding(
        table.name,
        rules.repeatedStatus,
        'records.duplicate',
        rules.repeatedMessage(id, lines, list),
        id,
      ),
    );
  }
  return { index, column: choice.name, matched: new Uint8Array(table.rows.length) };
}

function pushIf(findings: Finding[], found: Finding | undefined): void {
  if (found !== undefined) findings.push(found);
}

function recordFinding(
  entry: Entry,
  identified: Identified,
  rules: RecordRules,
  records: Records,
): { readonly missing: Finding | undefined; readonly link: string } {
  const { path } = entry.file;
  const { identifier } = identified;
  const { index, matched } = records;
  const list = fileName(index.table.name);
  const match = findRecord(index, identifier, rules.withoutLeadingZeros);
  if (match === undefined) {
    const variant = caseVariant(index, identifier);
    const message = rules.missingMessage({
      path,
      name: fileName(path),
      identifier,
      list,
      caseVariant: variant,
    });
    return { missing: finding(path, rules.missingStatus, 'records.missing', message, identifier), link: '' };
  }
  matched[match.row] = 1;
  const line = lineOf(index.table, match.row);
  const link = match.withoutLeadingZeros
    ? `, found on line ${line} of ${list} as '${match.recordId}', without its leading zeros, as the portal also tries`
    : `, found on line ${line} of ${list}`;
  return { missing: undefined, link };
}

/** The identifier the target's pattern reads from a barcode's text, put in the file's place. */
function codeIdentifier(profile: PreparedProfile, path: string, text: string): string | undefined {
  const folder = folderOf(path);
  const extension = lastExtension(path);
  const stand = `${folder === '' ? '' : `${folder}/`}${text}${extension === '' ? '' : `.${extension}`}`;
  if (text.includes('/')) return undefined;
  const identified = profile.identify(stand);
  return 'problem' in identified ? undefined : identified.identifier;
}

function barcodeOutcome(
  path: string,
  identifier: string,
  reading: BarcodeReading,
  profile: PreparedProfile,
): Finding[] {
  // Not a problem of the upload, like a label not found: counted under its own rule.
  if ('problem' in reading) return [finding(path, 'ok', 'barcode.unread', reading.problem, identifier)];
  const codes: ReadCode[] = reading.found.map((code) => ({
    ...code,
    identifier: codeIdentifier(profile, path, code.text),
  }));
  return barcodeFindings(path, identifier, codes);
}

function fileFindings(
  entry: Entry,
  profile: PreparedProfile,
  caseClashes: ReadonlyMap<Entry, readonly string[]>,
  duplicates: ReadonlyMap<Entry, readonly string[]>,
  records: Records | undefined,
  barcodes: ReadonlyMap<string, BarcodeReading> | undefined,
): FileOutcome {
  if (entry.skipped !== undefined) return { findings: [entry.skipped], record: 'unchecked' };
  const { file, identified } = entry;
  const { path } = file;
  const identifier = identified?.identifier ?? '';
  const findings: Finding[] = [];
  pushIf(findings, entry.problem);
  if (identified !== undefined) findings.push(...identified.notes);
  findings.push(...profile.checkFile(file, identified));
  pushIf(findings, nameCharacter(path, identifier));
  pushIf(findings, emptyFile(file, identifier));
  pushIf(findings, notNfc(path, identifier));
  pushIf(findings, edgeSpaces(path, identifier, profile.pathEndTrimmed));
  pushIf(findings, nameTooLong(path, identifier));
  pushIf(findings, contentMismatch(file, identifier));
  const clashes = caseClashes.get(entry);
  if (clashes !== undefined) findings.push(caseClash(path, clashes, identifier));
  const twins = duplicates.get(entry);
  if (twins !== undefined && identified !== undefined) {
    findings.push(duplicate(path, twins, profile.duplicateWording(identified), identifier));
  }
  const reading = barcodes?.get(path);
  if (reading !== undefined) findings.push(...barcodeOutcome(path, identifier, reading, profile));
  let link = '';
  let linked: RecordLink = 'unchecked';
  if (records !== undefined && identified !== undefined && identifier !== '') {
    const record = recordFinding(entry, identified, profile.records, records);
    pushIf(findings, record.missing);
    link = record.link;
    linked = record.missing === undefined ? 'linked' : 'missing';
  }
  if (identified !== undefined && !findings.some((f) => isProblem(f.status))) {
    findings.push(finding(path, 'ok', 'ok', `${profile.describe(path, identified)}${link}.`, identifier));
  }
  return { findings, record: linked };
}

function recordsWithoutFiles(records: Records, rules: RecordRules): Finding[] {
  const { index, matched } = records;
  const list = fileName(index.table.name);
  const findings: Finding[] = [];
  index.idOfRow.forEach((id, row) => {
    if (id === '' || matched[row] === 1 || index.rowOf.get(id) !== row) return;
    const message = rules.noFileMessage(id, lineOf(index.table, row), list);
    findings.push(finding(index.table.name, rules.noFileStatus, 'records.no-image', message, id));
  });
  return findings;
}

/**
 * Writes the findings in path order. Findings about the folder (path '') and the record list (its name)
 * are merged in at their path, so a list that is itself a scanned file sits with that file.
 */
function assemble(
  profile: ProfileId,
  perFile: readonly PerFile[],
  others: readonly Finding[],
  recordColumn: string | null,
): ValidationResult {
  const byPathOthers = groupBy(others, (f) => f.path);
  const otherPaths = [...byPathOthers.keys()].sort();
  const findings: Finding[] = [];
  const files: FileSummary[] = [];
  const counts = emptyCounts();
  let next = 0;
  const flushBefore = (path: string): void => {
    while (next < otherPaths.length && (otherPaths[next] ?? '') < path) {
      findings.push(...(byPathOthers.get(otherPaths[next] ?? '') ?? []));
      next += 1;
    }
  };
  for (const { file, own, identifier, parts, record } of perFile) {
    flushBefore(file.path);
    findings.push(...own);
    let status: Status = own[0]?.status ?? 'ok';
    for (const f of own) status = worseStatus(status, f.status);
    if (otherPaths[next] === file.path) {
      const merged = byPathOthers.get(file.path) ?? [];
      findings.push(...merged);
      for (const f of merged) status = worseStatus(status, f.status);
      next += 1;
    }
    files.push({ path: file.path, status, identifier, parts, record });
    counts[status] += 1;
  }
  while (next < otherPaths.length) {
    findings.push(...(byPathOthers.get(otherPaths[next] ?? '') ?? []));
    next += 1;
  }
  return { profile, findings, files, counts, findingCounts: countFindings(findings), recordColumn };
}

/** With unusable settings nothing can be identified: say so once, and mark every file not checked. */
function notChecked(
  profile: ProfileId,
  files: readonly ScannedFile[],
  problems: readonly Finding[],
): ValidationResult {
  const perFile = files.map((file) => {
    const message = `${file.path} was not checked, because the target's settings have a problem; fix them to check the files.`;
    const own = [finding(file.path, 'skipped', 'settings.invalid', message)];
    return { file, own, identifier: '', parts: NO_PARTS, record: 'unchecked' as const };
  });
  return assemble(profile, perFile, problems, null);
}

export function validate<P extends ProfileId>(
  files: readonly ScannedFile[],
  profileId: P,
  settings: ProfileSettings[P],
  recordList?: RecordListInput,
  options: ValidateOptions = {},
): ValidationResult {
  const sorted = [...files].sort(byPath);
  const preparation = getProfile(profileId).prepare(settings, { folderName: options.folderName ?? '' });
  if (!preparation.ok) return notChecked(profileId, sorted, preparation.problems);
  const { profile } = preparation;

  const entries = identifyAll(sorted, profile, options);
  const active = entries.filter((e) => e.skipped === undefined);
  const caseClashes = collisionPartners(active, (e) => caseKey(e.file.path));
  const duplicates = collisionPartners(active, (e) =>
    e.identified === undefined ? undefined : profile.duplicateKey(e.identified),
  );

  const others: Finding[] = [...profile.checkFolder(active.map((e) => e.file))];
  let records: Records | undefined;
  if (recordList !== undefined) {
    const identifiers = (): Set<string> =>
      new Set(active.map((e) => e.identified?.identifier ?? '').filter((id) => id !== ''));
    records = prepareRecords(recordList, profile.records, identifiers, others);
  }

  const perFile = entries.map((entry) => {
    const { findings: own, record } = fileFindings(
      entry,
      profile,
      caseClashes,
      duplicates,
      records,
      options.barcodes,
    );
    const identified = entry.identified;
    return {
      file: entry.file,
      own,
      identifier: identified?.identifier ?? '',
      parts: identified?.parts ?? NO_PARTS,
      record,
    };
  });
  if (records !== undefined) others.push(...recordsWithoutFiles(records, profile.records));
  return assemble(profileId, perFile, others, records?.column ?? null);
}
