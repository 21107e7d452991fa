import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AT_ONCE_LIMIT } from '../../server/partial-store.ts';
import { createUpload, serveFresh } from './helpers.ts';

const { disk, partial } = vi.hoisted(() => ({
  disk: { full: false },
  partial: (file: unknown) => String(file).includes('/.partial/'),
}));

// While `disk.full`, partial uploads are opened on /dev/full, where writing fails with a real ENOSPC: small
// bodies are written with synchronous calls once they have arrived, larger ones as they arrive.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    open: (file: string, flags?: string, mode?: number) =>
      disk.full && partial(file) ? real.open('/dev/full', 'w') : real.open(file, flags, mode),
  };
});
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    openSync: (file: string, flags: string, mode?: number) =>
      disk.full && partial(file) ? real.openSync('/dev/full', 'w') : real.openSync(file, flags, mode),
  };
});

const serve = serveFresh();

describe.each([
  { how: 'written at once', size: 1000, sizeText: '1000 bytes' },
  { how: 'streamed, being larger', size: AT_ONCE_LIMIT + 1024 * 1024, sizeText: '2 MiB' },
])('when the disk is full while a file sent whole in its creation request is $how', ({ size, sizeText }) => {
  it('answers 507 with a sentence naming the file, keeps nothing of it and keeps serving', async () => {
    const server = await serve();
    disk.full = true;
    const refused = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'whole.bin' },
      { body: randomBytes(size) },
    ).finally(() => {
      disk.full = false;
    });
    expect(refused.status).toBe(507);
    expect(await refused.text()).toMatch(
      new RegExp(
        `^The receiver's disk is full \\([\\d.]+ (bytes|KiB|MiB|GiB|TiB) free\\), so "b/whole\\.bin" stopped after 0 bytes of ${sizeText}; free space on the receiver, then send the file again\\.$`,
      ),
    );
    expect(server.logs.at(-1)).toMatch(
      new RegExp(
        ` {2}FAILED b/whole\\.bin: the disk is full \\(0 of ${size} bytes written, none kept\\)\\.$`,
      ),
    );
    expect(await readdir(path.join(server.uploadDir, '.partial'))).toEqual([]);

    const next = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'next.bin' },
      { body: randomBytes(size) },
    );
    expect(next.status).toBe(201);
  });
});
