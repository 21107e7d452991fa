import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPR_DIGEST_HEADER, REQUEST_SIZE_HEADER, VERIFIED_HEADER } from '#core/protocol';
import { readCapabilities, requestSizeFor } from '#core/tus-capabilities';
import { DISK_REQUEST_SIZE } from '../../server/receiver.ts';
import {
  createUpload,
  listFiles,
  patchUpload,
  reprDigest,
  sha256,
  startTestServer,
  tusUpload,
  uploadUrl,
} from './helpers.ts';

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

describe('the receiver verifies an announced SHA-256 before it stores the file', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('stores a file whose bytes match, sent in one request or in chunks', async () => {
    const data = randomBytes(300_000);
    const one = await tusUpload(server.endpoint, data, {
      batch: 'v',
      relativePath: 'one.bin',
      sha256: sha256(data),
    });
    const chunked = await tusUpload(
      server.endpoint,
      data,
      { batch: 'v', relativePath: 'chunked.bin', sha256: sha256(data).toUpperCase() },
      { chunkSize: 100_000 },
    );
    expect([one.storedPath, chunked.storedPath]).toEqual(['v/data/one.bin', 'v/data/chunked.bin']);
    expect(await listFiles(path.join(server.uploadDir, 'v', 'data'))).toEqual(['chunked.bin', 'one.bin']);
  });

  it('refuses a file whose bytes do not match with 460 and a sentence, and keeps nothing of it', async () => {
    const data = randomBytes(50_000);
    const other = sha256(Buffer.from('something else'));
    const failure = await tusUpload(server.endpoint, data, {
      batch: 'w',
      relativePath: 'a/bad.bin',
      sha256: other,
    }).then(
      () => undefined,
      (error: unknown) => error as { originalResponse?: { getStatus(): number; getBody(): string } },
    );
    expect(failure?.originalResponse?.getStatus()).toBe(460);
    expect(failure?.originalResponse?.getBody()).toBe(
      `"w/a/bad.bin" arrived with other bytes than were sent (its SHA-256 is ${sha256(data)}, the sender announced ${other}), so it was not stored; send it again.`,
    );
    expect(await listFiles(server.uploadDir)).not.toContain('w/data/a/bad.bin');
    expect((await readdir(path.join(server.uploadDir, '.partial'))).length).toBe(0);
    expect(server.logs.some((line) => line.includes('REFUSED w/a/bad.bin'))).toBe(true);
  });

  it('refuses a creation whose announced SHA-256 is not one, naming the file', async () => {
    const response = await createUpload(server.endpoint, {
      batch: 'b',
      relativePath: 'x.jpg',
      sha256: 'abc',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      'The "sha256" metadata of "b/x.jpg" is not a SHA-256 in hexadecimal (64 characters 0-9 and a-f), so the file could not be verified; send the file\'s SHA-256, or none.',
    );
  });
});

describe('the receiver verifies a Repr-Digest header and md5 metadata before it stores the file', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ allowedOrigins: ['https://portal.example.org'] });
  });
  afterAll(() => server.stop());

  const partials = () => readdir(path.join(server.uploadDir, '.partial'));

  /** Creates an upload without data, then sends all of it in one PATCH with `headers`. */
  async function createThenPatch(
    metadata: Record<string, string>,
    data: Buffer,
    headers: { create?: Record<string, string>; patch?: Record<string, string> } = {},
  ) {
    const created = await createUpload(server.endpoint, metadata, {
      length: data.length,
      ...(headers.create ? { headers: headers.create } : {}),
    });
    expect(created.status).toBe(201);
    return patchUpload(uploadUrl(created, server), data, headers.patch ? { headers: headers.patch } : {});
  }

  it('checks SHA-256 and MD5 from the Repr-Digest of the last PATCH, says so in Upload-Verified and the log', async () => {
    const data = randomBytes(200_000);
    const response = await createThenPatch({ batch: 'r', relativePath: 'both.bin' }, data, {
      patch: { [REPR_DIGEST_HEADER]: reprDigest(data, ['sha-256', 'md5']) },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get(VERIFIED_HEADER)).toBe('sha-256, md5');
    expect(sha256(await readFile(path.join(server.uploadDir, 'r', 'data', 'both.bin')))).toBe(sha256(data));
    expect(server.logs.at(-1)).toMatch(
      / {2}r\/data\/both\.bin {2}200000 bytes {2}\(verified sha-256, md5\)$/,
    );
  });

  it('checks the Repr-Digest of a creation that carries the whole file', async () => {
    const data = randomBytes(5000);
    const response = await createUpload(
      server.endpoint,
      { batch: 'r', relativePath: 'in-post.bin' },
      { body: data, headers: { [REPR_DIGEST_HEADER]: reprDigest(data) } },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get(VERIFIED_HEADER)).toBe('sha-256');
    expect(response.headers.get('upload-stored-path')).toBe('r/data/in-post.bin');
  });

  it('checks a Repr-Digest sent with a creation without data when the last PATCH has none', async () => {
    const data = randomBytes(3000);
    const wrong = Buffer.from('not the data');
    const response = await createThenPatch({ batch: 'r', relativePath: 'early.bin' }, data, {
      create: { [REPR_DIGEST_HEADER]: reprDigest(wrong) },
    });
    expect(response.status).toBe(460);
    expect(await response.text()).toBe(
      `"r/early.bin" arrived with other bytes than were sent (its SHA-256 is ${sha256(data)}, the sender announced ${sha256(wrong)}), so it was not stored; send it again.`,
    );
  });

  it('checks md5 metadata alone, and refuses a mismatch with 460 naming both MD5s', async () => {
    const data = randomBytes(4000);
    const good = await createThenPatch({ batch: 'm', relativePath: 'good.bin', md5: md5(data) }, data);
    expect(good.headers.get(VERIFIED_HEADER)).toBe('md5');
    const bad = await createThenPatch(
      { batch: 'm', relativePath: 'bad.bin', sha256: sha256(data), md5: md5('other') },
      data,
    );
    expect(bad.status).toBe(460);
    expect(await bad.text()).toBe(
      `"m/bad.bin" arrived with other bytes than were sent (its MD5 is ${md5(data)}, the sender announced ${md5('other')}), so it was not stored; send it again.`,
    );
    expect(await listFiles(path.join(server.uploadDir, 'm', 'data'))).toEqual(['good.bin']);
    expect(await partials()).toEqual([]);
    expect(server.logs.at(-1)).toMatch(/ {2}REFUSED m\/bad\.bin: MD5 [0-9a-f]{32}, announced [0-9a-f]{32}$/);
  });

  it('refuses with 460 when the Repr-Digest disagrees with the bytes even though the metadata agrees', async () => {
    const data = randomBytes(4000);
    const other = Buffer.from('other');
    const response = await createThenPatch(
      { batch: 'x', relativePath: 'mixed.bin', sha256: sha256(data) },
      data,
      {
        patch: { [REPR_DIGEST_HEADER]: reprDigest(other, ['md5']) },
      },
    );
    expect(response.status).toBe(460);
    expect(await response.text()).toContain(`(its MD5 is ${md5(data)}, the sender announced ${md5(other)})`);
    expect(await partials()).toEqual([]);
  });

  it('ignores algorithms it does not check, and parameters', async () => {
    const data = randomBytes(1000);
    const sha512 = createHash('sha512').update(data).digest('base64');
    const response = await createThenPatch({ batch: 'u', relativePath: 'a.bin' }, data, {
      patch: {
        [REPR_DIGEST_HEADER]: `sha-512=:${sha512}:, unixsum=1234;x=?1,sha-256=:${createHash('sha256').update(data).digest('base64')}:`,
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get(VERIFIED_HEADER)).toBe('sha-256');
    const unknownOnly = await createThenPatch({ batch: 'u', relativePath: 'b.bin' }, data, {
      patch: { [REPR_DIGEST_HEADER]: `sha-512=:${sha512}:` },
    });
    expect(unknownOnly.status).toBe(204);
    expect(unknownOnly.headers.get(VERIFIED_HEADER)).toBeNull();
  });

  const sentence = (problem: string) =>
    `The Repr-Digest header sent for "b/x.jpg" ${problem}, so the file could not be verified; send the file's digests as sha-256=:<base64>: (RFC 9530), or no Repr-Digest.`;

  it.each([
    ['sha-256=:abc', 'is not a list of digests such as sha-256=:<base64>:'],
    ['sha-256=:AAAA:,', 'is not a list of digests such as sha-256=:<base64>:'],
    ['SHA-256=:AAAA:', 'is not a list of digests such as sha-256=:<base64>:'],
    ['sha-256=abc', 'gives its sha-256 not as bytes between colons (:<base64>:)'],
    ['sha-256=:A*AA:', 'is not a list of digests such as sha-256=:<base64>:'],
    ['sha-256=:AAAA:', 'gives 3 bytes for sha-256, which has 32'],
    [`md5=:${Buffer.alloc(32).toString('base64')}:`, 'gives 32 bytes for md5, which has 16'],
  ])('refuses the creation with the Repr-Digest %j with 400 and a sentence', async (header, problem) => {
    const response = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'x.jpg' },
      { headers: { [REPR_DIGEST_HEADER]: header } },
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(sentence(problem));
  });

  it('refuses a PATCH with a malformed Repr-Digest before taking its data, and keeps the upload', async () => {
    const created = await createUpload(server.endpoint, { batch: 'b', relativePath: 'x.jpg' }, { length: 3 });
    const url = uploadUrl(created, server);
    const refused = await patchUpload(url, Buffer.from('abc'), {
      headers: { [REPR_DIGEST_HEADER]: 'sha-256=:AAAA:' },
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe(sentence('gives 3 bytes for sha-256, which has 32'));
    const head = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(head.headers.get('upload-offset')).toBe('0');
    const fixed = await patchUpload(url, Buffer.from('abc'), {
      headers: { [REPR_DIGEST_HEADER]: reprDigest(Buffer.from('abc')) },
    });
    expect(fixed.status).toBe(204);
  });

  it('refuses a creation whose md5 metadata is not one, naming the file', async () => {
    const response = await createUpload(server.endpoint, {
      batch: 'b',
      relativePath: 'x.jpg',
      md5: sha256('x'),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      'The "md5" metadata of "b/x.jpg" is not an MD5 in hexadecimal (32 characters 0-9 and a-f), so the file could not be verified; send the file\'s MD5, or none.',
    );
  });

  it('says in its OPTIONS answer that it checks whole-file digests, where a page elsewhere may read it', async () => {
    const response = await fetch(server.endpoint, {
      method: 'OPTIONS',
      headers: { Origin: 'https://portal.example.org' },
    });
    expect(response.status).toBe(204);
    const extensions = (response.headers.get('tus-extension') ?? '').split(',');
    expect(extensions).toEqual(expect.arrayContaining(['creation', 'creation-with-upload', 'repr-digest']));
    const exposed = (response.headers.get('access-control-expose-headers') ?? '')
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(['tus-extension', 'tus-version', 'tus-max-size']));
  });

  it('asks for PATCH bodies of 128 MiB, where a page elsewhere may read it, and the page takes that size', async () => {
    const response = await fetch(server.endpoint, {
      method: 'OPTIONS',
      headers: { Origin: 'https://portal.example.org' },
    });
    expect(response.headers.get('tus-extension')?.split(',')).toContain('request-size');
    expect(response.headers.get(REQUEST_SIZE_HEADER)).toBe(String(128 * 2 ** 20));
    const exposed = (response.headers.get('access-control-expose-headers') ?? '')
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(exposed).toContain(REQUEST_SIZE_HEADER.toLowerCase());
    const capabilities = readCapabilities((name) => response.headers.get(name));
    expect(capabilities && requestSizeFor(capabilities, 32 * 2 ** 20)).toBe(DISK_REQUEST_SIZE);
  });

  it('lets a page elsewhere send Repr-Digest and read Upload-Verified (CORS)', async () => {
    const preflight = await fetch(server.endpoint, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://portal.example.org',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'repr-digest, tus-resumable, upload-offset',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://portal.example.org');
    const allowedHeaders = (preflight.headers.get('access-control-allow-headers') ?? '')
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(allowedHeaders).toEqual(expect.arrayContaining(['repr-digest', 'tus-resumable', 'upload-offset']));

    const data = Buffer.from('cross-origin');
    const response = await createThenPatch({ batch: 'c', relativePath: 'c.txt' }, data, {
      patch: { Origin: 'https://portal.example.org', [REPR_DIGEST_HEADER]: reprDigest(data) },
    });
    const exposed = (response.headers.get('access-control-expose-headers') ?? '')
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(['upload-verified', 'upload-stored-path']));
    expect(response.headers.get(VERIFIED_HEADER)).toBe('sha-256');
  });
});

describe('an upload continued on a restarted receiver', () => {
  it('is verified by reading the file again, since the bytes before the restart were hashed by the old one', async () => {
    const first = await startTestServer();
    const data = randomBytes(300_000);
    const wrong = Buffer.from(data);
    wrong.writeUInt8(wrong.readUInt8(250_000) ^ 1, 250_000);
    const begin = async (relativePath: string) => {
      const created = await createUpload(
        first.endpoint,
        { batch: 'r', relativePath },
        { length: data.length },
      );
      const url = uploadUrl(created, first);
      expect((await patchUpload(url, data.subarray(0, 100_000))).status).toBe(204);
      return url.pathname;
    };
    const good = await begin('good.bin');
    const bad = await begin('bad.bin');
    await first.close();

    const second = await startTestServer({ uploadDir: first.uploadDir });
    try {
      const rest = (pathname: string, digestOf: Buffer) =>
        patchUpload(new URL(pathname, second.url), data.subarray(100_000), {
          offset: 100_000,
          headers: { [REPR_DIGEST_HEADER]: reprDigest(digestOf) },
        });
      const stored = await rest(good, data);
      expect(stored.status).toBe(204);
      expect(stored.headers.get(VERIFIED_HEADER)).toBe('sha-256');
      expect(sha256(await readFile(path.join(first.uploadDir, 'r', 'data', 'good.bin')))).toBe(sha256(data));

      const refused = await rest(bad, wrong);
      expect(refused.status).toBe(460);
      expect(await refused.text()).toContain(
        `its SHA-256 is ${sha256(data)}, the sender announced ${sha256(wrong)}`,
      );
    } finally {
      await second.stop();
      await rm(first.root, { recursive: true, force: true });
    }
  });
});
