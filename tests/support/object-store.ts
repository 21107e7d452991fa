/**
 * Real servers for the receiver on object storage, started and stopped by the tests: a one-node Ceph cluster kept
 * in memory (one monitor, one memstore OSD, no auth) with its RADOS Gateway answering S3, and a Redis for the lock
 * the receivers share. Debian's packages (ceph-mon, ceph-osd, radosgw, ceph-common, redis-server), installed by
 * scripts/ensure-test-tools.sh. Everything lives in a temp folder on free ports, so runs side by side do not meet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { claimClusterDir, CLUSTER_DIR_PREFIX, sweepStaleClusters } from './stale-clusters.ts';

export const ACCESS_KEY = 'receiver-test';
export const SECRET_KEY = 'receiver-test-secret';
const START_TIMEOUT_MS = 120_000;

export interface RunningCeph {
  /** The gateway's S3 endpoint, http://127.0.0.1:<port>. */
  readonly endpoint: string;
  /** The environment a receiver needs to reach it: endpoint, region, path style and the test user's keys. */
  readonly env: Readonly<Record<string, string>>;
  /** A client for the tests' own look at the bucket; as the test user, or as another one's keys. */
  client(keys?: S3Keys): S3Client;
  /** Runs `radosgw-admin` with `args` on this cluster (users, quotas); its output. */
  admin(args: readonly string[]): Promise<string>;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface S3Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface RunningRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (free when asked; the daemons take it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number, memoryBytes: number): string {
  return `[global]
fsid = ${fsid}
mon host = v1:127.0.0.1:${monPort}
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
ms bind ipv6 = false
ms bind ipv4 = true
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr2 = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
# The OSD sends no commands of its own while it starts (see startCeph).
osd class update on start = false
osd crush update on start = false
osd objectstore = memstore
memstore device bytes = ${memoryBytes}
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
pid file = ${dir}/run/$name.pid
mon data = ${dir}/mon/$name
osd data = ${dir}/osd/$name
keyring = ${dir}/keyring
mon cluster log file = ${dir}/log/cluster.log
debug ms = 0

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
rgw lc debug interval = 10
`;
}

function run(command: string, args: readonly string[], conf: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, ['-c', conf, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${out}`)),
    );
  });
}

/** A daemon in the foreground (`-f`), so stopping the test stops it. */
function daemon(command: string, args: readonly string[], conf: string): ChildProcess {
  return spawn(command, ['-c', conf, '-f', ...args], { stdio: 'ignore' });
}

/** Probes until it gives a value; gives up at once when the daemon it waits for (`needs`) has stopped. */
async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  needs?: ChildProcess,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    const ended = needs && (needs.exitCode ?? needs.signalCode);
    if (ended !== undefined && ended !== null) {
      throw new Error(`${what} stopped (${ended}) while the cluster was starting`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not come up: ${String(last)}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

/**
 * Starts a one-node in-memory Ceph with a RADOS Gateway and an S3 user; about twenty seconds. The daemons and
 * folder of a cluster whose test run was killed are removed first (see stale-clusters.ts).
 *
 * The OSD is placed in the CRUSH map from here, before it starts, rather than by itself as it starts: its monitor
 * client begins with a blank cluster fsid (its map holds only the monitor's address) until the monitor's map
 * arrives, and when its first command (setting its device class) went out before that, the monitor refused it as
 * "wrong fsid" (its log: "handle_command on fsid 00000000-… != <fsid>") and the OSD stopped, about one start in
 * ten on a loaded machine. Without commands of its own, the OSD only sends its boot message, which carries the
 * cluster fsid from its own disk.
 * `memoryBytes`: what the in-memory OSD may hold (4 GiB by default).
 */
export async function startCeph(memoryBytes = 4 * 2 ** 30): Promise<RunningCeph> {
  await sweepStaleClusters();
  const dir = await mkdtemp(path.join(os.tmpdir(), CLUSTER_DIR_PREFIX));
  await claimClusterDir(dir);
  for (const sub of ['run', 'log', 'mon/mon.a', 'osd/osd.0', 'rgw']) {
    await mkdir(path.join(dir, sub), { recursive: true });
  }
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const fsid = randomUUID();
  const conf = path.join(dir, 'ceph.conf');
  await writeFile(conf, cephConf(dir, fsid, monPort, rgwPort, memoryBytes));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run(
      'monmaptool',
      ['--create', '--addv', 'a', `[v1:127.0.0.1:${monPort}]`, '--fsid', fsid, `${dir}/monmap`],
      conf,
    );
    await run('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', `${dir}/monmap`], conf);
    const mon = daemon('ceph-mon', ['-i', 'a'], conf);
    children.push(mon);
    const osdUuid = randomUUID();
    const osdId = (
      await waitFor(
        'the Ceph monitor',
        START_TIMEOUT_MS,
        () => run('ceph', ['osd', 'new', osdUuid], conf),
        mon,
      )
    ).trim();
    await run('ceph', ['osd', 'crush', 'add', `osd.${osdId}`, '1', 'host=localhost', 'root=default'], conf);
    await run('ceph-osd', ['-i', osdId, '--mkfs', '--osd-uuid', osdUuid], conf);
    const osd = daemon('ceph-osd', ['-i', osdId], conf);
    children.push(osd);
    await waitFor(
      'the Ceph OSD',
      START_TIMEOUT_MS,
      async () => (/1 up/.test(await run('ceph', ['osd', 'stat'], conf)) ? true : undefined),
      osd,
    );
    const gateway = daemon('radosgw', ['-n', 'client.rgw.a'], conf);
    children.push(gateway);
    await waitFor(
      'the RADOS Gateway user',
      START_TIMEOUT_MS,
      () =>
        run(
          'radosgw-admin',
          [
            'user',
            'create',
            '--uid=test',
            '--display-name=test',
            `--access-key=${ACCESS_KEY}`,
            `--secret=${SECRET_KEY}`,
          ],
          conf,
        ),
      gateway,
    );
  } catch (error) {
    // The daemons' own words on why, before their folder goes.
    const logs = await Promise.all(
      ['mon.a', 'osd.0', 'client.rgw.a'].map(async (name) => {
        const text = await readFile(path.join(dir, 'log', `${name}.log`), 'utf8').catch(() => '');
        return `--- ${name}.log (end)\n${text.split('\n').slice(-15).join('\n')}`;
      }),
    );
    await stop();
    throw new Error(`${String(error)}\n${logs.join('\n')}`, { cause: error });
  }
  const endpoint = `http://127.0.0.1:${rgwPort}`;
  const env = {
    S3_ENDPOINT: endpoint,
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
  };
  const client = (keys: S3Keys = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }) =>
    new S3Client({
      endpoint,
      region: env.S3_REGION,
      forcePathStyle: true,
      credentials: keys,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const probe = client();
  return {
    endpoint,
    env,
    client,
    admin: (args) => run('radosgw-admin', args, conf),
    async createBucket(name) {
      // The gateway answers S3 some seconds after it starts.
      await waitFor('the RADOS Gateway', START_TIMEOUT_MS, async () => {
        await probe.send(new CreateBucketCommand({ Bucket: name }));
        return true;
      });
    },
    stop: async () => {
      probe.destroy();
      await stop();
    },
  };
}

/** Debian's redis-server on a free port, nothing saved to disk. */
export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'receiver-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  child.unref();
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server stopped (${code}): ${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Copies every object under `prefix` into `dir` (`<prefix>a/b.txt` to `<dir>/a/b.txt`), so that a bag in the
 * bucket can be checked with the tests' BagIt validator exactly as it is stored.
 */
export async function downloadPrefix(
  client: S3Client,
  bucket: string,
  prefix: string,
  dir: string,
): Promise<void> {
  let token: string | undefined;
  do {
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const { Key: key } of listed.Contents ?? []) {
      if (!key) continue;
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const file = path.join(dir, ...key.slice(prefix.length).split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, (await object.Body?.transformToByteArray()) ?? new Uint8Array());
    }
    token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
  } while (token);
}
