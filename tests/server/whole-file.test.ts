import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AT_ONCE_LIMIT } from '../../server/partial-store.ts';
import { REPR_DIGEST_HEADER } from '#core/protocol';
import {
  createUpload,
  listFiles,
  makeTempDir,
  patchUpload,
  reprDigest,
  serveFresh,
  sha256,
  uploadUrl,
} from './helpers.ts';

// A file sent whole in its creation POST is taken apart from tus, more cheaply; these tests hold it to what tus does.

const serve = serveFresh();
const ORIGIN = 'https://portal.example.org';
const partials = (server: { uploadDir: string }) => readdir(path.join(server.uploadDir, '.partial'));

/** A creation request that will carry a whole file of `length` bytes, left open for the test to write to. */
const sendWhole = (server: { endpoint: string }, relativePath: string, length: number) =>
  http.request(new URL(server.endpoint), {
    method: 'POST',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(length),
      'Content-Length': String(length),
      'Content-Type': 'application/offset+octet-stream',
      'Upload-Metadata': `batch ${btoa('b')},relativePath ${btoa(relativePath)}`,
    },
  });

/** The headers of a tus answer that a client reads. */
const TUS_ANSWER_HEADERS = [
  'tus-resumable',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'upload-offset',
  'upload-stored-path',
  'upload-verified',
];
const answerHeaders = (response: Response) =>
  Object.fromEntries(TUS_ANSWER_HEADERS.map((name) => [name, response.headers.get(name)]));

describe('a file sent whole in its creation request', () => {
  it('is stored byte-identical, leaves nothing in .partial, and is answered as tus answers a file sent in two requests', async () => {
    const server = await serve({ allowedOrigins: [ORIGIN] });
    const data = randomBytes(100_000);
    const headers = { Origin: ORIGIN, [REPR_DIGEST_HEADER]: reprDigest(data, ['sha-256', 'md5']) };
    const metadata = { batch: 'w', relativePath: 'a b/whole.tif' };

    const started = await createUpload(server.endpoint, metadata, {
      length: data.length,
      body: data.subarray(0, 40_000),
      headers: { Origin: ORIGIN },
    });
    expect([started.status, started.headers.get('upload-offset')]).toEqual([201, '40000']);
    const patched = await patchUpload(uploadUrl(started, server), data.subarray(40_000), {
      offset: 40_000,
      headers,
    });
    expect(patched.status).toBe(204);

    // The same bytes to the same path: kept once, so both answers name the same stored file.
    const whole = await createUpload(server.endpoint, metadata, { body: data, headers });
    expect(whole.status).toBe(201);
    expect(answerHeaders(whole)).toEqual(answerHeaders(patched));
    expect(answerHeaders(whole)).toMatchObject({
      'access-control-allow-origin': ORIGIN,
      'upload-offset': '100000',
      'upload-stored-path': 'w/data/a%20b/whole.tif',
      'upload-verified': 'sha-256, md5',
    });
    expect(whole.headers.get('access-control-expose-headers')).toContain('Upload-Stored-Path');
    // Its empty body has a length, so the answer is not sent chunked (its end in a write of its own).
    expect([whole.headers.get('content-length'), whole.headers.get('transfer-encoding')]).toEqual([
      '0',
      null,
    ]);
    for (const created of [started, whole]) {
      expect(created.headers.get('location')).toMatch(/^\/files\/[0-9a-f]{32}$/);
    }
    expect(sha256(await readFile(path.join(server.uploadDir, 'w', 'data', 'a b', 'whole.tif')))).toBe(
      sha256(data),
    );
    expect(await partials(server)).toEqual([]);
    expect(server.logs.map((line) => line.replace(/^\S+ {2}/, ''))).toEqual([
      'w/data/a b/whole.tif  100000 bytes  (verified sha-256, md5)',
      'w/data/a b/whole.tif  100000 bytes  (verified sha-256, md5)  (identical, kept existing)',
    ]);
  });

  it('answers a HEAD on its Location with the full offset, as for a file that went through tus', async () => {
    const server = await serve();
    const data = randomBytes(5000);
    const created = await createUpload(
      server.endpoint,
      { batch: 'h', relativePath: 'h.bin' },
      { body: data },
    );
    const head = await fetch(uploadUrl(created, server), {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    });
    expect([head.status, head.headers.get('upload-offset'), head.headers.get('upload-length')]).toEqual([
      200,
      '5000',
      '5000',
    ]);
  });

  it('is refused with 460 when its bytes differ from its Repr-Digest, and nothing of it is kept', async () => {
    const server = await serve();
    const data = randomBytes(20_000);
    const other = Buffer.from('other bytes');
    const response = await createUpload(
      server.endpoint,
      { batch: 'm', relativePath: 'bad.bin' },
      { body: data, headers: { [REPR_DIGEST_HEADER]: reprDigest(other) } },
    );
    expect(response.status).toBe(460);
    expect(await response.text()).toBe(
      `"m/bad.bin" arrived with other bytes than were sent (its SHA-256 is ${sha256(data)}, the sender announced ${sha256(other)}), so it was not stored; send it again.`,
    );
    expect(await listFiles(server.uploadDir)).toEqual([]);
    expect(server.logs.at(-1)).toMatch(
      / {2}REFUSED m\/bad\.bin: SHA-256 [0-9a-f]{64}, announced [0-9a-f]{64}$/,
    );
  });

  it.each([
    ['a path that leaves its batch', { batch: 'b', relativePath: '../x.jpg' }, {}],
    ['no batch', { relativePath: 'x.jpg' }, {}],
    [
      'a malformed Repr-Digest',
      { batch: 'b', relativePath: 'x.jpg' },
      { [REPR_DIGEST_HEADER]: 'sha-256=:AAAA:' },
    ],
    ['a malformed sha256 metadata', { batch: 'b', relativePath: 'x.jpg', sha256: 'abc' }, {}],
  ])('with %s is refused as tus refuses the same creation without data', async (_what, metadata, headers) => {
    const server = await serve({ allowedOrigins: [ORIGIN] });
    const sent = { ...headers, Origin: ORIGIN };
    const viaTus = await createUpload(server.endpoint, metadata, { headers: sent });
    const whole = await createUpload(server.endpoint, metadata, { body: Buffer.from('abc'), headers: sent });
    expect(viaTus.status).toBe(400);
    expect([whole.status, answerHeaders(whole), await whole.text()]).toEqual([
      viaTus.status,
      answerHeaders(viaTus),
      await viaTus.text(),
    ]);
    expect(await listFiles(server.uploadDir)).toEqual([]);
  });

  it('is refused with 413 and the limit in words when larger than MAX_FILE_SIZE, and taken at the limit', async () => {
    const server = await serve({ maxFileSize: 2048 });
    const over = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'over.bin' },
      { body: randomBytes(2049) },
    );
    expect(over.status).toBe(413);
    expect(await over.text()).toBe(
      'The file is too large: this receiver accepts files up to 2 KiB (2048 bytes).',
    );
    const edge = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'edge.bin' },
      { body: randomBytes(2048) },
    );
    expect(edge.status).toBe(201);
    expect(await listFiles(server.uploadDir)).toEqual(['b/data/edge.bin']);
  });

  it('is held until all of it has arrived when small, and forgotten when the client goes away halfway', async () => {
    const server = await serve();
    const data = randomBytes(200_000);
    const request = sendWhole(server, 'small.bin', data.length);
    const closed = new Promise((resolve) => request.on('close', resolve));
    request.on('error', () => undefined);
    request.write(data.subarray(0, 100_000));
    // Give the receiver time to take what was sent; it writes nothing before the rest.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await partials(server)).toEqual([]);
    request.destroy();
    await closed;

    const next = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'next.bin' },
      { body: data },
    );
    expect(next.status).toBe(201);
    expect(await partials(server)).toEqual([]);
    expect(await listFiles(server.uploadDir)).toEqual(['b/data/next.bin']);
    expect(server.logs).toHaveLength(1);
  });

  it('is written as it arrives without an info file when large, and removed when the client goes away halfway', async () => {
    const server = await serve();
    const data = randomBytes(AT_ONCE_LIMIT + 200_000);
    const half = Math.floor(data.length / 2);
    const request = sendWhole(server, 'gone.bin', data.length);
    request.on('error', () => undefined);
    request.write(data.subarray(0, half));
    // Half the body is on disk while the request is open: the body is streamed, not gathered first.
    await expect.poll(() => partials(server)).toHaveLength(1);
    const [partial = ''] = await partials(server);
    expect(partial).toMatch(/^[0-9a-f]{32}$/);
    const partialFile = path.join(server.uploadDir, '.partial', partial);
    await expect.poll(async () => (await stat(partialFile)).size).toBe(half);

    request.destroy();
    await expect.poll(() => partials(server)).toEqual([]);
    expect(await listFiles(server.uploadDir)).toEqual([]);
    expect(server.logs).toEqual([]);

    const next = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'next.bin' },
      { body: data },
    );
    expect(next.status).toBe(201);
    expect(await listFiles(server.uploadDir)).toEqual(['b/data/next.bin']);
  });

  it('cut off by a crash leaves a data file without info file, which the next start removes; resumable uploads stay', async () => {
    const temp = await makeTempDir();
    try {
      const uploadDir = path.join(temp.dir, 'uploads');
      const partialDir = path.join(uploadDir, '.partial');
      await mkdir(partialDir, { recursive: true });
      await writeFile(path.join(partialDir, 'cut0ff'), 'half a file');
      await writeFile(path.join(partialDir, 'resumable'), 'the first chunk');
      await writeFile(path.join(partialDir, 'resumable.json'), '{}');
      const server = await serve({ uploadDir });
      expect((await readdir(partialDir)).sort()).toEqual(['resumable', 'resumable.json']);
      expect(server.logs.join('\n')).toMatch(/REMOVED 1 partial file of uploads cut off/);
    } finally {
      await temp.remove();
    }
  });
});
