import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUpload, serveFresh, tusUpload } from './helpers.ts';

const serve = serveFresh();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function idOf(created: Response): Promise<string> {
  expect(created.status).toBe(201);
  return created.headers.get('location')?.split('/').pop() ?? '';
}

describe('a receiver whose unfinished uploads expire', () => {
  it('still stores a file sent whole in its creation request, and a chunked one', async () => {
    const server = await serve({ partialExpiry: 7 * 24 * 3600_000 });
    const whole = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'whole.txt' },
      { body: Buffer.from('hello') },
    );
    expect(whole.status).toBe(201);
    expect(whole.headers.get('upload-stored-path')).toBe('b/data/whole.txt');
    const chunked = await tusUpload(
      server.endpoint,
      Buffer.alloc(3000, 7),
      { batch: 'b', relativePath: 'c.bin' },
      { chunkSize: 1000 },
    );
    expect(chunked.storedPath).toBe('b/data/c.bin');
    expect(await readdir(path.join(server.uploadDir, '.partial'))).toEqual([]);
  });
});

describe('unfinished uploads older than PARTIAL_EXPIRY', () => {
  it('are removed when a receiver starts, while younger ones stay', async () => {
    const first = await serve();
    const partialDir = path.join(first.uploadDir, '.partial');
    const old = await idOf(await createUpload(first.endpoint, { batch: 'b', relativePath: 'old.bin' }));
    await sleep(2200);
    const fresh = await idOf(await createUpload(first.endpoint, { batch: 'b', relativePath: 'fresh.bin' }));
    expect((await readdir(partialDir)).sort()).toEqual([old, `${old}.json`, fresh, `${fresh}.json`].sort());

    const restarted = await serve({ uploadDir: first.uploadDir, partialExpiry: 2000 });
    await expect.poll(() => readdir(partialDir), { timeout: 5000 }).not.toContain(old);
    expect((await readdir(partialDir)).sort()).toEqual([fresh, `${fresh}.json`].sort());
    expect(restarted.logs).toEqual([
      expect.stringMatching(
        / {2}EXPIRED 1 unfinished upload started over 2 seconds ago, removed from .*\.partial$/,
      ),
    ]);

    const head = (id: string) =>
      fetch(new URL(`files/${id}`, restarted.url), { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
    expect((await head(old)).status).toBe(404);
    expect((await head(fresh)).status).toBe(200);
  });
  it('are removed later by a running receiver, which looks for them again at least every expiry period', async () => {
    const server = await serve({ partialExpiry: 1500 });
    const id = await idOf(await createUpload(server.endpoint, { batch: 'b', relativePath: 'idle.bin' }));
    const partialDir = path.join(server.uploadDir, '.partial');
    expect(await readdir(partialDir)).toContain(id);
    await expect.poll(() => readdir(partialDir), { timeout: 6000, interval: 200 }).toEqual([]);
  });
});
