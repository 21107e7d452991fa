/**
 * Small thumbnails for the rows in view of the file table: images the browser decodes (web copies included) are
 * scaled by createImageBitmap, which decodes off the main thread, two at a time, and kept as tiny JPEGs. Only rows
 * that were shown get one, and the oldest are let go past a cap, so 100,000 images cost what a screenful does.
 */
import type { FileRow } from './file-row';
import type { FolderState } from './folder.svelte';

const WIDTH = 48;
const CAP = 1500;
const AT_ONCE = 2;
/** Waiting requests kept: a few screenfuls. */
const QUEUED = 200;
/** Larger files are not decoded just for a thumbnail. */
const MAX_BYTES = 60_000_000;
const shown = /\.(jpe?g|png|gif|webp|avif)$/i;

export class Thumbnails {
  /** Bumped when thumbnails arrive, so the table reads them again. */
  version = $state(0);
  /** Counts bumps without reading `version`, so clearing from inside an effect does not subscribe it. */
  #bumps = 0;
  readonly #urls = new Map<string, string>();
  readonly #failed = new Set<string>();
  readonly #queue: string[] = [];
  #running = 0;
  #bumpScheduled = false;
  /** Held while the image workers decode the folder, so a thumbnail's decode does not slow theirs. */
  #held = false;
  readonly #folder: FolderState;

  constructor(folder: FolderState) {
    this.#folder = folder;
  }

  /** The row's thumbnail once made; asking for one that is not made yet queues it. */
  url(row: FileRow): string | undefined {
    const found = this.#urls.get(row.path);
    if (found !== undefined || this.#failed.has(row.path)) return found;
    if (row.size > MAX_BYTES || row.size === 0 || !shown.test(row.path)) return undefined;
    if (!this.#queue.includes(row.path)) {
      this.#queue.push(row.path);
      // Rows scrolled past long ago are dropped rather than decoded; scrolling back asks for them again.
      if (this.#queue.length > QUEUED) this.#queue.shift();
      queueMicrotask(() => this.#pump());
    }
    return undefined;
  }

  /**
   * Holds new thumbnails while the image workers read barcodes (or are about to) or make web copies: a thumbnail
   * decodes the whole image too (a 60-MP sheet for 48 pixels), and two such decodes at once took three times
   * one. They are made once the run ends.
   */
  hold(on: boolean): void {
    this.#held = on;
    if (!on) this.#pump();
  }

  /** Forgets every thumbnail (a new folder, or new copies under old names). */
  clear(): void {
    for (const url of this.#urls.values()) URL.revokeObjectURL(url);
    this.#urls.clear();
    this.#failed.clear();
    this.#queue.length = 0;
    this.version = ++this.#bumps;
  }

  #pump(): void {
    while (!this.#held && this.#running < AT_ONCE && this.#queue.length > 0) {
      // The newest requests first: they are the rows in view now.
      const path = this.#queue.pop() as string;
      this.#running += 1;
      void this.#make(path).finally(() => {
        this.#running -= 1;
        this.#pump();
      });
    }
  }

  async #make(path: string): Promise<void> {
    try {
      const file = await this.#folder.open(path);
      const bitmap = await createImageBitmap(file, {
        resizeWidth: WIDTH,
        resizeQuality: 'medium',
        imageOrientation: 'from-image',
      });
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
      bitmap.close();
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.7 });
      this.#urls.set(path, URL.createObjectURL(blob));
      if (this.#urls.size > CAP) {
        const [oldest, url] = this.#urls.entries().next().value as [string, string];
        this.#urls.delete(oldest);
        URL.revokeObjectURL(url);
      }
    } catch {
      // Damaged or unreadable: the table shows no thumbnail, and the check or the upload says why.
      this.#failed.add(path);
    }
    this.#bump();
  }

  /** One table refresh per frame, however many thumbnails arrive in it. */
  #bump(): void {
    if (this.#bumpScheduled) return;
    this.#bumpScheduled = true;
    requestAnimationFrame(() => {
      this.#bumpScheduled = false;
      this.version = ++this.#bumps;
    });
  }
}
