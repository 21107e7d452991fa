import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_CHECKSUM_HEADER } from '#core/protocol';
import { createUpload, patchUpload, startTestServer, uploadUrl, sha256 } from './helpers.ts';

const checksum = (algorithm: 'sha1' | 'sha256', data: Buffer) =>
  `${algorithm} ${createHash(algorithm).update(data).digest('base64')}`;

const offsetOf = async (url: URL) =>
  (await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })).headers.get('upload-offset');

describe("the receiver checks each request's body against its Upload-Checksum (tus checksum extension)", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const created = async (relativePath: string, length: number) => {
    const response = await createUpload(server.endpoint, { batch: 'ck', relativePath }, { length });
    expect(response.status).toBe(201);
    return uploadUrl(response, server);
  };

  it('lists the extension and its algorithms in OPTIONS, readable and sendable by a page elsewhere', async () => {
    const options = await fetch(server.endpoint, {
      method: 'OPTIONS',
      headers: { Origin: 'https://portal.example.org' },
    });
    expect((options.headers.get('tus-extension') ?? '').split(',')).toContain('checksum');
    expect(options.headers.get('tus-checksum-algorithm')).toBe('sha256,sha1');
    const exposed = (options.headers.get('access-control-expose-headers') ?? '')
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(exposed).toContain('tus-checksum-algorithm');
    const preflight = await fetch(server.endpoint, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://portal.example.org',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'upload-checksum, tus-resumable, upload-offset',
      },
    });
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '')
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(allowed).toContain('upload-checksum');
  });

  it('keeps chunks whose checksum matches, in either algorithm, and stores the file', async () => {
    const data = randomBytes(300_000);
    const url = await created('ok/a.bin', data.length);
    const first = data.subarray(0, 100_000);
    const rest = data.subarray(100_000);
    const one = await patchUpload(url, first, {
      headers: { [UPLOAD_CHECKSUM_HEADER]: checksum('sha1', first) },
    });
    expect(one.status).toBe(204);
    const two = await patchUpload(url, rest, {
      offset: 100_000,
      headers: { [UPLOAD_CHECKSUM_HEADER]: checksum('sha256', rest) },
    });
    expect(two.status).toBe(204);
    expect(sha256(await readFile(path.join(server.uploadDir, 'ck/data/ok/a.bin')))).toBe(sha256(data));
  });

  it('refuses a chunk that does not match with 460, keeps none of it, and takes it again when it matches', async () => {
    const data = randomBytes(200_000);
    const url = await created('bad/b.bin', data.length);
    const first = data.subarray(0, 120_000);
    expect(
      (await patchUpload(url, first, { headers: { [UPLOAD_CHECKSUM_HEADER]: checksum('sha256', first) } }))
        .status,
    ).toBe(204);
    const rest = data.subarray(120_000);
    const damaged = Buffer.from(rest);
    damaged[5_000] = (damaged[5_000] ?? 0) ^ 0xff;
    const refused = await patchUpload(url, damaged, {
      offset: 120_000,
      headers: { [UPLOAD_CHECKSUM_HEADER]: checksum('sha256', rest) },
    });
    expect(refused.status).toBe(460);
    expect(await refused.text()).toContain('does not match its Upload-Checksum (sha256)');
    expect(await offsetOf(url)).toBe('120000');
    const again = await patchUpload(url, rest, {
      offset: 120_000,
      headers: { [UPLOAD_CHECKSUM_HEADER]: checksum('sha256', rest) },
    });
    expect(again.status).toBe(204);
    // The upload was read again at its end, since its running digests had taken in the refused bytes.
    expect(sha256(await readFile(path.join(server.uploadDir, 'ck/data/bad/b.bin')))).toBe(sha256(data));
  });

  it('checks the body of a creation that carries the whole file', async () => {
    const data = randomBytes(50_000);
    const refused = await createUpload(
      server.endpoint,
      { batch: 'ck', relativePath: 'whole/c.bin' },
      { body: data, headers: { [UPLOAD_CHECKSUM_HEADER]: checksum('sha1', randomBytes(10)) } },
    );
    expect(refused.status).toBe(460);
    const kept = await createUpload(
      server.endpoint,
      { batch: 'ck', relativePath: 'whole/c.bin' },
      { body: data, headers: { [UPLOAD_CHECKSUM_HEADER]: checksum('sha1', data) } },
    );
    expect(kept.status).toBe(201);
    expect(sha256(await readFile(path.join(server.uploadDir, 'ck/data/whole/c.bin')))).toBe(sha256(data));
  });

  it('refuses an algorithm it does not check, or a malformed header, with 400 and a sentence, and keeps the upload', async () => {
    const data = randomBytes(1_000);
    const url = await created('odd/d.bin', data.length);
    const md5 = await patchUpload(url, data, {
      headers: { [UPLOAD_CHECKSUM_HEADER]: `md5 ${createHash('md5').update(data).digest('base64')}` },
    });
    expect(md5.status).toBe(400);
    expect(await md5.text()).toContain(
      'uses "md5", which this receiver does not check; it checks sha256 and sha1',
    );
    const malformed = await patchUpload(url, data, {
      headers: { [UPLOAD_CHECKSUM_HEADER]: 'sha256 not base64!' },
    });
    expect(malformed.status).toBe(400);
    expect(await offsetOf(url)).toBe('0');
    expect(
      (await patchUpload(url, data, { headers: { [UPLOAD_CHECKSUM_HEADER]: checksum('sha256', data) } }))
        .status,
    ).toBe(204);
  });
});
