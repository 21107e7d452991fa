/**
 * Reading the barcodes of the Prepare step: every image of the folder is decoded once in a pool of image workers
 * and its barcodes read; when the web copies are being made at the same time, an image not read yet is read from
 * the decode that makes its copies (see claim). What was read goes to the folder worker, and the check runs
 * again, so the comparisons with the names appear in the Check step's findings and report.
 */
import { untrack } from 'svelte';
import { notOpenedProblem } from '#core/barcodes/readable';
import type { BarcodeReading } from '#core/barcodes/types';
import { formatCount, plural } from '#core/format';
import { safeFileName } from '#core/table';
import { CSV_FILE, saveFile } from '../../platform/download';
import { isImageFile } from '#core/images/candidates';
import type { ProfileId } from '#core/validation/types';
import { ImagePool, poolSize, type MakeResult } from '../../workers/image-pool';
import type { Announcer } from './announcer.svelte';
import type { CheckState } from './check.svelte';
import type { FileRow } from './file-row';
import type { FolderState } from './folder.svelte';

export type BarcodesPhase = 'idle' | 'running' | 'done' | 'cancelled';

export interface BarcodeProgress {
  readonly images: number;
  readonly done: number;
  /** Images with at least one barcode. */
  readonly found: number;
  /** Images whose barcodes could not be read. */
  readonly failed: number;
}

/** Targets whose identifier comes from the file name, which a barcode can confirm. */
type NameTarget = 'symbiota' | 'gudmap' | 'custom';
const NAME_TARGETS: ReadonlySet<ProfileId> = new Set<NameTarget>(['symbiota', 'gudmap', 'custom']);
const isNameTarget = (target: ProfileId): target is NameTarget => NAME_TARGETS.has(target);
const SHOWN = 100;
const PUBLISH_MS = 250;
const NO_POLICY = { derivatives: [], originals: 'as-is' } as const;

export class BarcodesState {
  #phase = $state<BarcodesPhase>('idle');
  #progress = $state.raw<BarcodeProgress | null>(null);
  #problems = $state.raw<readonly string[]>([]);
  #error = $state('');
  /** Paths claimed by a run (this one or the web copies'), so each image is decoded once. */
  #claimed = new Set<string>();
  #read = new Map<string, BarcodeReading>();
  /** Read since they were last handed to the folder worker. */
  #unsent: [string, BarcodeReading][] = [];
  #pool: ImagePool | null = null;
  readonly #workers = new ImagePool(poolSize(), { barcodes: true });
  #autoStarted = false;
  /** Told when a run ends, done or cancelled. */
  readonly #endListeners: (() => void)[] = [];
  readonly #folder: FolderState;
  readonly #check: CheckState;
  readonly #announcer: Announcer;

  get phase(): BarcodesPhase {
    return this.#phase;
  }

  get progress(): BarcodeProgress | null {
    return this.#progress;
  }

  get problems(): readonly string[] {
    return this.#problems;
  }

  get error(): string {
    return this.#error;
  }

  constructor(folder: FolderState, check: CheckState, announcer: Announcer) {
    this.#folder = folder;
    this.#check = check;
    // Reading begins by itself after the first check when it is on (Symbiota's default).
    check.onChange(() => {
      if (check.phase === 'checking') this.warm();
      if (check.phase === 'done') this.refresh();
    });
    this.#announcer = announcer;
    // The workers load and compile their reader as soon as reading is on, before any folder is picked: a folder
    // with one large sheet is scanned and checked in a fraction of a second, well before they are ready. The pool
    // stops them after a minute left idle, and starts them again when a folder is picked.
    $effect(() => {
      if (this.enabled) untrack(() => this.warm());
    });
  }

  /** `listener` is told when a run ends, done or cancelled. */
  onEnd(listener: () => void): void {
    this.#endListeners.push(listener);
  }

  /** Whether the target reads identifiers from names (BioImage Archive files have none). */
  get available(): boolean {
    return isNameTarget(this.#check.target);
  }

  /** Read barcodes, a setting of each target (remembered with the others; on by default for Symbiota). */
  get enabled(): boolean {
    const target = this.#check.target;
    return isNameTarget(target) && this.#check.settings[target].readBarcodes;
  }

  set enabled(on: boolean) {
    const target = this.#check.target;
    if (isNameTarget(target)) this.#check.patchSettings(target, { readBarcodes: on });
  }

  /** The images whose barcodes are read: every image of the folder, errors included (a name without identifier is one). */
  #images(): FileRow[] {
    return this.#folder.scannedRows.filter((row) => row.status !== 'skipped' && isImageFile(row.path));
  }

  /** Reading is under way, or will begin by itself once the folder is checked. */
  get ahead(): boolean {
    if (this.#phase === 'running') return true;
    const folder = this.#folder.phase;
    return (
      this.enabled &&
      this.#phase === 'idle' &&
      !this.#autoStarted &&
      (folder === 'scanning' || folder === 'ready')
    );
  }

  /** Starts the workers and their reader while the folder is checked, when reading will follow. */
  warm(): void {
    if (this.enabled && !this.#autoStarted) this.#workers.warm();
  }

  /** Starts by itself once per folder after the first check, when on. */
  refresh(): void {
    if (this.#autoStarted || !this.enabled || this.#check.phase !== 'done' || this.#phase !== 'idle') return;
    this.#autoStarted = true;
    void this.start(true);
  }

  /**
   * The web copies ask before each image whether to read its barcodes from their decode: yes when reading is on
   * and no run has taken the image yet.
   */
  claim(path: string): boolean {
    if (!this.enabled || this.#claimed.has(path)) return false;
    this.#claimed.add(path);
    return true;
  }

  /** A claimed image that was not read after all (the web copies were cancelled). */
  release(path: string): void {
    this.#claimed.delete(path);
  }

  /** An image read by the web copies' decode. */
  deliver(result: MakeResult): void {
    if (result.barcodes !== undefined) this.#keep(result.path, result.barcodes);
  }

  /** Hands what was read to the folder worker and checks again (after a run, and after the web copies). */
  async flush(): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker || this.#unsent.length === 0) return;
    const read = this.#unsent;
    this.#unsent = [];
    await worker.addBarcodes(read, false);
    await this.#check.run(false);
  }

  #keep(path: string, reading: BarcodeReading): void {
    this.#read.set(path, reading);
    this.#unsent.push([path, reading]);
  }

  /** `background`: begun by itself, so it says a word only when cancelled or when an image could not be read. */
  async start(background = false): Promise<void> {
    const source = this.#folder.source;
    if (this.#phase === 'running' || !source || this.#folder.phase !== 'ready') return;
    const images = this.#images();
    const folder = this.#folder.handle;
    const pool = this.#workers;
    this.#pool = pool;
    this.#phase = 'running';
    const progress = { images: images.length, done: 0, found: 0, failed: 0 };
    const problems: string[] = [];
    const publish = () => {
      this.#progress = { ...progress };
      this.#problems = problems.slice(0, SHOWN);
    };
    const count = (reading: BarcodeReading) => {
      progress.done += 1;
      if ('problem' in reading) {
        progress.failed += 1;
        if (problems.length < SHOWN) problems.push(reading.problem);
      } else if (reading.found.length > 0) progress.found += 1;
    };
    for (const row of images) {
      const reading = this.#read.get(row.path);
      if (reading !== undefined) count(reading);
    }
    const timer = setInterval(publish, PUBLISH_MS);
    publish();
    const started = performance.now();
    const store = '';
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < images.length && this.#pool === pool) {
        const row = images[next++] as FileRow;
        if (this.#read.has(row.path) || this.#claimed.has(row.path)) continue;
        this.#claimed.add(row.path);
        let reading: BarcodeReading;
        try {
          // A picked folder's image is opened by the worker itself, so the page's rendering never delays it.
          const file = folder ? { folder, path: row.path } : await source.open(row.path);
          const result = await pool.make({
            path: row.path,
            file,
            policy: NO_POLICY,
            store,
            copies: false,
            barcodes: true,
          });
          reading = result.barcodes ?? { problem: result.problems[0] ?? `${row.path} could not be read.` };
        } catch (error) {
          this.#claimed.delete(row.path);
          if (error instanceof DOMException && error.name === 'AbortError') return;
          const detail = error instanceof Error ? error.message : String(error);
          reading = { problem: notOpenedProblem(row.path, detail) };
        }
        this.#keep(row.path, reading);
        count(reading);
      }
    };
    await Promise.all(Array.from({ length: poolSize() + 1 }, lane));
    clearInterval(timer);
    const cancelled = this.#pool !== pool;
    this.#pool = null;
    publish();
    this.#phase = cancelled ? 'cancelled' : 'done';
    performance.measure('barcodes', {
      start: started,
      detail: { images: progress.done, found: progress.found },
    });
    for (const listener of this.#endListeners) listener();
    await this.flush();
    const without = progress.done - progress.found - progress.failed;
    if (background && !cancelled && progress.failed === 0) return;
    this.#announcer.say(
      `${cancelled ? 'Reading barcodes cancelled' : 'Barcodes read'}: ${plural(progress.found, 'image')} with a barcode, ${formatCount(without)} without${progress.failed > 0 ? `, ${formatCount(progress.failed)} not read` : ''}.`,
    );
  }

  /** Images the last check would name from their barcode. */
  get suggestions(): number {
    return this.#check.summary?.rules.find((r) => r.rule === 'barcode.suggested')?.count ?? 0;
  }

  /** Files uploaded under the name their barcode gives. */
  get named(): number {
    return this.#folder.names.count;
  }

  /**
   * Uploads the images the check names from their barcodes under those names (`<barcode>.jpg`, `_a`, `_b` …);
   * the files in the folder keep theirs. The check runs again, so findings, lists and copies use the new names.
   */
  async useBarcodeNames(): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker) return;
    try {
      const pairs = await worker.suggestedNames();
      if (pairs.length === 0) return;
      await this.useNames(pairs);
      this.#announcer.say(
        `${plural(pairs.length, 'image')} will be uploaded under the name ${pairs.length === 1 ? 'its' : 'their'} barcode gives; the files in the folder keep their names.`,
      );
    } catch (error) {
      this.#error = `The names from barcodes could not be used: ${error instanceof Error ? error.message : String(error)} Try again.`;
    }
  }

  /**
   * Uploads the files of `pairs` (own path, upload path) under those names (the names from barcodes, or those a
   * resumed batch was sent under); the check runs again.
   */
  async useNames(pairs: readonly (readonly [string, string])[]): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker) return;
    this.#folder.names.add(pairs);
    await worker.setUploadNames(this.#folder.names.pairs());
    await this.#check.run(false);
  }

  /** Uploads every file under its own name again. */
  async useOwnNames(): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker || this.#folder.names.count === 0) return;
    this.#folder.names.clear();
    await worker.setUploadNames([]);
    await this.#check.run(false);
    this.#announcer.say('Every file will be uploaded under its own name.');
  }

  /** Saves the names from barcodes as CSV (old,new); the files themselves are never renamed. */
  async downloadRenames(): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker) return;
    const name = safeFileName(`${this.#folder.name}-renames`, CSV_FILE.extension);
    try {
      const list = await worker.renameList();
      if (!list) return;
      const outcome = await saveFile(list, name, CSV_FILE);
      if (outcome === 'saved') this.#announcer.say(`Rename list saved as ${name}.`);
    } catch (error) {
      this.#error = `The rename list could not be saved: ${error instanceof Error ? error.message : String(error)} Try again.`;
    }
  }

  cancel(): void {
    const pool = this.#pool;
    this.#pool = null;
    pool?.cancel();
  }

  /** A new folder: nothing read yet. */
  reset(): void {
    this.cancel();
    this.#claimed = new Set();
    this.#read = new Map();
    this.#unsent = [];
    this.#autoStarted = false;
    this.#phase = 'idle';
    this.#progress = null;
    this.#problems = [];
    // The workers load and compile their reader while the folder is scanned and checked, not after.
    this.warm();
  }
}
