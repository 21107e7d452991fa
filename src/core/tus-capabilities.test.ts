import { describe, expect, it } from 'vitest';
import {
  PLAIN_TUS,
  readCapabilities,
  requestSizeFor,
  sizeRefusal,
  speaksTus1,
  supports,
  transferPlan,
  chunkChecksumFor,
} from '#core/tus-capabilities';

const answer =
  (headers: Record<string, string>) =>
  (name: string): string | null =>
    Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1] ?? null;

describe('readCapabilities', () => {
  it("reads the official @tus/server's answer", () => {
    const caps = readCapabilities(
      answer({
        'Tus-Version': '1.0.0',
        'Tus-Extension': 'creation,creation-with-upload,creation-defer-length,termination,expiration',
      }),
    );
    expect(caps).not.toBeNull();
    expect(caps?.discovered).toBe(true);
    expect(caps && supports(caps, 'creation-with-upload')).toBe(true);
    expect(caps && supports(caps, 'repr-digest')).toBe(false);
    expect(caps?.maxSize).toBeNull();
    expect(caps && transferPlan(caps)).toEqual({
      dataInCreation: true,
      reprDigest: false,
      chunkChecksum: null,
      verifies: false,
      fastDigest: false,
    });
  });

  it("reads our receiver's own extension, a size limit and checksum algorithms, in any case and spacing", () => {
    const caps = readCapabilities(
      answer({
        'tus-version': '1.0.0, 0.2.2',
        'tus-extension': ' Creation , repr-digest,checksum ',
        'tus-max-size': '1073741824',
        'tus-checksum-algorithm': 'SHA1,md5, sha256',
      }),
    );
    expect(caps?.versions).toEqual(['1.0.0', '0.2.2']);
    expect(caps && speaksTus1(caps)).toBe(true);
    expect([...(caps?.extensions ?? [])]).toEqual(['creation', 'repr-digest', 'checksum']);
    expect(caps?.maxSize).toBe(1073741824);
    expect(caps?.checksumAlgorithms).toEqual(['sha1', 'md5', 'sha256']);
    expect(caps && transferPlan(caps)).toEqual({
      dataInCreation: false,
      reprDigest: true,
      chunkChecksum: null,
      verifies: true,
      fastDigest: false,
    });
  });

  it('ignores a Tus-Max-Size that is not a positive whole number', () => {
    for (const value of ['', 'abc', '-5', '0', '1.5']) {
      expect(readCapabilities(answer({ 'Tus-Version': '1.0.0', 'Tus-Max-Size': value }))?.maxSize).toBeNull();
    }
  });

  it('is null for an answer without Tus-Version (not tus, or a proxy that hides it)', () => {
    expect(readCapabilities(answer({ 'Tus-Extension': 'creation' }))).toBeNull();
    expect(readCapabilities(answer({}))).toBeNull();
  });
});

describe("tus's checksum extension", () => {
  const server = (extensions: string, algorithms: string) =>
    readCapabilities(
      answer({
        'Tus-Version': '1.0.0',
        'Tus-Extension': extensions,
        'Tus-Checksum-Algorithm': algorithms,
      }),
    );

  it('sends a checksum the browser computes with every data request, all by PATCH, and counts that as verified', () => {
    const caps = server('creation,creation-with-upload,checksum', 'md5,crc32,sha1');
    expect(caps && transferPlan(caps)).toEqual({
      dataInCreation: false,
      reprDigest: false,
      chunkChecksum: 'sha1',
      verifies: true,
      fastDigest: false,
    });
  });

  it('prefers SHA-256, then SHA-1, SHA-512 and SHA-384, whatever the order the server lists them in', () => {
    const pick = (algorithms: string) => {
      const caps = server('creation,checksum', algorithms);
      return caps && chunkChecksumFor(caps);
    };
    expect(pick('sha1,sha256')).toBe('sha256');
    expect(pick('sha384,sha512')).toBe('sha512');
    expect(pick('SHA384')).toBe('sha384');
    expect(pick('md5,crc32')).toBeNull();
  });

  it('sends none without the extension, or to a server that checks whole files (our receiver)', () => {
    const unlisted = server('creation', 'sha1');
    expect(unlisted && chunkChecksumFor(unlisted)).toBeNull();
    const ours = server('creation,creation-with-upload,repr-digest,checksum', 'sha256,sha1');
    expect(ours && transferPlan(ours)).toEqual({
      dataInCreation: true,
      reprDigest: true,
      chunkChecksum: null,
      verifies: true,
      fastDigest: false,
    });
  });
});

describe("our receiver's Want-Repr-Digest", () => {
  const caps = (extensions: string, want?: string) =>
    readCapabilities(
      answer({
        'Tus-Version': '1.0.0',
        'Tus-Extension': extensions,
        ...(want ? { 'Want-Repr-Digest': want } : {}),
      }),
    );

  it('proves files by XXH3-128 to a receiver that checks whole files and asks for it', () => {
    const ours = caps('creation,creation-with-upload,repr-digest', 'xxh3-128=9, sha-256=5');
    expect(ours?.wantedDigests).toEqual(['xxh3-128', 'sha-256']);
    expect(ours && transferPlan(ours).fastDigest).toBe(true);
  });

  it('keeps to SHA-256 where it is not asked for, asked with preference 0, or the whole-file check is missing', () => {
    expect(transferPlan(PLAIN_TUS).fastDigest).toBe(false);
    const notAsked = caps('creation,repr-digest', 'sha-256=5');
    const refused = caps('creation,repr-digest', 'XXH3-128=0, sha-256=5');
    const noCheck = caps('creation,checksum', 'xxh3-128=9');
    for (const c of [notAsked, refused, noCheck]) expect(c && transferPlan(c).fastDigest).toBe(false);
    expect(refused?.wantedDigests).toEqual(['sha-256']);
  });
});

describe("our receiver's request-size extension", () => {
  const MiB = 2 ** 20;
  const server = (extensions: string, size: string) =>
    readCapabilities(
      answer({ 'Tus-Version': '1.0.0', 'Tus-Extension': extensions, 'Tus-Request-Size': size }),
    );

  it("starts requests at the size the server asks for, when it lists the extension and the size is larger than the page's", () => {
    const caps = server('creation,repr-digest,request-size', String(1024 * MiB));
    expect(caps?.requestSize).toBe(1024 * MiB);
    expect(caps && requestSizeFor(caps, 32 * MiB)).toBe(1024 * MiB);
    expect(caps && requestSizeFor(caps, 2048 * MiB)).toBe(2048 * MiB);
  });

  it('keeps the usual size for a server without the extension, a size that is no whole number, and plain tus', () => {
    const unlisted = server('creation,repr-digest', String(1024 * MiB));
    expect(unlisted?.requestSize).toBeNull();
    expect(unlisted && requestSizeFor(unlisted, 32 * MiB)).toBe(32 * MiB);
    for (const value of ['', 'lots', '-5', '0', '1.5']) {
      expect(server('request-size', value)?.requestSize).toBeNull();
    }
    expect(requestSizeFor(PLAIN_TUS, 32 * MiB)).toBe(32 * MiB);
  });
});

describe('plain tus 1.0, assumed when the server did not say', () => {
  it('creates first and sends data in PATCH requests, without our digest header', () => {
    expect(PLAIN_TUS.discovered).toBe(false);
    expect(transferPlan(PLAIN_TUS)).toEqual({
      dataInCreation: false,
      reprDigest: false,
      chunkChecksum: null,
      verifies: false,
      fastDigest: false,
    });
    expect(speaksTus1(PLAIN_TUS)).toBe(true);
  });
});

describe('sizeRefusal', () => {
  const caps = readCapabilities(answer({ 'Tus-Version': '1.0.0', 'Tus-Max-Size': '1000' }));
  it('refuses a file over Tus-Max-Size with a sentence naming the file, both sizes and the fix', () => {
    expect(caps && sizeRefusal(caps, 'a/big.tif', 1001, 'https://tus.example/files/')).toBe(
      '"a/big.tif" is 1001 bytes, more than the 1000 bytes the server at https://tus.example/files/ takes (its Tus-Max-Size), so it was not sent. Ask for a higher size limit, or leave this file out.',
    );
  });
  it('lets a file at the limit, or any file when there is none, go', () => {
    expect(caps && sizeRefusal(caps, 'a', 1000, 'e')).toBe('');
    expect(sizeRefusal(PLAIN_TUS, 'a', 10 ** 12, 'e')).toBe('');
  });
});
