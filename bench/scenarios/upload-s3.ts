/**
 * upload-1gib-s3: the 1 GiB OPFS file uploaded by the app to a receiver on S3 (a one-node in-memory Ceph RADOS
 * Gateway, started here), against a raw multipart upload of a 1 GiB file from Node to the same gateway. Raw and
 * app alternate; the bucket is emptied between runs. BENCH_S3_REDIS=1 gives the receiver a Redis (REDIS_URL), as
 * when several run behind one address: its running digests are then hash-wasm's, saved in Redis at each part.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PAYLOAD_DIR } from '#core/protocol';
import { partSizeFor } from '../../server/s3-store.ts';
import { startCeph, startRedis, type RunningCeph } from '../../tests/support/object-store.ts';
import {
  AppProblem,
  openApp,
  scanWithApp,
  setBatch,
  settleCheck,
  uploadWithApp,
  waitToStart,
} from '../app.ts';
import { formatMs, mbPerSecond, median, progress, step } from '../log.ts';
import { profiling, startProfile } from '../profile.ts';
import { startBenchReceiver, type BenchReceiver } from '../receiver.ts';
import { describeRequests } from '../request-log.ts';
import { BIG_FILE, bigFile, checkAnnounced, RUNS, type Scenario } from '../scenario.ts';

const { root: ROOT, size: SIZE } = BIG_FILE;
const UPLOAD_TIMEOUT = 600_000;
const BUCKET = 'bench';
/**
 * The receiver's part size. The receiver sends up to four parts at once while the next arrive, in the large PATCH
 * requests it asks the page for (its request-size extension); the raw side sends four at once, as the SDK's own
 * Upload helper does by default.
 */
const PART_SIZE = partSizeFor(undefined);
const RAW_PARALLEL = 4;
const WITH_REDIS = process.env.BENCH_S3_REDIS === '1';

export const uploadS3Scenario: Scenario = {
  label: 'upload-1gib-s3',
  specs: [
    {
      name: 'upload-1gib-s3',
      unit: 'MB/s',
      bar: { on: 'ratio', op: '≥', limit: 0.8 },
      decimals: 1,
      aggregation: `1 GiB OPFS file, target Custom pattern (SHA-256), Start upload pressed once the app's SHA-256 is done; app: bytes / (click → "Upload complete"), to the receiver with STORAGE=s3:// on a one-node in-memory Ceph RADOS Gateway${WITH_REDIS ? ' and a Redis (REDIS_URL)' : ''} (verified as the parts pass, placed by a copy inside the store); baseline: a multipart upload of a 1 GiB file (random bytes, same size) from Node with @aws-sdk/client-s3 to the same gateway, ${PART_SIZE / 2 ** 20} MiB parts, ${RAW_PARALLEL} at once; MB = 10^6 bytes; median of ${RUNS} runs each, alternating`,
    },
  ],
  async run(env) {
    const label = this.label;
    const ceph = await step(label, 'start a one-node in-memory Ceph with its RADOS Gateway', () =>
      startCeph(8 * 2 ** 30),
    ).then(([running]) => running);
    const redis = WITH_REDIS ? await startRedis() : undefined;
    const scratch = await mkdtemp(path.join(tmpdir(), 'bench-s3-'));
    let receiver: BenchReceiver | undefined;
    const s3 = ceph.client();
    const { page, close } = await env.openContext(label);
    try {
      await ceph.createBucket(BUCKET);
      receiver = await startBenchReceiver(
        {
          uploadDir: path.join(scratch, 'uploads'),
          rawDir: path.join(scratch, 'raw'),
          staticDir: env.appDir,
          env: { ...ceph.env, STORAGE: `s3://${BUCKET}/app`, ...(redis ? { REDIS_URL: redis.url } : {}) },
        },
        (line) => env.warn(label, `receiver: ${line}`),
      );
      const rawFile = path.join(scratch, 'raw-1gib.bin');
      await step(label, 'write a 1 GiB file for the raw upload', () => writeRandomFile(rawFile, SIZE));

      const rawRun = async (run: number): Promise<number> => {
        await emptyBucket(s3);
        const [ms] = await step(label, `run ${run}/${RUNS}: baseline raw multipart upload`, async () => {
          const started = performance.now();
          await multipartUpload(s3, rawFile, `raw/raw-${run}.bin`);
          return performance.now() - started;
        });
        const rate = mbPerSecond(SIZE, ms);
        progress(label, `run ${run}/${RUNS}: raw multipart ${formatMs(ms)} = ${rate.toFixed(1)} MB/s`);
        return rate;
      };

      const appRun = async (run: number, app: BenchReceiver): Promise<number> => {
        const tag = `run ${run}/${RUNS}`;
        await emptyBucket(s3);
        await openApp(page, app.url);
        await page.getByLabel('Target').selectOption('custom');
        const scan = await scanWithApp(page, ROOT, 1, 60_000);
        checkAnnounced(env, label, tag, scan, 1);
        const headline = await settleCheck(page, 120_000);
        if (headline) progress(label, `${tag}: check: ${headline}`);
        await waitToStart(page, 'reviewed', UPLOAD_TIMEOUT, (text) => progress(label, `${tag}: ${text}`));
        const batch = `bench-1gib-s3-${run}`;
        await setBatch(page, batch);
        await app.reset();
        // BENCH_PROFILE=1: the page's and the receiver's CPU profiles of the first run (which it slows).
        const stopProfile = profiling && run === 1 ? await startProfile(page, env.appDir, app) : null;
        const [upload] = await step(label, `${tag}: app upload`, () =>
          uploadWithApp(page, { expectedFiles: 1, timeout: UPLOAD_TIMEOUT, sampleHeap: false }),
        );
        if (stopProfile) console.log(await stopProfile());
        const seen = await app.report();
        const stored = await listKeys(s3, `app/${batch}/${PAYLOAD_DIR}/`);
        if (stored.length !== 1 || stored[0]?.size !== SIZE) {
          throw new AppProblem(
            `the bucket holds ${JSON.stringify(stored)} for the batch, expected one object of ${SIZE} bytes`,
          );
        }
        const rate = mbPerSecond(SIZE, upload.ms);
        progress(
          label,
          `${tag}: app ${formatMs(upload.ms)} = ${rate.toFixed(1)} MB/s; receiver CPU ${formatMs(seen.cpuMs)}`,
        );
        progress(label, `${tag}: receiver saw ${describeRequests(seen.requests)}`);
        return rate;
      };

      await openApp(page, receiver.url);
      await bigFile(page, label);
      const raw: number[] = [];
      const app: number[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        raw.push(await rawRun(run));
        app.push(await appRun(run, receiver));
      }
      return { 'upload-1gib-s3': { value: median(app), baseline: median(raw) } };
    } finally {
      await close();
      await receiver?.close().catch(() => undefined);
      s3.destroy();
      await stopQuietly(ceph);
      await redis?.stop();
      await rm(scratch, { recursive: true, force: true });
    }
  },
};

async function stopQuietly(ceph: RunningCeph): Promise<void> {
  await ceph.stop().catch(() => undefined);
}

async function writeRandomFile(file: string, size: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < size;) {
      const chunk = randomBytes(Math.min(16 * 2 ** 20, size - written));
      await handle.write(chunk);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
}

/** A plain multipart upload: parts read from the file and sent RAW_PARALLEL at a time. */
async function multipartUpload(s3: S3Client, file: string, key: string): Promise<void> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const count = Math.ceil(SIZE / PART_SIZE);
  const parts: { PartNumber: number; ETag: string | undefined }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      const start = index * PART_SIZE;
      const end = Math.min(SIZE, start + PART_SIZE) - 1;
      const sent = await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          PartNumber: index + 1,
          ContentLength: end - start + 1,
          Body: createReadStream(file, { start, end }),
        }),
      );
      parts.push({ PartNumber: index + 1, ETag: sent.ETag });
    }
  };
  await Promise.all(Array.from({ length: RAW_PARALLEL }, worker));
  parts.sort((a, b) => a.PartNumber - b.PartNumber);
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
}

async function listKeys(s3: S3Client, prefix: string): Promise<{ key: string; size: number }[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? -1 }));
}

/** Removes every object, so the in-memory store never holds more than one run's bytes. */
async function emptyBucket(s3: S3Client): Promise<void> {
  const keys = await listKeys(s3, '');
  if (keys.length === 0) return;
  await s3.send(
    new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((k) => ({ Key: k.key })) } }),
  );
}
