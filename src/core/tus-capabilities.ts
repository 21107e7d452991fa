/**
 * What a tus server says it supports, read from its answer to `OPTIONS` (tus 1.0: `Tus-Version`, `Tus-Extension`,
 * `Tus-Max-Size`, `Tus-Checksum-Algorithm`), and what the page may send it accordingly. A server that could not
 * be asked is treated as plain tus 1.0 with the creation extension alone, which every tus server that takes
 * uploads from a browser has.
 */
import {
  CHECKSUM_ALGORITHM_HEADER,
  CHECKSUM_EXTENSION,
  FAST_DIGEST,
  RECEIVER_EXTENSIONS,
  REQUEST_SIZE_HEADER,
  WANT_REPR_DIGEST_HEADER,
} from '#core/protocol';

export interface TusCapabilities {
  /** False when the OPTIONS answer could not be read, and plain tus 1.0 is assumed. */
  readonly discovered: boolean;
  readonly versions: readonly string[];
  /** Extension names as listed, in lower case. */
  readonly extensions: ReadonlySet<string>;
  /** The largest upload the server takes, in bytes; null when it names none. */
  readonly maxSize: number | null;
  /** Algorithms of the tus checksum extension, in lower case, in the server's order. */
  readonly checksumAlgorithms: readonly string[];
  /** The PATCH body size the server prefers (our receiver's `request-size` extension), or null. */
  readonly requestSize: number | null;
  /** The digest algorithms its `Want-Repr-Digest` asks for (RFC 9530 §4), in lower case; none when it names none. */
  readonly wantedDigests: readonly string[];
}

/** The safest assumption about a server that did not say: creation, then the data in PATCH requests. */
export const PLAIN_TUS: TusCapabilities = {
  discovered: false,
  versions: ['1.0.0'],
  extensions: new Set(['creation']),
  maxSize: null,
  checksumAlgorithms: [],
  requestSize: null,
  wantedDigests: [],
};

/** The capabilities in an OPTIONS answer's headers, or null when it carries no `Tus-Version` (not tus, or hidden). */
export function readCapabilities(header: (name: string) => string | null): TusCapabilities | null {
  const versions = list(header('Tus-Version'));
  if (versions.length === 0) return null;
  const extensions = new Set(list(header('Tus-Extension')).map((name) => name.toLowerCase()));
  return {
    discovered: true,
    versions,
    extensions,
    maxSize: byteCount(header('Tus-Max-Size')),
    checksumAlgorithms: list(header(CHECKSUM_ALGORITHM_HEADER)).map((name) => name.toLowerCase()),
    requestSize: extensions.has(RECEIVER_EXTENSIONS.requestSize)
      ? byteCount(header(REQUEST_SIZE_HEADER))
      : null,
    wantedDigests: wanted(header(WANT_REPR_DIGEST_HEADER)),
  };
}

/** The keys of an RFC 9530 preference list (`xxh3-128=9, sha-256=5`) with a preference above 0. */
function wanted(value: string | null): string[] {
  return list(value).flatMap((member) => {
    const match = /^([a-z0-9*][a-z0-9_\-.*]*)=(\d+)$/i.exec(member);
    return match?.[1] && Number(match[2]) > 0 ? [match[1].toLowerCase()] : [];
  });
}

/** A header's positive whole number of bytes, or null when it is missing or anything else. */
function byteCount(value: string | null): number | null {
  const bytes = Number((value ?? '').trim());
  return value !== null && Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

export function supports(capabilities: TusCapabilities, extension: string): boolean {
  return capabilities.extensions.has(extension.toLowerCase());
}

/** What the page sends a server with these capabilities. */
export interface TransferPlan {
  /** Small files travel inside their creation request. */
  readonly dataInCreation: boolean;
  /** Whole-file digests as `Repr-Digest` on the request that completes an upload (checked by our receiver). */
  readonly reprDigest: boolean;
  /**
   * The tus checksum algorithm (a {@link WEB_CRYPTO_DIGESTS} key) whose `Upload-Checksum` goes with each request
   * that carries data, or null. Only for servers without the whole-file check, which already covers every byte:
   * a checksum per request costs the page a second read of each chunk.
   */
  readonly chunkChecksum: ChunkChecksumAlgorithm | null;
  /** The server checks the digests it is sent, so an arrival it confirms is verified. */
  readonly verifies: boolean;
  /**
   * The server verifies an XXH3-128 and hands back its own SHA-256 (our receiver): a file whose SHA-256 is not known
   * yet as it is sent is proven by XXH3-128 alone, rather than hashed with SHA-256 during the transfer.
   */
  readonly fastDigest: boolean;
}

/** The tus checksum algorithms a browser can compute (WebCrypto's digests), in the page's order of preference. */
export const WEB_CRYPTO_DIGESTS = {
  sha256: 'SHA-256',
  sha1: 'SHA-1',
  sha512: 'SHA-512',
  sha384: 'SHA-384',
} as const;
export type ChunkChecksumAlgorithm = keyof typeof WEB_CRYPTO_DIGESTS;

/** The algorithm of the server's checksum list the page prefers, or null when it lists none the page computes. */
export function chunkChecksumFor(capabilities: TusCapabilities): ChunkChecksumAlgorithm | null {
  if (!supports(capabilities, CHECKSUM_EXTENSION)) return null;
  const offered = new Set(capabilities.checksumAlgorithms);
  return (
    (Object.keys(WEB_CRYPTO_DIGESTS) as ChunkChecksumAlgorithm[]).find((name) => offered.has(name)) ?? null
  );
}

export function transferPlan(capabilities: TusCapabilities): TransferPlan {
  const reprDigest = supports(capabilities, RECEIVER_EXTENSIONS.reprDigest);
  const chunkChecksum = reprDigest ? null : chunkChecksumFor(capabilities);
  return {
    // tus's checksum extension covers PATCH; a creation's body might go unchecked, so every byte goes by PATCH.
    dataInCreation: supports(capabilities, 'creation-with-upload') && chunkChecksum === null,
    reprDigest,
    chunkChecksum,
    verifies: reprDigest || chunkChecksum !== null,
    fastDigest: reprDigest && capabilities.wantedDigests.includes(FAST_DIGEST),
  };
}

/**
 * The PATCH body the page starts with: the size the server prefers (our receiver on S3), when larger than the
 * page's `usual` chunk; else the usual one.
 */
export function requestSizeFor(capabilities: TusCapabilities, usual: number): number {
  return Math.max(usual, capabilities.requestSize ?? 0);
}

/** Why a file cannot go to this server before a byte is sent, or '' when it may. */
export function sizeRefusal(
  capabilities: TusCapabilities,
  path: string,
  size: number,
  endpoint: string,
): string {
  const max = capabilities.maxSize;
  if (max === null || size <= max) return '';
  return `"${path}" is ${size} bytes, more than the ${max} bytes the server at ${endpoint} takes (its Tus-Max-Size), so it was not sent. Ask for a higher size limit, or leave this file out.`;
}

/** The version is one the page speaks (tus-js-client speaks 1.0.0). */
export function speaksTus1(capabilities: TusCapabilities): boolean {
  return capabilities.versions.includes('1.0.0');
}

function list(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
