/**
 * The Check step: which target the folder is checked against, its settings, the record list, and the summary
 * of the last run. Runs happen in the folder worker; a newer request makes an older answer stale ("latest wins").
 */
import { formatCount, plural } from '#core/format';
import { checkedSettings, getProfile } from '#core/profiles/registry';
import { admits, type CheckSummary } from '#core/validation/check-summary';
import type { ProfileId, ProfileSettings } from '#core/validation/types';
import { safeFileName } from '#core/table';
import { CSV_FILE, saveFile } from '../../platform/download';
import type { RecordListText } from '../../workers/folder-bridge';
import type { Announcer } from './announcer.svelte';
import type { FolderState } from './folder.svelte';

export type CheckPhase = 'idle' | 'checking' | 'done' | 'failed';

export function defaultProfileSettings(): ProfileSettings {
  return {
    any: getProfile('any').defaultSettings,
    gudmap: getProfile('gudmap').defaultSettings,
    symbiota: getProfile('symbiota').defaultSettings,
    bia: getProfile('bia').defaultSettings,
    custom: getProfile('custom').defaultSettings,
    deriva: getProfile('deriva').defaultSettings,
  };
}

export class CheckState {
  #target = $state<ProfileId>('any');
  /** Replaced whole on every change (see patchSettings), never changed in place. */
  #settings = $state.raw<ProfileSettings>(defaultProfileSettings());
  #recordList = $state.raw<RecordListText | null>(null);
  #recordColumn = $state('');
  #phase = $state<CheckPhase>('idle');
  #summary = $state.raw<CheckSummary | null>(null);
  #recordColumns = $state.raw<readonly string[]>([]);
  #recordProblems = $state.raw<readonly string[]>([]);
  /** The record list the last run used, by name. */
  #usedRecordList = $state('');
  #error = $state('');
  #allowErrors = $state(false);
  /** Bumped when new findings are ready, so the findings table asks for its rows again. */
  #revision = $state(0);
  #request = 0;
  /** The request and record list the pending or last re-check was scheduled for (see #requestChanged). */
  #scheduledKey = '';
  #scheduledList: RecordListText | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Told when the phase, the target or the settings change while the folder is ready (see onChange). */
  readonly #changeListeners: (() => void)[] = [];
  /** Told whenever the files the upload takes may have changed (see onUploadSet). */
  readonly #uploadSetListeners: (() => void)[] = [];
  readonly #folder: FolderState;
  readonly #announcer: Announcer;

  constructor(folder: FolderState, announcer: Announcer) {
    this.#folder = folder;
    this.#announcer = announcer;
    // A scan is no typing: its check runs in the next task, not after the typing pause.
    folder.onReady(() => this.#schedule(0));
  }

  /**
   * Everything a run depends on but the record list, as text: a derived that changes only when a new check is
   * due, so editing a file-list setting (a base URL, a template) does not re-run the check.
   */
  readonly requestKey = $derived(
    JSON.stringify([
      this.#target,
      checkedSettings(this.#target, this.#settings[this.#target]),
      this.#recordColumn,
    ]),
  );

  /** Everything a run depends on. */
  get request() {
    return {
      target: this.#target,
      settings: this.#settings[this.#target],
      recordList: this.#recordList,
      recordColumn: this.#recordColumn,
    };
  }

  get target(): ProfileId {
    return this.#target;
  }

  /** Every target's settings; changed through patchSettings and replaceSettings. */
  get settings(): ProfileSettings {
    return this.#settings;
  }

  /** A record list the user chose; GUDMAP's Specimen_simple.csv in the folder is used when there is none. */
  get recordList(): RecordListText | null {
    return this.#recordList;
  }

  /** The identifier column chosen by the user; '' lets the checker detect it. */
  get recordColumn(): string {
    return this.#recordColumn;
  }

  setTarget(target: ProfileId): void {
    this.#target = target;
    this.#settingsChanged();
  }

  patchSettings<P extends ProfileId>(id: P, patch: Partial<ProfileSettings[P]>): void {
    this.#settings = { ...this.#settings, [id]: { ...this.#settings[id], ...patch } };
    this.#settingsChanged();
  }

  /** A whole set of settings at once (stored, from a link or a settings file). */
  replaceSettings(target: ProfileId, settings: ProfileSettings): void {
    this.#target = target;
    this.#settings = settings;
    this.#settingsChanged();
  }

  /** A record list the user chose, or null to use the folder's own; the identifier column is detected again. */
  chooseRecordList(list: RecordListText | null): void {
    this.#recordList = list;
    this.#recordColumn = list ? '' : this.#recordColumn;
    this.#requestChanged();
  }

  chooseRecordColumn(column: string): void {
    this.#recordColumn = column;
    this.#requestChanged();
  }

  #settingsChanged(): void {
    this.#requestChanged();
    this.#changed();
  }

  /**
   * Checks again, debounced, when what a run depends on changed: a file-list setting (a base URL, a template)
   * leaves the request key alone and so does not re-run the check. The record list is compared by identity.
   */
  #requestChanged(): void {
    if (this.requestKey === this.#scheduledKey && this.#recordList === this.#scheduledList) return;
    if (this.#folder.phase === 'ready') this.#schedule();
    else this.#remember();
  }

  /** Typing is debounced: the check runs 250 ms after the last change. */
  #schedule(delayMs = 250): void {
    this.#remember();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.run(), delayMs);
  }

  #remember(): void {
    this.#scheduledKey = this.requestKey;
    this.#scheduledList = this.#recordList;
  }

  get phase(): CheckPhase {
    return this.#phase;
  }

  get summary(): CheckSummary | null {
    return this.#summary;
  }

  get recordColumns(): readonly string[] {
    return this.#recordColumns;
  }

  get recordProblems(): readonly string[] {
    return this.#recordProblems;
  }

  get usedRecordList(): string {
    return this.#usedRecordList;
  }

  get error(): string {
    return this.#error;
  }

  get revision(): number {
    return this.#revision;
  }

  /** Upload files with errors too. */
  get allowErrors(): boolean {
    return this.#allowErrors;
  }

  set allowErrors(value: boolean) {
    if (value === this.#allowErrors) return;
    this.#allowErrors = value;
    this.#uploadSetChanged();
    this.#changed();
  }

  /**
   * `listener` is told whenever the phase, the target or its settings change while the folder is ready: a check
   * starting, ending or failing, every setting changed, checked or not, and files with errors let in or kept out.
   */
  onChange(listener: () => void): void {
    this.#changeListeners.push(listener);
  }

  #changed(): void {
    if (this.#folder.phase !== 'ready') return;
    for (const listener of this.#changeListeners) listener();
  }

  /**
   * `listener` is told whenever the files the upload takes may have changed while the folder is ready: after
   * each check, and when files with errors are let in or kept out.
   */
  onUploadSet(listener: () => void): void {
    this.#uploadSetListeners.push(listener);
  }

  #uploadSetChanged(): void {
    if (this.#folder.phase !== 'ready' || this.#phase !== 'done') return;
    for (const listener of this.#uploadSetListeners) listener();
  }

  /** The picked folder's name, which Deriva upload configs see at the start of every path. */
  get folderName(): string {
    return this.#folder.name;
  }

  /**
   * Says whether a file may be uploaded (see `admits`). Asked once for a pass over the rows: the state it
   * depends on is read once, not once a row (in a derived over 100,000 rows, reading it each time cost a
   * 1.4-second task after every check).
   */
  admitter(): (rowId: number) => boolean {
    const rows = this.#folder.rows;
    const allowErrors = this.allowErrors;
    const fileStatus = this.#summary?.fileStatus;
    return (rowId) => admits(rows[rowId]?.path ?? '', fileStatus?.[rowId], allowErrors);
  }

  /**
   * The files still to send and how many of them the upload takes, once checked: the worker's counts over the
   * scanned files, corrected by the few rows that do not wait (skipped, sent) and the web copies, so the page
   * does not pass over 100,000 rows after a check (44 ms in the first check of a page).
   */
  waiting(): { readonly files: number; readonly admitted: number } | null {
    const summary = this.#summary;
    if (this.#phase !== 'done' || !summary) return null;
    const rows = this.#folder.rows;
    const admit = this.admitter();
    const { withErrors, withoutErrors } = summary.admitted;
    let admitted = this.allowErrors ? withErrors : withoutErrors;
    for (let id = summary.fileStatus.length; id < rows.length; id += 1) if (admit(id)) admitted += 1;
    const settled = this.#folder.settled;
    for (const id of settled) if (admit(id)) admitted -= 1;
    return { files: rows.length - settled.size, admitted };
  }

  /** `announce` false checks again without a word (barcodes read in the background joining the findings). */
  async run(announce = true): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker || this.#folder.phase !== 'ready') return;
    const id = ++this.#request;
    const { target, settings, recordColumn } = this.request;
    const started = performance.now();
    this.#phase = 'checking';
    this.#error = '';
    this.#changed();
    try {
      const recordList = await this.#recordListFor(target);
      const result = await worker.check({
        profile: target,
        settings,
        folderName: this.#folder.name,
        includeHidden: this.#folder.scannedWithHidden,
        ...(recordList
          ? { recordList: recordColumn ? { ...recordList, column: recordColumn } : recordList }
          : {}),
      });
      if (id !== this.#request) return;
      this.#summary = result.summary;
      this.#recordColumns = result.recordColumns;
      this.#recordProblems = result.recordProblems;
      this.#usedRecordList = recordList?.name ?? '';
      this.#phase = 'done';
      performance.measure('check', { start: started, detail: { files: this.#folder.rows.length } });
      this.#revision += 1;
      if (announce) this.#announcer.say(this.headline);
      this.#uploadSetChanged();
      this.#changed();
    } catch (error) {
      if (id !== this.#request) return;
      this.#phase = 'failed';
      this.#error = `The check could not run: ${error instanceof Error ? error.message : String(error)} Pick the folder again.`;
      this.#announcer.say(this.#error);
      this.#changed();
    }
  }

  /** One line a curator reads in five seconds. */
  get headline(): string {
    const s = this.#summary;
    if (!s) return '';
    if (s.settingsProblems.length > 0) return `Not checked: ${s.settingsProblems[0] ?? ''}`;
    const { ok, warning, error, skipped } = s.counts;
    return `Checked against ${getProfile(s.profile).label}: ${formatCount(ok)} ok, ${plural(warning, 'warning')}, ${plural(error, 'error')}, ${formatCount(skipped)} skipped.`;
  }

  /** Saves every finding as CSV: path, status, identifier, rule, message. */
  async downloadReport(): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker || !this.#summary) return;
    const name = safeFileName(`${this.#folder.name}-${this.#summary.profile}-check`, CSV_FILE.extension);
    try {
      const outcome = await saveFile(await worker.report(), name, CSV_FILE);
      if (outcome === 'saved') this.#announcer.say(`Report saved as ${name}.`);
    } catch (error) {
      this.#error = `The report could not be saved: ${error instanceof Error ? error.message : String(error)} Try again, or choose another folder to save it in.`;
    }
  }

  async #recordListFor(target: ProfileId): Promise<RecordListText | null> {
    const profile = getProfile(target);
    if (profile.usesRecordList === false) return null;
    if (this.#recordList) return this.#recordList;
    const inFolder = this.#folder.rows.find(
      (row) => row.status !== 'skipped' && profile.isRecordFile(row.path),
    );
    if (!inFolder || !this.#folder.source) return null;
    const file = await this.#folder.source.open(inFolder.path);
    return { name: inFolder.path, text: await file.text() };
  }
}
