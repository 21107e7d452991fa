/**
 * Checksums of the upload set, computed in the folder worker: SHA-256 for every target, MD5 too where the target
 * uses it (Deriva keeps both; Symbiota's field map has mediaMD5). The page holds only counts and progress.
 */
import { usesMd5 } from '#core/digest';
import { formatBytes, plural } from '#core/format';
import { ProgressMeter, type ProgressReading } from '#core/progress-meter';
import type { ChecksumOutcome, ChecksumProgress } from '../../workers/folder-bridge';
import type { Announcer } from './announcer.svelte';
import type { CheckState } from './check.svelte';
import type { FolderState } from './folder.svelte';

export type ChecksumPhase = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

const NO_READING: ProgressReading = { bytesPerSecond: 0, secondsLeft: Infinity };

export class ChecksumState {
  #phase = $state<ChecksumPhase>('idle');
  #progress = $state.raw<ChecksumProgress | null>(null);
  #reading = $state.raw<ProgressReading>(NO_READING);
  /** Files of the upload set that have their checksums, of how many. */
  #done = $state(0);
  #files = $state(0);
  #outcome = $state.raw<ChecksumOutcome | null>(null);
  #error = $state('');
  /** Bumped when new checksums are known, so the file lists are built again. */
  #revision = $state(0);
  /** The running pass began by itself after the check, rather than on a press of Compute checksums. */
  #background = $state(false);
  /** The upload set a pass last began by itself for; it begins once per set, not again after failures. */
  #autoStartedFor = '';
  /** Cancelled by the user: no pass begins by itself again until another folder is picked. */
  #stoppedByUser = false;
  /** No pass begins by itself while set (see hold). */
  #held = false;
  /** An upload runs, and a pass under way waits for it (see yieldTo). */
  #yielding = $state(false);
  readonly #meter = new ProgressMeter();
  readonly #folder: FolderState;
  readonly #check: CheckState;
  readonly #announcer: Announcer;

  /** Told when a pass ends (see onComputed). */
  readonly #computedListeners: (() => void)[] = [];

  constructor(folder: FolderState, check: CheckState, announcer: Announcer) {
    this.#folder = folder;
    this.#check = check;
    this.#announcer = announcer;
    // The upload set changes with the check, the target (MD5 or not) and the errors override.
    check.onUploadSet(() => void this.refresh());
  }

  /** `listener` is told when a pass ends, done or cancelled (when `revision` is bumped). */
  onComputed(listener: () => void): void {
    this.#computedListeners.push(listener);
  }

  get phase(): ChecksumPhase {
    return this.#phase;
  }

  get progress(): ChecksumProgress | null {
    return this.#progress;
  }

  get reading(): ProgressReading {
    return this.#reading;
  }

  get done(): number {
    return this.#done;
  }

  get files(): number {
    return this.#files;
  }

  get outcome(): ChecksumOutcome | null {
    return this.#outcome;
  }

  get error(): string {
    return this.#error;
  }

  get revision(): number {
    return this.#revision;
  }

  /** The pass under way waits for the upload that runs (see yieldTo). */
  get waiting(): boolean {
    return this.#yielding && this.#phase === 'running';
  }

  get background(): boolean {
    return this.#background;
  }

  /** GUDMAP/RBK and Symbiota use MD5 as well as SHA-256. */
  get md5(): boolean {
    return usesMd5(this.#check.target);
  }

  get label(): string {
    return this.md5 ? 'SHA-256 and MD5' : 'SHA-256';
  }

  #request() {
    return { includeErrors: this.#check.allowErrors, md5: this.md5 };
  }

  /** Counts the files that have their checksums. */
  async count(): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker || this.#phase === 'running') return;
    const { done, files } = await worker.checksumCount(this.#request());
    this.#done = done;
    this.#files = files;
  }

  /**
   * Counts again, then computes what is missing in the background: while the curator reviews the check, every
   * file gets its checksums, so the upload announces them at once and spends no time hashing.
   */
  async refresh(): Promise<void> {
    await this.count();
    const request = this.#request();
    const set = `${this.#check.revision}\u0000${request.includeErrors}\u0000${request.md5}`;
    if (this.#held || this.#stoppedByUser || this.#phase === 'running' || this.#done >= this.#files) return;
    if (set === this.#autoStartedFor) return;
    this.#autoStartedFor = set;
    await this.start(true);
  }

  async start(background = false): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker || this.#phase === 'running') return;
    this.#background = background;
    this.#phase = 'running';
    this.#error = '';
    this.#outcome = null;
    this.#progress = null;
    this.#reading = NO_READING;
    this.#meter.reset();
    const started = performance.now();
    try {
      const outcome = await worker.computeChecksums(this.#request(), (progress) => {
        this.#progress = progress;
        this.#reading = this.#meter.record(performance.now(), progress.doneBytes, progress.bytes);
      });
      performance.measure('checksums', { start: started, detail: { bytes: outcome.bytes } });
      this.#outcome = outcome;
      this.#progress = outcome;
      this.#phase = outcome.cancelled ? 'cancelled' : 'done';
      this.#revision += 1;
      for (const listener of this.#computedListeners) listener();
      await this.count();
      // A pass that began by itself is worth a word only when it was cancelled or something went wrong.
      if (!background || outcome.cancelled || outcome.failed > 0) this.#announcer.say(this.#summary(outcome));
    } catch (error) {
      this.#phase = 'failed';
      this.#error = `Checksums could not be computed: ${error instanceof Error ? error.message : String(error)} Choose the folder again.`;
      this.#announcer.say(this.#error);
    }
    // The upload set may have changed while the pass ran (errors let in, another check): count it again, and a
    // pass begins by itself for a set it has not begun for.
    this.#refreshIfChecked();
  }

  /**
   * No pass begins by itself while `on` (the folder's barcodes are being read); the held one begins when it
   * clears. Hashing a sheet while the reader decoded it took the second core from the decode (and the folder
   * worker from the file list), and the checksums are wanted only at the upload, so they wait the second or so
   * the barcodes take. A pass pressed for begins at once.
   */
  hold(on: boolean): void {
    const released = this.#held && !on;
    this.#held = on;
    if (released) this.#refreshIfChecked();
  }

  /**
   * A pass under way waits while `uploading`: the upload hashes the files it sends as it reads them (see
   * ChecksumStore.pause), and goes on with what is still missing when the upload stops or settles.
   */
  yieldTo(uploading: boolean): void {
    if (uploading === this.#yielding) return;
    this.#yielding = uploading;
    void this.#folder.worker?.pauseChecksums(uploading).catch(() => undefined);
  }

  /** Refreshes once the folder is scanned and checked (the upload set is the check's). */
  #refreshIfChecked(): void {
    if (this.#folder.phase === 'ready' && this.#check.phase === 'done') void this.refresh();
  }

  cancel(): void {
    this.#stoppedByUser = true;
    void this.#folder.worker?.cancelChecksums();
  }

  /** Forgets what was shown when a new folder is picked (the worker, and its checksums, are new too). */
  reset(): void {
    this.#phase = 'idle';
    this.#progress = null;
    this.#outcome = null;
    this.#error = '';
    this.#done = 0;
    this.#files = 0;
    this.#background = false;
    this.#autoStartedFor = '';
    this.#stoppedByUser = false;
  }

  #summary(outcome: ChecksumOutcome): string {
    if (outcome.cancelled) {
      return `Checksums cancelled after ${plural(outcome.doneFiles, 'file')}; the ones computed are kept.`;
    }
    const base = `${this.label} computed for ${plural(outcome.doneFiles - outcome.failed, 'file')} (${formatBytes(outcome.doneBytes)}).`;
    return outcome.failed > 0 ? `${base} ${plural(outcome.failed, 'file')} could not be read.` : base;
  }
}
