/**
 * The names files are uploaded under when not their own: names from barcodes, given by one click in Prepare.
 * The folder's files are never renamed; the upload, the web copies and (through the folder worker, which is
 * told every change) the check and the file lists use these names.
 */
import { UploadNames } from '#core/barcodes/upload-names';

export class UploadNamesState {
  /** Bumped on every change, so what depends on the names (web copies, lists) can tell. */
  revision = $state(0);
  #names = new UploadNames();

  /** How many files are uploaded under another name. */
  get count(): number {
    void this.revision;
    return this.#names.size;
  }

  /** The path a file is uploaded under. */
  of(path: string): string {
    return this.#names.of(path);
  }

  pairs(): [string, string][] {
    return this.#names.pairs();
  }

  add(pairs: readonly (readonly [string, string])[]): void {
    for (const [from, to] of pairs) this.#names.set(from, to);
    this.revision += 1;
  }

  clear(): void {
    if (this.#names.size === 0) return;
    this.#names = new UploadNames();
    this.revision += 1;
  }
}
