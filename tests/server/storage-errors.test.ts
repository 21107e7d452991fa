import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, tusUpload } from './helpers.ts';

// Pretend the disk is full for any destination whose name contains "full-disk".
const { full, enospc } = vi.hoisted(() => ({
  full: (destination: unknown) => String(destination).includes('full-disk'),
  enospc: () => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }),
}));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    linkSync: (source: string, destination: string) => {
      if (full(destination)) throw enospc();
      real.linkSync(source, destination);
    },
  };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    copyFile: async (source: string, destination: string, mode?: number) => {
      if (full(destination)) throw enospc();
      return real.copyFile(source, destination, mode);
    },
  };
});

describe('when the disk is full while placing a file', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('answers 507 with a sentence, drops the partial upload and keeps serving', async () => {
    const attempt = tusUpload(server.endpoint, Buffer.from('data'), {
      batch: 'b',
      relativePath: 'full-disk.bin',
    });
    await expect(attempt).rejects.toThrow(
      'response code: 507, response text: The receiver could not store "b/full-disk.bin": the disk is full.',
    );
    expect(await readdir(path.join(server.uploadDir, '.partial'))).toEqual([]);
    expect(server.logs.at(-1)).toMatch(/ {2}FAILED b\/full-disk\.bin: the disk is full\.$/);

    const next = await tusUpload(server.endpoint, Buffer.from('fine'), {
      batch: 'b',
      relativePath: 'fine.bin',
    });
    expect(next.storedPath).toBe('b/data/fine.bin');
  });
});
