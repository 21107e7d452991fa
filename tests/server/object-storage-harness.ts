/**
 * What the tests of the receiver on S3 share: a real Ceph RADOS Gateway and Redis, started once per test file by
 * useObjectStorage(), fresh key prefixes, receivers stopped after each test, and reads of the bucket.
 */
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startServer } from '../../server/app-server.ts';
import type { CompletionSettings } from '../../server/batch-complete.ts';
import type { ObjectStorage } from '../../server/object-receiver.ts';
import { startCeph, startRedis, type RunningCeph, type RunningRedis } from '../support/object-store.ts';
import { makeTempDir } from './helpers.ts';

export const BUCKET = 'specimens';
export const MiB = 2 ** 20;

export let ceph: RunningCeph;
export let redis: RunningRedis;
export let s3: S3Client;
/** What beforeAll started, and what tests start to outlive them, stopped in afterAll. */
export const started: (() => Promise<void>)[] = [];
let prefixes = 0;

export type Receiver = Awaited<ReturnType<typeof startServer>> & { endpoint: string; logs: string[] };
const receivers: Receiver[] = [];

/** Starts Ceph and Redis for the test file, and stops them and every receiver after it. Call at the top level. */
export function useObjectStorage(): void {
  beforeAll(async () => {
    [ceph, redis] = await Promise.all([
      startCeph().then((running) => (started.push(running.stop), running)),
      startRedis().then((running) => (started.push(running.stop), running)),
    ]);
    await ceph.createBucket(BUCKET);
    s3 = ceph.client();
    started.push(() => Promise.resolve(s3.destroy()));
    // The receiver takes its S3 keys from the SDK's usual chain.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: ceph.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: ceph.env.AWS_SECRET_ACCESS_KEY,
    });
  }, 300_000);
  afterAll(async () => {
    await Promise.all(started.splice(0).map((stop) => stop()));
  }, 60_000);
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
  });
}

/** A fresh prefix for each test, so their objects do not meet; `shared`: receivers on it share Redis. */
export function storage(shared = false, settings: Partial<ObjectStorage> = {}): ObjectStorage {
  prefixes += 1;
  return {
    bucket: BUCKET,
    prefix: `site-${prefixes}/`,
    endpoint: ceph.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    ...(shared ? { redisUrl: redis.url } : {}),
    ...settings,
  };
}

export async function receiverOn(
  store: ObjectStorage,
  options: { partialExpiry?: number; completion?: CompletionSettings } = {},
): Promise<Receiver> {
  const logs: string[] = [];
  const server = await startServer({
    uploadDir: '/nonexistent-receiver-upload-dir',
    port: 0,
    storage: store,
    log: (line) => logs.push(line),
    ...options,
  });
  const receiver = { ...server, endpoint: new URL('files/', server.url).href, logs };
  receivers.push(receiver);
  return receiver;
}

export async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}

export async function objectBytes(key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
}

export async function unfinishedUploads(prefix: string): Promise<number> {
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
  return listed.Uploads?.length ?? 0;
}

/** A temporary folder, removed after the test file. */
export async function scratch(): Promise<string> {
  const temp = await makeTempDir();
  started.push(temp.remove);
  return temp.dir;
}

export async function headOffset(url: URL): Promise<string | null> {
  const head = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
  return head.headers.get('upload-offset');
}
