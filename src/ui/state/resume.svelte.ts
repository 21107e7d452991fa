/**
 * Resume previous upload: a batch an earlier page left unfinished (reload, crashed tab, browser restart) is
 * offered when the page opens. One click asks again for permission to read the folder, scans and checks it, and
 * lets the upload skip what arrived and continue what was half sent. A folder that came through the input or a
 * drop has no handle to keep, so the user chooses it again and it is matched by name.
 */
import { formatBytes, plural } from '#core/format';
import type { ProfileId } from '#core/validation/types';
import type { BatchJournal, FileRecord, SavedBatch } from '../../platform/batch-journal';
import type { Announcer } from './announcer.svelte';
import type { BarcodesState } from './barcodes.svelte';
import type { CheckState } from './check.svelte';
import type { FolderState } from './folder.svelte';
import type { UploadState } from './upload.svelte';

const CHECK_WAIT_MS = 10 * 60_000;
/** Unfinished uploads asked about at once when the page opens. */
const CONFIRM_CONCURRENCY = 6;

export class ResumeState {
  saved = $state.raw<SavedBatch | null>(null);
  /** Waiting for the user to choose the folder again (it had no handle). */
  waitingForFolder = $state(false);
  busy = $state(false);
  error = $state('');
  /**
   * Paths of the unfinished uploads the receiver says are complete (their offset is their size): the journal is
   * written once a second, so a file that finished just before the page went may be recorded only by address.
   * Null while the receiver is being asked.
   */
  confirmed = $state.raw<ReadonlySet<string> | null>(null);
  readonly #journal: BatchJournal;
  readonly #folder: FolderState;
  readonly #check: CheckState;
  readonly #upload: UploadState;
  readonly #barcodes: BarcodesState;
  readonly #announcer: Announcer;
  readonly #newFolder: (name: string) => void;
  /** Opens the folder chooser, as Choose folder does; called within the click on Resume previous upload. */
  readonly #chooseFolder: () => void;
  /** The check's revision when the last folder was picked: a later one is that folder's check. */
  #revisionAtPick = 0;

  /** `newFolder` is what picking a folder does to the other steps (they forget the last folder). */
  constructor(
    journal: BatchJournal,
    folder: FolderState,
    check: CheckState,
    upload: UploadState,
    barcodes: BarcodesState,
    announcer: Announcer,
    newFolder: (name: string) => void,
    chooseFolder: () => void,
  ) {
    this.#newFolder = newFolder;
    this.#chooseFolder = chooseFolder;
    this.#journal = journal;
    this.#folder = folder;
    this.#check = check;
    this.#upload = upload;
    this.#barcodes = barcodes;
    this.#announcer = announcer;
  }

  /** Looks for an unfinished batch; called once when the page opens. */
  async load(): Promise<void> {
    const saved = await this.#journal.load();
    if (!saved) return;
    this.saved = saved;
    const unfinished = saved.files.filter((f) => !f.arrived && f.uploadUrl);
    this.confirmed = await completeOnReceiver(unfinished);
  }

  /** One line about the unfinished batch. */
  get summary(): string {
    const saved = this.saved;
    if (!saved) return '';
    const when = new Date(saved.batch.startedAt).toLocaleString();
    const start = `The upload of "${saved.batch.folderName}" to batch ${saved.batch.batch} (started ${when}) did not finish`;
    const confirmed = this.confirmed;
    if (confirmed === null) return `${start}; asking the receiver what arrived…`;
    const arrived = saved.files.filter((f) => f.arrived || confirmed.has(f.path));
    const bytes = arrived.reduce((sum, f) => sum + f.size, 0);
    const partial = saved.files.filter((f) => !f.arrived && f.uploadUrl && !confirmed.has(f.path)).length;
    // Files that finished in the page's last second may not be in the journal yet: hence "at least".
    return (
      `${start}: at least ${plural(arrived.length, 'file')} (${formatBytes(bytes)}) had arrived` +
      (partial > 0 ? `, ${plural(partial, 'file')} half sent.` : '.')
    );
  }

  async resume(): Promise<void> {
    const saved = this.saved;
    if (!saved || this.busy || this.#upload.active) return;
    this.error = '';
    this.#check.target = saved.batch.target as ProfileId;
    this.#check.allowErrors = saved.batch.allowErrors;
    const { handle } = saved.batch;
    if (!handle) {
      this.waitingForFolder = true;
      this.#announcer.say(
        `Choose the folder "${saved.batch.folderName}" again; the upload then goes on where it stopped.`,
      );
      // The click is a user gesture, so the chooser may open now.
      this.#chooseFolder();
      return;
    }
    this.busy = true;
    try {
      if (!(await readable(handle))) {
        this.error = `The browser was not allowed to read "${handle.name}" again. Press Resume previous upload and allow reading, or choose the folder yourself.`;
        this.waitingForFolder = true;
        this.#announcer.say(this.error);
        return;
      }
      this.#newFolder(handle.name);
      await this.#folder.scan({ kind: 'handle', handle });
      await this.#continue(saved);
    } catch (error) {
      this.error = `The previous upload could not be resumed: ${error instanceof Error ? error.message : String(error)} Choose the folder again to upload it.`;
      this.#announcer.say(this.error);
    } finally {
      this.busy = false;
    }
  }

  /** Called whenever a folder is picked, before it is scanned. */
  folderPicked(): void {
    this.#revisionAtPick = this.#check.revision;
  }

  /** Called after every scan the user starts: the folder awaited for resuming goes on, another one is named. */
  async folderScanned(): Promise<void> {
    const saved = this.saved;
    if (!saved || !this.waitingForFolder || this.#folder.phase !== 'ready') return;
    if (this.#folder.name !== saved.batch.folderName) {
      this.error = `This is "${this.#folder.name}", not "${saved.batch.folderName}" of the previous upload: choose "${saved.batch.folderName}" to resume it, or Forget it to upload this folder as a new batch.`;
      this.#announcer.say(this.error);
      return;
    }
    this.busy = true;
    try {
      await this.#continue(saved);
    } finally {
      this.busy = false;
    }
  }

  /** Drops the unfinished batch: the next upload starts a new one. */
  async forget(): Promise<void> {
    this.saved = null;
    this.waitingForFolder = false;
    this.error = '';
    await this.#journal.clear();
  }

  async #continue(saved: SavedBatch): Promise<void> {
    await this.#checked();
    // Before anything is sent: the files go on under the names the batch began with.
    const names = saved.batch.names ?? [];
    if (names.length > 0) await this.#barcodes.useNames(names);
    const missing = await this.#folder.restoreCopies(saved.batch.copies, saved.batch.held);
    this.saved = null;
    this.waitingForFolder = false;
    this.error = '';
    const arrived = this.#upload.resumeWith(saved);
    const lost =
      missing > 0
        ? ` ${plural(missing, 'web copy', 'web copies')} were no longer stored, so their originals go instead.`
        : '';
    this.#announcer.say(
      `Resuming batch ${saved.batch.batch}: ${plural(arrived, 'file')} had already arrived and ${arrived === 1 ? 'is' : 'are'} skipped.${lost}`,
    );
  }

  /** Waits for the check of the newly scanned folder (the check step starts it by itself). */
  async #checked(): Promise<void> {
    const until = performance.now() + CHECK_WAIT_MS;
    while (performance.now() < until) {
      const { phase, summary } = this.#check;
      if (phase === 'done' && summary && this.#check.revision > this.#revisionAtPick) return;
      if (phase === 'failed') throw new Error(this.#check.error);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('The check of the folder did not finish.');
  }
}

/** Whether the page may read the folder, asking the user when the browser wants a fresh permission. */
async function readable(handle: FileSystemDirectoryHandle): Promise<boolean> {
  const withPermissions = handle as FileSystemDirectoryHandle & {
    queryPermission?: (options: { mode: 'read' }) => Promise<PermissionState>;
    requestPermission?: (options: { mode: 'read' }) => Promise<PermissionState>;
  };
  if ((await withPermissions.queryPermission?.({ mode: 'read' })) === 'granted') return true;
  const asked = await withPermissions.requestPermission?.({ mode: 'read' });
  return asked === undefined || asked === 'granted';
}

/**
 * Asks the receiver for the offset of each unfinished upload (a tus HEAD) and returns the paths of those whose
 * offset is their size. Without an answer (a token is needed, the receiver is down) a file counts as not arrived.
 */
async function completeOnReceiver(files: readonly FileRecord[]): Promise<Set<string>> {
  const complete = new Set<string>();
  const queue = [...files];
  const ask = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      try {
        const response = await fetch(file.uploadUrl ?? '', {
          method: 'HEAD',
          headers: { 'Tus-Resumable': '1.0.0' },
          cache: 'no-store',
        });
        if (response.ok && Number(response.headers.get('Upload-Offset')) === file.size)
          complete.add(file.path);
      } catch {
        // Not reachable now: the upload will ask again when it resumes.
      }
    }
  };
  await Promise.all(Array.from({ length: CONFIRM_CONCURRENCY }, ask));
  return complete;
}
