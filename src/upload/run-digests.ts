/**
 * The checksum pipeline that feeds an upload run: each file's digests are asked of the folder worker (known
 * from the background pass) or computed as the file is sent, and put on the request that completes its upload.
 */
import { reprDigest, type FileDigests } from '#core/digest';
import { REPR_DIGEST_HEADER } from '#core/protocol';
import type { TransferPlan } from '#core/tus-capabilities';
import { DigestFailure } from './tus-errors';
import type { EngineFile, HttpRequest } from './uppy-engine';
import type { DigestSource, UploadJob, UploadListener } from './upload-types';

export class RunDigests {
  readonly #source: DigestSource;
  readonly #listener: UploadListener;
  readonly #plan: TransferPlan;
  /** Each file's checksums while it is in the window; the request that completes its upload carries them. */
  readonly #digests = new Map<number, Promise<FileDigests>>();
  readonly #digestsKnown = new Map<number, FileDigests>();
  /** Files whose creation request announces their checksums as metadata (known before, and not resumed). */
  readonly #announced = new Set<number>();

  constructor(source: DigestSource, listener: UploadListener, plan: TransferPlan) {
    this.#source = source;
    this.#listener = listener;
    this.#plan = plan;
  }

  async known(jobs: readonly UploadJob[]): Promise<Map<number, FileDigests>> {
    const known = new Map<number, FileDigests>();
    try {
      const found = await this.#source.known(jobs);
      jobs.forEach((job, i) => {
        const digests = found[i];
        if (digests) known.set(job.id, digests);
      });
    } catch {
      // Nothing known: each file is hashed as it is sent.
    }
    return known;
  }

  /** Starts hashing a file now, so its digests are ready by the time its last request goes out. */
  start(job: UploadJob, file: File, known: FileDigests | undefined): void {
    const digests = known ? Promise.resolve(known) : this.#source.digest(job, file);
    const wrapped = digests.then(
      (d) => {
        this.#digestsKnown.set(job.id, d);
        this.#listener.onDigests?.(job.id, d);
        return d;
      },
      (error: unknown) => {
        throw new DigestFailure(error instanceof Error ? error.message : String(error));
      },
    );
    wrapped.catch(() => undefined);
    this.#digests.set(job.id, wrapped);
  }

  /** The file's digests once hashed; null when they failed or were never started. */
  async settled(id: number): Promise<FileDigests | null> {
    return (await this.#digests.get(id)?.catch(() => null)) ?? null;
  }

  /** The file's digests, if already computed. */
  of(id: number): FileDigests | null {
    return this.#digestsKnown.get(id) ?? null;
  }

  /** The file's creation announces its checksums as metadata. */
  announce(id: number): void {
    this.#announced.add(id);
  }

  /**
   * Puts the file's checksums on the request that completes its upload, as `Repr-Digest` (waiting for the hash
   * if it is still running, so hashing overlaps the transfer of earlier chunks and files). `chunk` is the
   * file's chunk size.
   */
  async attach(req: HttpRequest, file: EngineFile, chunk: number): Promise<void> {
    // Only a server that says it checks them gets them: another may refuse the header in its CORS answer.
    if (!this.#plan.reprDigest) return;
    const size = file.size ?? 0;
    const method = req.getMethod();
    const completes =
      method === 'POST'
        ? size === 0 ||
          (this.#plan.dataInCreation && size <= chunk && file.tus?.uploadDataDuringCreation !== false)
        : method === 'PATCH' && Number(req.getHeader('Upload-Offset')) + chunk >= size;
    // Checksums its creation announced as metadata are checked by the receiver anyway: no need to repeat them.
    if (!completes || this.#announced.has(file.meta.jobId)) return;
    const digests = this.#digests.get(file.meta.jobId);
    if (digests) req.setHeader(REPR_DIGEST_HEADER, reprDigest(await digests));
  }

  /** The file left the window. */
  forget(id: number): void {
    this.#digests.delete(id);
    this.#digestsKnown.delete(id);
    this.#announced.delete(id);
  }
}
