import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUpload, patchUpload, sha256, serveFresh, tusUpload, uploadUrl } from './helpers.ts';

const serve = serveFresh();

/** More than any test machine has free, so every upload eats into the reserve. */
const HUGE_RESERVE = 2 ** 52;
const head = (url: URL) => fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });

describe('with less free space than MIN_FREE_SPACE asks to keep', () => {
  it('refuses a creation with 507 and a sentence saying what is free and what is needed', async () => {
    const server = await serve({ minFreeSpace: HUGE_RESERVE });
    const response = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'big.tif' },
      { length: 3 * 2 ** 20 },
    );
    expect(response.status).toBe(507);
    expect(await response.text()).toMatch(
      /^The receiver's disk has [\d.]+ (bytes|KiB|MiB|GiB|TiB) free and keeps 4096 TiB of it in reserve, but "b\/big\.tif" needs 3 MiB; free space on the receiver \(or lower its MIN_FREE_SPACE\), then send the file again\.$/,
    );
    expect(await readdir(path.join(server.uploadDir, '.partial'))).toEqual([]);
    expect(server.logs.at(-1)).toMatch(
      / {2}REFUSED b\/big\.tif: needs 3145728 bytes, \d+ free, \d+ kept in reserve$/,
    );
  });

  it('fails a tus-js-client upload with that 507', async () => {
    const server = await serve({ minFreeSpace: HUGE_RESERVE });
    const attempt = tusUpload(server.endpoint, randomBytes(100), { batch: 'b', relativePath: 'a.bin' });
    await expect(attempt).rejects.toThrow(/response code: 507, response text: The receiver's disk has /);
  });

  it('still takes a zero-byte file, which needs no space', async () => {
    const server = await serve({ minFreeSpace: HUGE_RESERVE });
    const result = await tusUpload(server.endpoint, Buffer.alloc(0), { batch: 'b', relativePath: 'empty' });
    expect(result.storedPath).toBe('b/data/empty');
  });

  it('refuses a PATCH whose rest does not fit any more, and keeps the upload for later', async () => {
    // Two receivers on one folder: the first creates the upload, the second has the reserve the disk cannot give.
    const roomy = await serve();
    const cramped = await serve({ uploadDir: roomy.uploadDir, minFreeSpace: HUGE_RESERVE });
    const data = randomBytes(1000);
    const created = await createUpload(
      roomy.endpoint,
      { batch: 'b', relativePath: 'later.bin' },
      { length: 1000 },
    );
    const id = created.headers.get('location')?.split('/').pop() ?? '';

    const refused = await patchUpload(new URL(`files/${id}`, cramped.url), data);
    expect(refused.status).toBe(507);
    expect(await refused.text()).toMatch(
      /, but "b\/later\.bin" still needs 1000 bytes; free space on the receiver \(or lower its MIN_FREE_SPACE\), then resume the upload\.$/,
    );

    const resumed = await patchUpload(uploadUrl(created, roomy), data);
    expect(resumed.status).toBe(204);
    expect(sha256(await readFile(path.join(roomy.uploadDir, 'b', 'data', 'later.bin')))).toBe(sha256(data));
  });

  it('does not check when MIN_FREE_SPACE is 0', async () => {
    const server = await serve({ minFreeSpace: 0 });
    const result = await tusUpload(server.endpoint, randomBytes(100), { batch: 'b', relativePath: 'ok.bin' });
    expect(result.storedPath).toBe('b/data/ok.bin');
  });
});

describe('when the disk fills up while an upload is written', () => {
  it('answers the PATCH with 507 and a sentence, keeps the upload, and lets it resume once there is space', async () => {
    const server = await serve();
    const data = randomBytes(1000);
    const created = await createUpload(
      server.endpoint,
      { batch: 'b', relativePath: 'full.bin' },
      { length: 1000 },
    );
    const url = uploadUrl(created, server);
    const partial = path.join(server.uploadDir, '.partial', url.pathname.split('/').pop() ?? '');
    // Writing to /dev/full fails with a real ENOSPC from the kernel, as a full disk does.
    await rm(partial);
    await symlink('/dev/full', partial);

    const refused = await patchUpload(url, data);
    expect(refused.status).toBe(507);
    expect(await refused.text()).toMatch(
      /^The receiver's disk is full \([\d.]+ (bytes|KiB|MiB|GiB|TiB) free\), so "b\/full\.bin" stopped after 0 bytes of 1000 bytes; free space on the receiver, then resume the upload, which keeps what has arrived\.$/,
    );
    expect(server.logs.at(-1)).toMatch(
      / {2}FAILED b\/full\.bin: the disk is full \(0 of 1000 bytes kept\)\.$/,
    );
    expect((await head(url)).status).toBe(200);

    // Space is freed: the partial file is an ordinary file again.
    await rm(partial);
    await writeFile(partial, '');
    expect((await head(url)).headers.get('upload-offset')).toBe('0');
    const resumed = await patchUpload(url, data);
    expect(resumed.status).toBe(204);
    expect(resumed.headers.get('upload-stored-path')).toBe('b/data/full.bin');
    expect(sha256(await readFile(path.join(server.uploadDir, 'b', 'data', 'full.bin')))).toBe(sha256(data));
  });
});
