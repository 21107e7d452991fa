import { createHash, randomBytes } from 'node:crypto';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DetailedError } from 'tus-js-client';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@tus/server';
import { completionPath, REQUEST_SIZE_HEADER, VERIFIED_HEADER, type CompletionState } from '#core/protocol';
import { readCapabilities } from '#core/tus-capabilities';
import type { CompletionSettings } from '../../server/batch-complete.ts';
import { signWebhook } from '../../server/handoff.ts';
import type { ObjectStorage } from '../../server/object-receiver.ts';
import { ObjectStore, partSizeFor } from '../../server/s3-store.ts';
import { RedisState } from '../../server/shared-state.ts';
import { startReceiverProcess } from '../e2e/receiver-process.ts';
import { downloadPrefix } from '../support/object-store.ts';
import { validateBag } from './bagit-validator.ts';
import {
  complete,
  file,
  isSettled,
  linesOf,
  manifest,
  recordingHook,
  send,
  settledState,
  startWebhookReceiver,
  waitUntil,
} from './completion-helpers.ts';
import {
  createUpload,
  directAndTusUploads,
  newUpload,
  openPatch,
  patchUpload,
  sha256,
  tusUpload,
  uploadUrl,
} from './helpers.ts';
import {
  BUCKET,
  ceph,
  headOffset,
  keysUnder,
  MiB,
  objectBytes,
  receiverOn,
  redis,
  s3,
  scratch,
  started,
  storage,
  unfinishedUploads,
  useObjectStorage,
  type Receiver,
} from './object-storage-harness.ts';

useObjectStorage();

/** The bag of `batch` as it is in the bucket, copied to a folder, checked by the tests' BagIt validator. */
async function bagProblems(store: ObjectStorage, batch: string): Promise<string[]> {
  const dir = path.join(await scratch(), batch);
  await downloadPrefix(s3, BUCKET, `${store.prefix}${batch}/`, dir);
  return validateBag(dir);
}

describe('the receiver on S3 (Ceph RADOS Gateway)', () => {
  it('places a verified file at <prefix>/<batch>/data/<path> in parts, byte-identical, and leaves nothing else', async () => {
    const store = storage();
    const receiver = await receiverOn(store);
    const data = randomBytes(12 * MiB + 12_345);
    const result = await tusUpload(
      receiver.endpoint,
      data,
      { batch: 'b1', relativePath: 'plates/p 1.tif', sha256: sha256(data) },
      { chunkSize: 5 * MiB },
    );
    expect(result.storedPath).toBe('b1/data/plates/p 1.tif');
    expect(result.patches).toBe(3);
    expect(await keysUnder(store.prefix)).toEqual([`${store.prefix}b1/data/plates/p 1.tif`]);
    expect(sha256(await objectBytes(`${store.prefix}b1/data/plates/p 1.tif`))).toBe(sha256(data));
    expect(await unfinishedUploads(store.prefix)).toBe(0);
  });

  it('refuses a file whose bytes differ from its announced SHA-256 with 460, and removes its object', async () => {
    const store = storage();
    const receiver = await receiverOn(store);
    const sent = randomBytes(6 * MiB);
    const damaged = Buffer.from(sent);
    damaged[3 * MiB] = (damaged[3 * MiB] ?? 0) ^ 0xff;
    const failure = await tusUpload(
      receiver.endpoint,
      damaged,
      { batch: 'b2', relativePath: 'scan.tif', sha256: sha256(sent) },
      { chunkSize: 5 * MiB },
    ).then(
      () => undefined,
      (error: unknown) => error as DetailedError,
    );
    expect(failure?.originalResponse?.getStatus()).toBe(460);
    expect(failure?.originalResponse?.getBody()).toContain(
      '"b2/scan.tif" arrived with other bytes than were sent',
    );
    expect(await keysUnder(store.prefix)).toEqual([]);
    expect(await unfinishedUploads(store.prefix)).toBe(0);
  });

  it('asks a page for requests of 128 parts in its OPTIONS answer, readable by a page elsewhere', async () => {
    const receiver = await receiverOn(storage());
    const options = await fetch(receiver.endpoint, {
      method: 'OPTIONS',
      headers: { 'Tus-Resumable': '1.0.0', Origin: 'https://portal.example.org' },
    });
    const capabilities = readCapabilities((name) => options.headers.get(name));
    expect(capabilities?.requestSize).toBe(128 * partSizeFor(undefined));
    const exposed = (options.headers.get('access-control-expose-headers') ?? '')
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(exposed).toContain(REQUEST_SIZE_HEADER.toLowerCase());
  });

  it("checks each request's body against its Upload-Checksum: a damaged one answers 460 and keeps nothing of it", async () => {
    const store = storage(true);
    const receiver = await receiverOn(store);
    const options = await fetch(receiver.endpoint, {
      method: 'OPTIONS',
      headers: { 'Tus-Resumable': '1.0.0' },
    });
    expect(options.headers.get('tus-extension')?.split(',')).toContain('checksum');
    expect(options.headers.get('tus-checksum-algorithm')).toBe('sha256,sha1');
    const data = randomBytes(7 * MiB);
    const created = await createUpload(
      receiver.endpoint,
      { batch: 'b8', relativePath: 'checked.bin', sha256: sha256(data) },
      { length: data.length },
    );
    const url = uploadUrl(created, receiver);
    const checksum = (body: Buffer) => `sha256 ${createHash('sha256').update(body).digest('base64')}`;
    const first = data.subarray(0, 6 * MiB);
    const damaged = Buffer.from(first);
    damaged[5 * MiB] = (damaged[5 * MiB] ?? 0) ^ 0xff;
    const refused = await patchUpload(url, damaged, { headers: { 'Upload-Checksum': checksum(first) } });
    expect(refused.status).toBe(460);
    expect(await refused.text()).toContain("it was not kept, and the upload's offset is still 0");
    const head = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(head.headers.get('upload-offset')).toBe('0');
    // Sent again whole, and the rest, each with its checksum: the file is placed, its digest verified.
    const kept = await patchUpload(url, first, { headers: { 'Upload-Checksum': checksum(first) } });
    expect(kept.status).toBe(204);
    expect(kept.headers.get('upload-offset')).toBe(String(6 * MiB));
    const rest = data.subarray(6 * MiB);
    const last = await patchUpload(url, rest, {
      offset: 6 * MiB,
      headers: { 'Upload-Checksum': checksum(rest) },
    });
    expect(last.status).toBe(204);
    expect(last.headers.get(VERIFIED_HEADER)).toBe('sha-256');
    expect(sha256(await objectBytes(`${store.prefix}b8/data/checked.bin`))).toBe(sha256(data));
  });

  it('never overwrites: a different file of the same name is kept beside it, an identical one once', async () => {
    const store = storage();
    const receiver = await receiverOn(store);
    const first = Buffer.from('first label photo');
    const second = Buffer.from('another specimen, same name');
    const put = (data: Buffer) =>
      tusUpload(receiver.endpoint, data, {
        batch: 'b3',
        relativePath: 'img/label.ome.tif',
        sha256: sha256(data),
      });
    expect((await put(first)).storedPath).toBe('b3/data/img/label.ome.tif');
    expect((await put(second)).storedPath).toBe('b3/data/img/label (2).ome.tif');
    expect((await put(first)).storedPath).toBe('b3/data/img/label.ome.tif');
    expect(await keysUnder(`${store.prefix}b3/`)).toEqual([
      `${store.prefix}b3/data/img/label (2).ome.tif`,
      `${store.prefix}b3/data/img/label.ome.tif`,
    ]);
    expect((await objectBytes(`${store.prefix}b3/data/img/label.ome.tif`)).equals(first)).toBe(true);
    expect((await objectBytes(`${store.prefix}b3/data/img/label (2).ome.tif`)).equals(second)).toBe(true);
  });

  it('answers a full quota with 507 and refused keys with 403, each a sentence, and keeps nothing', async () => {
    // A user of its own with a 1 MiB quota, and its bucket; a receiver process with its keys, one with a wrong secret.
    const keys = { accessKeyId: 'quota-test', secretAccessKey: 'quota-test-secret' };
    await ceph.admin([
      'user',
      'create',
      '--uid=quota-test',
      '--display-name=quota-test',
      `--access-key=${keys.accessKeyId}`,
      `--secret=${keys.secretAccessKey}`,
    ]);
    await ceph.admin(['quota', 'set', '--quota-scope=user', '--uid=quota-test', '--max-size=1048576']);
    await ceph.admin(['quota', 'enable', '--quota-scope=user', '--uid=quota-test']);
    const small = ceph.client(keys);
    started.push(() => Promise.resolve(small.destroy()));
    await small.send(new CreateBucketCommand({ Bucket: 'quota-test' }));
    const receiverWith = async (secret: string) => {
      const receiver = await startReceiverProcess(path.join(await scratch(), 'unused'), {
        ...ceph.env,
        STORAGE: 's3://quota-test/q',
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: secret,
      });
      started.push(() => receiver.stop());
      return { ...receiver, endpoint: `${receiver.url}files/` };
    };

    const full = await receiverWith(keys.secretAccessKey);
    const data = randomBytes(2 * MiB);
    const created = await createUpload(
      full.endpoint,
      { batch: 'q1', relativePath: 'too big.tif', sha256: sha256(data) },
      { length: data.length },
    );
    expect(created.status).toBe(201);
    const refused = await patchUpload(uploadUrl(created, full), data);
    expect(refused.status, full.log.join('\n')).toBe(507);
    expect(await refused.text()).toBe(
      "The receiver could not take the upload: the storage quota of s3://quota-test/q/ is used up (QuotaExceeded); ask the receiver's administrator to raise it or free space, then send the file again.",
    );

    const denied = await receiverWith('not-the-secret');
    const refusedKeys = await createUpload(
      denied.endpoint,
      { batch: 'q1', relativePath: 'other.tif' },
      { length: 10 },
    );
    expect(refusedKeys.status, denied.log.join('\n')).toBe(403);
    expect(await refusedKeys.text()).toBe(
      "The receiver could not take the upload: the object store refused the receiver's credentials for s3://quota-test/q/ (SignatureDoesNotMatch); ask the receiver's administrator to check its S3 keys and bucket policy.",
    );
    const listed = await small.send(new ListObjectsV2Command({ Bucket: 'quota-test', Prefix: 'q/q1/' }));
    expect(listed.Contents ?? []).toEqual([]);
  });

  it('removes unfinished uploads once they expire, and only its own', async () => {
    const store = storage();
    const writer = await receiverOn(store);
    const created = await createUpload(
      writer.endpoint,
      { batch: 'b4', relativePath: 'half.bin' },
      { length: 10 * MiB },
    );
    expect(created.status).toBe(201);
    // 3 MiB of a 10 MiB upload: under S3's smallest part, so S3Store keeps it aside as an object of its own.
    expect((await patchUpload(uploadUrl(created, writer), randomBytes(3 * MiB))).status).toBe(204);
    const other = storage();
    const bystander = await receiverOn(other);
    expect(
      (await createUpload(bystander.endpoint, { batch: 'b4', relativePath: 'other.bin' }, { length: 10 }))
        .status,
    ).toBe(201);
    expect(await unfinishedUploads(store.prefix)).toBe(1);
    expect(await keysUnder(store.prefix)).toHaveLength(2);
    // A receiver on the same prefix that keeps unfinished uploads for one second sweeps every second.
    const sweeper = await receiverOn(store, { partialExpiry: 1_000 });
    await waitUntil(async () => (await unfinishedUploads(store.prefix)) === 0);
    await waitUntil(async () => (await keysUnder(store.prefix)).length === 0);
    expect(sweeper.logs.some((line) => line.includes('EXPIRED 1 unfinished upload'))).toBe(true);
    expect(await unfinishedUploads(other.prefix)).toBe(1);
    expect(await keysUnder(other.prefix)).toHaveLength(1);
  });

  it('lets any of two receivers sharing Redis continue an upload, which is verified and placed once', async () => {
    const store = storage(true);
    const [a, b] = [await receiverOn(store), await receiverOn(store)];
    const data = randomBytes(11 * MiB);
    const created = await createUpload(
      a.endpoint,
      { batch: 'b5', relativePath: 'big.bin', sha256: sha256(data) },
      { length: data.length },
    );
    const path = new URL(uploadUrl(created, a)).pathname;
    const on = (receiver: Receiver) => new URL(path, receiver.url);
    expect((await patchUpload(on(a), data.subarray(0, 5 * MiB + 7))).status).toBe(204);
    const head = await fetch(on(b), { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(head.headers.get('upload-offset')).toBe(String(5 * MiB + 7));
    const last = await patchUpload(on(b), data.subarray(5 * MiB + 7), { offset: 5 * MiB + 7 });
    expect(last.status).toBe(204);
    expect(last.headers.get(VERIFIED_HEADER)).toBe('sha-256');
    expect(sha256(await objectBytes(`${store.prefix}b5/data/big.bin`))).toBe(sha256(data));
    // The final request sent again (its answer lost) gets the same answer from the other receiver, placed once.
    const again = await patchUpload(on(a), Buffer.alloc(0), { offset: data.length });
    expect(again.status).toBe(204);
    expect(again.headers.get('upload-stored-path')).toBe('b5/data/big.bin');
    expect(await keysUnder(store.prefix)).toEqual([`${store.prefix}b5/data/big.bin`]);
    expect([...a.logs, ...b.logs].filter((line) => line.includes('b5/data/big.bin'))).toHaveLength(1);
  });

  it('places an upload whose receiver died after its last byte, before placing it, when another receiver is asked', async () => {
    const store = storage(true);
    // The bytes all in, as the dead receiver's store left them: no receiver hooks ran.
    const state = await RedisState.connect(redis.url, `specimen-receiver:${store.bucket}/${store.prefix}:`);
    const dead = new ObjectStore({
      ...store,
      client: { endpoint: ceph.endpoint, region: 'us-east-1', forcePathStyle: true },
      state,
    });
    const data = randomBytes(2 * MiB);
    const id = dead.keyFor('0123456789abcdef0123456789abcdef');
    await dead.create(
      new Upload({
        id,
        size: data.length,
        offset: 0,
        metadata: { batch: 'b7', relativePath: 'orphan.bin', sha256: sha256(data) },
      }),
    );
    expect(await dead.write(Readable.from([data]), id, 0)).toBe(data.length);
    await state.close();
    expect(await keysUnder(`${store.prefix}b7/`)).toEqual([]);

    const b = await receiverOn(store);
    const head = await fetch(new URL('files/0123456789abcdef0123456789abcdef', b.url), {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    });
    expect(head.headers.get('upload-offset')).toBe(String(data.length));
    expect(await keysUnder(store.prefix)).toEqual([`${store.prefix}b7/data/orphan.bin`]);
    expect(sha256(await objectBytes(`${store.prefix}b7/data/orphan.bin`))).toBe(sha256(data));
    expect(b.logs.filter((line) => line.includes('b7/data/orphan.bin  '))).toHaveLength(1);
  });
  it('completes a batch sent to two receivers at once into one valid bag in the bucket, handed on once', async () => {
    const store = storage(true);
    const dir = await scratch();
    const hookLog = path.join(dir, 'hook.log');
    const webhook = await startWebhookReceiver();
    started.push(webhook.stop);
    const completion: CompletionSettings = {
      hook: recordingHook(hookLog),
      webhook: webhook.url,
      webhookSecret: 'shared-secret',
      contactName: 'Ada Curator',
    };
    const [a, b] = [await receiverOn(store, { completion }), await receiverOn(store, { completion })];
    const options = await fetch(a.endpoint, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(options.headers.get('tus-extension')?.split(',')).toContain('batch-complete');
    const files = [
      file('plates/K1 1.jpg', 'first image'),
      file('plates/K1 2 100%.jpg', 'second image'),
      file('notes.txt', 'notes'),
    ];
    await send(a.endpoint, 'k1', files.slice(0, 2));
    await send(b.endpoint, 'k1', files.slice(2));

    // The page's completion, sent again to the other receiver while the first is at it.
    const request = manifest(files, 'the-one');
    const answers = await Promise.all([
      complete(a.endpoint, 'k1', request),
      complete(b.endpoint, 'k1', request),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const states = (await Promise.all(answers.map((answer) => answer.json()))) as CompletionState[];
    expect(states.map((state) => [state.version, state.files, state.payloadOxum])).toEqual([
      [1, 3, `${files.reduce((sum, f) => sum + f.data.length, 0)}.3`],
      [1, 3, `${files.reduce((sum, f) => sum + f.data.length, 0)}.3`],
    ]);
    const settled = await settledState(b.endpoint, 'k1');
    expect(settled.handoff).toEqual([
      { kind: 'hook', state: 'done', attempts: 1 },
      { kind: 'webhook', state: 'done', attempts: 1 },
    ]);

    expect(await bagProblems(store, 'k1')).toEqual([]);
    const info = (await objectBytes(`${store.prefix}k1/bag-info.txt`)).toString('utf8');
    expect(info).toContain('Contact-Name: Ada Curator\nExternal-Identifier: k1\n');
    expect(await keysUnder(`${store.prefix}k1/`)).toEqual(
      [
        'bag-info.txt',
        'bagit.txt',
        'data/notes.txt',
        'data/plates/K1 1.jpg',
        'data/plates/K1 2 100%.jpg',
        'manifest-md5.txt',
        'manifest-sha256.txt',
        'tagmanifest-sha256.txt',
      ].map((name) => `${store.prefix}k1/${name}`),
    );
    const logs = [...a.logs, ...b.logs];
    // Bagged once, from the digests verified as the files arrived: no object was read again.
    expect(logs.filter((line) => line.includes('BAGGED k1'))).toEqual([
      expect.stringContaining('3 listed by the page, 0 read again'),
    ]);
    expect(await linesOf(hookLog)).toEqual([`k1 1 s3://${BUCKET}/${store.prefix}k1/data/`]);
    expect(webhook.received).toHaveLength(1);
    const [posted] = webhook.received;
    expect(posted?.signature).toBe(signWebhook(posted?.body ?? '', 'shared-secret'));
    expect(JSON.parse(posted?.body ?? '{}')).toMatchObject({
      batch: 'k1',
      version: 1,
      bagDir: `s3://${BUCKET}/${store.prefix}k1/`,
      payloadOxum: settled.payloadOxum,
    });
  });

  it('refuses a completion whose file differs from what was placed with 422, writing no bag', async () => {
    const store = storage(true);
    const receiver = await receiverOn(store);
    const sent = [file('a.txt', 'as sent'), file('b.txt', 'also sent')];
    await send(receiver.endpoint, 'k2', sent);
    const request = manifest([sent[0] as (typeof sent)[0], file('b.txt', 'other bytes')]);
    const refused = await complete(receiver.endpoint, 'k2', request);
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      problems: [{ path: 'b.txt', problem: 'size' }],
    });
    expect(await keysUnder(`${store.prefix}k2/`)).toEqual([
      `${store.prefix}k2/data/a.txt`,
      `${store.prefix}k2/data/b.txt`,
    ]);
  });

  // Receiver processes start slowly on a loaded machine, and the killed one's lease runs 15 s: a longer limit.
  it('finishes a hand-off whose receiver was killed while its hook ran, once, when the completion is sent again', async () => {
    const store = storage(true);
    const dir = await scratch();
    const hookLog = path.join(dir, 'hook.log');
    const startedMark = path.join(dir, 'started');
    // The first run notes its process and waits, to be killed with its receiver; a run after that does the work.
    const hook = `if [ -e '${startedMark}' ]; then ${recordingHook(hookLog)}; else echo $$ > '${startedMark}'; exec sleep 600; fi`;
    const killed = await startReceiverProcess(path.join(dir, 'unused'), {
      ...ceph.env,
      STORAGE: `s3://${store.bucket}/${store.prefix}`,
      REDIS_URL: redis.url,
      ON_BATCH_COMPLETE: hook,
    });
    started.push(() => killed.stop());
    const survivor = await receiverOn(store, { completion: { hook } });
    const files = [file('one.txt', 'one'), file('two/three.txt', 'three')];
    const killedEndpoint = `${killed.url}files/`;
    await send(killedEndpoint, 'k3', files);
    const request = manifest(files, 'once');
    expect((await complete(killedEndpoint, 'k3', request)).status).toBe(200);
    await waitUntil(() => Promise.resolve(existsSync(startedMark)));
    await killed.kill();
    process.kill(Number(await readFile(startedMark, 'utf8')), 'SIGKILL');

    // The page sends its completion again until the hand-off is done; the survivor takes over once the killed
    // receiver's lease on the batch's hand-off has run out.
    for (;;) {
      const answer = await complete(survivor.endpoint, 'k3', request);
      expect(answer.status).toBe(200);
      if (isSettled((await answer.json()) as CompletionState)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const settled = (await (
      await fetch(new URL(completionPath('k3'), survivor.endpoint))
    ).json()) as CompletionState;
    expect(settled).toMatchObject({ version: 1, files: 2 });
    expect(settled.handoff).toEqual([{ kind: 'hook', state: 'done', attempts: 2 }]);
    expect(
      survivor.logs.some((line) => line.includes('the hook was running when the receiver stopped')),
    ).toBe(true);
    expect(await linesOf(hookLog)).toEqual([`k3 1 s3://${BUCKET}/${store.prefix}k3/data/`]);
    expect(await bagProblems(store, 'k3')).toEqual([]);
  }, 120_000);
});

/** A PATCH of `length` bytes at `offset` whose body the test writes and then cuts off, as a sender that goes away. */
async function cutOffPatch(url: URL, offset: number, length: number, sent: Buffer): Promise<void> {
  const { request } = openPatch(url, offset, length);
  // Handed to the kernel before the socket closes, so the receiver reads all of it before the end.
  await new Promise((resolve) => request.write(sent, resolve));
  request.destroy();
}

describe("the receiver's own PATCH on S3 (parts streamed from memory)", () => {
  it('answers as tus does, over parts, a short piece set aside and taken up by the next request', async () => {
    const store = storage();
    const receiver = await receiverOn(store);
    const data = randomBytes(20 * MiB + 3);
    const answers = [];
    for (const { relativePath, url, headers } of await directAndTusUploads(receiver, 'd1', data)) {
      // 12 MiB: one part of 8 MiB, and 4 MiB (under S3's smallest part) set aside for the next request.
      const first = await patchUpload(url, data.subarray(0, 12 * MiB), { headers });
      expect(await headOffset(url)).toBe(String(12 * MiB));
      const last = await patchUpload(url, data.subarray(12 * MiB), { offset: 12 * MiB, headers });
      answers.push({ first: first.status, offset: first.headers.get('upload-offset'), last: last.status });
      expect(last.headers.get(VERIFIED_HEADER)).toBe('sha-256');
      expect(sha256(await objectBytes(`${store.prefix}d1/data/${relativePath}`))).toBe(sha256(data));
    }
    expect(answers[0]).toEqual({ first: 204, offset: String(12 * MiB), last: 204 });
    expect(answers[1]).toEqual(answers[0]);
    expect(await keysUnder(store.prefix)).toEqual([
      `${store.prefix}d1/data/direct.bin`,
      `${store.prefix}d1/data/tus.bin`,
    ]);
    expect(await unfinishedUploads(store.prefix)).toBe(0);
  });

  it('keeps what arrived when the sender goes away: as a part of its own, or set aside, and the upload resumes', async () => {
    const store = storage();
    const receiver = await receiverOn(store);
    const data = randomBytes(20 * MiB);
    const url = await newUpload(receiver, 'd2', 'cut.bin', data);
    // 6 MiB of a request of 20: more than S3's smallest part, kept as a part.
    await cutOffPatch(url, 0, data.length, data.subarray(0, 6 * MiB));
    await expect.poll(() => headOffset(url)).toBe(String(6 * MiB));
    // 3 MiB of the next: under S3's smallest part, kept aside.
    await cutOffPatch(url, 6 * MiB, data.length - 6 * MiB, data.subarray(6 * MiB, 9 * MiB));
    await expect.poll(() => headOffset(url)).toBe(String(9 * MiB));
    const rest = await patchUpload(url, data.subarray(9 * MiB), { offset: 9 * MiB });
    expect(rest.status).toBe(204);
    expect(rest.headers.get(VERIFIED_HEADER)).toBe('sha-256');
    expect(sha256(await objectBytes(`${store.prefix}d2/data/cut.bin`))).toBe(sha256(data));
    expect(await unfinishedUploads(store.prefix)).toBe(0);
  });

  it('verifies an upload whose requests went to two receivers by reading it once: a damaged byte answers 460', async () => {
    const store = storage(true);
    const [a, b] = [await receiverOn(store), await receiverOn(store)];
    const sent = randomBytes(14 * MiB);
    const damaged = Buffer.from(sent);
    damaged[13 * MiB] = (damaged[13 * MiB] ?? 0) ^ 0xff;
    const created = await createUpload(
      a.endpoint,
      { batch: 'd3', relativePath: 'spread.bin', sha256: sha256(sent) },
      { length: sent.length },
    );
    const path = new URL(uploadUrl(created, a)).pathname;
    expect((await patchUpload(new URL(path, a.url), damaged.subarray(0, 8 * MiB))).status).toBe(204);
    const last = await patchUpload(new URL(path, b.url), damaged.subarray(8 * MiB), { offset: 8 * MiB });
    expect(last.status).toBe(460);
    expect(await last.text()).toContain('"d3/spread.bin" arrived with other bytes than were sent');
    expect(await keysUnder(store.prefix)).toEqual([]);
    expect(await unfinishedUploads(store.prefix)).toBe(0);
  });
});
