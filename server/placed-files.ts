/**
 * What the receiver placed in each batch and the digests it verified while writing, one JSON line per finished
 * upload in `<uploadDir>/.batches/<batch>.jsonl`. Completing a batch reads it, so a file verified on arrival is
 * not read again; a line cut short by a crash is skipped, and its file is hashed instead.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** One placed file: the path it was sent with, where it is under the batch's `data/`, and what was verified. */
export type PlacedFile = {
  /** The relativePath it was sent with. */
  path: string;
  /** Where it is, relative to `<batch>/data/`: the same path, or a numbered name after a clash. */
  stored: string;
  bytes: number;
  /** Modification time of the stored file when it was placed; the digests hold only while it is unchanged. */
  mtimeMs: number;
  /** In object storage (where `mtimeMs` is 0): the object's ETag when it was placed, for the same purpose. */
  etag?: string | undefined;
  sha256?: string | undefined;
  md5?: string | undefined;
};

const JOURNAL_DIR = '.batches';

export function placedFilesJournal(uploadDir: string, batch: string): string {
  return path.join(uploadDir, JOURNAL_DIR, `${batch}.jsonl`);
}

export class PlacedFiles {
  readonly #uploadDir: string;
  #madeDir = false;

  constructor(uploadDir: string) {
    this.#uploadDir = uploadDir;
  }

  /** Synchronous: one small append per finished file costs less than a trip through the thread pool. */
  record(batch: string, file: PlacedFile): void {
    const line = `${JSON.stringify(file)}\n`;
    if (!this.#madeDir) this.#makeDir();
    try {
      appendFileSync(placedFilesJournal(this.#uploadDir, batch), line);
    } catch (error) {
      // The folder was removed while the receiver ran (someone cleaned the upload folder): make it again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#makeDir();
      appendFileSync(placedFilesJournal(this.#uploadDir, batch), line);
    }
  }

  #makeDir(): void {
    mkdirSync(path.join(this.#uploadDir, JOURNAL_DIR), { recursive: true });
    this.#madeDir = true;
  }

  /** Every file recorded for `batch`, oldest first; none when nothing was recorded. */
  async read(batch: string): Promise<PlacedFile[]> {
    let text: string;
    try {
      text = await readFile(placedFilesJournal(this.#uploadDir, batch), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const files: PlacedFile[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const file = JSON.parse(line) as PlacedFile;
        if (typeof file.path === 'string' && typeof file.stored === 'string') files.push(file);
      } catch {
        // A line cut short by a crash: its file is hashed when the batch is completed.
      }
    }
    return files;
  }
}
