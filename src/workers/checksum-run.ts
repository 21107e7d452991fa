/**
 * Checksums of the upload set, in the folder worker: each file streamed through SHA-256 (and MD5 where the
 * target uses it) a few at a time, so reading the next file overlaps hashing the last. Results are kept by path
 * with the size and date they were computed for; a rescan starts afresh.
 */
import type { FastDigest, FileDigests } from '#core/digest';
import type { Checksums } from '#core/filelists/context';
import { aboutFile } from '#core/format';
import type { ScannedFile } from '#core/validation/types';
import type { FolderSource } from '../platform/folder-source';
import { fastHashBlobsTogether, hashBlob, hashBlobsTogether } from './hash-stream';

/** Several files at a time: small files are dominated by opening them, large ones by hashing. */
const CONCURRENCY = 3;
/** Files under this size are hashed in groups read together (see hashBlobsTogether), of up to so many files and bytes. */
const TOGETHER_BELOW = 1024 * 1024;
const TOGETHER_FILES = 64;
const TOGETHER_BYTES = 4 * 1024 * 1024;
const PROGRESS_EVERY_MS = 200;

export interface ChecksumProgress {
  readonly files: number;
  readonly bytes: number;
  readonly doneFiles: number;
  readonly doneBytes: number;
  readonly failed: number;
}

export interface ChecksumFailure {
  readonly path: string;
  readonly message: string;
}

export interface ChecksumOutcome extends ChecksumProgress {
  readonly cancelled: boolean;
  /** The first failures, one sentence each. */
  readonly failures: readonly ChecksumFailure[];
}

const FAILURES_KEPT = 100;

/** The receiver's checksums of a file whose bytes it verified by XXH3-128 (see ChecksumStore.adopt). */
export interface AdoptedChecksums {
  readonly path: string;
  readonly size: number;
  readonly lastModified: number;
  readonly digests: FileDigests;
}

/** What a file the upload sends is hashed with: SHA-256 (and MD5), or XXH3-128 alone (see FAST_DIGEST). */
export type DigestKind = 'sha-256' | 'sha-256+md5' | 'xxh3-128';

interface Kept extends Checksums {
  readonly size: number;
  readonly lastModified: number;
}

export class ChecksumStore {
  readonly #byPath = new Map<string, Kept>();
  #abort: AbortController | null = null;
  /** The upload's digest requests, chained so they run in order. */
  #digests: Promise<unknown> = Promise.resolve();
  /** Hashes under way, by path: the upload and the checksum pass never hash the same file twice at once. */
  readonly #underWay = new Map<string, UnderWay>();
  /**
   * Files an upload run proves by XXH3-128 and takes the receiver's SHA-256 of (see FAST_DIGEST): the pass leaves
   * them alone while the run holds them, or it would spend the CPU the transfer needs on a SHA-256 nobody waits for.
   */
  readonly #held = new Set<string>();
  /** The pass's read of each file it is hashing, to stop when an upload run takes the file. */
  readonly #passReads = new Map<string, AbortController>();
  /** Set while an upload runs (see pause): the pass waits for it to settle. */
  #paused: { readonly over: Promise<void>; readonly resume: () => void } | null = null;

  forget(): void {
    this.cancel();
    this.#byPath.clear();
    this.#underWay.clear();
    this.#held.clear();
  }

  /** An upload run takes these files: the pass skips them, and stops hashing any of them it is reading. */
  hold(paths: readonly string[]): void {
    for (const path of paths) {
      this.#held.add(path);
      this.#passReads.get(path)?.abort();
    }
  }

  /**
   * While an upload runs, the pass waits between its reads: the run hashes each file it sends as it reads it (a
   * small one once, for its checksums and its request), where the pass would read the same files again on cores the
   * transfer already fills. It goes on when the upload stops or settles, with what is still missing.
   */
  pause(on: boolean): void {
    if (on && !this.#paused) {
      let resume = (): void => undefined;
      const over = new Promise<void>((resolve) => (resume = resolve));
      this.#paused = { over, resume };
    } else if (!on && this.#paused) {
      this.#paused.resume();
      this.#paused = null;
    }
  }

  /** The run let go of these files (they failed, or it stopped): the pass may hash them again. */
  release(paths: readonly string[]): void {
    for (const path of paths) this.#held.delete(path);
  }

  /** Keeps the checksums the receiver computed of a file whose bytes it verified, and lets go of the file. */
  adopt(path: string, facts: { size: number; lastModified: number }, digests: FileDigests): void {
    this.#byPath.set(path, { ...digests, size: facts.size, lastModified: facts.lastModified });
    this.#held.delete(path);
  }

  cancel(): void {
    this.#abort?.abort();
    this.#abort = null;
  }

  /** The checksums known for files as scanned (not for an older version of a file). */
  known(files: readonly ScannedFile[]): Map<string, Checksums> {
    const out = new Map<string, Checksums>();
    for (const file of files) {
      const kept = this.#keptFor(file);
      if (kept) out.set(file.path, kept);
    }
    return out;
  }

  /** What is kept for a file, if it was computed for the file's present size and date. */
  #keptFor(file: ScannedFile): Kept | undefined {
    const kept = this.#byPath.get(file.path);
    return kept && kept.size === file.size && kept.lastModified === file.lastModified ? kept : undefined;
  }

  /** The checksums kept for a file as it is now (same size and date), if they include MD5 when asked. */
  knownFor(file: ScannedFile, md5: boolean): FileDigests | undefined {
    const kept = this.#keptFor(file);
    if (kept?.sha256 === undefined || (md5 && kept.md5 === undefined)) return undefined;
    return { sha256: kept.sha256, ...(md5 && kept.md5 !== undefined ? { md5: kept.md5 } : {}) };
  }

  /**
   * The checksums of files the upload is sending (web copies too), each kept ones when they fit, else computed now,
   * small ones read together (see hashBlobsTogether). Requests are served one batch at a time, in the order asked,
   * so the files the upload needs first are hashed first.
   */
  readAll(
    items: readonly { readonly path: string; readonly file: File }[],
    md5: boolean,
  ): Promise<FileDigests>[] {
    const facts = items.map(({ path, file }) => ({ path, size: file.size, lastModified: file.lastModified }));
    const files = new Map(items.map(({ path, file }) => [path, file]));
    const all = this.#digests.then(() =>
      this.#sumsOfAll(facts, md5, (todo) =>
        // A large file is streamed, never held whole (the bridge sends it on its own).
        hashBlobsTogether(
          todo.map((fact) => files.get(fact.path) as File),
          { md5 },
        ),
      ).map((sums, i) =>
        sums.catch((error: unknown) => {
          throw new Error(sentence(facts[i] as ScannedFile, error), { cause: error });
        }),
      ),
    );
    this.#digests = all.then((each) => Promise.allSettled(each));
    return items.map((_, i) => all.then((each) => each[i] as Promise<FileDigests>));
  }

  /**
   * The XXH3-128 of files the upload is sending to a receiver that verifies it (see RunDigests), in their turn with
   * readAll()'s requests: small ones read together, a large one streamed; each rejects with a sentence naming its
   * file. Nothing is kept: the receiver's SHA-256 is (adopt()).
   */
  fastReadAll(items: readonly { readonly path: string; readonly file: File }[]): Promise<FastDigest>[] {
    const files = items.map(({ file }) => file);
    // A large file is streamed, never held whole (the bridge sends it on its own).
    const all = this.#digests.then(() => fastHashBlobsTogether(files, {}));
    this.#digests = all.then((each) => Promise.allSettled(each));
    return items.map(({ path }, i) =>
      all
        .then((each) => each[i] as Promise<FastDigest>)
        .catch((error: unknown) => {
          throw new Error(sentence({ path }, error), { cause: error });
        }),
    );
  }

  /** Files of `files` that still lack a SHA-256, or an MD5 when `md5` is asked for. */
  missing(files: readonly ScannedFile[], md5: boolean): ScannedFile[] {
    const known = this.known(files);
    return files.filter((file) => {
      const sums = known.get(file.path);
      return sums === undefined || (md5 && sums.md5 === undefined);
    });
  }

  async compute(
    files: readonly ScannedFile[],
    source: FolderSource,
    md5: boolean,
    onProgress: (progress: ChecksumProgress) => void,
  ): Promise<ChecksumOutcome> {
    this.cancel();
    const abort = new AbortController();
    this.#abort = abort;
    const todo = this.missing(files, md5);
    const progress = {
      files: todo.length,
      bytes: todo.reduce((sum, f) => sum + f.size, 0),
      doneFiles: 0,
      doneBytes: 0,
      failed: 0,
    };
    const failures: ChecksumFailure[] = [];
    const inFlight = new Map<string, number>();
    let reported = 0;
    const report = (force = false): void => {
      const now = performance.now();
      if (!force && now - reported < PROGRESS_EVERY_MS) return;
      reported = now;
      let partial = 0;
      for (const bytes of inFlight.values()) partial += bytes;
      onProgress({ ...progress, doneBytes: progress.doneBytes + partial });
    };
    const failed = (file: ScannedFile, error: unknown): void => {
      progress.failed += 1;
      if (failures.length < FAILURES_KEPT) failures.push({ path: file.path, message: sentence(file, error) });
    };
    const done = (file: ScannedFile): void => {
      progress.doneFiles += 1;
      progress.doneBytes += file.size;
      report();
    };
    let next = 0;
    /** The next files to hash: small ones a group read together, else one. */
    const take = (): ScannedFile[] => {
      const group: ScannedFile[] = [];
      let bytes = 0;
      for (let file = todo[next]; file && group.length < TOGETHER_FILES; file = todo[next]) {
        if (file.size >= TOGETHER_BELOW ? group.length > 0 : bytes + file.size > TOGETHER_BYTES) break;
        group.push(file);
        bytes += file.size;
        next += 1;
        if (file.size >= TOGETHER_BELOW) break;
      }
      return group;
    };
    const cancelled = new Promise<void>((resolve) =>
      abort.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    const lane = async (): Promise<void> => {
      while (next < todo.length && !abort.signal.aborted) {
        while (this.#paused && !abort.signal.aborted) await Promise.race([this.#paused.over, cancelled]);
        if (abort.signal.aborted) break;
        const group = take();
        // An upload run took them: they come back with the receiver's SHA-256.
        const free = group.filter((file) => !this.#held.has(file.path));
        const one = free.length === 1 && (free[0] as ScannedFile).size >= TOGETHER_BELOW;
        if (one)
          await this.#hashBig(free[0] as ScannedFile, source, md5, abort.signal, inFlight, report, failed);
        else if (free.length > 0) {
          const sums = await this.#hashSmall(free, source, md5, abort.signal);
          sums.forEach((result, i) => {
            if (result.status === 'rejected' && !abort.signal.aborted)
              failed(free[i] as ScannedFile, result.reason);
          });
        }
        if (abort.signal.aborted) break;
        group.forEach(done);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    if (this.#abort === abort) this.#abort = null;
    report(true);
    return { ...progress, cancelled: abort.signal.aborted, failures };
  }

  /** Hashes a large file in its own read, which stops when an upload run takes the file (see hold). */
  async #hashBig(
    file: ScannedFile,
    source: FolderSource,
    md5: boolean,
    passSignal: AbortSignal,
    inFlight: Map<string, number>,
    report: () => void,
    failed: (file: ScannedFile, error: unknown) => void,
  ): Promise<void> {
    const read = new AbortController();
    this.#passReads.set(file.path, read);
    const signal = AbortSignal.any([passSignal, read.signal]);
    try {
      await this.#sumsOf(file, md5, async () => {
        const blob = await source.open(file.path);
        if (changedSinceScan(blob, file)) throw new ChangedSinceScan();
        return hashBlob(blob, {
          md5,
          signal,
          onBytes: (bytes) => {
            inFlight.set(file.path, bytes);
            report();
          },
        });
      });
    } catch (error) {
      if (!signal.aborted) failed(file, error);
    } finally {
      inFlight.delete(file.path);
      if (this.#passReads.get(file.path) === read) this.#passReads.delete(file.path);
    }
  }

  /** Hashes small files together: opened at once (one message for a folder input's), read in one go. */
  #hashSmall(
    files: readonly ScannedFile[],
    source: FolderSource,
    md5: boolean,
    signal: AbortSignal,
  ): Promise<PromiseSettledResult<FileDigests>[]> {
    return Promise.allSettled(
      this.#sumsOfAll(files, md5, (todo) => {
        const opened = todo.map(async (file) => {
          const blob = await source.open(file.path);
          if (changedSinceScan(blob, file)) throw new ChangedSinceScan();
          return blob;
        });
        // Those that opened are read together; each of the others fails with the reason it did not open.
        const each = Promise.allSettled(opened).then((results) => {
          const blobs = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
          const sums = hashBlobsTogether(blobs, { md5, signal });
          let at = 0;
          return results.map((result) =>
            result.status === 'fulfilled'
              ? (sums[at++] as Promise<FileDigests>)
              : Promise.reject(result.reason),
          );
        });
        return todo.map((_, i) => each.then((all) => all[i] as Promise<FileDigests>));
      }),
    );
  }

  /**
   * The checksums of several files, as #sumsOf gives each; the ones neither kept nor under way are computed by one
   * call of `hashAll`, which answers for each of them in order.
   */
  #sumsOfAll(
    files: readonly ScannedFile[],
    md5: boolean,
    hashAll: (todo: readonly ScannedFile[]) => Promise<FileDigests>[],
  ): Promise<FileDigests>[] {
    const todo = files.filter((file) => !this.knownFor(file, md5) && !this.#fitsUnderWay(file, md5));
    const place = new Map(todo.map((file, i) => [file, i]));
    let hashed: Promise<FileDigests>[] | undefined;
    const hashedAt = (i: number) => (hashed ??= hashAll(todo))[i] as Promise<FileDigests>;
    return files.map((file) => {
      const i = place.get(file);
      return this.#sumsOf(
        file,
        md5,
        () => (i === undefined ? hashAll([file])[0] : hashedAt(i)) as Promise<FileDigests>,
      );
    });
  }

  #fitsUnderWay(file: ScannedFile, md5: boolean): boolean {
    const underWay = this.#underWay.get(file.path);
    return underWay !== undefined && fits(underWay, file, md5);
  }

  /**
   * A file's checksums: kept ones when they fit, else the ones being computed for it right now (by the pass or
   * the upload), else `hash()`'s, kept once they are known.
   */
  async #sumsOf(file: ScannedFile, md5: boolean, hash: () => Promise<FileDigests>): Promise<FileDigests> {
    const known = this.knownFor(file, md5);
    if (known) return known;
    const underWay = this.#underWay.get(file.path);
    if (underWay && fits(underWay, file, md5)) {
      // A pass that is cancelled, or a read that failed there, leaves this one to try on its own.
      const sums = await underWay.sums.catch(() => undefined);
      if (sums) return sums;
    }
    const entry: UnderWay = { size: file.size, lastModified: file.lastModified, md5, sums: hash() };
    this.#underWay.set(file.path, entry);
    try {
      const sums = await entry.sums;
      this.#byPath.set(file.path, { ...sums, size: file.size, lastModified: file.lastModified });
      return sums;
    } finally {
      if (this.#underWay.get(file.path) === entry) this.#underWay.delete(file.path);
    }
  }
}

interface UnderWay {
  readonly size: number;
  readonly lastModified: number;
  readonly md5: boolean;
  readonly sums: Promise<FileDigests>;
}

/** Whether a hash under way is of the file as it is now, with MD5 when that is asked for. */
function fits(underWay: UnderWay, file: ScannedFile, md5: boolean): boolean {
  return underWay.size === file.size && underWay.lastModified === file.lastModified && (underWay.md5 || !md5);
}

class ChangedSinceScan extends Error {}

function changedSinceScan(blob: Blob & { lastModified: number }, file: ScannedFile): boolean {
  return blob.size !== file.size || blob.lastModified !== file.lastModified;
}

function sentence(file: Pick<ScannedFile, 'path'>, error: unknown): string {
  if (error instanceof ChangedSinceScan) {
    return `${file.path} changed after the folder was scanned, so its checksum would not match what was checked; choose the folder again to rescan it.`;
  }
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotFoundError') {
    return `${file.path} is no longer in the folder; choose the folder again to rescan it.`;
  }
  return aboutFile(file.path, error instanceof Error ? error.message : String(error));
}
