/**
 * The configured endpoint works with standard tus servers and proxies, not only ours: the official @tus/server
 * with @tus/file-store and default options, that server behind Debian's nginx with its default 1 MiB body limit,
 * and our own receiver behind that nginx. Each is on another origin than the page. Every file (10 KB, 3 MB, over
 * 64 MiB, an empty one, a Unicode name) arrives byte-identical and once, and the page says complete.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import Papa from 'papaparse';
import { BY_FAST_DIGEST } from '#core/filelists/common';
import { storedPathFor } from '#core/protocol';
import { listFiles, sha256File, test, expect } from './test.ts';
import {
  nginxLog,
  readFileStore,
  startChecksumTus,
  startDamagingProxy,
  startNginx,
  startOfficialTus,
  type OtherServer,
} from './other-servers.ts';
import { expectEveryFileIn } from './upload-journey.ts';

interface Made {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

const BIG = 'scans/whole sheet.tif';
const FILES: readonly { readonly path: string; readonly size: number }[] = [
  { path: 'notes.txt', size: 10_000 },
  { path: 'plates/plate-3mb.tif', size: 3_000_000 },
  { path: BIG, size: 66 * 1024 * 1024 + 321 },
  { path: 'empty.dat', size: 0 },
  { path: 'Sammlung Müller/Käfer – 標本 №1.jpg', size: 20_000 },
];

/** Writes the folder (random bytes, so a shifted or repeated piece changes the checksum). */
async function makeFolder(scratch: string, wanted = FILES): Promise<{ folder: string; files: Made[] }> {
  const folder = path.join(scratch, 'Sammlung anytus');
  const files: Made[] = [];
  for (const file of wanted) {
    const target = path.join(folder, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    const bytes = randomBytes(file.size);
    await writeFile(target, bytes);
    files.push({ ...file, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return { folder, files };
}

type When = 'before checksums' | 'after checksums';

async function open(page: Page, url: string): Promise<void> {
  await page.addInitScript(() => {
    // Headless Chromium has no save dialog to answer: downloads take the link path.
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  await page.goto(url);
}

/**
 * Picks the folder, lets the empty file go on purpose, points the upload at `endpoint` and presses Start before
 * or after the background checksums are known. Returns the creation requests the page sent, by file name.
 */
async function upload(
  page: Page,
  folder: string,
  endpoint: string,
  when: When,
  count = FILES.length,
): Promise<Map<string, string>> {
  const creations = new Map<string, string>();
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().startsWith(endpoint)) return;
    const metadata = request.headers()['upload-metadata'] ?? '';
    const name = readMetadata(metadata)['relativePath'];
    if (name !== undefined) creations.set(name, metadata);
  });
  await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
  await page.getByLabel('Upload endpoint').fill(endpoint);
  if (when === 'before checksums') await pressStartOnceChecked(page);
  await page.getByTestId('folder-input').setInputFiles(folder);
  const check = page.getByRole('region', { name: 'Check', exact: true });
  await expect(check).toContainText('Checked against Custom pattern: ');
  // The empty file is an error for the check; it goes on purpose.
  await expect(check).toContainText('1 error');
  if (when === 'after checksums') {
    await page.getByLabel('Upload files with errors too').check();
    await expect(page.getByRole('region', { name: 'Checksums' })).toContainText(
      `computed for all ${count} files`,
      { timeout: 60_000 },
    );
    await page.getByRole('button', { name: 'Start upload' }).click();
  }
  await expectEveryFileIn(page);
  await expect(page.getByRole('status')).toHaveText(new RegExp(`Upload complete: ${count} files`));
  await expect(page.getByRole('region', { name: 'Failed files' })).toHaveCount(0);
  return creations;
}

/**
 * Lets the files with errors (the empty file) go and presses Start upload in the page itself, the moment the check
 * allows it: the background checksums, which begin at the same moment, are then still running.
 */
async function pressStartOnceChecked(page: Page): Promise<void> {
  await page.evaluate(() => {
    const observer = new MutationObserver(() => {
      const box = [...document.querySelectorAll('label')]
        .find((label) => label.textContent?.includes('Upload files with errors too'))
        ?.querySelector('input');
      if (!box) return;
      if (!box.checked) box.click();
      const start = [...document.querySelectorAll('button')].find(
        (b) => b.textContent?.trim() === 'Start upload',
      );
      if (!start || start.disabled) return;
      observer.disconnect();
      start.click();
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

function readMetadata(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of header.split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) out[key] = Buffer.from(value ?? '', 'base64').toString('utf8');
  }
  return out;
}

/** The premise of each journey: the big file's checksum was (or was not) known when it was created. */
function expectCreatedWith(creations: Map<string, string>, when: When): void {
  const big = readMetadata(creations.get(BIG) ?? '');
  expect(big['relativePath']).toBe(BIG);
  if (when === 'before checksums')
    expect(big['sha256'], 'Start pressed before the checksum was known').toBeUndefined();
  else
    for (const [name, header] of creations)
      expect(readMetadata(header)['sha256'], name).toMatch(/^[0-9a-f]{64}$/);
}

/** Every file is in the @tus/file-store once, complete, with its own bytes and its path and name as metadata. */
async function expectInFileStore(directory: string, files: readonly Made[], batch: string): Promise<void> {
  const uploads = await readFileStore(directory);
  expect(uploads.map((u) => u.metadata['relativePath']).sort()).toEqual(files.map((f) => f.path).sort());
  for (const file of files) {
    const stored = uploads.find((u) => u.metadata['relativePath'] === file.path);
    expect(stored?.size, file.path).toBe(file.size);
    expect(stored?.offset, file.path).toBe(file.size);
    expect(stored?.sha256, file.path).toBe(file.sha256);
    expect(stored?.metadata['filename'], file.path).toBe(path.posix.basename(file.path));
    expect(stored?.metadata['batch'], file.path).toBe(batch);
  }
}

async function downloadReceipt(page: Page, scratch: string): Promise<Record<string, string>[]> {
  const saved = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download receipt' }).click();
  const file = await saved;
  const to = path.join(scratch, file.suggestedFilename());
  await file.saveAs(to);
  const parsed = Papa.parse<Record<string, string>>((await readFile(to, 'utf8')).replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: true,
  });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

/**
 * The page's note about the server says `note`, and the receipt lists every file once with its SHA-256 and
 * `verified` as given; returns the receipt's rows for the journey's own checks.
 */
async function expectNoteAndReceipt(
  page: Page,
  scratch: string,
  files: readonly Made[],
  note: string,
  verified: string,
): Promise<Record<string, string>[]> {
  const step = page.getByRole('region', { name: 'Upload', exact: true });
  await expect(step.getByRole('list', { name: 'About the server' })).toContainText(note);
  const receipt = await downloadReceipt(page, scratch);
  expect(receipt.map((row) => row['path']).sort()).toEqual(files.map((f) => f.path).sort());
  for (const row of receipt) {
    const file = files.find((f) => f.path === row['path']);
    expect(row['sha256'], row['path']).toBe(file?.sha256);
    expect(row['verified'], row['path']).toBe(verified);
  }
  return receipt;
}

/** Runs a journey with servers it starts, printing nginx's log when it fails. */
async function withServers<T>(
  start: () => Promise<OtherServer[]>,
  nginxDir: string | null,
  journey: (servers: OtherServer[]) => Promise<T>,
): Promise<T> {
  const servers = await start();
  try {
    return await journey(servers);
  } catch (error) {
    if (nginxDir)
      process.stdout.write(`\n--- nginx's log:\n${(await nginxLog(nginxDir)).slice(-40).join('\n')}\n`);
    throw error;
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}

test.describe('uploads to other tus servers', () => {
  test.setTimeout(240_000);

  test('the official @tus/server with @tus/file-store, default options, Start pressed before the checksums are known', async ({
    page,
    receiver,
    scratch,
  }) => {
    const { folder, files } = await makeFolder(scratch);
    const store = path.join(scratch, 'tus-store');
    await withServers(
      async () => [await startOfficialTus(store)],
      null,
      async ([tus]) => {
        const endpoint = (tus as OtherServer).endpoint;
        await open(page, receiver.url);
        // Another origin than the page: the same host, another port.
        expect(new URL(endpoint).origin).not.toBe(new URL(receiver.url).origin);
        const headersSent = new Set<string>();
        let dataInCreation = 0;
        page.on('request', (request) => {
          if (!request.url().startsWith(endpoint)) return;
          for (const name of Object.keys(request.headers())) headersSent.add(name);
          if (
            request.method() === 'POST' &&
            request.headers()['content-type'] === 'application/offset+octet-stream'
          )
            dataInCreation += 1;
        });
        const creations = await upload(page, folder, endpoint, 'before checksums');
        expectCreatedWith(creations, 'before checksums');
        const batch = await page.getByLabel('Batch name').inputValue();
        await expectInFileStore(store, files, batch);
        // The server does not list repr-digest, so the header its CORS answer does not allow was never sent.
        expect([...headersSent]).not.toContain('repr-digest');
        // It lists creation-with-upload: small files travelled in their creation requests.
        expect(dataInCreation).toBeGreaterThan(0);

        const receipt = await expectNoteAndReceipt(
          page,
          scratch,
          files,
          "is a plain tus server: it does not check the files' checksums",
          'not verified by the receiver',
        );
        for (const row of receipt) {
          expect(row['stored_path'], row['path']).toBe('not returned by the receiver');
          expect(row['upload_url'], row['path']).toMatch(new RegExp(`^${endpoint}[0-9a-f]+$`));
        }
      },
    );
  });

  test('a tus server with the checksum extension: every body carries its Upload-Checksum, a request damaged on the way is refused with 460 and sent again, and the receipt says what was checked', async ({
    page,
    receiver,
    scratch,
  }) => {
    const { folder, files } = await makeFolder(scratch);
    const store = path.join(scratch, 'checksum-store');
    await withServers(
      async () => {
        const tus = await startChecksumTus(store);
        return [tus, await startDamagingProxy(new URL(tus.endpoint).origin, 1_000_000)];
      },
      null,
      async ([, proxy]) => {
        const { endpoint, damaged } = proxy as Awaited<ReturnType<typeof startDamagingProxy>>;
        await open(page, receiver.url);
        const patches: (string | undefined)[] = [];
        let dataInCreation = 0;
        page.on('request', (request) => {
          if (!request.url().startsWith(endpoint)) return;
          if (request.method() === 'PATCH') patches.push(request.headers()['upload-checksum']);
          if (
            request.method() === 'POST' &&
            request.headers()['content-type'] === 'application/offset+octet-stream'
          )
            dataInCreation += 1;
        });
        const refusals: number[] = [];
        page.on('response', (response) => {
          if (response.url().startsWith(endpoint) && response.status() === 460) refusals.push(460);
        });
        await upload(page, folder, endpoint, 'before checksums');
        expect(damaged(), 'the proxy damaged a request').toBe(true);
        expect(refusals).toEqual([460]);
        // Every byte went by PATCH, each with the SHA-256 the server lists first among those it takes.
        expect(dataInCreation).toBe(0);
        expect(patches.length).toBeGreaterThan(files.length - 1);
        for (const checksum of patches) expect(checksum).toMatch(/^sha256 [A-Za-z0-9+/]{43}=$/);
        const batch = await page.getByLabel('Batch name').inputValue();
        // The damaged request was sent again into the same upload: each file is in the store once, whole.
        await expectInFileStore(store, files, batch);

        await expectNoteAndReceipt(
          page,
          scratch,
          files,
          'checks the bytes of each request as they arrive (tus checksum extension, sha256), but not whole files',
          'in transit (Upload-Checksum sha256)',
        );
      },
    );
  });

  test('the official @tus/server behind nginx with its default 1 MiB body limit, Start pressed after the checksums are known', async ({
    page,
    receiver,
    scratch,
  }) => {
    const { folder, files } = await makeFolder(scratch);
    const store = path.join(scratch, 'tus-store');
    const nginxDir = path.join(scratch, 'nginx');
    await withServers(
      async () => {
        const tus = await startOfficialTus(store);
        return [tus, await startNginx(nginxDir, new URL(tus.endpoint).origin)];
      },
      nginxDir,
      async ([, proxy]) => {
        const endpoint = (proxy as OtherServer).endpoint;
        await open(page, receiver.url);
        const creations = await upload(page, folder, endpoint, 'after checksums');
        expectCreatedWith(creations, 'after checksums');
        const batch = await page.getByLabel('Batch name').inputValue();
        await expectInFileStore(store, files, batch);
        // Said once, with the size it came down to: nginx takes bodies of up to 1 MiB.
        const notes = page.getByRole('list', { name: 'About the server' }).getByRole('listitem');
        await expect(notes.filter({ hasText: 'limits request bodies' })).toHaveCount(1);
        await expect(notes.filter({ hasText: 'limits request bodies' })).toContainText(
          'in pieces of 1.0 MiB',
        );
      },
    );
  });

  test('our own receiver behind nginx with its default body limit, Start pressed before the checksums are known', async ({
    page,
    receiver,
    scratch,
  }) => {
    const { folder, files } = await makeFolder(scratch);
    const nginxDir = path.join(scratch, 'nginx');
    await withServers(
      async () => [await startNginx(nginxDir, new URL(receiver.url).origin)],
      nginxDir,
      async ([proxy]) => {
        const endpoint = (proxy as OtherServer).endpoint;
        await open(page, receiver.url);
        const creations = await upload(page, folder, endpoint, 'before checksums');
        expectCreatedWith(creations, 'before checksums');
        const batch = await page.getByLabel('Batch name').inputValue();
        const batchDir = path.join(receiver.uploadDir, batch, 'data');
        expect(await listFiles(batchDir)).toEqual(files.map((f) => f.path).sort());
        for (const file of files)
          expect(await sha256File(path.join(batchDir, file.path)), file.path).toBe(file.sha256);
        expect(receiver.log.filter((line) => line.includes(`${batch}/`))).toHaveLength(files.length);
        expect(await listFiles(path.join(receiver.uploadDir, '.partial'))).toEqual([]);
        // Through the proxy the receiver still says it checks digests, and checked every file: by the SHA-256 the
        // page had, or by the XXH3-128 it sent instead, with the receiver's SHA-256 in the receipt.
        const receipt = await downloadReceipt(page, scratch);
        for (const row of receipt) {
          expect(['yes', BY_FAST_DIGEST], row['path']).toContain(row['verified']);
          expect(row['sha256'], row['path']).toBe(files.find((f) => f.path === row['path'])?.sha256);
          expect(row['stored_path'], row['path']).toBe(storedPathFor(batch, row['path'] ?? ''));
        }
        await expect(
          page
            .getByRole('list', { name: 'About the server' })
            .getByRole('listitem')
            .filter({ hasText: 'limits request bodies' }),
        ).toHaveCount(1);
      },
    );
  });

  test('a proxy whose CORS answer does not allow a header the app sends: each file fails after a few tries with a sentence naming the cause, never "not reachable"', async ({
    page,
    receiver,
    scratch,
  }) => {
    const folder = path.join(scratch, 'Plates');
    await mkdir(folder);
    for (const name of ['plate-1.tif', 'plate-2.tif'])
      await writeFile(path.join(folder, name), randomBytes(10_000));
    const nginxDir = path.join(scratch, 'nginx');
    await withServers(
      // The tus headers, but not Authorization, which the app sends with an access token.
      async () => [
        await startNginx(nginxDir, new URL(receiver.url).origin, {
          allowHeaders: 'Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, Content-Type',
        }),
      ],
      nginxDir,
      async ([proxy]) => {
        const endpoint = (proxy as OtherServer).endpoint;
        await open(page, receiver.url);
        await page.getByLabel('Target').selectOption({ label: 'Custom pattern' });
        await page.getByLabel('Upload endpoint').fill(endpoint);
        await page.getByLabel('Access token').fill('s3cret');
        await page.getByTestId('folder-input').setInputFiles(folder);
        await expect(page.getByRole('region', { name: 'Check', exact: true })).toContainText(
          'Checked against Custom pattern: ',
        );
        await page.getByRole('button', { name: 'Start upload' }).click();

        const failed = page.getByRole('region', { name: 'Failed files' });
        await expect(failed.getByRole('heading')).toHaveText(
          'Failed files: 2 × blocked by the browser (CORS)',
          {
            timeout: 60_000,
          },
        );
        await expect(failed.getByRole('listitem')).toHaveCount(2);
        for (const item of await failed.getByRole('listitem').all()) {
          await expect(item).toContainText(
            `the server at ${new URL(endpoint).origin} answers this page, but the browser blocked this file's requests`,
          );
          await expect(item).toContainText('refuses a header the app sent');
        }
        await expect(page.getByRole('status')).toHaveText(
          /Upload finished with problems: 0 files arrived, 2 files failed/,
        );
        // Blocked in the browser: no creation reached the receiver. Bounded: per file four tries, each a preflight and
        // at most one probe of the server (an OPTIONS and its preflight), and the discovery before the batch.
        expect(receiver.requests.filter((r) => r.method !== 'OPTIONS')).toEqual([]);
        expect(receiver.requests.length).toBeLessThanOrEqual(2 * 4 * 3 + 2);
      },
    );
  });

  test('a proxy that answers OPTIONS itself, hiding what the server supports: plain tus 1.0, said once, and every file arrives', async ({
    page,
    receiver,
    scratch,
  }) => {
    const { folder, files } = await makeFolder(
      scratch,
      FILES.filter((f) => f.path !== BIG),
    );
    const store = path.join(scratch, 'tus-store');
    const nginxDir = path.join(scratch, 'nginx');
    await withServers(
      async () => {
        const tus = await startOfficialTus(store);
        return [tus, await startNginx(nginxDir, new URL(tus.endpoint).origin, { answersOptions: true })];
      },
      nginxDir,
      async ([, proxy]) => {
        const endpoint = (proxy as OtherServer).endpoint;
        await open(page, receiver.url);
        const withData: string[] = [];
        let patches = 0;
        page.on('request', (request) => {
          if (!request.url().startsWith(endpoint)) return;
          if (request.method() === 'PATCH') patches += 1;
          if (
            request.method() === 'POST' &&
            request.headers()['content-type'] === 'application/offset+octet-stream'
          )
            withData.push(request.url());
        });
        await upload(page, folder, endpoint, 'after checksums', files.length);
        await expectInFileStore(store, files, await page.getByLabel('Batch name').inputValue());
        // Plain tus 1.0: no file travelled in its creation request; each one with bytes went in PATCH requests.
        expect(withData).toEqual([]);
        expect(patches).toBeGreaterThanOrEqual(files.filter((f) => f.size > 0).length);
        const notes = page.getByRole('list', { name: 'About the server' }).getByRole('listitem');
        await expect(notes.filter({ hasText: 'did not say what it supports' })).toHaveCount(1);
        await expect(notes.filter({ hasText: 'did not say what it supports' })).toContainText(
          'so the upload uses plain tus 1.0',
        );
      },
    );
  });
});
