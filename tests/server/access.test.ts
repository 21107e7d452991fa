import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpload, listFiles, sha256, startTestServer, tusUpload } from './helpers.ts';

describe('with an access token set', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ token: 's3cret-token' });
  });
  afterAll(() => server.stop());

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { Authorization: 'Bearer wrong-token!' }],
    ['a token that is only a prefix of the right one', { Authorization: 'Bearer s3cret' }],
    ['the right token without "Bearer"', { Authorization: 's3cret-token' }],
  ])('answers 401 to a creation with %s', async (_what, headers: Record<string, string>) => {
    const response = await createUpload(server.endpoint, { batch: 'b', relativePath: 'x.jpg' }, { headers });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('The access token is missing or wrong.');
  });

  it('answers 401 with the sentence to every method but OPTIONS, on /files and on an upload, and changes nothing', async () => {
    const auth = { Authorization: 'Bearer s3cret-token' };
    const created = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'kept.jpg' },
      { headers: auth },
    );
    const upload = new URL(created.headers.get('location') ?? '', server.url);
    const collection = new URL('files', server.url);
    for (const url of [collection, new URL(server.endpoint), upload]) {
      for (const method of ['POST', 'HEAD', 'PATCH', 'GET', 'DELETE']) {
        const withData = method === 'POST' || method === 'PATCH';
        const response = await fetch(url, {
          method,
          headers: {
            'Tus-Resumable': '1.0.0',
            'Upload-Length': '3',
            'Upload-Offset': '0',
            'Content-Type': 'application/offset+octet-stream',
          },
          ...(withData ? { body: 'abc' } : {}),
        });
        expect([url.pathname, method, response.status]).toEqual([url.pathname, method, 401]);
        if (method !== 'HEAD') expect(await response.text()).toBe('The access token is missing or wrong.');
      }
    }
    const head = await fetch(upload, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', ...auth } });
    expect([head.status, head.headers.get('upload-offset')]).toEqual([200, '0']);
  });

  it('lets a CORS preflight through without the token', async () => {
    const response = await fetch(server.endpoint, {
      method: 'OPTIONS',
      headers: { Origin: 'http://elsewhere.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('tus-version')).toBe('1.0.0');
  });

  it('accepts an upload with the right token', async () => {
    const data = randomBytes(10_000);
    const result = await tusUpload(
      server.endpoint,
      data,
      { batch: 'ok', relativePath: 'a/b.bin' },
      { headers: { Authorization: 'Bearer s3cret-token' } },
    );
    expect(result.storedPath).toBe('ok/data/a/b.bin');
    expect(sha256(await readFile(path.join(server.uploadDir, 'ok', 'data', 'a', 'b.bin')))).toBe(
      sha256(data),
    );
  });

  it('fails a tus-js-client upload without the token', async () => {
    const attempt = tusUpload(server.endpoint, Buffer.from('x'), { batch: 'no', relativePath: 'x' });
    await expect(attempt).rejects.toThrow(
      /response code: 401, response text: The access token is missing or wrong\./,
    );
    const placed = (await listFiles(server.uploadDir)).filter((file) => !file.startsWith('.partial/'));
    expect(placed).toEqual(['ok/data/a/b.bin']);
  });
});

describe('with a maximum file size', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ maxFileSize: 2048 });
  });
  afterAll(() => server.stop());

  it('answers 413 with the limit in words when the declared length is larger', async () => {
    const response = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'big.bin' },
      { length: 2049 },
    );
    expect(response.status).toBe(413);
    expect(await response.text()).toBe(
      'The file is too large: this receiver accepts files up to 2 KiB (2048 bytes).',
    );
  });

  it('announces the limit in Tus-Max-Size', async () => {
    const response = await fetch(server.endpoint, { method: 'OPTIONS' });
    expect(response.headers.get('tus-max-size')).toBe('2048');
  });

  it('accepts a file of exactly the limit', async () => {
    const result = await tusUpload(server.endpoint, randomBytes(2048), {
      batch: 'b',
      relativePath: 'edge.bin',
    });
    expect(result.storedPath).toBe('b/data/edge.bin');
  });

  it('fails a tus-js-client upload over the limit', async () => {
    const attempt = tusUpload(server.endpoint, randomBytes(4096), { batch: 'b', relativePath: 'over.bin' });
    await expect(attempt).rejects.toThrow(/response code: 413/);
    expect(await listFiles(path.join(server.uploadDir, 'b', 'data'))).toEqual(['edge.bin']);
  });
});

describe('with an origin list set', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ token: 't0ken', allowedOrigins: ['https://portal.example.org'] });
  });
  afterAll(() => server.stop());

  const preflight = (origin: string) =>
    fetch(server.endpoint, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
    });

  it('lets a listed origin read the answers, and names it rather than any origin', async () => {
    const response = await preflight('https://portal.example.org');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://portal.example.org');
    const refused = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'x.jpg' },
      { headers: { Origin: 'https://portal.example.org' } },
    );
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://portal.example.org');
  });

  it('gives another origin no Access-Control-Allow-Origin, so its browser keeps its page from uploading', async () => {
    expect(
      (await preflight('https://elsewhere.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
    const refused = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'x.jpg' },
      { headers: { Origin: 'https://elsewhere.example' } },
    );
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('still takes uploads from the page it serves itself, with the token', async () => {
    const result = await tusUpload(
      server.endpoint,
      randomBytes(1000),
      { batch: 'same', relativePath: 'a.bin' },
      { headers: { Authorization: 'Bearer t0ken' } },
    );
    expect(result.storedPath).toBe('same/data/a.bin');
  });
});
