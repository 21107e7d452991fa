import { statSync } from 'node:fs';
import path from 'node:path';
import type { Upload } from '@tus/server';
import {
  CHECKSUM_MISMATCH,
  DISK_FULL,
  PAYLOAD_DIR,
  REPR_DIGEST_HEADER,
  STORED_PATH_HEADER,
  storedPathFor,
  VERIFIED_HEADER,
} from '#core/protocol';
import {
  algorithmsOf,
  algorithmsToHash,
  digestFile,
  digestLabel,
  readAnnouncements,
  readWantedDigests,
  reprDigestOf,
  type Announcement,
  type DigestAlgorithm,
} from './digests.ts';
import type { PartialStore } from './partial-store.ts';
import type { PlacedFiles } from './placed-files.ts';
import { PlacementError, placeFile, type Placement } from './placement.ts';
import {
  admission,
  CREATION_DIGEST_KEY,
  describeError,
  logLine,
  quote,
  readMetadata,
  refusal,
  storedName,
  WANTED_DIGESTS_KEY,
} from './receiver-requests.ts';
import type { SpaceGuard } from './space-guard.ts';

export interface DiskFinisherParts {
  readonly uploadDir: string;
  readonly partialDir: string;
  readonly store: PartialStore;
  readonly placed: PlacedFiles;
  readonly space: SpaceGuard;
  readonly logAt: (text: string) => void;
}

/** Answer headers of a placed file: where it is stored, and what was verified. */
export type Finished = { headers: Record<string, string> };

/**
 * The disk receiver's two ends of an upload: admitting a new one (its metadata, its announced digests, the space
 * it needs) and finishing one (verifying its digests, placing it at `<batch>/data/<path>`, noting it for the batch).
 */
export class DiskFinisher {
  readonly #parts: DiskFinisherParts;
  readonly #finishing = new Map<string, Promise<Finished>>();

  constructor(parts: DiskFinisherParts) {
    this.#parts = parts;
  }

  /**
   * Returns the metadata to keep for a new upload and the algorithms to hash its bytes with, or throws a refusal.
   * `digest` and `wanted` are the creation's Repr-Digest and Want-Repr-Digest.
   */
  async admit(
    upload: Upload,
    digest: string | null,
    wanted: string | null,
  ): Promise<{ metadata: Record<string, string | null>; algorithms: DigestAlgorithm[] }> {
    const { batch, relativePath, metadata, announced } = admission(upload, digest, wanted);
    if (upload.size !== undefined)
      await this.#parts.space.ensure(`${batch}/${relativePath}`, upload.size, false);
    return { metadata, algorithms: algorithmsToHash(algorithmsOf(announced), readWantedDigests(wanted)) };
  }

  /** Verifies and places a finished upload once: a retried final PATCH may arrive while the first is at it. */
  finishOnce(upload: Upload, completingDigest: string | null): Promise<Finished> {
    let job = this.#finishing.get(upload.id);
    if (!job) {
      job = this.#finish(upload, completingDigest).finally(() => {
        this.#finishing.delete(upload.id);
        this.#parts.store.dropped(upload.id);
      });
      this.#finishing.set(upload.id, job);
    }
    return job;
  }

  async #finish(upload: Upload, completingDigest: string | null): Promise<Finished> {
    const { uploadDir, partialDir, store, logAt } = this.#parts;
    const { batch, relativePath } = readMetadata(upload);
    const source = path.join(partialDir, upload.id);
    const announced = readAnnouncements(
      upload.metadata,
      [upload.metadata?.[CREATION_DIGEST_KEY], completingDigest],
      quote(`${batch}/${relativePath}`),
    );
    if (!announced.ok) throw refusal(400, announced.message);
    const wanted = readWantedDigests(upload.metadata?.[WANTED_DIGESTS_KEY]);
    const { verified, digests } = await this.#verify(upload, source, announced.announced, wanted);
    let placement: Placement;
    try {
      placement = await placeFile(source, uploadDir, batch, relativePath);
    } catch (error) {
      const problem = describeStorageError(error);
      logAt(`FAILED ${batch}/${relativePath}: ${problem.reason}`);
      // Drop the upload so a client retry starts over instead of finding it complete and unplaced.
      await store.discard(upload.id);
      throw refusal(
        problem.status,
        `The receiver could not store ${quote(`${batch}/${relativePath}`)}: ${problem.reason}`,
      );
    }
    await store.discard(upload.id);
    store.finished(upload);
    this.#recordPlaced(batch, relativePath, placement, verified.length > 0 ? digests : new Map());
    logAt(logLine(placement, upload.size ?? upload.offset, storedPathFor(batch, relativePath), verified));
    const returned = new Map(
      wanted.flatMap((algorithm) => {
        const hex = digests.get(algorithm);
        return hex === undefined ? [] : [[algorithm, hex] as const];
      }),
    );
    return {
      headers: {
        [STORED_PATH_HEADER]: placement.storedPath.split('/').map(encodeURIComponent).join('/'),
        ...(verified.length > 0 ? { [VERIFIED_HEADER]: verified.join(', ') } : {}),
        ...(returned.size > 0 ? { [REPR_DIGEST_HEADER]: reprDigestOf(returned) } : {}),
      },
    };
  }

  /**
   * Checks every announced digest, and takes the `wanted` ones, in at most one read of the file; on a mismatch drops
   * it and refuses with 460.
   */
  async #verify(
    upload: Upload,
    source: string,
    announced: Announcement[],
    wanted: readonly DigestAlgorithm[],
  ): Promise<{ verified: DigestAlgorithm[]; digests: Map<DigestAlgorithm, string> }> {
    const { store, logAt } = this.#parts;
    const verified = algorithmsOf(announced);
    const algorithms = [...new Set([...verified, ...wanted])];
    if (algorithms.length === 0) return { verified, digests: new Map() };
    // Digests computed as the bytes were written; whatever is missing is read from the file.
    const arrived = store.takeDigests(upload.id, upload.size ?? upload.offset, algorithms);
    const missing = algorithms.filter((algorithm) => !arrived.has(algorithm));
    if (missing.length > 0) for (const [a, hex] of await digestFile(source, missing)) arrived.set(a, hex);
    const wrong = announced.find((digest) => arrived.get(digest.algorithm) !== digest.hex);
    if (!wrong) return { verified, digests: arrived };
    const label = digestLabel(wrong.algorithm);
    const actual = arrived.get(wrong.algorithm);
    const stored = storedName(upload);
    logAt(`REFUSED ${stored}: ${label} ${actual}, announced ${wrong.hex}`);
    // Dropped, so that sending it again starts a new upload rather than finding this one complete.
    await store.discard(upload.id);
    throw refusal(
      CHECKSUM_MISMATCH,
      `${quote(stored)} arrived with other bytes than were sent (its ${label} is ${actual}, the sender announced ${wrong.hex}), so it was not stored; send it again.`,
    );
  }

  /**
   * Notes the digests of a file whose bytes were verified on arrival (those announced, or the receiver's own of bytes
   * proven the sender's by another digest), so completing the batch does not read the file again.
   */
  #recordPlaced(
    batch: string,
    relativePath: string,
    placement: Placement,
    verifiedDigests: ReadonlyMap<DigestAlgorithm, string>,
  ): void {
    const file = path.join(this.#parts.uploadDir, ...placement.storedPath.split('/'));
    const digest = (algorithm: DigestAlgorithm) => verifiedDigests.get(algorithm);
    try {
      const { size, mtimeMs } = statSync(file);
      this.#parts.placed.record(batch, {
        path: relativePath,
        stored: placement.storedPath.slice(`${batch}/${PAYLOAD_DIR}/`.length),
        bytes: size,
        mtimeMs,
        sha256: digest('sha-256'),
        md5: digest('md5'),
      });
    } catch (error) {
      // The file is stored; completing the batch reads it instead.
      this.#parts.logAt(`ERROR cannot note the digests of ${placement.storedPath}: ${describeError(error)}`);
    }
  }
}

function describeStorageError(error: unknown): { status: number; reason: string } {
  if (error instanceof PlacementError) return { status: error.status, reason: error.reason };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { status: DISK_FULL, reason: 'the disk is full.' };
    case 'EACCES':
    case 'EPERM':
      return {
        status: 500,
        reason: 'it is not allowed to write there (check the upload folder’s permissions).',
      };
    case 'EROFS':
      return { status: 500, reason: 'the upload folder is on a read-only disk.' };
    case 'ENOTDIR':
    case 'EEXIST':
    case 'EISDIR':
      return { status: 409, reason: 'a file already stored there has the name of a folder on this path.' };
    case 'ENAMETOOLONG':
      return { status: 400, reason: 'a name on the path is too long for the disk.' };
    default:
      return { status: 500, reason: `an unexpected error occurred (${code ?? String(error)}).` };
  }
}
