import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64ToHex, hexToBase64, readReturnedDigests, reprDigest } from './digest';

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

describe('the fast digest and the digests a receiver hands back', () => {
  const sha256 = createHash('sha256').update('x').digest();
  const md5 = createHash('md5').update('x').digest();

  it('sends XXH3-128 alone under its key', () => {
    expect(reprDigest({ xxh3: '99aa06d3014798d86001c324468d497f' })).toBe(
      `xxh3-128=:${Buffer.from('99aa06d3014798d86001c324468d497f', 'hex').toString('base64')}:`,
    );
  });

  it('reads the SHA-256 and MD5 of a response, and nothing when one asked for is missing', () => {
    const header = `sha-256=:${sha256.toString('base64')}:, md5=:${md5.toString('base64')}:`;
    expect(readReturnedDigests(header, true)).toEqual({
      sha256: sha256.toString('hex'),
      md5: md5.toString('hex'),
    });
    expect(readReturnedDigests(header, false)).toEqual({ sha256: sha256.toString('hex') });
    expect(readReturnedDigests(`sha-256=:${sha256.toString('base64')}:`, true)).toBeNull();
    expect(readReturnedDigests(`md5=:${md5.toString('base64')}:`, false)).toBeNull();
    expect(readReturnedDigests('sha-256=:AAAA:', false)).toBeNull();
    expect(readReturnedDigests(null, false)).toBeNull();
  });

  it('turns base64 back into hex like Node for every length', () => {
    for (let n = 0; n < 8; n += 1) {
      const bytes = Buffer.from([255, 0, 128, 7, 64, 1, 200, 33].slice(0, n));
      expect(base64ToHex(bytes.toString('base64'))).toBe(bytes.toString('hex'));
      expect(base64ToHex(bytes.toString('base64').replace(/=+$/, ''))).toBe(bytes.toString('hex'));
    }
  });
});
