/**
 * A file's whole-content digests as HTTP carries them: the `Repr-Digest` field of RFC 9530 (a structured-field
 * dictionary of base64 byte sequences), sent on the request that completes an upload so the receiver can verify
 * every byte without the sender hashing the file before the transfer starts.
 */

export interface FileDigests {
  /** 64 lower-case hex digits. */
  readonly sha256: string;
  /** 32 lower-case hex digits, where the target uses MD5. */
  readonly md5?: string;
}

export function reprDigest(digests: FileDigests): string {
  const fields = [`sha-256=:${hexToBase64(digests.sha256)}:`];
  if (digests.md5 !== undefined) fields.push(`md5=:${hexToBase64(digests.md5)}:`);
  return fields.join(', ');
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

/** Deriva (GUDMAP/RBK and any catalog) keeps MD5 as well as SHA-256, and Symbiota's field map has mediaMD5. */
export function usesMd5(target: string): boolean {
  return target === 'gudmap' || target === 'symbiota' || target === 'deriva';
}
