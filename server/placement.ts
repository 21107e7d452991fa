import { createHash } from 'node:crypto';
import { createReadStream, linkSync } from 'node:fs';
import { constants, copyFile, mkdir, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PAYLOAD_DIR } from '#core/protocol';

export type Placement = {
  /** Where the file is now, relative to the upload folder, `/`-separated: `<batch>/data/<path>`. */
  storedPath: string;
  outcome: 'stored' | 'renamed' | 'identical';
};

/** A refusal that is not a file-system error; `reason` is a lower-case clause ending in a full stop. */
export class PlacementError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const MAX_NUMBERED_COPIES = 999;

/**
 * Moves a finished upload to `<uploadDir>/<batch>/data/<relativePath>` (the payload of the batch's BagIt bag,
 * there from the start, so completing a batch moves nothing) without ever overwriting: a clash with identical
 * content keeps the existing file, a clash with different content gets a ` (n)` suffix.
 * `batch` and `relativePath` must already have passed the checks in `#core/paths`.
 */
export async function placeFile(
  source: string,
  uploadDir: string,
  batch: string,
  relativePath: string,
): Promise<Placement> {
  const root = path.resolve(uploadDir);
  const batchDir = path.resolve(root, batch);
  const target = path.resolve(batchDir, PAYLOAD_DIR, ...relativePath.split('/'));
  // Defence in depth: the paths were validated, but nothing may ever land outside the batch folder.
  const payloadDir = path.join(batchDir, PAYLOAD_DIR);
  if (path.dirname(batchDir) !== root || !target.startsWith(payloadDir + path.sep)) {
    throw new PlacementError(400, 'the path leads outside its batch folder.');
  }
  const parent = path.dirname(target);
  await ensureParent(parent, batchDir);

  const toStoredPath = (file: string) => path.relative(root, file).split(path.sep).join('/');
  for (let n = 1; n <= MAX_NUMBERED_COPIES; n += 1) {
    const candidate = n === 1 ? target : numbered(target, n);
    let created: boolean;
    try {
      created = await createExclusive(source, candidate);
    } catch (error) {
      // The folder was verified earlier but has gone since (cleared by hand): make and check it again, once.
      if (errorCode(error) !== 'ENOENT' || !verifiedParents.delete(parent)) throw error;
      await ensureParent(parent, batchDir);
      created = await createExclusive(source, candidate);
    }
    if (created) {
      return { storedPath: toStoredPath(candidate), outcome: n === 1 ? 'stored' : 'renamed' };
    }
    if (await sameContent(source, candidate)) {
      return { storedPath: toStoredPath(candidate), outcome: 'identical' };
    }
  }
  throw new PlacementError(409, `${MAX_NUMBERED_COPIES} different files with that name are already stored.`);
}

/**
 * Folders already made and checked to lie inside their batch (no link leading out). Thousands of small files
 * land in the same few folders; checking each folder once saves a mkdir and two realpath calls per file.
 */
const verifiedParents = new Set<string>();
const MAX_VERIFIED_PARENTS = 10_000;

async function ensureParent(parent: string, batchDir: string): Promise<void> {
  if (verifiedParents.has(parent)) return;
  await mkdir(parent, { recursive: true });
  const realParent = await realpath(parent);
  const realBatch = await realpath(batchDir);
  if (realParent !== realBatch && !realParent.startsWith(realBatch + path.sep)) {
    throw new PlacementError(400, 'a folder on the path is a link that leads outside its batch folder.');
  }
  if (verifiedParents.size >= MAX_VERIFIED_PARENTS) verifiedParents.clear();
  verifiedParents.add(parent);
}

/** `name (2).ext`; compound extensions such as `.ome.tif` or `.tar.gz` stay together. */
export function numbered(file: string, n: number): string {
  const base = path.basename(file);
  const match = /(?:\.(?:ome|nii|tar))?\.[^.\s]{1,12}$/i.exec(base);
  const cut = match && match.index > 0 ? match.index : base.length;
  return path.join(path.dirname(file), `${base.slice(0, cut)} (${n})${base.slice(cut)}`);
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/** Creates `destination` with the content of `source`; false when `destination` already exists. */
async function createExclusive(source: string, destination: string): Promise<boolean> {
  try {
    // A link is a change of names only, whatever the file's size: quicker done here than through the thread pool.
    linkSync(source, destination);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    // Another disk, or a file system without hard links (FAT, some network shares): copy instead.
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
  }
  try {
    await copyFile(source, destination, constants.COPYFILE_EXCL);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    await rm(destination, { force: true }).catch(() => undefined);
    throw error;
  }
}

async function sameContent(a: string, b: string): Promise<boolean> {
  const [statA, statB] = await Promise.all([stat(a), stat(b)]);
  if (!statB.isFile() || statA.size !== statB.size) return false;
  const [hashA, hashB] = await Promise.all([sha256(a), sha256(b)]);
  return hashA === hashB;
}

export async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
