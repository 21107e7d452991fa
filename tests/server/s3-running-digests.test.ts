/**
 * Issue #18's "no second read of the object" across receivers: two receivers on one bucket and one Redis, each
 * upload's requests spread over both (or its first receiver killed in the middle of a request), every S3 request
 * they send seen by a proxy in front of the gateway, so that a read of an uploaded object would show.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { createClient } from 'redis';
import type { DetailedError } from 'tus-js-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { UPLOAD_LOCKED, VERIFIED_HEADER } from '#core/protocol';
import type { ObjectStorage } from '../../server/object-receiver.ts';
import { startReceiverProcess } from '../e2e/receiver-process.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy.ts';
import { waitUntil } from './completion-helpers.ts';
import { createUpload, openPatch, patchUpload, sha256, tusUpload, uploadUrl } from './helpers.ts';
import {
  BUCKET,
  MiB,
  ceph,
  headOffset,
  keysUnder,
  objectBytes,
  receiverOn,
  redis,
  s3,
  scratch,
  started,
  storage as storageOn,
  useObjectStorage,
} from './object-storage-harness.ts';

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

useObjectStorage();
/** The receivers' S3 endpoint: the gateway behind a proxy that notes each request. */
let gateway: RoundRobinProxy;
beforeAll(async () => {
  gateway = await startRoundRobinProxy([ceph.endpoint]);
  started.push(gateway.stop);
});

const stopAfterEach: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stopAfterEach.splice(0).reverse()) await stop();
});

/** A fresh prefix for each test, shared through Redis, its S3 requests seen by the gateway's proxy. */
const gatewayEndpoint = () => gateway.url.replace(/\/$/, '');
const storage = (): ObjectStorage => storageOn(true, { endpoint: gatewayEndpoint() });

/**
 * GETs of uploads' objects under `prefix` (not of their lists of parts, info or bytes set aside): reads of what was
 * uploaded, by any receiver.
 */
function objectReads(prefix: string): number {
  const upload = new RegExp(`^/${BUCKET}/${prefix}\\.partial/[^/.]+$`);
  return gateway.routed.filter(
    (request) => request.method === 'GET' && upload.test(request.path) && !request.query.includes('uploadId'),
  ).length;
}

/** The parts S3 holds of the one unfinished upload under `prefix`. */
async function partsOnS3(prefix: string): Promise<number> {
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
  const upload = listed.Uploads?.[0];
  if (!upload) return 0;
  const parts = await s3.send(
    new ListPartsCommand({ Bucket: BUCKET, Key: upload.Key, UploadId: upload.UploadId }),
  );
  return parts.Parts?.length ?? 0;
}

/** Two receivers on `store` behind a round-robin proxy, as behind nginx; its tus endpoint and what it routed. */
async function balanced(store: ObjectStorage): Promise<{ endpoint: string; front: RoundRobinProxy }> {
  const [a, b] = [await receiverOn(store), await receiverOn(store)];
  const front = await startRoundRobinProxy([a.url, b.url]);
  stopAfterEach.push(front.stop);
  return { endpoint: new URL('files/', front.url).href, front };
}

describe('running digests across receivers sharing Redis (Ceph RADOS Gateway)', () => {
  it('verifies a file whose requests alternate between two receivers without reading its object', async () => {
    const store = storage();
    const { endpoint, front } = await balanced(store);
    const data = randomBytes(13 * MiB + 1234);
    // 3 MiB requests: each under S3's smallest part, set aside, and taken up by the next request elsewhere. Both
    // digests announced: a wrong one would refuse the file.
    const result = await tusUpload(
      endpoint,
      data,
      { batch: 'r1', relativePath: 'alternating.bin', sha256: sha256(data), md5: md5(data) },
      { chunkSize: 3 * MiB },
    );
    expect(result.storedPath).toBe('r1/data/alternating.bin');
    const patches = front.routed.filter((request) => request.method === 'PATCH');
    expect(patches.map((request) => request.upstream)).toEqual([1, 0, 1, 0, 1]);
    expect(sha256(await objectBytes(`${store.prefix}r1/data/alternating.bin`))).toBe(sha256(data));
    expect(objectReads(store.prefix)).toBe(0);
  });

  it('refuses a file damaged on its way with 460 and removes it, its requests on two receivers, reading nothing', async () => {
    const store = storage();
    const { endpoint } = await balanced(store);
    const sent = randomBytes(13 * MiB);
    const damaged = Buffer.from(sent);
    damaged[10 * MiB] = (damaged[10 * MiB] ?? 0) ^ 0xff;
    const failure = await tusUpload(
      endpoint,
      damaged,
      { batch: 'r2', relativePath: 'damaged.bin', sha256: sha256(sent) },
      { chunkSize: 3 * MiB },
    ).then(
      () => undefined,
      (error: unknown) => error as DetailedError,
    );
    expect(failure?.originalResponse?.getStatus()).toBe(460);
    expect(failure?.originalResponse?.getBody()).toContain(
      '"r2/damaged.bin" arrived with other bytes than were sent',
    );
    expect(await keysUnder(store.prefix)).toEqual([]);
    expect(objectReads(store.prefix)).toBe(0);
  });

  it('continues on another receiver after the first is killed in the middle of a request, reading nothing', async () => {
    const store = storage();
    const dir = await scratch();
    const killed = await startReceiverProcess(path.join(dir, 'unused'), {
      ...ceph.env,
      S3_ENDPOINT: gatewayEndpoint(),
      STORAGE: `s3://${BUCKET}/${store.prefix}`,
      REDIS_URL: redis.url,
    });
    stopAfterEach.push(() => killed.stop());
    const other = await receiverOn(store);
    const data = randomBytes(20 * MiB);
    const created = await createUpload(
      `${killed.url}files/`,
      { batch: 'r3', relativePath: 'killed.bin', sha256: sha256(data) },
      { length: data.length },
    );
    const url = uploadUrl(created, killed);
    const { request } = openPatch(url, 0, data.length);
    request.on('error', () => undefined);
    // 12 MiB of 20: the first part (8 MiB) finishes on S3, the second is on its way when the receiver dies.
    await new Promise((resolve) => request.write(data.subarray(0, 12 * MiB), resolve));
    // Watched in the bucket.
    await waitUntil(async () => (await partsOnS3(store.prefix)) === 1);
    await killed.kill();
    request.destroy();
    const onOther = new URL(url.pathname, other.url);
    expect(await headOffset(onOther)).toBe(String(8 * MiB));
    // Refused with 423 until the dead receiver's lock lapses (its lease), and sent again meanwhile as a tus client does.
    const sendRest = () => patchUpload(onOther, data.subarray(8 * MiB), { offset: 8 * MiB });
    let rest = await sendRest();
    while (rest.status === UPLOAD_LOCKED) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      rest = await sendRest();
    }
    expect(rest.status).toBe(204);
    expect(rest.headers.get(VERIFIED_HEADER)).toBe('sha-256');
    expect(sha256(await objectBytes(`${store.prefix}r3/data/killed.bin`))).toBe(sha256(data));
    expect(objectReads(store.prefix)).toBe(0);
  }, 120_000);

  it('reads the object once, to verify it, when Redis lost its saved digests', async () => {
    const store = storage();
    const [a, b] = [await receiverOn(store), await receiverOn(store)];
    const data = randomBytes(11 * MiB);
    const created = await createUpload(
      a.endpoint,
      { batch: 'r4', relativePath: 'forgotten.bin', sha256: sha256(data) },
      { length: data.length },
    );
    const { pathname } = uploadUrl(created, a);
    expect((await patchUpload(new URL(pathname, a.url), data.subarray(0, 8 * MiB))).status).toBe(204);
    const client = createClient({ url: redis.url });
    await client.connect();
    const saved = await client.keys(`*${store.prefix}:digests:*`);
    expect(saved).toHaveLength(1);
    await client.del(saved);
    await client.quit();
    const last = await patchUpload(new URL(pathname, b.url), data.subarray(8 * MiB), { offset: 8 * MiB });
    expect(last.status).toBe(204);
    expect(last.headers.get(VERIFIED_HEADER)).toBe('sha-256');
    expect(objectReads(store.prefix)).toBe(1);
  });
});
