/** What a folder scan produces, shared by the scan worker, the fallbacks on the page and the file table. */

export interface ScanEntry {
  /** Relative to the picked folder, '/'-separated, exactly as the file system spells it. */
  readonly path: string;
  readonly size: number;
  readonly lastModified: number;
  /** Why the file is left out (a system file), or absent when it is data. */
  readonly skip?: string;
}

export type ScanNoteKind = 'empty-folder' | 'unreadable' | 'system-folder';

/** Something about the folder that is not a file to upload: said once, never fatal. */
export interface ScanNote {
  readonly path: string;
  readonly kind: ScanNoteKind;
  readonly message: string;
}

export interface ScanProgress {
  readonly files: number;
  readonly bytes: number;
  readonly skipped: number;
  readonly folders: number;
}

export interface ScanBatch {
  readonly entries: readonly ScanEntry[];
  readonly notes: readonly ScanNote[];
  readonly progress: ScanProgress;
}
