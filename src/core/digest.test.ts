import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hexToBase64, reprDigest } from './digest';

describe('reprDigest', () => {
  const bytes = Buffer.from('Käfer 01.tif');
  const sha256 = createHash('sha256').update(bytes).digest();
  const md5 = createHash('md5').update(bytes).digest();

  it('writes SHA-256 as an RFC 9530 byte sequence', () => {
    expect(reprDigest({ sha256: sha256.toString('hex') })).toBe(`sha-256=:${sha256.toString('base64')}:`);
  });

  it('adds MD5 when the target uses it', () => {
    expect(reprDigest({ sha256: sha256.toString('hex'), md5: md5.toString('hex') })).toBe(
      `sha-256=:${sha256.toString('base64')}:, md5=:${md5.toString('base64')}:`,
    );
  });

  it('refuses something that is not hexadecimal', () => {
    expect(() => hexToBase64('abc')).toThrow(/hexadecimal/);
    expect(() => hexToBase64('zz')).toThrow(/hexadecimal/);
    expect(hexToBase64('')).toBe('');
  });

  it('pads like Node does for every length', () => {
    for (let n = 0; n < 8; n += 1) {
      const bytes = Buffer.from([255, 0, 128, 7, 64, 1, 200, 33].slice(0, n));
      expect(hexToBase64(bytes.toString('hex'))).toBe(bytes.toString('base64'));
    }
  });
});
