/**
 * The folder worker: walks a picked directory handle, keeps what it found, validates it against a target, and
 * answers the findings table page by page. The page never holds the findings themselves, only what is in view.
 */
import * as Comlink from 'comlink';
import { planRenames, type Rename } from '#core/barcodes/renames';
import { UploadNames } from '#core/barcodes/upload-names';
import type { BarcodeReading } from '#core/barcodes/types';
import type { FileDigests, SentDigests } from '#core/digest';
import { listContext, type Arrival } from '#core/filelists/context';
import { buildList } from '#core/filelists/registry';
import type { BagName, FileListKind } from '#core/filelists/types';
import type {
  Finding,
  ProfileSettings,
  ProfileId,
  RecordTable,
  ScannedFile,
  ValidationResult,
} from '#core/validation/types';
import { walkTree } from '#core/scan-tree';
import type { ScanBatch, ScanEntry, ScanProgress } from '#core/scan-types';
import { summarise, type CheckSummary } from '#core/validation/check-summary';
import { FindingView, type FindingPage, type FindingQuery } from '#core/validation/finding-view';
import { expectedContentTypes } from '#core/validation/magic';
import { lastExtension } from '#core/validation/path-parts';
import { validate } from '#core/validation/validate';
import { askingSource, filesSource, handleSource, type FolderSource } from '../platform/folder-source';
import {
  ChecksumStore,
  type AdoptedChecksums,
  type ChecksumOutcome,
  type ChecksumProgress,
  type DigestKind,
} from './checksum-run';
import { readRecordList } from './delimited-reader';
import {
  copiesFrom,
  keepArrivals,
  ListKeeper,
  readRequest,
  type ArrivalsDelta,
  type CopiesText,
  type ListDownload,
  type ListPreview,
  type ListRequestFromPage,
} from './file-lists';
import { AbsorbedFolder, type AbsorbedScan } from './memory-tree';
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
  /** The picked folder's name, which Deriva upload configs see as the start of every path. */
  readonly folderName?: string;
  /** The folder was scanned with its hidden files as data. */
  readonly includeHidden: boolean;
}

export interface ListBuildRequest {
  readonly list: ListRequestFromPage;
  /** The user lets files with errors into the upload, so into the lists too. */
  readonly includeErrors: boolean;
  readonly batch: string;
  readonly copies?: CopiesText;
  /** The receipt names the bag of a completed batch. */
  readonly bag?: BagName;
}

export interface ChecksumRequest {
  readonly includeErrors: boolean;
  /** The target uses MD5 too (Deriva, Symbiota's mediaMD5). */
  readonly md5: boolean;
}

export interface CheckResult {
  readonly summary: CheckSummary;
  /** The record list's columns, for choosing the identifier column. */
  readonly recordColumns: readonly string[];
  /** Sentences about a record list that could not be read. */
  readonly recordProblems: readonly string[];
}

let files: ScannedFile[] = [];
let source: FolderSource | null = null;
/** A folder input's files' facts as they arrive from the page, until scanAbsorbed walks them. */
let absorbed = new AbsorbedFolder();
/** Whether the first bytes of every file have been read (once per folder, before its first check). */
let magicRead = false;
const MAGIC_BYTES = 16;
const MAGIC_CONCURRENCY = 64;
let view = new FindingView([]);
let findings: readonly Finding[] = [];
/** The last check, which the file lists and checksums work from. */
let lastCheck: { readonly result: ValidationResult; readonly records: RecordTable | undefined } | null = null;
const checksums = new ChecksumStore();
const lists = new ListKeeper();
/** Where each uploaded file went, as the page handed it over (see keepArrivals). */
let arrivals = new Map<string, Arrival>();
/** The barcodes read off the images (Prepare), by path, which the check compares with the names. */
let barcodes = new Map<string, BarcodeReading>();
/** Names files are uploaded under (names from barcodes), which the check and the lists see in their place. */
let names = new UploadNames();

function forget(): void {
  files = [];
  barcodes = new Map();
  names = new UploadNames();
  magicRead = false;
  findings = [];
  view = new FindingView([]);
  lastCheck = null;
  checksums.forget();
  lists.forget();
}

/** The files the upload will send, as the last check judged them. */
function uploadSet(includeErrors: boolean): ScannedFile[] {
  if (!lastCheck) return [];
  const admitted = new Set<string>();
  for (const summary of lastCheck.result.files) {
    if (summary.status === 'skipped' || (summary.status === 'error' && !includeErrors)) continue;
    admitted.add(summary.path);
  }
  return files.filter((file) => admitted.has(names.of(file.path)));
}

/** The names the last check suggests from barcodes, for files not named yet. */
function pendingRenames(): Rename[] {
  const suggested = new Map<string, string>();
  for (const f of findings) if (f.rule === 'barcode.suggested') suggested.set(f.path, f.identifier);
  if (suggested.size === 0) return [];
  const taken = [...files.map((file) => file.path), ...names.pairs().map(([, to]) => to)];
  return planRenames(suggested, taken);
}

function keep(entries: readonly ScanEntry[]): void {
  for (const { path, size, lastModified } of entries) files.push({ path, size, lastModified });
}

const api = {
  async scan(
    root: FileSystemDirectoryHandle,
    onBatch: (batch: ScanBatch) => void | Promise<void>,
    includeHidden: boolean,
  ): Promise<ScanProgress> {
    forget();
    source = handleSource(root);
    return walkTree(
      root,
      (batch) => {
        keep(batch.entries);
        return onBatch(batch);
      },
      { includeHidden },
    );
  },

  /** Takes one slice of a folder input's files: paths below the picked folder (NUL-joined), sizes and dates. */
  absorb(paths: string, sizes: Float64Array, modified: Float64Array): void {
    absorbed.add(paths.split('\u0000'), sizes, modified);
  },

  /**
   * Walks the files {@link api.absorb} took, as {@link api.scan} walks a directory handle, and keeps them; the
   * page builds its rows from the facts it read, in the order returned. `open` fetches the page's File objects
   * of some paths when their bytes are read.
   */
  async scanAbsorbed(
    includeHidden: boolean,
    open: (paths: readonly string[]) => Promise<readonly (File | null)[]>,
  ): Promise<AbsorbedScan> {
    forget();
    const tree = absorbed;
    absorbed = new AbsorbedFolder();
    source = askingSource('', open);
    const scanned = await tree.walk(includeHidden, keep);
    return Comlink.transfer(scanned, [scanned.order.buffer]);
  },

  /** Takes a folder walked on the page (input and drop fallbacks): paths joined by NUL, which no name holds. */
  load(paths: string, sizes: Float64Array, modified: Float64Array, blobs: readonly File[]): void {
    forget();
    const byPath = new Map<string, File>();
    paths.split('\u0000').forEach((path, i) => {
      if (path === '') return;
      files.push({ path, size: sizes[i] ?? 0, lastModified: modified[i] ?? 0 });
      const blob = blobs[i];
      if (blob) byPath.set(path, blob);
    });
    source = filesSource('', byPath);
  },

  async check(request: CheckRequest): Promise<CheckResult> {
    if (!magicRead) await readMagic();
    let recordInput: { readonly table: RecordTable; readonly column?: string } | undefined;
    let recordColumns: readonly string[] = [];
    let recordProblems: readonly string[] = [];
    if (request.recordList) {
      const parsed = readRecordList(request.recordList.text, request.recordList.name);
      recordProblems = parsed.problems.map((p) => p.message);
      if (parsed.table) {
        recordColumns = parsed.table.columns;
        recordInput = request.recordList.column
          ? { table: parsed.table, column: request.recordList.column }
          : { table: parsed.table };
      }
    }
    const checked = names.rename(files);
    const result = validate(checked, request.profile, request.settings, recordInput, {
      folderName: request.folderName ?? '',
      includeHidden: request.includeHidden,
      barcodes: names.rekey(barcodes),
    });
    lastCheck = { result, records: recordInput?.table };
    findings = result.findings;
    view = new FindingView(findings);
    const summary = summarise(
      result,
      checked.map((f) => f.path),
      files.map((f) => f.path),
    );
    return Comlink.transfer({ summary, recordColumns, recordProblems }, [summary.fileStatus.buffer]);
  },

  /** Keeps the barcodes read off these images for the next check; `clear` forgets those read before. */
  addBarcodes(read: readonly (readonly [string, BarcodeReading])[], clear: boolean): void {
    if (clear) barcodes = new Map();
    for (const [path, reading] of read) barcodes.set(path, reading);
  },

  findings(query: FindingQuery): FindingPage {
    return view.page(query);
  },

  /** Takes in the arrivals since the last hand-over, for the lists built from now on. */
  keepArrivals(delta: ArrivalsDelta): void {
    arrivals = keepArrivals(arrivals, delta);
  },

  /** Builds a file list from the last check, keeps it for {@link api.saveList}, and returns its preview. */
  buildList(request: ListBuildRequest): ListPreview {
    if (!lastCheck) throw new Error('The folder has not been checked yet.');
    const { request: list, problems } = readRequest(request.list);
    const copies = copiesFrom(request.copies);
    // The page and the checksums know files by their own paths; the check and the lists by their upload names.
    const named = copies && {
      copies: copies.copies.map((copy) => ({ ...copy, copyOf: names.of(copy.copyOf) })),
      leftHome: new Set([...copies.leftHome].map((path) => names.of(path))),
    };
    const context = listContext({
      files: names.rename(files),
      result: lastCheck.result,
      includeErrors: request.includeErrors,
      batch: request.batch,
      checksums: names.rekey(checksums.known(files)),
      originalOf: (path) => names.originalOf(path),
      ...(lastCheck.records ? { records: lastCheck.records } : {}),
      ...(arrivals.size > 0 ? { arrivals: names.rekey(arrivals) } : {}),
      ...(named ?? {}),
    });
    const withBag = request.bag ? { ...context, bag: request.bag } : context;
    return lists.keep(buildList(withBag, list), problems, request.batch);
  },

  /** The list of `kind` last built, as the file to save; undefined when there is none or it cannot be written. */
  saveList(kind: FileListKind): ListDownload | undefined {
    return lists.download(kind);
  },

  /** Computes the checksums the upload set still lacks. */
  async computeChecksums(
    request: ChecksumRequest,
    onProgress: (progress: ChecksumProgress) => void,
  ): Promise<ChecksumOutcome> {
    if (!source) throw new Error('No folder is open.');
    return checksums.compute(uploadSet(request.includeErrors), source, request.md5, onProgress);
  },

  /** Checksums already known for files about to be uploaded (null where not known yet), by position. */
  knownChecksums(items: readonly ScannedFile[], md5: boolean): (FileDigests | null)[] {
    return items.map((item) => checksums.knownFor(item, md5) ?? null);
  },

  /**
   * The checksums of files the upload sends, computed now unless known, in order: each is its digests or the
   * sentence saying why it could not be read.
   */
  digest(
    items: readonly { readonly path: string; readonly file: File }[],
    kind: DigestKind,
  ): Promise<(SentDigests | string)[]> {
    const hashed: Promise<SentDigests>[] =
      kind === 'xxh3-128' ? checksums.fastReadAll(items) : checksums.readAll(items, kind === 'sha-256+md5');
    return Promise.all(hashed.map((h) => h.catch((error: unknown) => (error as Error).message)));
  },

  /** An upload run proves these files by XXH3-128: the checksum pass leaves them alone while it holds them. */
  holdChecksums(paths: readonly string[]): void {
    checksums.hold(paths);
  },

  releaseChecksums(paths: readonly string[]): void {
    checksums.release(paths);
  },

  /** The checksum pass waits while an upload runs (see ChecksumStore.pause). */
  pauseChecksums(on: boolean): void {
    checksums.pause(on);
  },

  /** Keeps the receiver's checksums of files whose bytes it verified. */
  adoptChecksums(adopted: readonly AdoptedChecksums[]): void {
    for (const { path, size, lastModified, digests } of adopted)
      checksums.adopt(path, { size, lastModified }, digests);
  },

  cancelChecksums(): void {
    checksums.cancel();
  },

  /** How many files of the upload set have their checksums, and how many in all. */
  checksumCount(request: ChecksumRequest): { readonly done: number; readonly files: number } {
    const set = uploadSet(request.includeErrors);
    return { done: set.length - checksums.missing(set, request.md5).length, files: set.length };
  },

  /** The names the last check suggests from barcodes for files not named yet: (own path, upload path) pairs. */
  suggestedNames(): [string, string][] {
    return pendingRenames().map((rename) => [rename.from, rename.to]);
  },

  /** The names files are uploaded under from now on (every pair, replacing those given before). */
  setUploadNames(pairs: readonly (readonly [string, string])[]): void {
    names = new UploadNames(pairs);
  },

  /**
   * The names from barcodes (files whose name gives no identifier), those given to the upload and those only
   * suggested, as CSV: old,new paths, safe to open in a spreadsheet; undefined when there are none.
   */
  renameList(): Blob | undefined {
    const rows = [...names.pairs(), ...pendingRenames().map((rename) => [rename.from, rename.to])];
    if (rows.length === 0) return undefined;
    rows.sort(([a = ''], [b = '']) => (a < b ? -1 : a > b ? 1 : 0));
    return new Blob([toCsv({ columns: ['old', 'new'], rows })], { type: 'text/csv;charset=utf-8' });
  },

  /** Every finding of the last check as CSV (path,status,identifier,rule,message), safe to open in a spreadsheet. */
  report(): Blob {
    const rows = findings.map((f) => REPORT_COLUMNS.map((column) => f[column]));
    return new Blob([toCsv({ columns: REPORT_COLUMNS, rows })], { type: 'text/csv;charset=utf-8' });
  },
};

/**
 * Reads the first bytes of each file whose extension promises a content type, so a PNG named .jpg is caught.
 * A file that cannot be read keeps no magic and is judged by its name alone.
 */
async function readMagic(): Promise<void> {
  const open = source;
  if (!open) return;
  const wanted = files
    .map((file, index) => ({ file, index }))
    .filter(({ file }) => file.size > 0 && expectedContentTypes(lastExtension(file.path)) !== undefined);
  for (let i = 0; i < wanted.length; i += MAGIC_CONCURRENCY) {
    await Promise.all(
      wanted.slice(i, i + MAGIC_CONCURRENCY).map(async ({ file, index }) => {
        try {
          const blob = await open.open(file.path);
          const magic = new Uint8Array(await blob.slice(0, MAGIC_BYTES).arrayBuffer());
          files[index] = { ...file, magic };
        } catch {
          // Unreadable now: the upload will say so for this file.
        }
      }),
    );
  }
  magicRead = true;
}

export type FolderWorkerApi = typeof api;

Comlink.expose(api);
