import type { Upload } from '@tus/server';
import { DISK_FULL } from '#core/protocol';
import { freeBytes, FreeSpaceGauge } from './disk-space.ts';
import { describeError, quote, refusal, storedName, type TusRefusal } from './receiver-requests.ts';
import { describeBytes } from './sizes.ts';

/** The receiver's answers about space on the upload disk: refusals before a write, and after one that failed. */
export class SpaceGuard {
  readonly #uploadDir: string;
  readonly #reserve: number;
  readonly #gauge: FreeSpaceGauge | null;
  readonly #logAt: (text: string) => void;

  /** `reserve`: bytes that must stay free on the disk of `uploadDir`; 0 for no check. */
  constructor(uploadDir: string, reserve: number, logAt: (text: string) => void) {
    this.#uploadDir = uploadDir;
    this.#reserve = reserve;
    this.#gauge = reserve ? new FreeSpaceGauge(() => freeBytes(uploadDir), reserve) : null;
    this.#logAt = logAt;
  }

  /** Refuses with 507 when `needed` more bytes would leave less than the reserve free. */
  async ensure(stored: string, needed: number, resuming: boolean): Promise<void> {
    if (!this.#gauge || needed <= 0) return;
    const free = await this.#gauge.refuses(needed).catch((error: unknown) => {
      this.#logAt(`ERROR cannot read the free space of ${this.#uploadDir}: ${describeError(error)}`);
      return undefined;
    });
    if (free === undefined) return;
    const reserve = this.#reserve;
    this.#logAt(`REFUSED ${stored}: needs ${needed} bytes, ${free} free, ${reserve} kept in reserve`);
    throw refusal(
      DISK_FULL,
      `The receiver's disk has ${describeBytes(free)} free and keeps ${describeBytes(reserve)} of it in reserve, but ${quote(stored)} ${resuming ? 'still needs' : 'needs'} ${describeBytes(needed)}; free space on the receiver (or lower its MIN_FREE_SPACE), then ${resuming ? 'resume the upload' : 'send the file again'}.`,
    );
  }

  /** The answer to a write that failed for want of space; `kept` when what was written stays for a resume. */
  async fullRefusal(upload: Upload | undefined, method: string, kept: boolean): Promise<TusRefusal> {
    const free = await freeBytes(this.#uploadDir).catch(() => undefined);
    const freeNote = free === undefined ? '' : ` (${describeBytes(free)} free)`;
    if (upload?.size === undefined || !upload.metadata?.['batch']) {
      this.#logAt('FAILED an upload: the disk is full.');
      return refusal(
        DISK_FULL,
        `The receiver's disk is full${freeNote}, so it could not take the upload; free space on the receiver, then send the file again.`,
      );
    }
    const stored = storedName(upload);
    this.#logAt(
      `FAILED ${stored}: the disk is full (${upload.offset} of ${upload.size} bytes ${kept ? 'kept' : 'written, none kept'}).`,
    );
    return refusal(
      DISK_FULL,
      `The receiver's disk is full${freeNote}, so ${quote(stored)} stopped after ${describeBytes(upload.offset)} of ${describeBytes(upload.size)}; free space on the receiver, then ${method === 'PATCH' ? 'resume the upload, which keeps what has arrived' : 'send the file again'}.`,
    );
  }
}
