import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { xxhash128 } from 'hash-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPR_DIGEST_HEADER,
  VERIFIED_HEADER,
  WANT_REPR_DIGEST_HEADER,
  completionPath,
  type CompletionRequest,
} from '#core/protocol';
import {
  createUpload,
  listFiles,
  patchUpload,
  reprDigest,
  sha256,
  startTestServer,
  uploadUrl,
} from './helpers.ts';

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
const xxh3 = async (data: Buffer) =>
  `xxh3-128=:${Buffer.from(await xxhash128(data), 'hex').toString('base64')}:`;
const WANT_BOTH = { [WANT_REPR_DIGEST_HEADER]: 'sha-256=5, md5=5' };

describe('the disk receiver takes an XXH3-128 instead of a SHA-256 and hands back its own', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ allowedOrigins: ['https://portal.example.org'] });
  });
  afterAll(() => server.stop());

  const partials = () => readdir(path.join(server.uploadDir, '.partial'));

  it('computes XXH3-128 as the reference does (its test vector of no bytes)', async () => {
    expect(await xxhash128('')).toBe('99aa06d3014798d86001c324468d497f');
  });

  it('says in its OPTIONS answer that it wants XXH3-128, readable by a page elsewhere', async () => {
    const response = await fetch(server.endpoint, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://portal.example.org',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'want-repr-digest, repr-digest',
      },
    });
    expect(response.headers.get(WANT_REPR_DIGEST_HEADER)).toBe('xxh3-128=9, sha-256=5');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    expect(allowed).toContain('want-repr-digest');
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    expect(exposed).toContain('want-repr-digest');
    expect(exposed).toContain('repr-digest');
  });

  it('verifies the XXH3-128 of the last PATCH and answers with its SHA-256 and MD5 of those bytes', async () => {
    const data = randomBytes(300_000);
    const created = await createUpload(
      server.endpoint,
      { batch: 'f', relativePath: 'chunked.bin' },
      { length: data.length, headers: WANT_BOTH },
    );
    expect(created.status).toBe(201);
    const url = uploadUrl(created, server);
    const first = await patchUpload(url, data.subarray(0, 100_000));
    expect(first.status).toBe(204);
    const last = await patchUpload(url, data.subarray(100_000), {
      offset: 100_000,
      headers: { [REPR_DIGEST_HEADER]: await xxh3(data) },
    });
    expect(last.status).toBe(204);
    expect(last.headers.get(VERIFIED_HEADER)).toBe('xxh3-128');
    expect(last.headers.get(REPR_DIGEST_HEADER)).toBe(reprDigest(data, ['sha-256', 'md5']));
    expect(sha256(await readFile(path.join(server.uploadDir, 'f', 'data', 'chunked.bin')))).toBe(
      sha256(data),
    );
    expect(server.logs.at(-1)).toMatch(/ {2}f\/data\/chunked\.bin {2}300000 bytes {2}\(verified xxh3-128\)$/);
  });

  it.each([
    ['small, written at once', 5_000],
    ['larger, streamed', 1_500_000],
  ])('verifies the XXH3-128 of a creation that carries the whole file (%s)', async (_, size) => {
    const data = randomBytes(size);
    const response = await createUpload(
      server.endpoint,
      { batch: 'f', relativePath: `whole-${size}.bin` },
      { body: data, headers: { ...WANT_BOTH, [REPR_DIGEST_HEADER]: await xxh3(data) } },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get(VERIFIED_HEADER)).toBe('xxh3-128');
    expect(response.headers.get(REPR_DIGEST_HEADER)).toBe(reprDigest(data, ['sha-256', 'md5']));
  });

  it('hands back only the digests asked for', async () => {
    const data = randomBytes(2_000);
    const response = await createUpload(
      server.endpoint,
      { batch: 'f', relativePath: 'sha-only.bin' },
      {
        body: data,
        headers: { [WANT_REPR_DIGEST_HEADER]: 'sha-256=3, md5=0', [REPR_DIGEST_HEADER]: await xxh3(data) },
      },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get(REPR_DIGEST_HEADER)).toBe(reprDigest(data));
  });

  it('refuses other bytes than the XXH3-128 sent with 460 and a sentence, and keeps nothing of them', async () => {
    const data = randomBytes(80_000);
    const other = Buffer.from('something else');
    const created = await createUpload(
      server.endpoint,
      { batch: 'g', relativePath: 'bad.bin' },
      { length: data.length, headers: WANT_BOTH },
    );
    const response = await patchUpload(uploadUrl(created, server), data, {
      headers: { [REPR_DIGEST_HEADER]: await xxh3(other) },
    });
    expect(response.status).toBe(460);
    expect(await response.text()).toBe(
      `"g/bad.bin" arrived with other bytes than were sent (its XXH3-128 is ${await xxhash128(data)}, the sender announced ${await xxhash128(other)}), so it was not stored; send it again.`,
    );
    expect(response.headers.get(REPR_DIGEST_HEADER)).toBeNull();
    expect(await listFiles(server.uploadDir)).not.toContain('g/data/bad.bin');
    expect(await partials()).toEqual([]);
  });

  it('completes a batch whose manifest has the SHA-256 and MD5 it handed back', async () => {
    const data = randomBytes(10_000);
    const response = await createUpload(
      server.endpoint,
      { batch: 'h', relativePath: 'a.bin' },
      { body: data, headers: { ...WANT_BOTH, [REPR_DIGEST_HEADER]: await xxh3(data) } },
    );
    const returned = response.headers.get(REPR_DIGEST_HEADER) ?? '';
    const hex = (name: string) =>
      Buffer.from(new RegExp(`${name}=:([^:]*):`).exec(returned)?.[1] ?? '', 'base64').toString('hex');
    const body: CompletionRequest = {
      completionId: 'c1',
      files: [{ path: 'a.bin', bytes: data.length, sha256: hex('sha-256'), md5: hex('md5') }],
    };
    const completed = await fetch(new URL(completionPath('h'), server.endpoint), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(completed.status).toBe(200);
    expect(hex('sha-256')).toBe(sha256(data));
    expect(hex('md5')).toBe(md5(data));
  });
});
