/**
 * Golden-file tests for the file lists: a fixture folder (paths and their text content, kept in
 * tests/fixtures/filelists/<folder>.ts so the Playwright journey can write the same folder to disk) goes through
 * the real check and the real writer, and the text must equal tests/fixtures/filelists/expected/<name> byte for
 * byte. `UPDATE_GOLDEN=1 npx vitest run tests/unit/filelists` rewrites the expected files; review the diff.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Papa from 'papaparse';
import { expect } from 'vitest';
import { listContext, type Arrival, type Checksums } from '#core/filelists/context';
import type { BuiltList, ListContext } from '#core/filelists/types';
import { neutraliseTable } from '#core/table';
import { validate } from '#core/validation/validate';
import type { ProfileId, ProfileSettings, RecordTable, ScannedFile } from '#core/validation/types';
import { readRecordList } from '../../../src/workers/delimited-reader';
import { CSV_DIALECT, toCsv, toTsv, TSV_DIALECT } from '../../../src/workers/table-writer';
import type { FixtureFolder } from '../../fixtures/filelists/fixture-folder';

export const EXPECTED_DIR = join(import.meta.dirname, '../../fixtures/filelists/expected');

export function scanned(folder: FixtureFolder): ScannedFile[] {
  return folder.files.map(({ path, content }) => ({
    path,
    size: Buffer.byteLength(content, 'utf8'),
    lastModified: 0,
  }));
}

/** SHA-256 and MD5 of every file, as the app's checksum step computes them. */
export function checksumsOf(folder: FixtureFolder): Map<string, Checksums> {
  return new Map(
    folder.files.map(({ path, content }) => [
      path,
      {
        sha256: createHash('sha256').update(content, 'utf8').digest('hex'),
        md5: createHash('md5').update(content, 'utf8').digest('hex'),
      },
    ]),
  );
}

export interface ContextOptions<P extends ProfileId> {
  /** Hidden files checked as data (Include hidden files ticked). */
  readonly includeHidden?: boolean;
  readonly profile: P;
  readonly settings: ProfileSettings[P];
  /** Path of a CSV inside the folder to use as the record list. */
  readonly recordListPath?: string;
  readonly includeErrors?: boolean;
  readonly batch?: string;
  readonly withChecksums?: boolean;
  readonly arrivals?: ReadonlyMap<string, Arrival>;
  /** Checks as if the folder was picked under this name (Deriva configs see it); none by default. */
  readonly folderName?: string;
}

/** The folder checked as the app checks it, then turned into the file lists' context. */
export function contextOf<P extends ProfileId>(
  folder: FixtureFolder,
  options: ContextOptions<P>,
): ListContext {
  const files = scanned(folder);
  let records: RecordTable | undefined;
  if (options.recordListPath !== undefined) {
    const listed = folder.files.find((f) => f.path === options.recordListPath);
    if (!listed) throw new Error(`${options.recordListPath} is not in fixture folder ${folder.name}`);
    const read = readRecordList(listed.content, listed.path);
    if (!read.table) throw new Error(read.problems.map((p) => p.message).join(' '));
    records = read.table;
  }
  const result = validate(
    files,
    options.profile,
    options.settings,
    records ? { table: records } : undefined,
    {
      ...(options.folderName === undefined ? {} : { folderName: options.folderName }),
      ...(options.includeHidden ? { includeHidden: true } : {}),
    },
  );
  return listContext({
    files,
    result,
    includeErrors: options.includeErrors ?? false,
    batch: options.batch ?? 'batch-1',
    ...(records ? { records } : {}),
    ...(options.withChecksums === false ? {} : { checksums: checksumsOf(folder) }),
    ...(options.arrivals ? { arrivals: options.arrivals } : {}),
  });
}

/** The list as the app writes it for download. */
export function written(list: BuiltList): string {
  if (list.format === 'csv') return toCsv(list.table, { bom: list.bom });
  const tsv = toTsv(list.table, list.title);
  if ('problems' in tsv) throw new Error(tsv.problems.join(' '));
  return tsv.text;
}

/**
 * The written text equals the golden file, and reads back through papaparse to exactly the rows that were
 * written (formula-neutralised, short rows padded).
 */
export function expectGolden(list: BuiltList, expectedName: string): void {
  const text = written(list);
  const path = join(EXPECTED_DIR, expectedName);
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) {
    if (process.env['UPDATE_GOLDEN'] !== '1')
      throw new Error(`No golden file ${expectedName}; run with UPDATE_GOLDEN=1 to write it.`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  expect(text).toBe(readFileSync(path, 'utf8'));
  expectRoundTrip(list, text);
}

export function expectRoundTrip(list: BuiltList, text: string): void {
  const dialect = list.format === 'csv' ? CSV_DIALECT : TSV_DIALECT;
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  const parsed = Papa.parse<string[]>(body, { ...dialect, skipEmptyLines: false });
  expect(parsed.errors).toEqual([]);
  const safe = neutraliseTable(list.table);
  expect(parsed.data).toEqual([safe.columns, ...safe.rows]);
}
