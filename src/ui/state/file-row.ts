/** One row of the file table. Rows are plain mutable objects held outside Svelte's proxies (see FolderState). */
import type { DerivativeRole } from '#core/images/types';

export type RowStatus = 'ready' | 'skipped' | 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled';

export interface FileRow {
  readonly id: number;
  readonly path: string;
  readonly size: number;
  readonly lastModified: number;
  readonly kind: string;
  readonly mime: string;
  status: RowStatus;
  uploaded: number;
  /** Why the row is skipped or failed, or where the receiver stored it when that differs. */
  message: string;
  /** Set for a web copy made by the Prepare step, kept in OPFS rather than in the picked folder. */
  readonly copyOf?: string;
  /** What a web copy is for (thumbnail, web, large, web-ready). */
  readonly copyRole?: DerivativeRole;
}
