import { statfs } from 'node:fs/promises';

/** Bytes an unprivileged process may still write on the file system that holds `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

/** A write failed because the disk, or the user's quota on it, is full. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * Whether the upload disk can take `needed` more bytes and still keep `reserve` free. While the answer is yes, the
 * free space is read at most once per `maxAgeMs`, and the bytes granted since count as used: a batch of thousands of
 * small files asking the file system each time cost the receiver more CPU than their bytes. A no is always read
 * afresh, so space freed by hand is seen at the next try.
 */
export class FreeSpaceGauge {
  readonly #read: () => Promise<number>;
  readonly #reserve: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #last: { at: number; free: number; granted: number } | null = null;

  constructor(
    read: () => Promise<number>,
    reserve: number,
    options: { maxAgeMs?: number; now?: () => number } = {},
  ) {
    this.#read = read;
    this.#reserve = reserve;
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Undefined when the bytes may be written (and counts them); else the free bytes just read. */
  async refuses(needed: number): Promise<number | undefined> {
    const last = this.#last;
    if (
      last &&
      this.#now() - last.at < this.#maxAgeMs &&
      last.free - last.granted - this.#reserve >= needed
    ) {
      last.granted += needed;
      return undefined;
    }
    const free = await this.#read();
    if (free - this.#reserve < needed) {
      this.#last = null;
      return free;
    }
    this.#last = { at: this.#now(), free, granted: needed };
    return undefined;
  }
}
