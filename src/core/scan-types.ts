/** What a folder scan produces, shared by the scan worker, the fallbacks on the page and the file table. */

export interface ScanEntry {
  /** Relative to the picked folder, '/'-separated, exactly as the file system spells it. */
  readonly path: string;
  readonly size: number;
  readonly lastModified: number;
  /** Why the file is left out (a system file, a hidden file), or absent when it is data. */
  readonly skip?: string;
}

/** The `skip` of a hidden file, which the page words apart from system files. */
export const HIDDEN_FILE = 'hidden file, its name starts with a dot';

export type ScanNoteKind = 'empty-folder' | 'unreadable' | 'system-folder' | 'hidden-folder' | 'unlisted';

/** Something about the folder that is not a file to upload: said once, never fatal. */
export interface ScanNote {
  readonly path: string;
  readonly kind: ScanNoteKind;
  readonly message: string;
}

export interface ScanProgress {
  readonly files: number;
  readonly bytes: number;
  /** Files left out: system files and hidden files. */
  readonly skipped: number;
  /** Of those, the hidden files. */
  readonly hidden: number;
  readonly folders: number;
}

export interface ScanBatch {
  readonly entries: readonly ScanEntry[];
  readonly notes: readonly ScanNote[];
  readonly progress: ScanProgress;
}
