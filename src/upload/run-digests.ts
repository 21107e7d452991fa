/**
 * The checksum pipeline that feeds an upload run: each file's digests are asked of the folder worker (known
 * from the background pass) or computed as the file is sent, and put on the request that completes its upload.
 *
 * To a receiver that verifies XXH3-128 and hands its own SHA-256 back (TransferPlan.fastDigest), a file whose
 * SHA-256 is not known yet is hashed with XXH3-128 alone, and takes the receiver's SHA-256 (and MD5) of the bytes
 * that XXH3-128 proved identical, as rsync verifies transfers: SHA-256 on the page would compete with the transfer
 * for the CPU. The checksum pass leaves the run's files alone meanwhile.
 */
import { readReturnedDigests, reprDigest, type FileDigests, type SentDigests } from '#core/digest';
import { digestsWantedBack, FAST_DIGEST, REPR_DIGEST_HEADER, WANT_REPR_DIGEST_HEADER } from '#core/protocol';
import type { TransferPlan } from '#core/tus-capabilities';
import { DigestFailure } from './tus-errors';
import type { EngineFile, HttpRequest } from './uppy-engine';
import type { DigestSource, UploadJob, UploadListener } from './upload-types';

export class RunDigests {
  readonly #source: DigestSource;
  readonly #listener: UploadListener;
  readonly #plan: TransferPlan;
  readonly #md5: boolean;
  /** Each file's checksums while it is in the window; the request that completes its upload carries them. */
  readonly #digests = new Map<number, Promise<SentDigests>>();
  readonly #digestsKnown = new Map<number, FileDigests>();
  /** Files whose creation request announces their checksums as metadata (known before, and not resumed). */
  readonly #announced = new Set<number>();
  /** Files in the window proven by XXH3-128 alone, whose SHA-256 comes back with their arrival. */
  readonly #fast = new Map<number, { job: UploadJob; file: File }>();
  /** Files of the run the checksum pass leaves alone (only with a fast digest). */
  readonly #held = new Map<number, UploadJob>();

  constructor(source: DigestSource, listener: UploadListener, plan: TransferPlan, md5: boolean) {
    this.#source = source;
    this.#listener = listener;
    this.#plan = plan;
    this.#md5 = md5;
  }

  /** The run is to send these files: those it proves by a fast digest, the checksum pass leaves to it. */
  hold(jobs: readonly UploadJob[]): void {
    const fast = jobs.filter((job) => this.#provesFast(job));
    if (fast.length === 0) return;
    for (const job of fast) this.#held.set(job.id, job);
    this.#source.hold(fast);
  }

  /**
   * A file is proven by XXH3-128 when the receiver asks for it and the file is not a resume checked by its old
   * SHA-256: the page's SHA-256 took a core from the transfer (300 files of 3 MB at once: 0.69 of the reviewed start
   * with SHA-256, 0.82 with XXH3-128). Small files are read together and hashed in bulk (see
   * ChecksumStore.fastReadAll), as for their SHA-256: each asked for alone, their XXH3-128 had kept the requests
   * waiting (5,000 files of 10 KB: 0.71 of the raw PUTs against 0.94 with the bulk SHA-256).
   */
  #provesFast(job: UploadJob): boolean {
    return this.#plan.fastDigest && job.resumeSha256 === undefined;
  }

  /** The run let go of these files (failed, or the run stopped): the checksum pass may hash them. */
  release(ids: readonly number[]): void {
    const jobs = ids.flatMap((id) => {
      const job = this.#held.get(id);
      this.#held.delete(id);
      return job ? [job] : [];
    });
    if (jobs.length > 0) this.#source.release(jobs);
  }

  /** Every file the run still holds. */
  releaseAll(): void {
    this.release([...this.#held.keys()]);
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
    const fast = !known && this.#provesFast(job);
    if (fast) this.#fast.set(job.id, { job, file });
    const digests: Promise<SentDigests> = known
      ? Promise.resolve(known)
      : fast
        ? this.#source.fastDigest(job, file)
        : this.#source.digest(job, file);
    const wrapped = digests.then(
      (d) => {
        if ('sha256' in d) this.#knew(job.id, d);
        return d;
      },
      (error: unknown) => {
        throw new DigestFailure(error instanceof Error ? error.message : String(error));
      },
    );
    wrapped.catch(() => undefined);
    this.#digests.set(job.id, wrapped);
  }

  #knew(id: number, digests: FileDigests): void {
    this.#digestsKnown.set(id, digests);
    this.#listener.onDigests?.(id, digests);
  }

  /** The file's SHA-256 (and MD5) once hashed; null when they failed, were never started, or are not computed. */
  async settled(id: number): Promise<FileDigests | null> {
    const digests = await this.#digests.get(id)?.catch(() => null);
    return digests && 'sha256' in digests ? digests : null;
  }

  /** The file is proven by XXH3-128 alone, and its SHA-256 comes with its arrival (see arrived). */
  isFast(id: number): boolean {
    return this.#fast.has(id);
  }

  /**
   * The SHA-256 (and MD5) of a file proven by XXH3-128 that arrived: the receiver's, when it says it verified the
   * XXH3-128 (`verified`, its Upload-Verified) and hands them back (`returned`, the Repr-Digest of its answer), else
   * hashed on the page now; null when the file cannot be read any more. Kept by the folder worker either way.
   */
  async arrived(id: number, verified: string, returned: string | null): Promise<FileDigests | null> {
    const fast = this.#fast.get(id);
    if (!fast) return this.of(id);
    const checked = verified.split(',').map((name) => name.trim());
    const receivers = checked.includes(FAST_DIGEST) ? readReturnedDigests(returned, this.#md5) : null;
    let digests = receivers;
    if (receivers) {
      // Adopting lets go of the file in the worker too.
      this.#source.adopt(fast.job, receivers);
      this.#held.delete(id);
    } else {
      digests = await this.#source.digest(fast.job, fast.file).catch(() => null);
      this.release([id]);
    }
    if (digests) this.#knew(id, digests);
    return digests;
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
    // Asks for the receiver's own digests back on the final response (RFC 9530 §4).
    if (method === 'POST' && this.#fast.has(file.meta.jobId)) {
      req.setHeader(WANT_REPR_DIGEST_HEADER, digestsWantedBack(this.#md5));
    }
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
    this.#fast.delete(id);
  }
}
