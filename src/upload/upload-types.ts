/** What a page gives an upload run and hears back from it. */
import type { FastDigest, FileDigests } from '#core/digest';
import type { TusCapabilities } from '#core/tus-capabilities';
import type { QueueTotals } from '#core/upload-queue';

export interface UploadJob {
  readonly id: number;
  readonly path: string;
  readonly size: number;
  readonly lastModified: number;
  readonly mime: string;
  /** The path it is sent under when not its own (a name from its barcode); the file is read from `path`. */
  readonly uploadPath?: string;
  /** A tus upload of this file begun before a reload, to continue from the receiver's offset. */
  readonly resumeUrl?: string;
  /** The SHA-256 the file had when that upload began, if it was known: a different one starts anew. */
  readonly resumeSha256?: string;
}

/** What the upload knows of a file that arrived. */
export interface Arrival {
  /** Where the receiver placed it, when it says. */
  readonly storedPath: string | null;
  /** The tus upload's address. */
  readonly uploadUrl: string | null;
  readonly digests: FileDigests | null;
  /** What the receiver says it checked against the digests sent ('sha-256, md5'); '' when it did not say. */
  readonly verified: string;
}

/** Where the upload gets each file's checksums: the folder worker, which keeps them by path, size and date. */
export interface DigestSource {
  /** Checksums already known, by position; null where they are still to be computed. */
  known(jobs: readonly UploadJob[]): Promise<(FileDigests | null)[]>;
  /** The file's checksums; rejects with a sentence naming the file. */
  digest(job: UploadJob, file: File): Promise<FileDigests>;
  /** The file's XXH3-128 alone (for a receiver that verifies it, see FAST_DIGEST), failing as digest() does. */
  fastDigest(job: UploadJob, file: File): Promise<FastDigest>;
  /** The run proves these files by XXH3-128: the checksum pass leaves them alone until they are released. */
  hold(jobs: readonly UploadJob[]): void;
  release(jobs: readonly UploadJob[]): void;
  /** The receiver's checksums of a file whose bytes it verified by XXH3-128; the file is released. */
  adopt(job: UploadJob, digests: FileDigests): void;
}

export interface UploadSettings {
  /** The tus endpoint, e.g. http://127.0.0.1:8080/files/ */
  readonly endpoint: string;
  readonly token: string;
  readonly batch: string;
  /** Parallel transfers. */
  readonly connections?: number;
  /** Files handed to Uppy at once. */
  readonly window?: number;
  /** Bytes per PATCH: at most this much is sent again after an interruption. */
  readonly chunkSize?: number;
  /** Send MD5 as well as SHA-256 (Deriva and Symbiota keep it). */
  readonly md5?: boolean;
  /** What the server said it supports (see tus-discovery): only that is sent. */
  readonly capabilities: TusCapabilities;
}

export interface UploadListener {
  onFileDone(id: number, arrival: Arrival): void;
  /** `cause` is a short label shared by files that failed for the same reason. */
  onFileFailed(id: number, message: string, cause: string): void;
  /** A file's resumable tus upload got its address, or lost it (null: it starts anew next time). */
  onUploadUrl?(id: number, url: string | null): void;
  /** A file's checksums are known (kept so a resumed upload can prove its bytes are the same). */
  onDigests?(id: number, digests: FileDigests): void;
  /** A request is being retried after `status` (0: no answer at all), with the engine's backoff. */
  onRetrying?(status: number): void;
  /**
   * Requests with bodies of `refusedBytes` were refused (413) or went unanswered while the server answered
   * others: a body limit on the way, so files now go in chunks of `chunkSize`.
   */
  onChunkSize?(chunkSize: number, refusedBytes: number, refused: boolean): void;
  onSettled(): void;
}

export interface UploadSnapshot extends QueueTotals {
  readonly uploadedBytes: number;
  /** Bytes sent so far of each file in flight. */
  readonly inFlight: ReadonlyMap<number, number>;
  readonly paused: boolean;
}
