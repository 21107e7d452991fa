import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readDirectPatch } from '../../server/direct-patch.ts';
import {
  createUpload,
  directAndTusUploads,
  newUpload,
  openPatch,
  patchUpload,
  serveFresh,
  sha256,
  uploadUrl,
} from './helpers.ts';

const serve = serveFresh();

const offsetOf = async (url: URL) =>
  (await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })).headers.get('upload-offset');

/** The headers of a PATCH answer that a client reads. */
const PATCH_ANSWER_HEADERS = [
  'tus-resumable',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'upload-offset',
  'upload-expires',
  'upload-stored-path',
  'upload-verified',
];
const answerHeaders = (response: Response) =>
  Object.fromEntries(PATCH_ANSWER_HEADERS.map((name) => [name, response.headers.get(name)]));

const open: http.ClientRequest[] = [];
afterEach(() => {
  for (const request of open.splice(0)) request.destroy();
});

describe("the receiver's own PATCH (the body read straight from Node's request)", () => {
  it('answers as tus does: the same headers for a PATCH that goes on and for the one that finishes', async () => {
    const server = await serve();
    const data = randomBytes(300_000);
    const answers = [];
    for (const { url, headers } of await directAndTusUploads(server, 'p', data)) {
      const first = await patchUpload(url, data.subarray(0, 100_000), { headers });
      const last = await patchUpload(url, data.subarray(100_000), { offset: 100_000, headers });
      answers.push({
        first: [first.status, answerHeaders(first)],
        last: [last.status, answerHeaders(last)],
      });
    }
    const [direct, tus] = answers;
    expect(direct?.first[0]).toBe(204);
    expect(direct?.first).toEqual(tus?.first);
    expect(direct?.last).toEqual([
      tus?.last[0],
      { ...(tus?.last[1] as object), 'upload-stored-path': 'p/data/direct.bin' },
    ]);
    expect(tus?.last[1]).toMatchObject({
      'upload-stored-path': 'p/data/tus.bin',
      'upload-verified': 'sha-256',
    });
  });

  it('keeps what arrived when the sender goes away halfway, and the upload resumes from there', async () => {
    const server = await serve();
    const data = randomBytes(3_000_000);
    const url = await newUpload(server, 'p', 'cut.bin', data);
    const { request } = openPatch(url, 0, data.length);
    open.push(request);
    request.on('error', () => undefined);
    request.write(data.subarray(0, 1_000_000));
    await expect.poll(() => offsetOf(url)).toBe('1000000');
    request.destroy();

    const rest = await patchUpload(url, data.subarray(1_000_000), { offset: 1_000_000 });
    expect(rest.status).toBe(204);
    expect(rest.headers.get('upload-verified')).toBe('sha-256');
    expect(sha256(await readFile(path.join(server.uploadDir, 'p/data/cut.bin')))).toBe(sha256(data));
  });

  it('gives the upload to its sender coming back on a new connection: the stalled request stops and keeps what it wrote', async () => {
    const server = await serve();
    const data = randomBytes(2_000_000);
    const url = uploadUrl(
      await createUpload(
        server.endpoint,
        { batch: 'p', relativePath: 'stalled.bin' },
        { length: data.length },
      ),
      server,
    );
    const stalled = openPatch(url, 0, data.length);
    open.push(stalled.request);
    stalled.request.write(data.subarray(0, 500_000));
    await expect.poll(() => offsetOf(url)).toBe('500000');

    // The same sender, on a new connection, after asking for the offset as tus clients do.
    const rest = await patchUpload(url, data.subarray(500_000), { offset: 500_000 });
    expect(rest.status).toBe(204);
    expect(rest.headers.get('upload-stored-path')).toBe('p/data/stalled.bin');
    // The stalled request was cut off, not answered as if it had finished.
    expect(await stalled.answered).toBeUndefined();
    expect(sha256(await readFile(path.join(server.uploadDir, 'p/data/stalled.bin')))).toBe(sha256(data));
  });

  it('refuses a wrong offset (409), an unknown upload (404) and a body past the end (413), changing nothing', async () => {
    const server = await serve();
    const data = randomBytes(1000);
    const url = uploadUrl(
      await createUpload(server.endpoint, { batch: 'p', relativePath: 'r.bin' }, { length: data.length }),
      server,
    );
    expect((await patchUpload(url, data.subarray(0, 400))).status).toBe(204);
    const wrong = await patchUpload(url, data.subarray(0, 100), { offset: 0 });
    expect(wrong.status).toBe(409);
    expect(await wrong.text()).toContain('Upload-Offset');
    const unknown = await patchUpload(new URL('0123456789abcdef0123456789abcdef', url), data, { offset: 0 });
    expect(unknown.status).toBe(404);
    const past = await patchUpload(url, randomBytes(700), { offset: 400 });
    expect(past.status).toBe(413);
    expect(await offsetOf(url)).toBe('400');
    const partial = path.join(server.uploadDir, '.partial', path.basename(url.pathname));
    expect((await stat(partial)).size).toBe(400);
    expect((await patchUpload(url, data.subarray(400), { offset: 400 })).status).toBe(204);
    expect(sha256(await readFile(path.join(server.uploadDir, 'p/data/r.bin')))).toBe(sha256(data));
  });

  it('leaves to tus what only tus handles: the length of an upload created without one', async () => {
    const server = await serve();
    const data = randomBytes(5000);
    const created = await fetch(server.endpoint, {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Defer-Length': '1',
        'Upload-Metadata': `batch ${btoa('p')},relativePath ${btoa('deferred.bin')}`,
      },
    });
    expect(created.status).toBe(201);
    const url = uploadUrl(created, server);
    expect((await patchUpload(url, data.subarray(0, 2000))).status).toBe(204);
    const last = await patchUpload(url, data.subarray(2000), {
      offset: 2000,
      headers: { 'Upload-Length': String(data.length) },
    });
    expect(last.status).toBe(204);
    expect(sha256(await readFile(path.join(server.uploadDir, 'p/data/deferred.bin')))).toBe(sha256(data));
  });
});

describe('which PATCH requests the receiver reads itself', () => {
  const TUS = {
    'tus-resumable': '1.0.0',
    'content-type': 'application/offset+octet-stream',
    'upload-offset': '1024',
    'content-length': '2048',
  };
  const read = (headers: Record<string, string>, url = '/files/abc123', method = 'PATCH') =>
    readDirectPatch({ method, url, headers } as unknown as http.IncomingMessage);

  it('takes a plain tus PATCH with its length, and decodes the upload id', () => {
    expect(read(TUS)).toEqual({ id: 'abc123', offset: 1024, length: 2048 });
    expect(read(TUS, '/files/a%2Db/')).toEqual({ id: 'a-b', offset: 1024, length: 2048 });
    expect(read({ ...TUS, 'upload-checksum': 'sha1 abc=', 'x-forwarded-proto': 'https' })).toMatchObject({
      id: 'abc123',
    });
  });

  it.each([
    ['another method', TUS, '/files/abc123', 'POST'],
    ['another path', TUS, '/elsewhere/abc123', 'PATCH'],
    ['a nested path', TUS, '/files/abc/123', 'PATCH'],
    ['no length (chunked)', { ...TUS, 'content-length': undefined }, '/files/abc123', 'PATCH'],
    ['another tus version', { ...TUS, 'tus-resumable': '0.2.2' }, '/files/abc123', 'PATCH'],
    ['another content type', { ...TUS, 'content-type': 'text/plain' }, '/files/abc123', 'PATCH'],
    ['an offset not written plainly', { ...TUS, 'upload-offset': '-1' }, '/files/abc123', 'PATCH'],
    ['an Upload-Length (deferred length)', { ...TUS, 'upload-length': '9000' }, '/files/abc123', 'PATCH'],
    ['a method override', { ...TUS, 'x-http-method-override': 'DELETE' }, '/files/abc123', 'PATCH'],
    ['an odd X-Forwarded-Proto', { ...TUS, 'x-forwarded-proto': 'ftp' }, '/files/abc123', 'PATCH'],
    ['a malformed id', TUS, '/files/%E0%A4%A', 'PATCH'],
  ] as const)('leaves to tus a request with %s', (_, headers, url, method) => {
    expect(read(headers as Record<string, string>, url, method)).toBeUndefined();
  });
});
