/**
 * Puts a file the page made (a report, a file list) on the user's disk: the File System Access save dialog
 * where the browser has one (Chromium), an `<a download>` link elsewhere (Firefox, Safari).
 */
import { safeFileName } from '#core/table';

/** What kind of file is saved: shown in the save dialog's type list and used for the name's extension. */
export interface FileKind {
  /** For the dialog's type list, e.g. "CSV table". */
  readonly description: string;
  /** A plain MIME type without parameters, e.g. `text/csv`; the dialog rejects anything else. */
  readonly mime: string;
  /** Without the dot, e.g. `csv`. */
  readonly extension: string;
}

export const CSV_FILE: FileKind = { description: 'CSV table', mime: 'text/csv', extension: 'csv' };
export const TSV_FILE: FileKind = {
  description: 'Tab-separated table',
  mime: 'text/tab-separated-values',
  extension: 'tsv',
};
export const ZIP_FILE: FileKind = { description: 'Zip archive', mime: 'application/zip', extension: 'zip' };

interface SaveFilePickerOptions {
  suggestedName?: string;
  id?: string;
  startIn?: 'downloads' | 'documents' | 'desktop';
  types?: { description: string; accept: Record<string, string[]> }[];
}

type SaveFilePicker = (options?: SaveFilePickerOptions) => Promise<FileSystemFileHandle>;

/**
 * How long the object URL behind a download link lives. Revoking it right after `click()` can cancel the
 * download in some browsers, which start reading the Blob only after the click returns; FileSaver.js waits
 * 40 seconds for the same reason.
 */
const REVOKE_AFTER_MS = 40_000;

/**
 * Saves `data` under a name built from `suggestedName` with `safeFileName` (the extension added when
 * missing). Resolves 'cancelled' when the user closes the save dialog, 'saved' otherwise. With the link
 * fallback 'saved' means the download was handed to the browser, which may still ask where to put it.
 *
 * Call it straight from the click that asked for the file, or soon after: the save dialog needs the user's
 * recent activation, and without it the browser throws (SecurityError), which ends in the link fallback.
 * Any other failure of the dialog or of writing through it (not allowed, disk full) falls back to the link
 * too, so the user still gets the file.
 */
export async function saveFile(
  data: Blob,
  suggestedName: string,
  kind: FileKind,
): Promise<'saved' | 'cancelled'> {
  const name = safeFileName(suggestedName, kind.extension);
  const picker = (globalThis as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  if (typeof picker === 'function') {
    let handle: FileSystemFileHandle | undefined;
    try {
      handle = await picker.call(globalThis, {
        suggestedName: name,
        id: 'table-downloads',
        startIn: 'downloads',
        types: [{ description: kind.description, accept: { [kind.mime]: [`.${kind.extension}`] } }],
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return 'cancelled';
      console.warn('The save dialog failed; downloading through a link instead.', error);
    }
    if (handle) {
      try {
        await writeTo(handle, data);
        return 'saved';
      } catch (error) {
        console.warn('Writing through the save dialog failed; downloading through a link instead.', error);
      }
    }
  }
  downloadThroughLink(data, name);
  return 'saved';
}

async function writeTo(handle: FileSystemFileHandle, data: Blob): Promise<void> {
  const writable = await handle.createWritable();
  try {
    await writable.write(data);
    await writable.close();
  } catch (error) {
    // Leave the file as it was rather than half written.
    await writable.abort().catch(() => undefined);
    throw error;
  }
}

function downloadThroughLink(data: Blob, name: string): void {
  const url = URL.createObjectURL(data);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.style.display = 'none';
  // Older Firefox only followed a link that was in the document.
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
