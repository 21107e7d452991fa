import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpload, listFiles, sha256, startTestServer, tusUpload } from './helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** A stored file or folder: `<uploadDir>/<batch>/data/<parts>`. */
const stored = (batch: string, ...parts: string[]) => path.join(server.uploadDir, batch, 'data', ...parts);

describe('the receiver stores uploads at <uploadDir>/<batch>/data/<relativePath>', () => {
  it('keeps a nested path with spaces and non-ASCII letters byte-identical', async () => {
    const data = randomBytes(64 * 1024);
    const result = await tusUpload(server.endpoint, data, {
      batch: 'Käfer 2026',
      relativePath: 'Sammlung Müller/Käfer 01/Käfer 01.jpg',
      filetype: 'image/jpeg',
    });
    expect(result.storedPath).toBe('Käfer 2026/data/Sammlung Müller/Käfer 01/Käfer 01.jpg');
    const content = await readFile(stored('Käfer 2026', 'Sammlung Müller', 'Käfer 01', 'Käfer 01.jpg'));
    expect(sha256(content)).toBe(sha256(data));
  });

  it('does not Unicode-normalise names (a decomposed ü stays decomposed)', async () => {
    const decomposed = 'Mu\u0308ller.txt';
    await tusUpload(server.endpoint, Buffer.from('nfd'), { batch: 'nfd', relativePath: decomposed });
    expect(await readdir(stored('nfd'))).toEqual([decomposed]);
  });

  it('stores a zero-byte file, finishing on the creation request', async () => {
    const result = await tusUpload(server.endpoint, Buffer.alloc(0), {
      batch: 'b',
      relativePath: 'empty/zero.dat',
    });
    expect(result).toEqual({ storedPath: 'b/data/empty/zero.dat', patches: 0 });
    expect((await readFile(stored('b', 'empty', 'zero.dat'))).length).toBe(0);
  });

  it('assembles a 5 MB file sent in 1 MB chunks', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const result = await tusUpload(
      server.endpoint,
      data,
      { batch: 'b', relativePath: 'big/five.bin' },
      { chunkSize: 1024 * 1024 },
    );
    expect(result).toEqual({ storedPath: 'b/data/big/five.bin', patches: 5 });
    expect(sha256(await readFile(stored('b', 'big', 'five.bin')))).toBe(sha256(data));
  });

  it('URI-encodes each segment of the Upload-Stored-Path header', async () => {
    const data = Buffer.from('header');
    const create = await createUpload(
      server.endpoint,
      { batch: 'h', relativePath: 'a b/100%#?.txt' },
      { length: data.length },
    );
    expect(create.status).toBe(201);
    expect(create.headers.get('location')).toMatch(/^\/files\/[0-9a-f]+$/);
    const patch = await fetch(new URL(create.headers.get('location') ?? '', server.url), {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: data,
    });
    expect(patch.status).toBe(204);
    expect(patch.headers.get('upload-stored-path')).toBe('h/data/a%20b/100%25%23%3F.txt');
    expect(patch.headers.get('access-control-expose-headers')).toContain('Upload-Stored-Path');
    expect(await readFile(stored('h', 'a b', '100%#?.txt'), 'utf8')).toBe('header');
  });

  it('logs one line per finished file with time, stored path and size', async () => {
    const before = server.logs.length;
    await tusUpload(server.endpoint, Buffer.from('12345'), { batch: 'log', relativePath: 'x/y.txt' });
    expect(server.logs.slice(before)).toHaveLength(1);
    expect(server.logs.at(-1)).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}log\/data\/x\/y\.txt {2}5 bytes$/,
    );
  });

  it('removes the partial upload and its info file once the file is placed', async () => {
    await tusUpload(server.endpoint, Buffer.from('tidy'), { batch: 'tidy', relativePath: 't.txt' });
    expect(await readdir(path.join(server.uploadDir, '.partial'))).toEqual([]);
  });
});

const longSegment = 'a'.repeat(300);
/** 5000 bytes: 49 folders of 99 letters and a file name of 100, with 49 slashes. */
const longPath = [...Array.from({ length: 49 }, () => 'd'.repeat(99)), 'f'.repeat(100)].join('/');
/** JSON-quoted (so a NUL shows as \\u0000), and shortened to 200 characters, as the receiver shows names. */
const shown = (text: string) => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
/** A test title: long names by their length only. */
const titled = (text: string) =>
  text.length > 60 ? `a ${text.length}-character name` : JSON.stringify(text);

const refusedPaths: [string, string][] = [
  ['../evil.txt', 'a path may not contain "..".'],
  ['/etc/x', 'a path must be relative, not start with a slash.'],
  ['a/../../b', 'a path may not contain "..".'],
  ['C:\\x.jpg', 'a path must be relative, not start with a drive letter.'],
  ['\\\\server\\share\\x.jpg', 'a path must be relative, not start with a slash.'],
  ['a\u0000b.jpg', 'a path may not contain a NUL character.'],
  [
    longSegment,
    `the name "${'a'.repeat(40)}…" is 300 bytes long in UTF-8, more than the 255 bytes a file system allows.`,
  ],
  [longPath, 'the path is 5000 bytes long in UTF-8, more than the 4096 bytes allowed.'],
];

const refusedBatches: [string, string][] = [
  ['../up', 'a batch name is one folder name and may not contain "/" or "\\".'],
  ['..', 'a batch name may not start with a dot.'],
  ['.hidden', 'a batch name may not start with a dot.'],
  ['a\\b', 'a batch name is one folder name and may not contain "/" or "\\".'],
  ['/etc', 'a batch name is one folder name and may not contain "/" or "\\".'],
  ['C:\\x', 'a batch name is one folder name and may not contain "/" or "\\".'],
  ['\\\\server\\x', 'a batch name is one folder name and may not contain "/" or "\\".'],
  ['a\u0000b', 'a batch name may not contain a NUL character.'],
  [
    'b'.repeat(300),
    'the batch name is 300 bytes long in UTF-8, more than the 255 bytes a file system allows.',
  ],
];

describe('the receiver refuses bad metadata on creation with 400 and one sentence', () => {
  it.each(refusedPaths.map(([input, reason]) => [titled(input), input, reason] as const))(
    'refuses the relative path %s',
    async (_title, relativePath, reason) => {
      const response = await createUpload(server.endpoint, { batch: 'safe', relativePath });
      expect(response.status).toBe(400);
      expect(await response.text()).toBe(`Refused ${shown(relativePath)}: ${reason}`);
    },
  );

  it.each(refusedBatches.map(([input, reason]) => [titled(input), input, reason] as const))(
    'refuses the batch name %s',
    async (_title, batch, reason) => {
      const response = await createUpload(server.endpoint, { batch, relativePath: 'ok.jpg' });
      expect(response.status).toBe(400);
      expect(await response.text()).toBe(`Refused the batch name ${shown(batch)}: ${reason}`);
    },
  );

  it.each([
    ['relativePath', { batch: 'b' }],
    ['batch', { relativePath: 'ok.jpg' }],
    ['relativePath', {}],
  ])('refuses an upload without %s metadata', async (missing, metadata) => {
    const response = await createUpload(server.endpoint, metadata);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(new RegExp(`^The upload has no "${missing}" metadata, .*\\.$`));
  });

  it('writes nothing outside the upload folder, nor anything in it but the empty .partial, for refused uploads', async () => {
    const fresh = await startTestServer();
    try {
      const refused = [
        ...refusedPaths.map(([relativePath]) => ({ batch: 'safe', relativePath })),
        ...refusedBatches.map(([batch]) => ({ batch, relativePath: 'ok.jpg' })),
      ];
      for (const metadata of refused) {
        const created = await createUpload(fresh.endpoint, metadata, { body: Buffer.from('abc') });
        expect([metadata, created.status]).toEqual([metadata, 400]);
      }
      expect(await readdir(fresh.root)).toEqual(['uploads']);
      expect(await readdir(fresh.uploadDir)).toEqual(['.partial']);
      expect(await listFiles(fresh.root)).toEqual([]);
    } finally {
      await fresh.stop();
    }
  });

  it('refuses a tus-js-client upload with the sentence in the error', async () => {
    const attempt = tusUpload(server.endpoint, Buffer.from('x'), { batch: 'b', relativePath: '../x.jpg' });
    await expect(attempt).rejects.toThrow(/response code: 400, response text: Refused "\.\.\/x\.jpg"/);
  });
});

describe('a file whose path is already taken', () => {
  const a = Buffer.from('first content');
  const b = Buffer.from('second, different content');
  const upload = (data: Buffer) =>
    tusUpload(server.endpoint, data, { batch: 'clash', relativePath: 'dir/name.ome.tif' });

  it('is stored as "name (2).ext" when the content differs, and kept once when identical', async () => {
    expect((await upload(a)).storedPath).toBe('clash/data/dir/name.ome.tif');
    expect((await upload(b)).storedPath).toBe('clash/data/dir/name (2).ome.tif');
    expect((await upload(a)).storedPath).toBe('clash/data/dir/name.ome.tif');
    expect((await upload(b)).storedPath).toBe('clash/data/dir/name (2).ome.tif');
    expect(await listFiles(stored('clash'))).toEqual(['dir/name (2).ome.tif', 'dir/name.ome.tif']);
    expect(await readFile(stored('clash', 'dir', 'name.ome.tif'), 'utf8')).toBe('first content');
    expect(await readFile(stored('clash', 'dir', 'name (2).ome.tif'), 'utf8')).toBe(
      'second, different content',
    );
    const lines = server.logs.filter((line) => line.includes('clash/data/dir/'));
    expect(lines.map((line) => line.replace(/^\S+ {2}/, ''))).toEqual([
      'clash/data/dir/name.ome.tif  13 bytes',
      'clash/data/dir/name (2).ome.tif  25 bytes  (renamed: a different file is already stored as "clash/data/dir/name.ome.tif")',
      'clash/data/dir/name.ome.tif  13 bytes  (identical, kept existing)',
      'clash/data/dir/name (2).ome.tif  25 bytes  (identical, kept existing)',
    ]);
  });

  it('counts on to "name (3).ext" for a third different content', async () => {
    const c = Buffer.from('third');
    expect((await upload(c)).storedPath).toBe('clash/data/dir/name (3).ome.tif');
  });

  it('answers 409 with a sentence when a stored file is in the way of a folder', async () => {
    await tusUpload(server.endpoint, Buffer.from('file'), { batch: 'way', relativePath: 'blocker' });
    const attempt = tusUpload(server.endpoint, Buffer.from('x'), {
      batch: 'way',
      relativePath: 'blocker/x.txt',
    });
    await expect(attempt).rejects.toThrow(
      'response code: 409, response text: The receiver could not store "way/blocker/x.txt": a file already stored there has the name of a folder on this path.',
    );
    expect(await readdir(path.join(server.uploadDir, '.partial'))).toEqual([]);
  });
});
