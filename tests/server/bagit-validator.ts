/**
 * A small BagIt 1.0 validator (RFC 8493) for the tests, written from the RFC rather than from server/bagit.ts:
 * bagit.txt, every line of every payload manifest against the file it names, every payload file listed in every
 * payload manifest, Payload-Oxum, and every tag manifest line. Returns the problems; none for a valid bag.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const ALGORITHMS: Record<string, string> = { sha256: 'sha256', sha512: 'sha512', md5: 'md5', sha1: 'sha1' };

export async function validateBag(bagDir: string): Promise<string[]> {
  const problems: string[] = [];
  const names = await readdir(bagDir);
  const bagit = await readFile(path.join(bagDir, 'bagit.txt'), 'utf8').catch(() => undefined);
  if (bagit === undefined) return ['bagit.txt is missing'];
  const declaration = bagit.split(/\r\n|\r|\n/).filter((line) => line !== '');
  if (declaration[0] !== 'BagIt-Version: 1.0' || declaration[1] !== 'Tag-File-Character-Encoding: UTF-8') {
    problems.push(`bagit.txt does not declare BagIt 1.0 in UTF-8: ${JSON.stringify(bagit)}`);
  }
  const payload = await payloadFiles(path.join(bagDir, 'data'));
  if (!payload) return [...problems, 'the payload directory data/ is missing'];

  const manifests = names.filter((name) => /^manifest-\w+\.txt$/.test(name));
  if (manifests.length === 0) problems.push('there is no payload manifest');
  for (const manifest of manifests) {
    const lines = await manifestLines(bagDir, manifest, problems);
    const listed = new Set<string>();
    for (const { digest, file } of lines) {
      if (!file.startsWith('data/')) problems.push(`${manifest} lists ${file}, which is not in data/`);
      if (listed.has(file)) problems.push(`${manifest} lists ${file} twice`);
      listed.add(file);
      await checkDigest(bagDir, manifest, digest, file, problems);
    }
    for (const file of payload.files) {
      if (!listed.has(`data/${file}`))
        problems.push(`${manifest} does not list the payload file data/${file}`);
    }
  }

  const info = await readFile(path.join(bagDir, 'bag-info.txt'), 'utf8').catch(() => undefined);
  if (info !== undefined) {
    const oxum = /^Payload-Oxum:\s*(\d+)\.(\d+)\s*$/m.exec(info);
    if (!oxum) problems.push('bag-info.txt has no Payload-Oxum');
    else if (Number(oxum[1]) !== payload.bytes || Number(oxum[2]) !== payload.files.length) {
      problems.push(
        `Payload-Oxum is ${oxum[1]}.${oxum[2]} but the payload holds ${payload.bytes}.${payload.files.length}`,
      );
    }
  }

  const tagFiles = names.filter(
    (name) => name !== 'data' && !/^tagmanifest-\w+\.txt$/.test(name) && !name.startsWith('.'),
  );
  for (const tagManifest of names.filter((name) => /^tagmanifest-\w+\.txt$/.test(name))) {
    const lines = await manifestLines(bagDir, tagManifest, problems);
    for (const { digest, file } of lines) await checkDigest(bagDir, tagManifest, digest, file, problems);
    for (const tag of tagFiles) {
      if (!lines.some((line) => line.file === tag)) problems.push(`${tagManifest} does not list ${tag}`);
    }
  }
  return problems;
}

/** `<digest> <path>` lines with the path's %0D, %0A and %25 decoded (RFC 8493 §2.1.3). */
async function manifestLines(
  bagDir: string,
  manifest: string,
  problems: string[],
): Promise<{ digest: string; file: string }[]> {
  const text = await readFile(path.join(bagDir, manifest), 'utf8');
  const lines: { digest: string; file: string }[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = /^([0-9a-fA-F]+)[ \t]+(.+)$/.exec(line.replace(/\r$/, ''));
    if (!match?.[1] || !match[2]) {
      problems.push(`${manifest} has a line that is not "<digest> <path>": ${JSON.stringify(line)}`);
      continue;
    }
    const file = match[2].replace(/%0D|%0A|%25/gi, (code) =>
      code.toUpperCase() === '%0D' ? '\r' : code.toUpperCase() === '%0A' ? '\n' : '%',
    );
    lines.push({ digest: match[1].toLowerCase(), file });
  }
  return lines;
}

async function checkDigest(
  bagDir: string,
  manifest: string,
  digest: string,
  file: string,
  problems: string[],
): Promise<void> {
  const algorithm = ALGORITHMS[/^(?:tag)?manifest-(\w+)\.txt$/.exec(manifest)?.[1] ?? ''];
  if (!algorithm) {
    problems.push(`${manifest} names an algorithm this validator does not know`);
    return;
  }
  const full = path.join(bagDir, ...file.split('/'));
  if (!full.startsWith(bagDir + path.sep)) {
    problems.push(`${manifest} lists ${file}, which leads outside the bag`);
    return;
  }
  const bytes = await readFile(full).catch(() => undefined);
  if (bytes === undefined) {
    problems.push(`${manifest} lists ${file}, which does not exist`);
    return;
  }
  const actual = createHash(algorithm).update(bytes).digest('hex');
  if (actual !== digest) problems.push(`${file} has ${algorithm} ${actual}, but ${manifest} says ${digest}`);
}

async function payloadFiles(dir: string): Promise<{ files: string[]; bytes: number } | undefined> {
  const entries = await readdir(dir, { recursive: true }).catch(() => undefined);
  if (!entries) return undefined;
  const files: string[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const info = await stat(path.join(dir, entry));
    if (!info.isFile()) continue;
    files.push(entry.split(path.sep).join('/'));
    bytes += info.size;
  }
  return { files, bytes };
}
