/**
 * The page's only door to the folder worker. One worker per picked folder: it holds the scan and the findings.
 * A scan cannot be interrupted inside the worker, so cancelling terminates it (as Squoosh does); the folder then
 * needs a new worker, which the next scan makes.
 */
import * as Comlink from 'comlink';
import type { BarcodeReading } from '#core/barcodes/types';
import type { FastDigest, FileDigests, SentDigests } from '#core/digest';
import type { FileListKind } from '#core/filelists/types';
import type { ScanBatch, ScanProgress } from '#core/scan-types';
import type { ListFacts } from '../platform/pick-folder';
import type { FindingPage, FindingQuery } from '#core/validation/finding-view';
import type { AdoptedChecksums, ChecksumOutcome, ChecksumProgress, DigestKind } from './checksum-run';
import { coreShare } from './core-share';
import type { AbsorbedScan } from './memory-tree';
import type { ArrivalsDelta, ListDownload, ListPreview } from './file-lists';
import type {
  CheckRequest,
  CheckResult,
  ChecksumRequest,
  FolderWorkerApi,
  ListBuildRequest,
} from './folder.worker';

export type { ChecksumOutcome, ChecksumProgress } from './checksum-run';
export type { AbsorbedScan } from './memory-tree';
export type {
  ArrivalsDelta,
  ArrivalsText,
  CopiesText,
  ExtraColumnsText,
  ListDownload,
  ListPreview,
  ListRequestFromPage,
} from './file-lists';
export type {
  CheckRequest,
  CheckResult,
  ChecksumRequest,
  ListBuildRequest,
  RecordListText,
} from './folder.worker';

export interface FileFacts {
  readonly path: string;
  readonly size: number;
  readonly lastModified: number;
}

/** Files from this size on are hashed on their own, so small files never wait for a big one to finish. */
const BATCHED_BELOW = 1024 * 1024;

interface DigestRequest {
  readonly path: string;
  readonly file: File;
  readonly kind: DigestKind;
  resolve(digests: SentDigests): void;
  reject(error: unknown): void;
}

/** One field of each item, joined with NUL (which no path holds): a column crosses to the worker as one string. */
export function packColumn<T>(items: readonly T[], field: (item: T) => string | number): string {
  return items.map(field).join('\u0000');
}

export class FolderWorker {
  readonly #worker = new Worker(new URL('./folder.worker.ts', import.meta.url), {
    type: 'module',
    name: 'folder',
  });
  readonly #api = Comlink.wrap<FolderWorkerApi>(this.#worker);
  #failure: Promise<never>;
  #digestBatch: DigestRequest[] = [];
  #adopted: AdoptedChecksums[] = [];
  /** The core claims of the heavy calls under way, given back when each ends or the worker is stopped. */
  readonly #claims = new Set<() => void>();

  constructor() {
    this.#failure = new Promise((_, reject) =>
      this.#worker.addEventListener('error', (event) =>
        reject(new Error(event.message || 'The folder worker failed.')),
      ),
    );
    this.#failure.catch(() => undefined);
  }

  scan(
    root: FileSystemDirectoryHandle,
    onBatch: (batch: ScanBatch) => void,
    signal: AbortSignal,
    includeHidden: boolean,
  ): Promise<ScanProgress> {
    return this.#cancellable(signal, () => this.#api.scan(root, Comlink.proxy(onBatch), includeHidden));
  }

  /** A walk in the worker, which a cancel stops by terminating the worker. */
  #cancellable<T>(signal: AbortSignal, walk: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const abort = () => {
        this.dispose();
        reject(new DOMException('Scan cancelled', 'AbortError'));
      };
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      this.#holdingCore(Promise.race([walk(), this.#failure]))
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', abort));
    });
  }

  /** Hands the worker a folder input's facts from `from` up to `to` (see absorbFileList), in three copies. */
  absorb(facts: ListFacts, from: number, to: number): void {
    const sizes = facts.sizes.slice(from, to);
    const modified = facts.modified.slice(from, to);
    const call = this.#api.absorb(
      facts.paths.slice(from, to).join('\u0000'),
      Comlink.transfer(sizes, [sizes.buffer]),
      Comlink.transfer(modified, [modified.buffer]),
    );
    void Promise.race([call, this.#failure]).catch(() => undefined);
  }

  /**
   * Walks the files handed over by {@link absorb} in the worker, which keeps them as {@link scan} does, and says
   * in which order and with what skipped; the worker asks for the File objects of `files` when it reads their bytes.
   */
  scanAbsorbed(
    signal: AbortSignal,
    includeHidden: boolean,
    files: ReadonlyMap<string, File>,
  ): Promise<AbsorbedScan> {
    const open = async (paths: readonly string[]) => paths.map((path) => files.get(path) ?? null);
    return this.#cancellable(signal, () => this.#api.scanAbsorbed(includeHidden, Comlink.proxy(open)));
  }

  /** Hands over a folder walked on the page; facts packed so that 100,000 entries cost a few copies, not 100,000. */
  load(files: readonly FileFacts[], blobs: ReadonlyMap<string, File>): Promise<void> {
    const sizes = new Float64Array(files.length);
    const modified = new Float64Array(files.length);
    files.forEach((f, i) => {
      sizes[i] = f.size;
      modified[i] = f.lastModified;
    });
    const paths = packColumn(files, (f) => f.path);
    // File objects are references to the bytes, cheap to clone; the worker reads their first bytes.
    const inOrder = files.map((f) => blobs.get(f.path) as File);
    return this.#api.load(
      paths,
      Comlink.transfer(sizes, [sizes.buffer]),
      Comlink.transfer(modified, [modified.buffer]),
      inOrder,
    );
  }

  check(request: CheckRequest): Promise<CheckResult> {
    return this.#holdingCore(Promise.race([this.#api.check(request), this.#failure]));
  }

  addBarcodes(read: readonly (readonly [string, BarcodeReading])[], clear: boolean): Promise<void> {
    return Promise.race([this.#api.addBarcodes(read, clear), this.#failure]);
  }

  findings(query: FindingQuery): Promise<FindingPage> {
    return Promise.race([this.#api.findings(query), this.#failure]);
  }

  suggestedNames(): Promise<[string, string][]> {
    return Promise.race([this.#api.suggestedNames(), this.#failure]);
  }

  setUploadNames(pairs: readonly (readonly [string, string])[]): Promise<void> {
    return Promise.race([this.#api.setUploadNames(pairs), this.#failure]);
  }

  renameList(): Promise<Blob | undefined> {
    return Promise.race([this.#api.renameList(), this.#failure]);
  }

  report(): Promise<Blob> {
    return Promise.race([this.#api.report(), this.#failure]);
  }

  /** Hands over the arrivals since the last hand-over; lists built after it include them. */
  keepArrivals(delta: ArrivalsDelta): Promise<void> {
    return Promise.race([this.#api.keepArrivals(delta), this.#failure]);
  }

  buildList(request: ListBuildRequest): Promise<ListPreview> {
    return Promise.race([this.#api.buildList(request), this.#failure]);
  }

  saveList(kind: FileListKind): Promise<ListDownload | undefined> {
    return Promise.race([this.#api.saveList(kind), this.#failure]);
  }

  computeChecksums(
    request: ChecksumRequest,
    onProgress: (progress: ChecksumProgress) => void,
  ): Promise<ChecksumOutcome> {
    return this.#holdingCore(
      Promise.race([this.#api.computeChecksums(request, Comlink.proxy(onProgress)), this.#failure]),
    );
  }

  knownChecksums(items: readonly FileFacts[], md5: boolean): Promise<(FileDigests | null)[]> {
    return Promise.race([this.#api.knownChecksums(items, md5), this.#failure]);
  }

  /**
   * The checksums of a file the upload sends (see ChecksumStore.readAll). Small files asked for in the same turn of
   * the event loop go to the worker in one message, so 5,000 small files cost a hundred round trips rather than
   * 5,000.
   */
  async digest(path: string, file: File, md5: boolean): Promise<FileDigests> {
    const digests = await this.#digest(path, file, md5 ? 'sha-256+md5' : 'sha-256');
    if ('xxh3' in digests) throw new Error(`${path} got an XXH3-128 where its SHA-256 was asked for.`);
    return digests;
  }

  /** The XXH3-128 of a file the upload sends to a receiver that verifies it (see FAST_DIGEST); batched as digest(). */
  async fastDigest(path: string, file: File): Promise<FastDigest> {
    const digests = await this.#digest(path, file, 'xxh3-128');
    if (!('xxh3' in digests)) throw new Error(`${path} got a SHA-256 where its XXH3-128 was asked for.`);
    return digests;
  }

  /** An upload run proves these files by XXH3-128: the checksum pass leaves them alone while it holds them. */
  holdChecksums(paths: readonly string[]): Promise<void> {
    return Promise.race([this.#api.holdChecksums(paths), this.#failure]);
  }

  releaseChecksums(paths: readonly string[]): Promise<void> {
    return Promise.race([this.#api.releaseChecksums(paths), this.#failure]);
  }

  /** The checksum pass waits while an upload runs (see ChecksumStore.pause). */
  pauseChecksums(on: boolean): Promise<void> {
    return Promise.race([this.#api.pauseChecksums(on), this.#failure]);
  }

  /**
   * Keeps the receiver's checksums of a file whose bytes it verified, and lets go of the file. Those of one turn of
   * the event loop go in one message, as digest()'s do.
   */
  adoptChecksums(file: FileFacts, digests: FileDigests): void {
    this.#adopted.push({ path: file.path, size: file.size, lastModified: file.lastModified, digests });
    if (this.#adopted.length > 1) return;
    setTimeout(() => {
      const adopted = this.#adopted;
      this.#adopted = [];
      Promise.race([this.#api.adoptChecksums(adopted), this.#failure]).catch(() => undefined);
    }, 0);
  }

  #digest(path: string, file: File, kind: DigestKind): Promise<SentDigests> {
    return new Promise((resolve, reject) => {
      const item = { path, file, kind, resolve, reject };
      if (file.size >= BATCHED_BELOW) {
        this.#sendDigests([item]);
        return;
      }
      this.#digestBatch.push(item);
      if (this.#digestBatch.length === 1) {
        setTimeout(() => {
          const batch = this.#digestBatch;
          this.#digestBatch = [];
          this.#sendDigests(batch);
        }, 0);
      }
    });
  }

  #sendDigests(items: readonly DigestRequest[]): void {
    for (const kind of new Set(items.map((item) => item.kind))) {
      const group = items.filter((item) => item.kind === kind);
      const request = group.map(({ path, file }) => ({ path, file }));
      this.#holdingCore(Promise.race([this.#api.digest(request, kind), this.#failure])).then(
        (answers) =>
          group.forEach((item, i) => {
            const result = answers[i];
            if (typeof result === 'object') item.resolve(result);
            else item.reject(new Error(result ?? 'The file could not be hashed.'));
          }),
        (error: unknown) => group.forEach((item) => item.reject(error)),
      );
    }
  }

  cancelChecksums(): Promise<void> {
    return Promise.race([this.#api.cancelChecksums(), this.#failure]);
  }

  checksumCount(request: ChecksumRequest): Promise<{ readonly done: number; readonly files: number }> {
    return Promise.race([this.#api.checksumCount(request), this.#failure]);
  }

  /** The image workers leave a core to this worker while `work` runs (see core-share.ts). */
  #holdingCore<T>(work: Promise<T>): Promise<T> {
    const release = coreShare.claim();
    this.#claims.add(release);
    return work.finally(() => {
      this.#claims.delete(release);
      release();
    });
  }

  dispose(): void {
    this.#worker.terminate();
    for (const release of this.#claims) release();
    this.#claims.clear();
  }
}
