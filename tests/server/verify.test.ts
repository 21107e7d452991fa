import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpload, listFiles, sha256, startTestServer, tusUpload } from './helpers.ts';

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
    expect([one.storedPath, chunked.storedPath]).toEqual(['v/one.bin', 'v/chunked.bin']);
    expect(await listFiles(path.join(server.uploadDir, 'v'))).toEqual(['chunked.bin', 'one.bin']);
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
    expect(await listFiles(server.uploadDir)).not.toContain('w/a/bad.bin');
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
