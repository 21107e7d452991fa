/** Where each uploaded file went, by path, and what it was checked with, for the file lists and the completion. */
import type { CompletionRequest } from '#core/protocol';
import { completionBody, manifestEntryJson } from '../../upload/manifest-body';
import { packColumn, type ArrivalsDelta, type ArrivalsText } from '../../workers/folder-bridge';
import type { FileRow } from './file-row';

export interface Arrived {
  readonly storedPath: string;
  readonly uploadUrl: string;
  readonly sha256: string;
  readonly md5: string;
  /** What the receiver said it verified ('sha-256, md5'), '' when it did not say. */
  readonly verified: string;
}

/** A file's manifest entry, written as it arrived, and the name and size it was written for. */
interface Entry {
  readonly name: string;
  readonly bytes: number;
  readonly json: string;
}

export class Arrivals {
  readonly #byPath = new Map<string, Arrived>();
  readonly #entries = new Map<string, Entry>();
  /** Paths that arrived (again) since the last hand-over to `#heldBy`. */
  readonly #unsent = new Set<string>();
  /** The folder worker that holds the arrivals handed over so far; null when none holds this batch's. */
  #heldBy: object | null = null;

  get size(): number {
    return this.#byPath.size;
  }

  get(path: string): Arrived | undefined {
    return this.#byPath.get(path);
  }

  /** A file arrived, sent under `name`; its manifest entry is written now, so completing the batch only joins them. */
  set(row: Readonly<Pick<FileRow, 'path' | 'size'>>, arrived: Arrived, name: string): void {
    this.#byPath.set(row.path, arrived);
    this.#unsent.add(row.path);
    if (arrived.sha256) this.#entries.set(row.path, this.#entry(row.path, name, row.size, arrived));
    else this.#entries.delete(row.path);
  }

  clear(): void {
    this.#byPath.clear();
    this.#entries.clear();
    this.#unsent.clear();
    this.#heldBy = null;
  }

  /**
   * What `worker` lacks, packed for it (see ArrivalsDelta): all of it, after a reset, when it is not the worker
   * the last hand-over went to or the arrivals were cleared since; else the files that arrived since. Null when it
   * has them all. Taken as handed over.
   */
  handOver(worker: object): ArrivalsDelta | null {
    const reset = worker !== this.#heldBy;
    if (!reset && this.#unsent.size === 0) return null;
    const entries = reset
      ? [...this.#byPath]
      : [...this.#unsent].map((path): [string, Arrived] => [path, this.#byPath.get(path) as Arrived]);
    this.#heldBy = worker;
    this.#unsent.clear();
    return { reset, text: packed(entries) };
  }

  /**
   * The completion's body: the files of `rows` that arrived, with their checksums, listed under the names they
   * were uploaded under (`uploadName`), and `fields`; with how many files it lists.
   */
  manifest(
    rows: readonly Readonly<FileRow>[],
    uploadName: (path: string) => string,
    fields: Omit<CompletionRequest, 'files'>,
  ): { body: Blob; files: number } {
    const entries: string[] = [];
    for (const row of rows) {
      const arrival = row.status === 'done' ? this.#byPath.get(row.path) : undefined;
      // A file that arrived before a reload without its checksum kept is bagged with what the receiver holds.
      if (!arrival?.sha256) continue;
      const name = uploadName(row.path);
      const kept = this.#entries.get(row.path);
      entries.push(
        kept && kept.name === name && kept.bytes === row.size
          ? kept.json
          : this.#entry(row.path, name, row.size, arrival).json,
      );
    }
    return { body: completionBody(entries, fields), files: entries.length };
  }

  #entry(path: string, name: string, bytes: number, arrived: Arrived): Entry {
    return { name, bytes, json: manifestEntryJson(name, path, bytes, arrived.sha256, arrived.md5) };
  }
}

/** Arrivals as NUL-joined columns (see ArrivalsText). */
function packed(entries: readonly (readonly [string, Arrived])[]): ArrivalsText {
  return {
    paths: packColumn(entries, ([path]) => path),
    storedPaths: packColumn(entries, ([, a]) => a.storedPath),
    uploadUrls: packColumn(entries, ([, a]) => a.uploadUrl),
    sha256s: packColumn(entries, ([, a]) => a.sha256),
    md5s: packColumn(entries, ([, a]) => a.md5),
    verified: packColumn(entries, ([, a]) => a.verified),
  };
}
