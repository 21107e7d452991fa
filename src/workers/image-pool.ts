/**
 * A pool of image workers, one per core, started on first use and stopped after a minute of idleness. How many
 * run at once is the core share's (core-share.ts): every core while the page has nothing else to do, one fewer
 * while it does. Each worker holds at most one decoded image, so memory stays bounded however many images wait.
 * Cancelling terminates the workers (decoding cannot be interrupted otherwise) and rejects what was waiting.
 */
import * as Comlink from 'comlink';
import { coreShare, type CoreShare } from './core-share';
import type { ImageWorkerApi, MakeRequest, MakeResult } from './image.worker';

export type { MadeCopy, MakeRequest, MakeResult } from './image.worker';

const IDLE_MS = 60_000;
/** The longest one image may take; a 24-MP TIFF takes a few seconds. */
const JOB_LIMIT_MS = 120_000;

interface Slot {
  readonly worker: Worker;
  readonly api: Comlink.Remote<ImageWorkerApi>;
  busy: boolean;
}

interface Waiting {
  readonly request: MakeRequest;
  readonly resolve: (result: MakeResult) => void;
  readonly reject: (error: unknown) => void;
}

/** The most workers a pool starts: one per core (the core share decides how many run at once). */
export function poolSize(): number {
  return coreShare.cores;
}

export class ImagePool {
  readonly #size: number;
  /** Each worker compiles the barcode reader as it starts. */
  readonly #barcodes: boolean;
  readonly #slots: Slot[] = [];
  readonly #waiting: Waiting[] = [];
  #idleTimer: ReturnType<typeof setTimeout> | null = null;

  readonly #share: CoreShare;

  constructor(size = poolSize(), options: { readonly barcodes?: boolean; readonly share?: CoreShare } = {}) {
    this.#size = size;
    this.#barcodes = options.barcodes === true;
    this.#share = options.share ?? coreShare;
    // Pools live as long as the page.
    this.#share.onFreed(() => {
      if (this.#waiting.length > 0) this.#pump();
    });
  }

  /**
   * Starts the workers the page can count on ahead of the first image (one per core but one: the folder worker is
   * busy while they start, and a barcode worker warms its reader up as it starts), so loading them is not part of
   * anyone's wait; the last starts when the core share first lets it run.
   */
  warm(): void {
    while (this.#slots.length < Math.max(1, this.#size - 1)) this.#start();
    this.#pump();
  }

  make(request: MakeRequest): Promise<MakeResult> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      this.#pump();
    });
  }

  /** Stops every worker and rejects everything that was waiting or running. */
  cancel(): void {
    const error = new DOMException('Making web copies was cancelled.', 'AbortError');
    for (const waiting of this.#waiting.splice(0)) waiting.reject(error);
    for (const slot of this.#slots.splice(0)) slot.worker.terminate();
    const running = [...this.#running];
    this.#running.clear();
    running.forEach((reject) => reject(error));
  }

  /** Each running job's way to fail it and give back its permit (once). */
  readonly #running = new Set<(error: unknown) => void>();

  #pump(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    while (this.#waiting.length > 0) {
      if (!this.#share.take()) return;
      const slot = this.#freeSlot();
      if (!slot) {
        this.#share.give();
        return;
      }
      const job = this.#waiting.shift() as Waiting;
      slot.busy = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let permit = true;
      const givePermit = () => {
        if (permit) this.#share.give();
        permit = false;
      };
      const failed = (error: unknown) => {
        clearTimeout(timer);
        givePermit();
        job.reject(error);
      };
      this.#running.add(failed);
      // A worker that crashes (out of memory on a huge image) or hangs (a hostile file) is replaced, and the
      // image gets a sentence; the others go on.
      const stopped = new Promise<never>((_, reject) => {
        slot.worker.addEventListener('error', (event) => reject(new Error(event.message || 'it failed')), {
          once: true,
        });
        timer = setTimeout(
          () => reject(new Error(`it took more than ${JOB_LIMIT_MS / 1000} s`)),
          JOB_LIMIT_MS,
        );
      });
      Promise.race([slot.api.make(job.request), stopped])
        .then(job.resolve, (error: unknown) => {
          this.#drop(slot);
          const why = error instanceof Error ? error.message : String(error);
          const { barcodes } = job.request;
          job.resolve({
            ...(barcodes
              ? {
                  barcodes: {
                    problem: `The barcodes of ${job.request.path} were not read: the image worker stopped (${why}).`,
                  },
                }
              : {}),
            path: job.request.path,
            original: 'upload-uncopied',
            copies: [],
            problems: [
              `${job.request.path} is uploaded as it is: making its copies stopped the image worker (${why}), most likely for want of memory or a damaged file; make its copies with a desktop tool.`,
            ],
            notes: [],
            width: 0,
            height: 0,
          });
        })
        .finally(() => {
          clearTimeout(timer);
          this.#running.delete(failed);
          slot.busy = false;
          givePermit();
          this.#pump();
        });
    }
    if (this.#slots.every((slot) => !slot.busy)) {
      this.#idleTimer = setTimeout(() => this.#stopIdle(), IDLE_MS);
    }
  }

  #freeSlot(): Slot | undefined {
    const free = this.#slots.find((slot) => !slot.busy);
    if (free || this.#slots.length >= this.#size) return free;
    return this.#start();
  }

  #start(): Slot {
    const worker = new Worker(new URL('./image.worker.ts', import.meta.url), {
      type: 'module',
      name: 'image',
    });
    const slot: Slot = { worker, api: Comlink.wrap<ImageWorkerApi>(worker), busy: false };
    // A reader that fails to compile says so on the first image.
    if (this.#barcodes) void slot.api.prepareBarcodes().catch(() => undefined);
    this.#slots.push(slot);
    return slot;
  }

  #drop(slot: Slot): void {
    slot.worker.terminate();
    const at = this.#slots.indexOf(slot);
    if (at !== -1) this.#slots.splice(at, 1);
  }

  #stopIdle(): void {
    for (const slot of this.#slots.filter((s) => !s.busy)) this.#drop(slot);
  }
}
