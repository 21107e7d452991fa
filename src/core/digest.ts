/**
 * A file's whole-content digests as HTTP carries them: the `Repr-Digest` field of RFC 9530 (a structured-field
 * dictionary of base64 byte sequences), sent on the request that completes an upload so the receiver can verify
 * every byte without the sender hashing the file before the transfer starts.
 */
import { FAST_DIGEST } from './protocol';

export interface FileDigests {
  /** 64 lower-case hex digits. */
  readonly sha256: string;
  /** 32 lower-case hex digits, where the target uses MD5. */
  readonly md5?: string;
}

/** A file's XXH3-128 (FAST_DIGEST) as 32 lower-case hex digits. */
export interface FastDigest {
  readonly xxh3: string;
}

/**
 * What the page proves a file's bytes with: its SHA-256 (and MD5), or, to a receiver that asks for it and hands its
 * own SHA-256 back (see FAST_DIGEST), the file's XXH3-128 alone.
 */
export type SentDigests = FileDigests | FastDigest;

export function reprDigest(digests: SentDigests): string {
  if ('xxh3' in digests) return `${FAST_DIGEST}=:${hexToBase64(digests.xxh3)}:`;
  const fields = [`sha-256=:${hexToBase64(digests.sha256)}:`];
  if (digests.md5 !== undefined) fields.push(`md5=:${hexToBase64(digests.md5)}:`);
  return fields.join(', ');
}

/**
 * The SHA-256 (and MD5 when `md5`) of a response's Repr-Digest, e.g. the receiver's own of a file it verified by
 * XXH3-128; null when the header is missing or lacks one of them.
 */
export function readReturnedDigests(header: string | null, md5: boolean): FileDigests | null {
  const members = new Map(
    (header ?? '').split(',').flatMap((member) => {
      const match = /^\s*([a-z0-9-]+)=:([A-Za-z0-9+/]*={0,2}):\s*$/.exec(member);
      return match?.[1] && match[2] !== undefined ? [[match[1], base64ToHex(match[2])] as const] : [];
    }),
  );
  const sha256 = members.get('sha-256');
  const md5Hex = members.get('md5');
  if (sha256?.length !== 64 || (md5 && md5Hex?.length !== 32)) return null;
  return md5 && md5Hex !== undefined ? { sha256, md5: md5Hex } : { sha256 };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 (with padding) of the bytes a hex string spells; core has no btoa, so it is written out. */
export function hexToBase64(hex: string): string {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error(`Not a hexadecimal digest: "${hex}"`);
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a = 0, b = 0, c = 0] = bytes.slice(i, i + 3);
    const n = (a << 16) | (b << 8) | c;
    const left = bytes.length - i;
    out += BASE64[(n >> 18) & 63];
    out += BASE64[(n >> 12) & 63];
    out += left > 1 ? BASE64[(n >> 6) & 63] : '=';
    out += left > 2 ? BASE64[n & 63] : '=';
  }
  return out;
}

/** The lower-case hex of base64 bytes (padding optional). */
export function base64ToHex(base64: string): string {
  let bits = 0;
  let value = 0;
  let hex = '';
  for (const char of base64.replace(/=+$/, '')) {
    value = (value << 6) | BASE64.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      hex += ((value >> bits) & 255).toString(16).padStart(2, '0');
    }
  }
  return hex;
}

/** Deriva (GUDMAP/RBK and any catalog) keeps MD5 as well as SHA-256, and Symbiota's field map has mediaMD5. */
export function usesMd5(target: string): boolean {
  return target === 'gudmap' || target === 'symbiota' || target === 'deriva';
}
