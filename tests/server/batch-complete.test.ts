import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  completionPath,
  type CompletionRefusal,
  type CompletionState,
  type WebhookPayload,
} from '#core/protocol';
import { encodeManifestPath, writeBag } from '../../server/bagit.ts';
import { Handoff, type CompletionRecord } from '../../server/handoff.ts';
import { startReceiverProcess } from '../e2e/receiver-process.ts';
import { validateBag } from './bagit-validator.ts';
import {
  complete,
  file,
  linesOf,
  manifest,
  recordingHook,
  send,
  settledState,
  type Sent,
} from './completion-helpers.ts';
import { makeTempDir, serveFresh, sha256 } from './helpers.ts';

const serve = serveFresh();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scratch(): Promise<string> {
  const temp = await makeTempDir();
  cleanups.push(temp.remove);
  return temp.dir;
}

const FILES = [
  file('deriva/images/K1-1.jpg', 'first image'),
  file('deriva/images/K1 2 100%.jpg', 'second image, with a space and a percent sign'),
  file('notes.txt', 'notes'),
];

describe('a completed batch', () => {
  it('is checked against the digests verified on arrival, bagged as valid BagIt 1.0, and the hook runs once', async () => {
    const dir = await scratch();
    const hookLog = path.join(dir, 'hook.log');
    const server = await serve({
      completion: {
        hook: recordingHook(hookLog),
        contactName: 'Ada Curator',
        contactEmail: 'ada@museum.example.org',
        sourceOrganization: 'Example Museum',
      },
    });
    const options = await fetch(server.endpoint, {
      method: 'OPTIONS',
      headers: { 'Tus-Resumable': '1.0.0' },
    });
    expect(options.headers.get('tus-extension')?.split(',')).toContain('batch-complete');
    await send(server.endpoint, 'kidney', FILES);

    const response = await complete(server.endpoint, 'kidney', manifest(FILES));
    expect(response.status).toBe(200);
    const answer = (await response.json()) as CompletionState;
    const bytes = FILES.reduce((sum, sent) => sum + sent.data.length, 0);
    expect(answer).toMatchObject({ batch: 'kidney', version: 1, bag: 'kidney', files: 3, bytes });
    expect(answer.payloadOxum).toBe(`${bytes}.3`);
    // Every file was verified as it arrived, so none was read again.
    expect(server.logs.some((line) => line.includes('3 listed by the page, 0 read again'))).toBe(true);

    const bag = path.join(server.uploadDir, 'kidney');
    expect(await validateBag(bag)).toEqual([]);
    expect((await readdir(bag)).sort()).toEqual([
      'bag-info.txt',
      'bagit.txt',
      'data',
      'manifest-md5.txt',
      'manifest-sha256.txt',
      'tagmanifest-sha256.txt',
    ]);
    const info = await readFile(path.join(bag, 'bag-info.txt'), 'utf8');
    expect(info).toContain('External-Identifier: kidney\n');
    expect(info).toContain(`Payload-Oxum: ${bytes}.3\n`);
    expect(info).toMatch(/^Bagging-Date: \d{4}-\d\d-\d\d$/m);
    expect(info).toMatch(/^Bag-Software-Agent: specimen-uploader \d+\.\d+\.\d+$/m);
    expect(info).toContain('Upload-Target: GUDMAP/RBK\n');
    expect(info).toContain('Contact-Name: Ada Curator\nContact-Email: ada@museum.example.org\n');
    expect(info).toContain('Source-Organization: Example Museum\n');
    expect(await readFile(path.join(bag, 'manifest-sha256.txt'), 'utf8')).toContain(
      `${sha256(FILES[1]?.data ?? '')}  data/deriva/images/K1 2 100%25.jpg\n`,
    );

    const settled = await settledState(server.endpoint, 'kidney');
    expect(settled.handoff).toEqual([{ kind: 'hook', state: 'done', attempts: 1 }]);
    expect(await linesOf(hookLog)).toEqual([`kidney 1 ${path.join(bag, 'data')}`]);

    // One changed byte of the payload, and the bag no longer validates.
    const changed = path.join(bag, 'data', 'notes.txt');
    await writeFile(changed, 'Notes');
    expect(await validateBag(bag)).toEqual([
      expect.stringMatching(/^data\/notes\.txt has md5 [0-9a-f]{32}, but manifest-md5\.txt says/),
      expect.stringMatching(/^data\/notes\.txt has sha256 [0-9a-f]{64}, but manifest-sha256\.txt says/),
    ]);
  });

  it('answers a repeated completion with the same bag, and a later one with files added as a new version', async () => {
    const dir = await scratch();
    const hookLog = path.join(dir, 'hook.log');
    const server = await serve({ completion: { hook: recordingHook(hookLog) } });
    const first = FILES.slice(0, 2);
    await send(server.endpoint, 'b', first);
    expect((await complete(server.endpoint, 'b', manifest(first, 'one'))).status).toBe(200);
    const again = (await (
      await complete(server.endpoint, 'b', manifest(first, 'one'))
    ).json()) as CompletionState;
    expect(again.version).toBe(1);
    await settledState(server.endpoint, 'b');

    await send(server.endpoint, 'b', FILES.slice(2));
    const later = (await (
      await complete(server.endpoint, 'b', manifest(FILES.slice(2), 'two'))
    ).json()) as CompletionState;
    expect(later).toMatchObject({ version: 2, files: 3 });
    await settledState(server.endpoint, 'b');
    expect(await validateBag(path.join(server.uploadDir, 'b'))).toEqual([]);
    expect((await linesOf(hookLog)).map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
      'b 1',
      'b 2',
    ]);
  });

  it('with a file missing or different gets no bag and no hook, and the answer names each file', async () => {
    const dir = await scratch();
    const hookLog = path.join(dir, 'hook.log');
    const server = await serve({ completion: { hook: recordingHook(hookLog) } });
    await send(server.endpoint, 'short', FILES.slice(0, 2));
    const listed = manifest([
      ...FILES.slice(0, 1),
      file(FILES[1]?.path ?? '', 'other bytes'),
      FILES[2] as Sent,
    ]);
    const response = await complete(server.endpoint, 'short', listed);
    expect(response.status).toBe(422);
    const refusal = (await response.json()) as CompletionRefusal;
    expect(refusal.message).toBe(
      'Batch short is not complete on the receiver: 2 files are missing or different, so it was not bagged or handed on; send them again, then complete the batch again.',
    );
    expect(refusal.problems.map((p) => [p.path, p.problem])).toEqual([
      ['deriva/images/K1 2 100%.jpg', 'size'],
      ['notes.txt', 'missing'],
    ]);
    expect(refusal.problems[1]?.message).toBe(
      '"notes.txt" is not in batch short on the receiver; send it again, then complete the batch again.',
    );
    // The refusal is the answer: nothing was recorded before it, so nothing can run after it.
    expect(await readdir(path.join(server.uploadDir, 'short'))).toEqual(['data']);
    expect(await readdir(server.uploadDir)).not.toContain('.handoff');
    expect(await linesOf(hookLog)).toEqual([]);
    const state = await fetch(new URL(completionPath('short'), server.endpoint));
    expect(state.status).toBe(404);
  });

  it('refuses a manifest whose SHA-256 differs from the bytes stored', async () => {
    const server = await serve();
    await send(server.endpoint, 'w', FILES.slice(0, 1));
    const listed = manifest(FILES.slice(0, 1));
    const entry = listed.files[0];
    if (entry) entry.sha256 = 'f'.repeat(64);
    const refusal = (await (await complete(server.endpoint, 'w', listed)).json()) as CompletionRefusal;
    expect(refusal.problems[0]?.message).toMatch(
      /^"deriva\/images\/K1-1\.jpg" on the receiver \(data\/deriva\/images\/K1-1\.jpg\) has another SHA-256 \([0-9a-f]{64}\) than the page computed \(f{64}\); send it again, then complete the batch again\.$/,
    );
  });
});

describe('files sent under names from their barcodes', () => {
  const RENAMED = [
    file('day1/BR0000013284830.jpg', 'a sheet named from its label'),
    file('day1/BR0000013284861_a.jpg', 'one specimen, first image'),
  ];
  const OWN = ['day1/IMG_0001.JPG', 'day1/IMG 0002 100%.JPG'];

  it('keep their own paths: original-paths.tsv in the bag and its tag manifest, the hook told where, the webhook listing them, a later completion keeping them', async () => {
    const dir = await scratch();
    const hookLog = path.join(dir, 'hook.log');
    const received: WebhookPayload[] = [];
    const listener = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => listener.close(() => resolve())));
    const server = await serve({
      completion: {
        hook: `cat "$BATCH_ORIGINAL_PATHS" >> '${hookLog}'`,
        webhook: `http://127.0.0.1:${(listener.address() as AddressInfo).port}/`,
      },
    });
    const sent = [...RENAMED, FILES[2] as Sent];
    await send(server.endpoint, 'named', sent);
    const request = manifest(sent, 'first');
    request.files.forEach((entry, index) => {
      if (OWN[index] !== undefined) entry.originalPath = OWN[index];
    });
    expect((await complete(server.endpoint, 'named', request)).status).toBe(200);
    await settledState(server.endpoint, 'named');

    const bag = path.join(server.uploadDir, 'named');
    expect(await validateBag(bag)).toEqual([]);
    const table = [
      'path\toriginal_path',
      'data/day1/BR0000013284830.jpg\tday1/IMG_0001.JPG',
      'data/day1/BR0000013284861_a.jpg\tday1/IMG 0002 100%25.JPG',
      '',
    ].join('\n');
    expect(await readFile(path.join(bag, 'original-paths.tsv'), 'utf8')).toBe(table);
    expect(await readFile(path.join(bag, 'tagmanifest-sha256.txt'), 'utf8')).toContain(
      `${sha256(table)}  original-paths.tsv\n`,
    );
    expect((await linesOf(hookLog)).join('\n')).toBe(table.trimEnd());
    expect(received[0]?.originalPaths).toEqual([
      { path: 'day1/BR0000013284830.jpg', originalPath: 'day1/IMG_0001.JPG' },
      { path: 'day1/BR0000013284861_a.jpg', originalPath: 'day1/IMG 0002 100%.JPG' },
    ]);

    // A later completion of the batch, with no renamed file, keeps the names of the first in the bag.
    const later = file('day1/BR0000013284878.jpg', 'named right already');
    await send(server.endpoint, 'named', [later]);
    expect((await complete(server.endpoint, 'named', manifest([later], 'second'))).status).toBe(200);
    await settledState(server.endpoint, 'named');
    expect(await validateBag(bag)).toEqual([]);
    expect(await readFile(path.join(bag, 'original-paths.tsv'), 'utf8')).toBe(table);
    expect(received[1]?.originalPaths).toEqual(received[0]?.originalPaths);
  });

  it('without any leave no original-paths.tsv, and a completion whose originalPath is not a relative path is refused with a sentence', async () => {
    const server = await serve({ completion: {} });
    await send(server.endpoint, 'plain', FILES);
    expect((await complete(server.endpoint, 'plain', manifest(FILES))).status).toBe(200);
    expect(await readdir(path.join(server.uploadDir, 'plain'))).not.toContain('original-paths.tsv');

    const request = manifest(FILES, 'odd');
    const first = request.files[0];
    if (first) first.originalPath = '../outside.jpg';
    const response = await complete(server.endpoint, 'plain', request);
    expect(response.status).toBe(400);
    expect(((await response.json()) as CompletionRefusal).message).toBe(
      'File 1 of the completion ("deriva/images/K1-1.jpg") has an "originalPath" that is not a relative path: a path may not contain "..".',
    );
  });
});

describe('the hand-off', () => {
  it('retries a failing hook with growing pauses, logging each failure, until it succeeds', async () => {
    const dir = await scratch();
    const counter = path.join(dir, 'tries');
    // Fails on the first two tries, succeeds on the third.
    const hook = `n=$(cat '${counter}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '${counter}'; echo "try $n" >&2; [ $n -ge 3 ]`;
    const server = await serve({ completion: { hook, retryDelays: [20, 40, 80] } });
    await send(server.endpoint, 'r', FILES.slice(0, 1));
    expect((await complete(server.endpoint, 'r', manifest(FILES.slice(0, 1)))).status).toBe(200);
    const settled = await settledState(server.endpoint, 'r');
    expect(settled.handoff).toEqual([{ kind: 'hook', state: 'done', attempts: 3 }]);
    const handoffLines = server.logs.filter((line) => line.includes('HANDOFF'));
    expect(handoffLines.map((line) => line.replace(/^\S+ {2}/, ''))).toEqual([
      'HANDOFF r (completion 1): the hook failed (attempt 1): ON_BATCH_COMPLETE exited with 1 (its output ended: try 1); trying again in 0 seconds',
      'HANDOFF r (completion 1): the hook failed (attempt 2): ON_BATCH_COMPLETE exited with 1 (its output ended: try 2); trying again in 0 seconds',
      'HANDOFF r (completion 1): the hook succeeded (attempt 3)',
    ]);
  });

  it('gives a hook up once the pauses are used up, and says why', async () => {
    const server = await serve({
      completion: { hook: 'echo "deriva says no" >&2; exit 3', retryDelays: [10] },
    });
    await send(server.endpoint, 'g', FILES.slice(0, 1));
    await complete(server.endpoint, 'g', manifest(FILES.slice(0, 1)));
    const settled = await settledState(server.endpoint, 'g');
    expect(settled.handoff).toEqual([
      {
        kind: 'hook',
        state: 'failed',
        attempts: 2,
        lastError: 'ON_BATCH_COMPLETE exited with 3 (its output ended: deriva says no)',
      },
    ]);
    expect(server.logs.at(-1)).toContain('HANDOFF FAILED g (completion 1): the hook failed 2 times');
  });

  it('posts a JSON summary signed as GitHub signs webhooks, and retries when the receiver of it fails', async () => {
    const secret = 'It is a secret to everybody';
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const listener = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        // The first delivery fails, as a busy LIMS might.
        res.writeHead(received.length === 1 ? 503 : 204).end();
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => listener.close(() => resolve())));
    const webhook = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/hooks/batch`;
    const server = await serve({ completion: { webhook, webhookSecret: secret, retryDelays: [20] } });
    await send(server.endpoint, 'hooked', FILES);
    await complete(server.endpoint, 'hooked', manifest(FILES));
    const settled = await settledState(server.endpoint, 'hooked');
    expect(settled.handoff).toEqual([{ kind: 'webhook', state: 'done', attempts: 2 }]);

    expect(received).toHaveLength(2);
    const delivery = received[1];
    if (!delivery) throw new Error('No webhook arrived.');
    const signature = String(delivery.headers['x-hub-signature-256']);
    const expected = `sha256=${createHmac('sha256', secret).update(delivery.body).digest('hex')}`;
    expect(timingSafeEqual(Buffer.from(signature), Buffer.from(expected))).toBe(true);
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['x-specimen-event']).toBe('batch-complete');
    const payload = JSON.parse(delivery.body) as WebhookPayload;
    expect(payload).toMatchObject({
      event: 'batch-complete',
      batch: 'hooked',
      version: 1,
      files: 3,
      bagDir: path.join(server.uploadDir, 'hooked'),
      payloadDir: path.join(server.uploadDir, 'hooked', 'data'),
    });
    // A body changed on the way no longer matches its signature.
    const forged = `sha256=${createHmac('sha256', secret).update(delivery.body.replace('hooked', 'hacked')).digest('hex')}`;
    expect(forged).not.toBe(signature);
  });

  it('runs a hook left pending (and finishes a bag left unwritten) when the receiver starts again', async () => {
    const dir = await scratch();
    const hookLog = path.join(dir, 'hook.log');
    const first = await serve();
    await send(first.endpoint, 'p', FILES);
    // (The first receiver stays up, idle: it read the records when it started, before this one was written.)
    // What a receiver stopped right after recording the completion leaves: a record, no tag files yet.
    const bagDir = path.join(first.uploadDir, 'p');
    const record: CompletionRecord = {
      batch: 'p',
      completionId: 'before-the-stop',
      version: 1,
      bag: 'p',
      files: 0,
      bytes: 0,
      payloadOxum: '0.0',
      baggedAt: new Date().toISOString(),
      handoff: [{ kind: 'hook', state: 'pending', attempts: 0 }],
      bagged: false,
      bagDir,
      payloadDir: path.join(bagDir, 'data'),
    };
    await new Handoff(first.uploadDir, {}, () => undefined).save(record);

    const second = await serve({ uploadDir: first.uploadDir, completion: { hook: recordingHook(hookLog) } });
    const settled = await settledState(second.endpoint, 'p');
    expect(settled).toMatchObject({ completionId: 'before-the-stop', files: 3 });
    expect(settled.handoff).toEqual([{ kind: 'hook', state: 'done', attempts: 1 }]);
    expect(await validateBag(bagDir)).toEqual([]);
    expect(await linesOf(hookLog)).toEqual([`p 1 ${path.join(bagDir, 'data')}`]);
  });

  // Three starts of a receiver process take long on a loaded machine: a longer limit than the default.
  it('runs exactly once across a receiver killed with SIGKILL between the last file and the completion', async () => {
    const dir = await scratch();
    const hookLog = path.join(dir, 'hook.log');
    const receiver = await startReceiverProcess(path.join(dir, 'uploads'), {
      ON_BATCH_COMPLETE: recordingHook(hookLog),
    });
    cleanups.push(() => receiver.stop());
    const endpoint = `${receiver.url}files/`;
    await send(endpoint, 'killed', FILES);
    await receiver.kill();
    // The page's completion finds nobody there, and is sent again, with the same id, once the receiver is back.
    await expect(complete(endpoint, 'killed', manifest(FILES, 'the-one'))).rejects.toThrow();
    await receiver.restart();
    expect((await complete(endpoint, 'killed', manifest(FILES, 'the-one'))).status).toBe(200);
    expect((await complete(endpoint, 'killed', manifest(FILES, 'the-one'))).status).toBe(200);
    const settled = await settledState(endpoint, 'killed');
    expect(settled).toMatchObject({ version: 1, files: 3 });
    expect(settled.handoff).toEqual([{ kind: 'hook', state: 'done', attempts: 1 }]);
    // Killed again after the hand-off: starting again runs nothing more.
    await receiver.kill();
    await receiver.restart();
    expect((await settledState(endpoint, 'killed')).handoff[0]?.attempts).toBe(1);
    expect(await linesOf(hookLog)).toEqual([`killed 1 ${path.join(dir, 'uploads', 'killed', 'data')}`]);
    expect(await validateBag(path.join(dir, 'uploads', 'killed'))).toEqual([]);
  }, 120_000);
});

describe('the BagIt tag files', () => {
  it('percent-encode CR, LF and % in manifest paths (RFC 8493 §2.1.3), and such a bag validates', async () => {
    expect(encodeManifestPath('a%b\r\nc.txt')).toBe('a%25b%0D%0Ac.txt');
    const bagDir = await scratch();
    const odd = 'two\nlines 100%.txt';
    await mkdir(path.join(bagDir, 'data'), { recursive: true });
    await writeFile(path.join(bagDir, 'data', odd), 'odd');
    await writeBag(bagDir, [{ path: odd, bytes: 3, sha256: sha256('odd') }], {
      batch: 'odd',
      baggedAt: new Date('2026-12-06T07:00:00Z'),
      software: 'specimen-uploader 0.1.0',
      version: 1,
    });
    expect(await readFile(path.join(bagDir, 'manifest-sha256.txt'), 'utf8')).toBe(
      `${sha256('odd')}  data/two%0Alines 100%25.txt\n`,
    );
    // Without an MD5 for every file there is no MD5 manifest.
    expect(await readdir(bagDir)).not.toContain('manifest-md5.txt');
    expect(await validateBag(bagDir)).toEqual([]);
  });
});
