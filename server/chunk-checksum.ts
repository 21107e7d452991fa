import { createHash, type Hash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  CHECKSUM_ALGORITHM_HEADER,
  CHECKSUM_EXTENSION,
  CHECKSUM_MISMATCH,
  UPLOAD_CHECKSUM_HEADER,
} from '#core/protocol';

export { CHECKSUM_EXTENSION };

/** The algorithms of tus's checksum extension the receiver checks, by their tus names, in its order of preference. */
export const CHUNK_CHECKSUM_ALGORITHMS = ['sha256', 'sha1'] as const;
type ChunkAlgorithm = (typeof CHUNK_CHECKSUM_ALGORITHMS)[number];

/** The checksum a request announced for its body: the algorithm and the digest, base64 as sent. */
export type ChunkChecksum = { readonly algorithm: ChunkAlgorithm; readonly digest: string };

/**
 * The checksum in an `Upload-Checksum` header, or a sentence saying why it cannot be checked (tus answers that with
 * 400, and keeps none of the body).
 */
export function readChunkChecksum(value: string, target: string): ChunkChecksum | string {
  const [name = '', digest = '', ...rest] = value.trim().split(/\s+/);
  const algorithm = name.toLowerCase();
  if (!isChunkAlgorithm(algorithm)) {
    return `The Upload-Checksum of ${target} uses "${name}", which this receiver does not check; it checks ${CHUNK_CHECKSUM_ALGORITHMS.join(' and ')}. Send one of those, or no Upload-Checksum.`;
  }
  if (rest.length > 0 || !/^[A-Za-z0-9+/]+=*$/.test(digest)) {
    return `The Upload-Checksum of ${target} is not "<algorithm> <base64 digest>": "${value}". Send the digest of the request's body in base64.`;
  }
  return { algorithm, digest };
}

/** What a @tus/server built on a store with the extension adds to its CORS lists: the header sent, the one read. */
export const CHECKSUM_CORS: { readonly allowedHeaders: string[]; readonly exposedHeaders: string[] } = {
  allowedHeaders: [UPLOAD_CHECKSUM_HEADER],
  exposedHeaders: [CHECKSUM_ALGORITHM_HEADER],
};

/** Lists the algorithms in an OPTIONS answer (@tus/server writes the tus headers, not this one). */
export function announceChecksumAlgorithms(res: ServerResponse): void {
  res.setHeader(CHECKSUM_ALGORITHM_HEADER, CHUNK_CHECKSUM_ALGORITHMS.join(','));
}

/**
 * Hands the checksum of a request's `Upload-Checksum` header (null when it has none) to `expect`, or throws the
 * 400 refusal @tus/server answers with when it cannot be checked.
 */
export function takeChecksumHeader(
  header: string | null,
  id: string,
  expect: (id: string, checksum: ChunkChecksum) => void,
): void {
  if (header === null) return;
  const checksum = readChunkChecksum(header, `upload ${id}`);
  if (typeof checksum === 'string') throw { status_code: 400, body: checksum };
  expect(id, checksum);
}

/** Hashes a request's body as it is written, to compare with its announced checksum at the end. */
export class ChunkCheck {
  readonly #expected: ChunkChecksum;
  readonly #hash: Hash;

  constructor(expected: ChunkChecksum) {
    this.#expected = expected;
    this.#hash = createHash(expected.algorithm);
  }

  update(chunk: Buffer): void {
    this.#hash.update(chunk);
  }

  /** True when the body's digest is the one announced (padding aside). */
  matches(): boolean {
    return this.#hash.digest('base64').replace(/=+$/, '') === this.#expected.digest.replace(/=+$/, '');
  }

  get algorithm(): string {
    return this.#expected.algorithm;
  }
}

/** What @tus/server answers for a body that does not match its Upload-Checksum: 460, nothing of it kept. */
export function checksumRefusal(check: ChunkCheck, offset: number): { status_code: number; body: string } {
  return {
    status_code: CHECKSUM_MISMATCH,
    body: `The body of this request does not match its Upload-Checksum (${check.algorithm}): it was not kept, and the upload's offset is still ${offset}. Send it again.\n`,
  };
}

function isChunkAlgorithm(name: string): name is ChunkAlgorithm {
  return (CHUNK_CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}
