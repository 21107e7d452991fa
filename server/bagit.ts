/**
 * The tag files that make a batch folder a BagIt 1.0 bag (RFC 8493) around its payload in `data/`: bagit.txt,
 * bag-info.txt, manifest-sha256.txt, manifest-md5.txt (when every file has an MD5), original-paths.tsv (when
 * files were sent under names from their barcodes: a tag file of our own, which RFC 8493 §2.2.4 allows) and
 * tagmanifest-sha256.txt.
 * Each is written to a temporary file, flushed to disk and renamed over the old one, the tag manifest last, so
 * a reader never sees half a file; the completion journal finishes a bag cut short by a crash at the next start.
 */
import { createHash } from 'node:crypto';
import { open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { PAYLOAD_DIR } from '#core/protocol';
import { writeAtomically } from './atomic-write.ts';

/** A payload file: its path under `data/` (`/`-separated), its size and digests in lower-case hexadecimal. */
export type PayloadFile = { path: string; bytes: number; sha256: string; md5?: string | undefined };

export type BagInfo = {
  batch: string;
  baggedAt: Date;
  /** e.g. `specimen-uploader 0.1.0`. */
  software: string;
  target?: string | undefined;
  version: number;
  contactName?: string | undefined;
  contactEmail?: string | undefined;
  sourceOrganization?: string | undefined;
};

/**
 * Tag file of the files sent under another name: `path` (under data/) and `original_path`, tab-separated and
 * percent-encoded as in a manifest (the receiver refuses tabs and other control characters in paths).
 */
export const ORIGINAL_PATHS_FILE = 'original-paths.tsv';

export const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';

/** RFC 8493 §2.1.3: a path in a manifest has CR, LF and % percent-encoded. */
export function encodeManifestPath(file: string): string {
  return file.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** `<bytes>.<files>` (RFC 8493 §2.2.2). */
export function payloadOxum(files: readonly PayloadFile[]): string {
  return `${files.reduce((sum, file) => sum + file.bytes, 0)}.${files.length}`;
}

/** A bag's tag files in the order they are written: the tag manifest, which lists the others, comes last. */
export type BagTags = {
  /** bagit.txt, bag-info.txt, manifest-sha256.txt and manifest-md5.txt when every file has an MD5. */
  tags: [name: string, text: string][];
  tagManifest: [name: 'tagmanifest-sha256.txt', text: string];
};

/**
 * The text of every tag file of a bag of `files`, wherever the bag is stored; `originals` are the own paths of
 * files sent under another name, by path under `data/`.
 */
export function bagTags(
  files: readonly PayloadFile[],
  info: BagInfo,
  originals: ReadonlyMap<string, string> = new Map(),
): BagTags {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest = (digest: (file: PayloadFile) => string | undefined) =>
    sorted.map((file) => `${digest(file)}  ${encodeManifestPath(`${PAYLOAD_DIR}/${file.path}`)}\n`).join('');
  const tags: [string, string][] = [
    ['bagit.txt', BAGIT_TXT],
    ['bag-info.txt', bagInfoText(sorted, info)],
    ['manifest-sha256.txt', manifest((file) => file.sha256)],
  ];
  const withMd5 = sorted.length > 0 && sorted.every((file) => file.md5 !== undefined);
  if (withMd5) tags.push([MD5_MANIFEST, manifest((file) => file.md5)]);
  const renamed = sorted.filter((file) => originals.has(file.path));
  if (renamed.length > 0) {
    const rows = renamed.map(
      (file) =>
        `${encodeManifestPath(`${PAYLOAD_DIR}/${file.path}`)}\t${encodeManifestPath(originals.get(file.path) ?? '')}\n`,
    );
    tags.push([ORIGINAL_PATHS_FILE, `path\toriginal_path\n${rows.join('')}`]);
  }
  const tagManifest = tags
    .map(([name, text]) => `${createHash('sha256').update(text).digest('hex')}  ${name}\n`)
    .join('');
  return { tags, tagManifest: ['tagmanifest-sha256.txt', tagManifest] };
}

/** The MD5 manifest, left out (and removed from an earlier bag) unless every file has an MD5. */
export const MD5_MANIFEST = 'manifest-md5.txt';

/** Tag files a bag has only sometimes: one left out of a bag is removed from where an earlier bag wrote it. */
export const OPTIONAL_TAG_FILES = [MD5_MANIFEST, ORIGINAL_PATHS_FILE];

/**
 * Writes the tag files of the bag at `bagDir` for `files` (every file under its `data/`); `originals` are the
 * own paths of files sent under another name, by path under `data/`.
 */
export async function writeBag(
  bagDir: string,
  files: readonly PayloadFile[],
  info: BagInfo,
  originals: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  await removeLeftovers(bagDir);
  const { tags, tagManifest } = bagTags(files, info, originals);
  for (const name of OPTIONAL_TAG_FILES) {
    if (!tags.some(([tag]) => tag === name)) await rm(path.join(bagDir, name), { force: true });
  }
  for (const [name, text] of [...tags, tagManifest]) await writeAtomically(path.join(bagDir, name), text);
  await syncDirectory(bagDir);
}

function bagInfoText(files: readonly PayloadFile[], info: BagInfo): string {
  const lines: [string, string | undefined][] = [
    ['Source-Organization', info.sourceOrganization],
    ['Contact-Name', info.contactName],
    ['Contact-Email', info.contactEmail],
    ['External-Identifier', info.batch],
    ['Bagging-Date', info.baggedAt.toISOString().slice(0, 10)],
    ['Payload-Oxum', payloadOxum(files)],
    ['Bag-Software-Agent', info.software],
    ['Upload-Target', info.target],
    ['Bag-Version', String(info.version)],
  ];
  return lines
    .filter((line): line is [string, string] => line[1] !== undefined && line[1] !== '')
    .map(([label, value]) => `${label}: ${oneLine(value)}\n`)
    .join('');
}

/** A tag value may not break its line (a continuation would need indenting); settings are read as given. */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim();

const TEMPORARY = /^(?:(?:bagit|bag-info|(?:tag)?manifest-\w+)\.txt|original-paths\.tsv)\.\d+\.tmp$/;

/** Temporary tag files a crash left behind, which would otherwise be tag files no tag manifest lists. */
async function removeLeftovers(bagDir: string): Promise<void> {
  for (const name of await readdir(bagDir)) {
    if (TEMPORARY.test(name)) await rm(path.join(bagDir, name), { force: true });
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot flush a folder; each file was flushed already.
  } finally {
    await handle.close();
  }
}
