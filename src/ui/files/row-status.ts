import type { FileRow } from '../state/file-row';

/** The words in a row's Status cell. */
export function statusText(row: Readonly<FileRow>): string {
  switch (row.status) {
    case 'ready':
      return 'Ready';
    case 'skipped':
      return 'Skipped';
    case 'queued':
      return 'Queued';
    case 'uploading':
      return `Uploading ${row.size === 0 ? 0 : Math.floor((row.uploaded / row.size) * 100)}%`;
    case 'done':
      return 'Uploaded';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
  }
}
