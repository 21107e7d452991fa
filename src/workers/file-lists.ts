/**
 * File lists inside the folder worker: builds one from the last check, keeps it for the download, and answers
 * the page with a preview (the first rows as they will be written, the problems and notes), never the whole
 * table: at 100,000 rows only the saved file holds them all.
 */
import type { Arrival } from '#core/filelists/context';
import { dwcMetaXml } from '#core/filelists/dwc-multimedia';
import type { ListRequest } from '#core/filelists/registry';
import type {
  BiaFileListOptions,
  BuiltList,
  FileListKind,
  ListCopy,
  ListProblem,
} from '#core/filelists/types';
import { neutraliseTable, safeFileName } from '#core/table';
import { readRecordList } from './delimited-reader';
import { toCsv, toTsv } from './table-writer';
import { zipFiles } from './zip-writer';

/** How many rows the page shows of a list. */
export const PREVIEW_ROWS = 25;

/** A user table to merge into the BioImage Archive file list, as text: the worker reads it. */
export interface ExtraColumnsText {
  readonly name: string;
  readonly text: string;
}

/** A {@link ListRequest} as the page sends it: the BioImage Archive's extra table still as text. */
export type ListRequestFromPage =
  | Exclude<ListRequest, { kind: 'bia-file-list' }>
  | {
      readonly kind: 'bia-file-list';
      readonly options: Omit<BiaFileListOptions, 'extra'> & { readonly extraColumns?: ExtraColumnsText };
    };

/** The web copies that travel, each field NUL-joined in the same order, and the originals left home. */
export interface CopiesText {
  readonly paths: string;
  readonly sizes: string;
  readonly copyOf: string;
  readonly roles: string;
  readonly leftHome: string;
}

const copyRoles: readonly ListCopy['role'][] = ['thumbnail', 'web', 'large', 'web-ready'];

export function copiesFrom(
  text: CopiesText | undefined,
):
  | { readonly copies: Omit<ListCopy, 'storedPath' | 'uploadUrl'>[]; readonly leftHome: Set<string> }
  | undefined {
  if (text === undefined || text.paths === '') return undefined;
  const sizes = text.sizes.split('\u0000');
  const copyOf = text.copyOf.split('\u0000');
  const roles = text.roles.split('\u0000');
  const copies = text.paths.split('\u0000').map((path, i) => {
    const role = roles[i] as ListCopy['role'];
    return {
      path,
      size: Number(sizes[i] ?? 0),
      copyOf: copyOf[i] ?? '',
      role: copyRoles.includes(role) ? role : 'web-ready',
    };
  });
  const leftHome = new Set(text.leftHome === '' ? [] : text.leftHome.split('\u0000'));
  return { copies, leftHome };
}

/** Files the upload placed: paths, where the receiver stored them and their upload URLs, each NUL-joined. */
/** Where each uploaded file went, as NUL-joined columns (one string each crosses to the worker cheaply). */
export interface ArrivalsText {
  readonly paths: string;
  readonly storedPaths: string;
  readonly uploadUrls: string;
  /** The checksums sent with each file ('' when none). */
  readonly sha256s: string;
  readonly md5s: string;
  /** What the receiver said it verified ('sha-256, md5'), '' when it did not say. */
  readonly verified: string;
}

export interface ListPreview {
  readonly kind: BuiltList['kind'];
  readonly title: string;
  readonly fileName: string;
  readonly format: BuiltList['format'] | 'zip';
  readonly columns: readonly string[];
  /** The first rows as they will be written (formula-neutralised, padded). */
  readonly rows: readonly (readonly string[])[];
  readonly rowCount: number;
  readonly problems: readonly ListProblem[];
  readonly notes: readonly string[];
  /** Why the list cannot be written at all (a tab or line break in a TSV value); empty when it can. */
  readonly unwritable: readonly string[];
  /** Rows without a value the repository requires: the list can be saved, but is not ready to submit. */
  readonly incompleteRows: number;
  /** The first file the list is about, for the options' worked example (see {@link BuiltList.firstFile}). */
  readonly firstFile?: string;
}

export interface ListDownload {
  readonly blob: Blob;
  readonly fileName: string;
  readonly format: ListPreview['format'];
}

/** The request with its extra table read, and any problem reading it. */
export function readRequest(request: ListRequestFromPage): {
  readonly request: ListRequest;
  readonly problems: readonly ListProblem[];
} {
  if (request.kind !== 'bia-file-list') return { request, problems: [] };
  const { extraColumns, ...options } = request.options;
  if (extraColumns === undefined) return { request: { kind: request.kind, options }, problems: [] };
  const read = readRecordList(extraColumns.text, extraColumns.name);
  const problems = read.problems.map((p): ListProblem => ({ status: 'error', message: p.message }));
  return {
    request: { kind: request.kind, options: read.table ? { ...options, extra: read.table } : options },
    problems,
  };
}

/**
 * The arrivals the page hands the folder worker since its last hand-over: `reset` when the worker is to forget the
 * ones it holds first (a new batch, or a worker that has none yet). The page packs only what changed, so a list
 * rebuilt during a long upload costs the page the files that arrived since, not all of them.
 */
export interface ArrivalsDelta {
  readonly reset: boolean;
  readonly text: ArrivalsText;
}

/** `kept` with `delta` taken in: a file that arrived again replaces its earlier arrival. */
export function keepArrivals(kept: Map<string, Arrival>, delta: ArrivalsDelta): Map<string, Arrival> {
  const next = delta.reset ? new Map<string, Arrival>() : kept;
  for (const [path, arrival] of arrivalsFrom(delta.text) ?? []) next.set(path, arrival);
  return next;
}

function arrivalsFrom(text: ArrivalsText | undefined): Map<string, Arrival> | undefined {
  if (text === undefined || text.paths === '') return undefined;
  const paths = text.paths.split('\u0000');
  const stored = text.storedPaths.split('\u0000');
  const urls = text.uploadUrls.split('\u0000');
  const sha256s = text.sha256s.split('\u0000');
  const md5s = text.md5s.split('\u0000');
  const verified = text.verified.split('\u0000');
  const arrivals = new Map<string, Arrival>();
  const given = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
  paths.forEach((path, i) => {
    const url = given(urls[i]);
    const sha256 = given(sha256s[i]);
    const md5 = given(md5s[i]);
    arrivals.set(path, {
      storedPath: stored[i] ?? path,
      verified: verified[i] ?? '',
      ...(url === undefined ? {} : { uploadUrl: url }),
      ...(sha256 === undefined ? {} : { sha256 }),
      ...(md5 === undefined ? {} : { md5 }),
    });
  });
  return arrivals;
}

/** The list as the file the user saves: CSV or TSV text, or for the multimedia extension a zip with meta.xml. */
function serialise(list: BuiltList): { readonly text?: string; readonly unwritable: readonly string[] } {
  if (list.format === 'csv') return { text: toCsv(list.table, { bom: list.bom }), unwritable: [] };
  const tsv = toTsv(list.table, `the ${list.title}`);
  return 'problems' in tsv ? { unwritable: tsv.problems } : { text: tsv.text, unwritable: [] };
}

/**
 * The last list built of each kind, to save: the page builds the list it shows again whenever what it depends on
 * changes, and such a build must not take the place of a receipt being saved at the same moment.
 */
export class ListKeeper {
  readonly #last = new Map<
    FileListKind,
    { readonly list: BuiltList; readonly text: string | undefined; readonly fileName: string }
  >();

  forget(): void {
    this.#last.clear();
  }

  /** `batch` names the zip of the multimedia extension, whose text file must be called multimedia.txt. */
  keep(list: BuiltList, extraProblems: readonly ListProblem[], batch: string): ListPreview {
    const { text, unwritable } = serialise(list);
    const fileName =
      list.kind === 'dwc-multimedia' ? safeFileName(`${batch}-dwc-multimedia`, 'zip') : list.fileName;
    this.#last.set(list.kind, { list, text, fileName });
    const shown = neutraliseTable({
      columns: list.table.columns,
      rows: list.table.rows.slice(0, PREVIEW_ROWS),
    });
    return {
      kind: list.kind,
      title: list.title,
      fileName,
      format: list.kind === 'dwc-multimedia' ? 'zip' : list.format,
      columns: shown.columns,
      rows: shown.rows,
      rowCount: list.table.rows.length,
      problems: [
        ...extraProblems.filter((p) => p.status === 'error'),
        ...list.problems,
        ...extraProblems.filter((p) => p.status !== 'error'),
      ],
      notes: list.notes,
      unwritable,
      incompleteRows: list.incompleteRows ?? 0,
      ...(list.firstFile === undefined ? {} : { firstFile: list.firstFile }),
    };
  }

  /** The last built list of `kind` as a file, or undefined when there is none or it cannot be written. */
  download(kind: FileListKind): ListDownload | undefined {
    const last = this.#last.get(kind);
    if (!last || last.text === undefined) return undefined;
    const { list, text, fileName } = last;
    if (list.kind === 'dwc-multimedia') {
      const zip = zipFiles([
        { name: list.fileName, text },
        { name: 'meta.xml', text: dwcMetaXml(list) },
      ]);
      return { blob: new Blob([zip], { type: 'application/zip' }), fileName, format: 'zip' };
    }
    const type = list.format === 'csv' ? 'text/csv;charset=utf-8' : 'text/tab-separated-values;charset=utf-8';
    return { blob: new Blob([text], { type }), fileName, format: list.format };
  }
}
