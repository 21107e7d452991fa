/** Where each uploaded file went, by path, and what it was checked with, for the file lists and the completion. */
import type { ManifestEntry } from '#core/protocol';
import { packColumn, type ArrivalsText } from '../../workers/folder-bridge';
import type { FileRow } from './file-row';

export interface Arrived {
  readonly storedPath: string;
  readonly uploadUrl: string;
  readonly sha256: string;
  readonly md5: string;
  /** What the receiver said it verified ('sha-256, md5'), '' when it did not say. */
  readonly verified: string;
}

export class Arrivals {
  readonly #byPath = new Map<string, Arrived>();

  get size(): number {
    return this.#byPath.size;
  }

  get(path: string): Arrived | undefined {
    return this.#byPath.get(path);
  }

  set(path: string, arrived: Arrived): void {
    this.#byPath.set(path, arrived);
  }

  clear(): void {
    this.#byPath.clear();
  }

  /** Packed for the folder worker (see ArrivalsText). */
  packed(): ArrivalsText {
    const entries = [...this.#byPath];
    return {
      paths: packColumn(entries, ([path]) => path),
      storedPaths: packColumn(entries, ([, a]) => a.storedPath),
      uploadUrls: packColumn(entries, ([, a]) => a.uploadUrl),
      sha256s: packColumn(entries, ([, a]) => a.sha256),
      md5s: packColumn(entries, ([, a]) => a.md5),
      verified: packColumn(entries, ([, a]) => a.verified),
    };
  }

  /**
   * The files of `rows` that arrived, with their checksums, as the batch completion lists them under the names
   * they were uploaded under (`uploadName`).
   */
  manifest(rows: readonly Readonly<FileRow>[], uploadName: (path: string) => string): ManifestEntry[] {
    const files: ManifestEntry[] = [];
    for (const row of rows) {
      const arrival = row.status === 'done' ? this.#byPath.get(row.path) : undefined;
      // A file that arrived before a reload without its checksum kept is bagged with what the receiver holds.
      if (!arrival?.sha256) continue;
      const path = uploadName(row.path);
      files.push({
        path,
        ...(path === row.path ? {} : { originalPath: row.path }),
        bytes: row.size,
        sha256: arrival.sha256,
        ...(arrival.md5 ? { md5: arrival.md5 } : {}),
      });
    }
    return files;
  }
}
