/**
 * The Check step: which target the folder is checked against, its settings, the record list, and the summary
 * of the last run. Runs happen in the folder worker; a newer request makes an older answer stale ("latest wins").
 */
import { formatCount, plural } from '#core/format';
import { nameCharacterProblem } from '#core/paths';
import { checkedSettings, getProfile } from '#core/profiles/registry';
import { STATUS_CODES, type CheckSummary } from '#core/validation/check-summary';
import type { ProfileId, ProfileSettings } from '#core/validation/types';
import { safeFileName } from '#core/table';
import { CSV_FILE, saveFile } from '../../platform/download';
import type { RecordListText } from '../../workers/folder-bridge';
import type { Announcer } from './announcer.svelte';
import type { FolderState } from './folder.svelte';

export type CheckPhase = 'idle' | 'checking' | 'done' | 'failed';

const ERROR_CODE = STATUS_CODES.indexOf('error');

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
  target = $state<ProfileId>('any');
  settings = $state<ProfileSettings>(defaultProfileSettings());
  /** A record list the user chose; GUDMAP's Specimen_simple.csv in the folder is used when there is none. */
  recordList = $state.raw<{ readonly name: string; readonly text: string } | null>(null);
  /** The identifier column chosen by the user; '' lets the checker detect it. */
  recordColumn = $state('');
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
  /** Told whenever the files the upload takes may have changed (see onUploadSet). */
  readonly #uploadSetListeners: (() => void)[] = [];
  readonly #folder: FolderState;
  readonly #announcer: Announcer;

  constructor(folder: FolderState, announcer: Announcer) {
    this.#folder = folder;
    this.#announcer = announcer;
  }

  /**
   * Everything a run depends on but the record list, as text: a derived that changes only when a new check is
   * due, so editing a file-list setting (a base URL, a template) does not re-run the check.
   */
  readonly requestKey = $derived(
    JSON.stringify([
      this.target,
      checkedSettings(this.target, this.settings[this.target]),
      this.recordColumn,
    ]),
  );

  /** Everything a run depends on. */
  get request() {
    return {
      target: this.target,
      settings: $state.snapshot(this.settings[this.target]),
      recordList: this.recordList,
      recordColumn: this.recordColumn,
    };
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

  patchSettings<P extends ProfileId>(id: P, patch: Partial<ProfileSettings[P]>): void {
    this.settings = { ...this.settings, [id]: { ...this.settings[id], ...patch } };
  }

  /**
   * Whether a file may be uploaded: errors keep it out unless the user overrides, and a name the receiver would
   * place elsewhere or refuse (a backslash, a control character) always does.
   */
  admits(rowId: number): boolean {
    const row = this.#folder.rows[rowId];
    if (row && nameCharacterProblem(row.path)) return false;
    return this.allowErrors || this.#summary?.fileStatus[rowId] !== ERROR_CODE;
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
    } catch (error) {
      if (id !== this.#request) return;
      this.#phase = 'failed';
      this.#error = `The check could not run: ${error instanceof Error ? error.message : String(error)} Pick the folder again.`;
      this.#announcer.say(this.#error);
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
    if (this.recordList) return this.recordList;
    const inFolder = this.#folder.rows.find(
      (row) => row.status !== 'skipped' && profile.isRecordFile(row.path),
    );
    if (!inFolder || !this.#folder.source) return null;
    const file = await this.#folder.source.open(inFolder.path);
    return { name: inFolder.path, text: await file.text() };
  }
}
