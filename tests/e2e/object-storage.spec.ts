/**
 * The receiver on object storage, as a site runs it: two receiver processes on one bucket of a real Ceph RADOS
 * Gateway, sharing their locks through a real Redis, behind one address that sends each request to the next of
 * them. One of them is killed in the middle of a 200 MB file. The page then completes the batch: one valid BagIt bag
 * in the bucket, its hand-off run once.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { validateBag } from '../server/bagit-validator.ts';
import { BIG_FILE, FIXTURE, fixtureSha256, throttleUploads } from './fixture-tree.ts';
import { startReceiverProcess, type ReceiverProcess } from './receiver-process.ts';
import { expect, seedPickerWithFixture, test } from './test.ts';
import { expectRunComplete, scanForUpload } from './upload-journey.ts';
import {
  downloadPrefix,
  startCeph,
  startRedis,
  type RunningCeph,
  type RunningRedis,
} from '../support/object-store.ts';
import { startRoundRobinProxy } from '../support/round-robin-proxy.ts';

const BUCKET = 'journeys';
const PREFIX = 'herbarium/';
const BIG_SIZE = 200 * 1024 * 1024;
/** The fixture folder with its large sheet at 200 MB. */
const fixture = FIXTURE.map((file) => (file.path === BIG_FILE ? { ...file, size: BIG_SIZE } : file));
const dataFiles = fixture.filter((file) => !file.system);

let ceph: RunningCeph;
let redis: RunningRedis;
const started: (() => Promise<void>)[] = [];

test.beforeAll(async () => {
  test.setTimeout(300_000);
  [ceph, redis] = await Promise.all([
    startCeph().then((running) => (started.push(running.stop), running)),
    startRedis().then((running) => (started.push(running.stop), running)),
  ]);
  await ceph.createBucket(BUCKET);
});
test.afterAll(async () => {
  await Promise.all(started.splice(0).map((stop) => stop()));
});

test('two receivers on S3 behind one address, one killed in the middle of a 200 MB file: the batch completes byte-identical, each file placed once, bagged and handed on once', async ({
  page,
  scratch,
}) => {
  test.setTimeout(300_000);
  const hookLog = path.join(scratch, 'hook.log');
  const settings = {
    ...ceph.env,
    STORAGE: `s3://${BUCKET}/${PREFIX}`,
    REDIS_URL: redis.url,
    ON_BATCH_COMPLETE: `printf '%s %s\\n' "$BATCH_NAME" "$BATCH_DIR" >> '${hookLog}'`,
  };
  const receivers: ReceiverProcess[] = [
    await startReceiverProcess(scratch, settings),
    await startReceiverProcess(scratch, settings),
  ];
  const proxy = await startRoundRobinProxy(receivers.map((receiver) => receiver.url));
  try {
    await page.goto(proxy.url);
    await seedPickerWithFixture(page, fixture);
    await scanForUpload(page, /7 files \(200(?:\.\d)? MiB\) in \d+ folders, 2 system files skipped/);
    const batch = await page.getByLabel('Batch name').inputValue();

    let bigUpload: string | undefined;
    let bigCreations = 0;
    page.on('response', (response) => {
      const request = response.request();
      if (request.method() === 'POST' && request.headers()['upload-length'] === String(BIG_SIZE)) {
        bigCreations += 1;
        bigUpload = new URL(response.headers()['location'] ?? '', response.url()).pathname;
      }
    });
    const unthrottle = await throttleUploads(page, 16 * 1024 * 1024);
    await page.getByRole('button', { name: 'Start upload' }).click();
    const progress = page.getByRole('progressbar', { name: 'Upload progress' });
    await expect
      .poll(
        async () => Number(await progress.getAttribute('value')) / Number(await progress.getAttribute('max')),
        // On a loaded machine the first 60 MB may take longer than the usual wait.
        { intervals: [100], timeout: 120_000 },
      )
      .toBeGreaterThan(0.3);
    // The receiver that took the big file's latest PATCH is the one killed, so that the transfer breaks off.
    const carrying = proxy.routed.findLast((r) => r.method === 'PATCH' && r.path === bigUpload);
    expect(carrying, 'a PATCH of the big file through the proxy').toBeDefined();
    const victim = receivers[carrying?.upstream ?? 0] as ReceiverProcess;
    // The transfer breaks off: the connection drops, or the proxy answers 502 as nginx would.
    const onBigUpload = (url: string) => new URL(url).pathname === bigUpload;
    const cutOff = Promise.race([
      page.waitForEvent('requestfailed', (request) => onBigUpload(request.url())),
      page.waitForResponse((response) => onBigUpload(response.url()) && response.status() === 502),
    ]);
    await victim.kill();
    await cutOff;
    await unthrottle();

    await expectRunComplete(page, dataFiles);
    await expect(page.getByRole('status')).toHaveText(/Upload complete: 7 files/);

    // The page completes the batch through whichever receiver is left; it is bagged in the bucket, handed on once.
    const completion = page.getByRole('region', { name: 'Batch completion' });
    await expect(completion).toContainText(
      `Batch ${batch} is complete on the receiver: every file was checked, and the batch is a BagIt bag (${batch}/, 7 files,`,
    );
    await expect(completion).toContainText("The receiver's hand-off command (ON_BATCH_COMPLETE) has run.", {
      timeout: 30_000,
    });
    expect(await readFile(hookLog, 'utf8')).toBe(`${batch} s3://${BUCKET}/${PREFIX}${batch}/\n`);
    const s3 = ceph.client();
    const bag = path.join(scratch, 'bag-from-the-bucket');
    await downloadPrefix(s3, BUCKET, `${PREFIX}${batch}/`, bag);
    expect(await validateBag(bag)).toEqual([]);
    const info = await readFile(path.join(bag, 'bag-info.txt'), 'utf8');
    expect(info).toContain(`Payload-Oxum: ${dataFiles.reduce((sum, f) => sum + f.size, 0)}.7\n`);

    // Every file is in the bucket at <prefix><batch>/data/<path>, byte-identical, and nothing else is.
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}${batch}/data/` }),
    );
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(
      dataFiles.map((f) => `${PREFIX}${batch}/data/${f.path}`).sort(),
    );
    for (const file of dataFiles) {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${batch}/data/${file.path}` }),
      );
      const hash = createHash('sha256');
      for await (const chunk of object.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
      expect(hash.digest('hex'), file.path).toBe(fixtureSha256(file));
    }
    const unfinished = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: PREFIX }));
    expect(unfinished.Uploads ?? [], 'unfinished multipart uploads').toEqual([]);
    s3.destroy();

    // Placed once, by whichever receiver: one line per file across both logs. Bagged once, reading nothing again.
    const logs = receivers.flatMap((receiver) => receiver.log);
    expect(logs.filter((line) => line.includes(`BAGGED ${batch}`))).toEqual([
      expect.stringContaining('7 listed by the page, 0 read again'),
    ]);
    for (const file of dataFiles) {
      expect(
        logs.filter((line) => line.includes(`  ${batch}/data/${file.path}  `)),
        file.path,
      ).toHaveLength(1);
    }
    // The big file was resumed on the receiver that lived, not started over.
    expect(bigCreations, 'creation requests for the big file').toBe(1);
    const afterKill = proxy.routed.filter((r) => r.method === 'PATCH' && r.path === bigUpload).slice(-1)[0];
    expect(afterKill?.upstream, 'the receiver that finished the big file').not.toBe(carrying?.upstream);
  } finally {
    await proxy.stop();
    for (const receiver of receivers) await receiver.stop();
  }
});
