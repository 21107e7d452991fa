/**
 * The folder worker: walks a picked directory handle, keeps what it found, validates it against a target, and
 * answers the findings table page by page. The page never holds the findings themselves, only what is in view.
 */
import * as Comlink from 'comlink';
import type { Finding, ProfileSettings, ProfileId, ScannedFile } from '#core/validation/types';
import { walkTree } from '#core/scan-tree';
import type { ScanBatch, ScanEntry, ScanProgress } from '#core/scan-types';
import { summarise, type CheckSummary } from '#core/validation/check-summary';
import { FindingView, type FindingPage, type FindingQuery } from '#core/validation/finding-view';
import { parseRecordList } from '#core/validation/record-list';
import { validate } from '#core/validation/validate';
import { toCsv } from './table-writer';

const REPORT_COLUMNS = ['path', 'status', 'identifier', 'rule', 'message'] as const;

export interface RecordListText {
  readonly name: string;
  readonly text: string;
  /** The identifier column the user chose; detected when absent. */
  readonly column?: string;
}

export interface CheckRequest<P extends ProfileId = ProfileId> {
  readonly profile: P;
  readonly settings: ProfileSettings[P];
  readonly recordList?: RecordListText;
}

export interface CheckResult {
  readonly summary: CheckSummary;
  /** The record list's columns, for choosing the identifier column. */
  readonly recordColumns: readonly string[];
  /** Sentences about a record list that could not be read. */
  readonly recordProblems: readonly string[];
}

let files: ScannedFile[] = [];
let view = new FindingView([]);
let findings: readonly Finding[] = [];

function forget(): void {
  files = [];
  findings = [];
  view = new FindingView([]);
}

function keep(entries: readonly ScanEntry[]): void {
  for (const { path, size, lastModified } of entries) files.push({ path, size, lastModified });
}

const api = {
  async scan(root: FileSystemDirectoryHandle, onBatch: (batch: ScanBatch) => void): Promise<ScanProgress> {
    forget();
    return walkTree(root, (batch) => {
      keep(batch.entries);
      onBatch(batch);
    });
  },

  /** Takes a folder walked on the page (input and drop fallbacks): paths joined by NUL, which no name holds. */
  load(paths: string, sizes: Float64Array, modified: Float64Array): void {
    forget();
    paths.split('\u0000').forEach((path, i) => {
      if (path !== '') files.push({ path, size: sizes[i] ?? 0, lastModified: modified[i] ?? 0 });
    });
  },

  check(request: CheckRequest): CheckResult {
    let recordInput;
    let recordColumns: readonly string[] = [];
    let recordProblems: readonly string[] = [];
    if (request.recordList) {
      const parsed = parseRecordList(request.recordList.text, request.recordList.name);
      recordProblems = parsed.problems.map((p) => p.message);
      if (parsed.table) {
        recordColumns = parsed.table.columns;
        recordInput = request.recordList.column
          ? { table: parsed.table, column: request.recordList.column }
          : { table: parsed.table };
      }
    }
    const result = validate(files, request.profile, request.settings, recordInput);
    findings = result.findings;
    view = new FindingView(findings);
    const summary = summarise(
      result,
      files.map((f) => f.path),
    );
    return Comlink.transfer({ summary, recordColumns, recordProblems }, [summary.fileStatus.buffer]);
  },

  findings(query: FindingQuery): FindingPage {
    return view.page(query);
  },

  /** Every finding of the last check as CSV (path,status,identifier,rule,message), safe to open in a spreadsheet. */
  report(): Blob {
    const rows = findings.map((f) => REPORT_COLUMNS.map((column) => f[column]));
    return new Blob([toCsv({ columns: REPORT_COLUMNS, rows })], { type: 'text/csv;charset=utf-8' });
  },
};

export type FolderWorkerApi = typeof api;

Comlink.expose(api);
