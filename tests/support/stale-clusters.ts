/**
 * What a test run that was killed leaves of its Ceph: the daemons run on (they are not killed with the Node
 * process that started them, and each holds its in-memory OSD's data), and their temp folder stays. Each cluster's
 * folder names the process that owns it; a later start ends the daemons of folders whose owner is gone and removes
 * those folders. Clusters of runs still going, here or in another worktree, are left alone.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const CLUSTER_DIR_PREFIX = 'receiver-ceph-';
const OWNER_FILE = 'owner';
/** A folder without an owner file is another version's, or one just made: left alone while this young. */
const UNOWNED_GRACE_MS = 10 * 60_000;

/** Marks `dir` as this process's cluster. */
export function claimClusterDir(dir: string): Promise<void> {
  return writeFile(path.join(dir, OWNER_FILE), String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The processes whose command line names something inside `dir` (every Ceph daemon names its ceph.conf there). */
async function processesIn(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(`${dir}/`)) found.push(Number(entry));
  }
  return found;
}

async function ownerOf(dir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number(text);
}

/**
 * Ends the daemons of clusters whose owning process is gone and removes their folders; removes unowned folders
 * that are old and that no process uses. Returns the folders removed.
 */
export async function sweepStaleClusters(tmp = os.tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(tmp)) {
    if (!name.startsWith(CLUSTER_DIR_PREFIX)) continue;
    const dir = path.join(tmp, name);
    const owner = await ownerOf(dir);
    const users = await processesIn(dir);
    if (owner === undefined) {
      const age = Date.now() - (await stat(dir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (users.length > 0 || age < UNOWNED_GRACE_MS) continue;
    } else if (owner === process.pid || isAlive(owner)) {
      continue;
    }
    for (const pid of users) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
