import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createUpload, serveFresh } from './helpers.ts';

const disk = vi.hoisted(() => ({ full: false }));

// While `disk.full`, partial uploads are opened on /dev/full, where writing fails with a real ENOSPC.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const partial = (file: unknown) => String(file).includes(`${path.sep}.partial${path.sep}`);
  return {
    ...real,
    open: (file: string, flags?: string, mode?: number) =>
      disk.full && partial(file) ? real.open('/dev/full', 'w') : real.open(file, flags, mode),
  };
});

const serve = serveFresh();

describe('when the disk is full while a file sent whole in its creation request is written', () => {
  it('answers 507 with a sentence naming the file, keeps nothing of it and keeps serving', async () => {
    const server = await serve();
    disk.full = true;
    const refused = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'whole.bin' },
      { body: randomBytes(1000) },
    ).finally(() => {
      disk.full = false;
    });
    expect(refused.status).toBe(507);
    expect(await refused.text()).toMatch(
      /^The receiver's disk is full \([\d.]+ (bytes|KiB|MiB|GiB|TiB) free\), so "b\/whole\.bin" stopped after 0 bytes of 1000 bytes; free space on the receiver, then send the file again\.$/,
    );
    expect(server.logs.at(-1)).toMatch(
      / {2}FAILED b\/whole\.bin: the disk is full \(0 of 1000 bytes written, none kept\)\.$/,
    );
    expect(await readdir(path.join(server.uploadDir, '.partial'))).toEqual([]);

    const next = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'next.bin' },
      { body: randomBytes(1000) },
    );
    expect(next.status).toBe(201);
  });
});
