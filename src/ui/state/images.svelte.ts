/**
 * The web copies of the Prepare step: the target's policy, the run that makes the copies in the image-worker
 * pool, and what it made. Copies join the upload as rows of their own; originals they replace leave it. The page
 * keeps one small record per image; the copies themselves wait in OPFS.
 */
import { isImageFile } from '#core/images/candidates';
import { describePolicy, imagePolicy, policyProblems } from '#core/images/image-policy';
import type { ImagePolicy } from '#core/images/types';
import { formatBytes, plural } from '#core/format';
import { clearStored, openStored, storeName } from '../../platform/opfs';
import { ImagePool, poolSize, type MadeCopy, type MakeResult } from '../../workers/image-pool';
import type { CopyRecord } from '../../platform/batch-journal';
import type { Announcer } from './announcer.svelte';
import type { BarcodesState } from './barcodes.svelte';
import type { CheckState } from './check.svelte';
import type { FileRow } from './file-row';
import type { FolderState } from './folder.svelte';

export type ImagesPhase = 'idle' | 'running' | 'done' | 'cancelled';

export interface CopyProgress {
  readonly images: number;
  readonly done: number;
  readonly failed: number;
  readonly copies: number;
  readonly bytes: number;
}

export interface PreviewImage {
  readonly original: {
    readonly path: string;
    readonly bytes: number;
    readonly width: number;
    readonly height: number;
  };
  readonly copies: readonly (MadeCopy & { readonly url: string })[];
  release(): void;
}

const SHOWN = 100;
const PUBLISH_MS = 250;

export class ImagesState {
  #phase = $state<ImagesPhase>('idle');
  #progress = $state.raw<CopyProgress | null>(null);
  #secondsLeft = $state(Infinity);
  #problems = $state.raw<readonly string[]>([]);
  #problemCount = $state(0);
  #notes = $state.raw<readonly string[]>([]);
  #madeCount = $state(0);
  #revision = $state(0);
  readonly #madeListeners: (() => void)[] = [];
  #madeWith = $state('');
  /** The workers, kept between runs and started before the first (see warm). */
  readonly #workers = new ImagePool();
  /** The running batch's pool while it runs; cleared to stop it. */
  #pool: ImagePool | null = null;
  #results = new Map<string, MakeResult>();
  readonly #folder: FolderState;
  readonly #check: CheckState;
  readonly #announcer: Announcer;
  /** Reads the barcodes of images not read yet from the decode that makes their copies. */
  readonly #barcodes: BarcodesState | undefined;

  /** `listener` is told when a run ends (when `revision` is bumped): copies may have been made again. */
  onCopiesMade(listener: () => void): void {
    this.#madeListeners.push(listener);
  }

  get phase(): ImagesPhase {
    return this.#phase;
  }

  get progress(): CopyProgress | null {
    return this.#progress;
  }

  get secondsLeft(): number {
    return this.#secondsLeft;
  }

  /** The first sentences about images without copies; all are counted. */
  get problems(): readonly string[] {
    return this.#problems;
  }

  get problemCount(): number {
    return this.#problemCount;
  }

  get notes(): readonly string[] {
    return this.#notes;
  }

  /** Images that have copies. */
  get madeCount(): number {
    return this.#madeCount;
  }

  /** Bumped when a run ends, so the file lists learn of the copies. */
  get revision(): number {
    return this.#revision;
  }

  /** The policy the copies were made with, to tell when the settings changed since. */
  get madeWith(): string {
    return this.#madeWith;
  }

  constructor(folder: FolderState, check: CheckState, announcer: Announcer, barcodes?: BarcodesState) {
    this.#folder = folder;
    this.#check = check;
    // The workers load while the curator reads the settings, not after the click.
    check.onChange(() => {
      if (check.phase === 'done') this.warm();
    });
    this.#announcer = announcer;
    this.#barcodes = barcodes;
    // Or once the barcodes are read, when reading held them back (see warm).
    barcodes?.onEnd(() => {
      if (check.phase === 'done') this.warm();
    });
  }

  get policy(): ImagePolicy {
    const target = this.#check.target;
    return imagePolicy(target, this.#check.settings[target]);
  }

  /** Whether the target makes anything of its images. */
  get enabled(): boolean {
    const policy = this.policy;
    return policy.derivatives.length > 0 || policy.originals === 'web-ready';
  }

  /** The upload names the copies were named after (see UploadNamesState.revision). */
  #namesMadeWith = 0;

  /** The copies in the upload were made with other settings, or named after other names, than those now set. */
  get stale(): boolean {
    if (this.#madeCount === 0) return false;
    return (
      this.#madeWith !== JSON.stringify(this.policy) || this.#namesMadeWith !== this.#folder.names.revision
    );
  }

  get policyText(): readonly string[] {
    return describePolicy(this.policy);
  }

  get policyProblems(): readonly { readonly status: string; readonly message: string }[] {
    const target = this.#check.target;
    return policyProblems(target, this.#check.settings[target]);
  }

  /** Images that have copies, in path order, for the before-and-after view. */
  madePaths(limit: number): readonly string[] {
    const paths: string[] = [];
    for (const [path, result] of this.#results) {
      if (result.copies.length > 0) paths.push(path);
      if (paths.length >= limit) break;
    }
    return paths;
  }

  async start(): Promise<void> {
    const source = this.#folder.source;
    if (this.#phase === 'running' || !source || this.#folder.phase !== 'ready') return;
    this.reset();
    const policy = $state.snapshot(this.policy) as ImagePolicy;
    this.#madeWith = JSON.stringify(policy);
    this.#namesMadeWith = this.#folder.names.revision;
    const store = storeName(this.#folder.name);
    const admits = this.#check.admitter();
    const images = this.#folder.scannedRows.filter(
      (row) => row.status !== 'skipped' && admits(row.id) && isImageFile(row.path),
    );
    const pool = this.#workers;
    this.#pool = pool;
    this.#phase = 'running';
    // Copies of an earlier run (or an earlier visit) go first: the store holds exactly this run's copies.
    await clearStored(this.#folder.name).catch(() => undefined);
    const progress = { images: images.length, done: 0, failed: 0, copies: 0, bytes: 0 };
    const problems: string[] = [];
    const notes: string[] = [];
    let problemCount = 0;
    const started = performance.now();
    const publish = () => {
      this.#progress = { ...progress };
      this.#problems = problems.slice(0, SHOWN);
      this.#problemCount = problemCount;
      this.#notes = notes.slice(0, SHOWN);
      const elapsed = (performance.now() - started) / 1000;
      this.#secondsLeft =
        progress.done > 0 ? (elapsed / progress.done) * (progress.images - progress.done) : Infinity;
    };
    const timer = setInterval(publish, PUBLISH_MS);
    publish();
    let next = 0;
    // One image more in flight than there are workers, so a worker never waits for the next file to open.
    const lane = async (): Promise<void> => {
      while (next < images.length && this.#pool === pool) {
        const row = images[next++] as FileRow;
        let result: MakeResult;
        const barcodes = this.#barcodes?.claim(row.path) ?? false;
        try {
          const file = await source.open(row.path);
          // Copies are named after the name the image is uploaded under; the page keeps them by its own path.
          const path = this.#folder.names.of(row.path);
          result = { ...(await pool.make({ path, file, policy, store, barcodes })), path: row.path };
        } catch (error) {
          if (barcodes) this.#barcodes?.release(row.path);
          if (error instanceof DOMException && error.name === 'AbortError') return;
          result = unreadable(row.path, error);
        }
        this.#barcodes?.deliver(result);
        this.#results.set(row.path, result);
        progress.done += 1;
        progress.copies += result.copies.length;
        for (const copy of result.copies) progress.bytes += copy.bytes;
        if (result.problems.length > 0) progress.failed += 1;
        problemCount += result.problems.length;
        if (problems.length < SHOWN) problems.push(...result.problems);
        if (notes.length < SHOWN) notes.push(...result.notes);
      }
    };
    await Promise.all(Array.from({ length: poolSize() + 1 }, lane));
    clearInterval(timer);
    const cancelled = this.#pool !== pool;
    this.#pool = null;
    publish();
    this.#apply();
    this.#phase = cancelled ? 'cancelled' : 'done';
    performance.measure('web-copies', {
      start: started,
      detail: { images: progress.done, copies: progress.copies },
    });
    this.#revision += 1;
    for (const listener of this.#madeListeners) listener();
    void this.#barcodes?.flush();
    this.#announcer.say(
      cancelled
        ? `Web copies cancelled after ${plural(progress.done, 'image')}; the copies made are kept.`
        : `Web copies made: ${plural(progress.copies, 'copy', 'copies')} (${formatBytes(progress.bytes)}) of ${plural(progress.done - progress.failed, 'image')}${progress.failed > 0 ? `; ${plural(progress.failed, 'image')} without copies` : ''}.`,
    );
  }

  cancel(): void {
    const pool = this.#pool;
    this.#pool = null;
    pool?.cancel();
  }

  /**
   * Starts the image workers when copies are about to be asked for (the Prepare step shows a policy), unless the
   * barcodes are being read: a worker starting beside the reader (loading and compiling its script, 70–150 ms of
   * CPU) took a core from the reader's decode on a two-core machine, and the copies are asked for after.
   */
  warm(): void {
    if (this.enabled && this.#barcodes?.ahead !== true) this.#workers.warm();
  }

  /** Forgets the copies (a new folder, or before making them anew): they leave the upload and the originals return. */
  reset(): void {
    this.cancel();
    this.#results = new Map();
    this.#folder.forgetCopies();
    this.#phase = 'idle';
    this.#progress = null;
    this.#problems = [];
    this.#problemCount = 0;
    this.#notes = [];
    this.#madeCount = 0;
    this.#madeWith = '';
  }

  async preview(path: string): Promise<PreviewImage> {
    const result = this.#results.get(path);
    const row = this.#folder.scannedRows.find((r) => r.path === path);
    if (!result || !row) throw new Error(`${path} has no web copies.`);
    const urls: string[] = [];
    const copies = await Promise.all(
      result.copies.map(async (copy) => {
        const url = URL.createObjectURL(await openStored(this.#folder.name, copy.name));
        urls.push(url);
        return { ...copy, url };
      }),
    );
    return {
      original: { path, bytes: row.size, width: result.width, height: result.height },
      copies,
      release: () => urls.forEach((url) => URL.revokeObjectURL(url)),
    };
  }

  /** Copies join the upload as rows; originals they replace leave it, each saying why. */
  #apply(): void {
    const rowsByPath = new Map(this.#folder.scannedRows.map((row) => [row.path, row]));
    const copies: CopyRecord[] = [];
    let made = 0;
    for (const [path, result] of this.#results) {
      if (result.copies.length > 0) made += 1;
      for (const copy of result.copies) {
        const { name, bytes, lastModified, role } = copy;
        copies.push({ name, bytes, lastModified, copyOf: path, role });
      }
      const row = rowsByPath.get(path);
      if (!row) continue;
      if (result.original === 'omit' && result.copies.length > 0) {
        this.#folder.holdOriginal(row.id, 'its web copies go instead (see Prepare).');
      } else if (result.original === 'replace') {
        const webReady = result.copies.find((copy) => copy.role === 'web-ready');
        this.#folder.holdOriginal(row.id, `its web-ready copy ${webReady?.name ?? ''} goes instead.`);
      }
    }
    this.#folder.addCopies(copies);
    this.#madeCount = made;
  }
}

function unreadable(path: string, error: unknown): MakeResult {
  const detail = error instanceof Error ? error.message : String(error);
  return {
    path,
    original: 'upload-uncopied',
    copies: [],
    problems: [
      `${path} could not be read to make its web copies (${detail}); choose the folder again to rescan it.`,
    ],
    notes: [],
    width: 0,
    height: 0,
  };
}
