import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createXXHash128, type IHasher } from 'hash-wasm';

import { FAST_DIGEST, REPR_DIGEST_HEADER } from '#core/protocol';

type AlgorithmFacts = {
  /** node:crypto's name for it; none for XXH3-128, which hash-wasm computes. */
  node?: string;
  bytes: number;
  label: string;
  /** The tus metadata key it may be announced under at creation. */
  metadataKey?: string;
  described: string;
};

/**
 * Algorithm names as RFC 9530 registers them (XXH3-128, which it does not, under the receiver's own key), in the
 * order `Upload-Verified` lists them.
 */
const ALGORITHMS = {
  'sha-256': { node: 'sha256', bytes: 32, label: 'SHA-256', metadataKey: 'sha256', described: 'a SHA-256' },
  md5: { node: 'md5', bytes: 16, label: 'MD5', metadataKey: 'md5', described: 'an MD5' },
  [FAST_DIGEST]: { bytes: 16, label: 'XXH3-128', described: 'an XXH3-128' },
} as const satisfies Record<string, AlgorithmFacts>;

export type DigestAlgorithm = keyof typeof ALGORITHMS;
const ALGORITHM_NAMES = Object.keys(ALGORITHMS) as DigestAlgorithm[];
const isAlgorithm = (key: string): key is DigestAlgorithm => Object.hasOwn(ALGORITHMS, key);
const facts = (algorithm: DigestAlgorithm): AlgorithmFacts => ALGORITHMS[algorithm];

/** The digests the receiver hands back on a finish (RFC 9530's Repr-Digest in a response) when the sender asks. */
export const RETURNED_ALGORITHMS: readonly DigestAlgorithm[] = ['sha-256', 'md5'];

/** A digest the sender announced for the whole file, in lower-case hexadecimal. */
export type Announcement = { algorithm: DigestAlgorithm; hex: string };

/** A refusal `message` is one sentence naming the file. */
export type AnnouncementResult = { ok: true; announced: Announcement[] } | { ok: false; message: string };

export const digestLabel = (algorithm: DigestAlgorithm): string => ALGORITHMS[algorithm].label;
/** The name node:crypto knows the algorithm by. */
export const nodeHashName = (algorithm: DigestAlgorithm): string | undefined => facts(algorithm).node;

/** A hash fed as bytes pass; `hex()` ends it. */
export interface DigestHash {
  update(chunk: Buffer): void;
  hex(): string;
}

/** Idle XXH3-128 hashers (WASM instances), so 5,000 small uploads do not make 5,000 of them. */
const idleFastHashers: IHasher[] = [];
const MAX_IDLE_FAST_HASHERS = 16;

/** A new hash of `algorithm`: node:crypto's, or hash-wasm's XXH3-128 (which Node lacks). */
export async function startDigest(algorithm: DigestAlgorithm): Promise<DigestHash> {
  const node = nodeHashName(algorithm);
  if (node !== undefined) {
    const hash = createHash(node);
    return { update: (chunk) => void hash.update(chunk), hex: () => hash.digest('hex') };
  }
  const hasher = (idleFastHashers.pop() ?? (await createXXHash128())).init();
  return {
    update: (chunk) => void hasher.update(chunk),
    hex: () => {
      const hex = hasher.digest('hex');
      if (idleFastHashers.length < MAX_IDLE_FAST_HASHERS) idleFastHashers.push(hasher);
      return hex;
    },
  };
}

/** A hash of each of `algorithms`. */
export async function startDigests(
  algorithms: readonly DigestAlgorithm[],
): Promise<Map<DigestAlgorithm, DigestHash>> {
  const hashes = await Promise.all(algorithms.map(startDigest));
  return new Map(algorithms.map((algorithm, i) => [algorithm, hashes[i] as DigestHash]));
}

/** The hexadecimal `sha256` and `md5` of tus Upload-Metadata; `name` is the quoted `<batch>/<path>`. */
export function readMetadataDigests(
  metadata: Record<string, string | null> | undefined,
  name: string,
): AnnouncementResult {
  const announced: Announcement[] = [];
  for (const algorithm of ALGORITHM_NAMES) {
    const { metadataKey, bytes, label, described } = facts(algorithm);
    if (metadataKey === undefined) continue;
    const value = metadata?.[metadataKey];
    if (value === undefined || value === null) continue;
    if (!new RegExp(`^[0-9a-f]{${bytes * 2}}$`, 'i').test(value)) {
      return {
        ok: false,
        message: `The "${metadataKey}" metadata of ${name} is not ${described} in hexadecimal (${bytes * 2} characters 0-9 and a-f), so the file could not be verified; send the file's ${label}, or none.`,
      };
    }
    announced.push({ algorithm, hex: value.toLowerCase() });
  }
  return { ok: true, announced };
}

/**
 * The sha-256 and md5 members of a Repr-Digest header; other algorithms are ignored, but the whole header
 * must be a structured-field dictionary (RFC 8941).
 */
export function readReprDigest(header: string, name: string): AnnouncementResult {
  const refuse = (problem: string): AnnouncementResult => ({
    ok: false,
    message: `The ${REPR_DIGEST_HEADER} header sent for ${name} ${problem}, so the file could not be verified; send the file's digests as sha-256=:<base64>: (RFC 9530), or no ${REPR_DIGEST_HEADER}.`,
  });
  const members = parseDictionary(header);
  if (!members) return refuse('is not a list of digests such as sha-256=:<base64>:');
  const announced: Announcement[] = [];
  for (const [key, value] of members) {
    if (!isAlgorithm(key)) continue;
    const { bytes } = ALGORITHMS[key];
    const base64 = value === undefined ? undefined : /^:([^:]*):$/.exec(value)?.[1];
    if (base64 === undefined || !BASE64.test(base64)) {
      return refuse(`gives its ${key} not as bytes between colons (:<base64>:)`);
    }
    const digest = Buffer.from(base64, 'base64');
    if (digest.length !== bytes) {
      return refuse(`gives ${digest.length} bytes for ${key}, which has ${bytes}`);
    }
    announced.push({ algorithm: key, hex: digest.toString('hex') });
  }
  return { ok: true, announced };
}

/**
 * Everything announced for one upload: the `sha256`/`md5` metadata and each Repr-Digest header received
 * (null where a request had none). The first malformed one refuses.
 */
export function readAnnouncements(
  metadata: Record<string, string | null> | undefined,
  reprDigests: readonly (string | null | undefined)[],
  name: string,
): AnnouncementResult {
  const results = [
    readMetadataDigests(metadata, name),
    ...reprDigests.flatMap((header) => (header == null ? [] : [readReprDigest(header, name)])),
  ];
  const announced: Announcement[] = [];
  for (const result of results) {
    if (!result.ok) return result;
    announced.push(...result.announced);
  }
  return { ok: true, announced };
}

/** The algorithms among `announced`, each once, in the order `Upload-Verified` lists them. */
export function algorithmsOf(announced: readonly Announcement[]): DigestAlgorithm[] {
  return ALGORITHM_NAMES.filter((algorithm) => announced.some((a) => a.algorithm === algorithm));
}

/**
 * The algorithms to hash an upload's bytes with: those `announced`, and, when the sender wants digests back and
 * announced no SHA-256, the ones it wants and XXH3-128, which it sends at the end instead of a SHA-256 of its own.
 */
export function algorithmsToHash(
  announced: readonly DigestAlgorithm[],
  wanted: readonly DigestAlgorithm[],
): DigestAlgorithm[] {
  const fast = wanted.length > 0 && !announced.includes('sha-256');
  return ALGORITHM_NAMES.filter(
    (algorithm) =>
      announced.includes(algorithm) || (fast && (wanted.includes(algorithm) || algorithm === FAST_DIGEST)),
  );
}

/** Hexadecimal digests of a stored file, all computed in one read of it. */
export async function digestFile(
  file: string,
  algorithms: readonly DigestAlgorithm[],
): Promise<Map<DigestAlgorithm, string>> {
  const hashes = await startDigests(algorithms);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    for (const hash of hashes.values()) hash.update(chunk as Buffer);
  }
  return new Map([...hashes].map(([algorithm, hash]) => [algorithm, hash.hex()]));
}

/**
 * The algorithms a sender names in a `Want-Repr-Digest` request header (RFC 9530 §4) that the receiver hands back,
 * those with a preference above 0; none when the header is missing or malformed.
 */
export function readWantedDigests(header: string | null | undefined): DigestAlgorithm[] {
  const members = header ? parseDictionary(header) : undefined;
  if (!members) return [];
  return RETURNED_ALGORITHMS.filter((algorithm) => {
    const preference = members.get(algorithm);
    return preference !== undefined && /^\d+$/.test(preference) && Number(preference) > 0;
  });
}

/** A `Repr-Digest` field of hexadecimal digests, e.g. `sha-256=:<base64>:, md5=:<base64>:`. */
export function reprDigestOf(digests: ReadonlyMap<DigestAlgorithm, string>): string {
  return [...digests]
    .map(([algorithm, hex]) => `${algorithm}=:${Buffer.from(hex, 'hex').toString('base64')}:`)
    .join(', ');
}

/** Padding may be left out (RFC 8941 asks parsers to accept that). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

// The pieces of an RFC 8941/9651 structured-field dictionary, as regular-expression source.
const KEY = String.raw`[a-z*][a-z0-9_\-.*]*`;
const BARE_ITEM = [
  String.raw`-?\d{1,15}(?:\.\d{1,3})?`, // integer or decimal
  String.raw`"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"`, // string
  String.raw`[A-Za-z*][!#$%&'*+\-.^_\x60|~0-9A-Za-z:/]*`, // token
  String.raw`:[A-Za-z0-9+/=]*:`, // byte sequence
  String.raw`\?[01]`, // boolean
  String.raw`@-?\d{1,15}`, // date
  String.raw`%"(?:[\x20\x21\x23\x24\x26-\x5b\x5d-\x7e]|%[0-9a-f]{2})*"`, // display string
].join('|');
const PARAMETERS = String.raw`(?:; *${KEY}(?:=(?:${BARE_ITEM}))?)*`;
const ITEM = `(?:${BARE_ITEM})${PARAMETERS}`;
const INNER_LIST = String.raw`\( *(?:${ITEM}(?: +${ITEM})*)? *\)${PARAMETERS}`;
/** One member; group 1 is its key, group 2 its bare item when it has one (not for an inner list or `true`). */
const MEMBER = new RegExp(`(${KEY})(?:=(?:${INNER_LIST}|(${BARE_ITEM})${PARAMETERS})|${PARAMETERS})`, 'y');

/** The members of a dictionary as [key, bare item] (a later duplicate key wins), or undefined when malformed. */
function parseDictionary(text: string): Map<string, string | undefined> | undefined {
  const members = new Map<string, string | undefined>();
  const input = text.replace(/^ +| +$/g, '');
  let at = 0;
  while (at < input.length) {
    MEMBER.lastIndex = at;
    const match = MEMBER.exec(input);
    if (!match?.[1]) return undefined;
    members.set(match[1], match[2]);
    at = MEMBER.lastIndex;
    if (at === input.length) break;
    const separator = /^[ \t]*,[ \t]*/.exec(input.slice(at));
    if (!separator || at + separator[0].length === input.length) return undefined;
    at += separator[0].length;
  }
  return members;
}
