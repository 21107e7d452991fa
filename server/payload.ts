/**
 * A batch's payload as it is stored (every file under `<batch>/data/`, on disk or in object storage) with the
 * digests of each: those the receiver verified while writing it, as long as the file is unchanged since (same size
 * and modification time, or same ETag), otherwise SHA-256 and MD5 read from the file in one pass.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { PAYLOAD_DIR } from '#core/protocol';
import type { PayloadFile } from './bagit.ts';
import { digestFile } from './digests.ts';
import type { PlacedFile } from './placed-files.ts';

/** A stored file as listed; `etag` is an object's (its `mtimeMs` is 0 then), the file's change on disk otherwise. */
export type StoredFile = { bytes: number; mtimeMs: number; etag?: string | undefined };

export type Digests = { sha256: string; md5?: string | undefined };

/** The digests of a stored file no verified record covers, and whether its bytes had to be read for them. */
export type ReadDigests = (stored: string) => Promise<Digests & { read: boolean }>;

export class Payload {
  /** Stored path under `data/` → size and time, for every file on disk. */
  readonly files: ReadonlyMap<string, StoredFile>;
  readonly #readDigests: ReadDigests;
  readonly #verified = new Map<string, PlacedFile>();
  readonly #placed: readonly PlacedFile[];
  readonly #digests = new Map<string, Promise<Digests>>();
  /** How many files had to be read because no verified digest was at hand. */
  hashed = 0;

  constructor(files: ReadonlyMap<string, StoredFile>, placed: readonly PlacedFile[], read: ReadDigests) {
    this.#readDigests = read;
    this.files = files;
    this.#placed = placed;
    // The latest record of each stored path wins: a file removed by hand and sent again is recorded twice.
    for (const record of placed) this.#verified.set(record.stored, record);
  }

  /** Lists `<bagDir>/data/`; `placed` is what the receiver recorded while writing those files. */
  static async read(bagDir: string, placed: readonly PlacedFile[]): Promise<Payload> {
    const dir = path.join(bagDir, PAYLOAD_DIR);
    const files = new Map<string, StoredFile>();
    let entries: string[];
    try {
      entries = await readdir(dir, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      entries = [];
    }
    for (const entry of entries) {
      const info = await stat(path.join(dir, entry));
      if (info.isFile())
        files.set(entry.split(path.sep).join('/'), { bytes: info.size, mtimeMs: info.mtimeMs });
    }
    return new Payload(files, placed, async (stored) => {
      const read = await digestFile(path.join(dir, ...stored.split('/')), ['sha-256', 'md5']);
      return { sha256: read.get('sha-256') ?? '', md5: read.get('md5'), read: true };
    });
  }

  /** The stored paths a file sent as `sentPath` may be at: where it was placed, then the path itself. */
  placesOf(sentPath: string): string[] {
    const places = this.#placed.filter((record) => record.path === sentPath).map((record) => record.stored);
    return [...new Set([...places.reverse(), sentPath])];
  }

  /** The SHA-256 (and MD5 when known) of a stored file, verified on arrival or read now; computed once. */
  digests(stored: string): Promise<Digests> {
    let digests = this.#digests.get(stored);
    if (!digests) {
      digests = this.#compute(stored);
      this.#digests.set(stored, digests);
    }
    return digests;
  }

  /** Every payload file with its digests, for the manifests. */
  async all(): Promise<PayloadFile[]> {
    const files: PayloadFile[] = [];
    for (const [stored, file] of this.files) {
      files.push({ path: stored, bytes: file.bytes, ...(await this.digests(stored)) });
    }
    return files;
  }

  async #compute(stored: string): Promise<Digests> {
    const file = this.files.get(stored);
    const record = this.#verified.get(stored);
    if (
      file &&
      record?.sha256 &&
      record.bytes === file.bytes &&
      record.mtimeMs === file.mtimeMs &&
      record.etag === file.etag
    ) {
      return { sha256: record.sha256, md5: record.md5 };
    }
    const { read, ...digests } = await this.#readDigests(stored);
    if (read) this.hashed += 1;
    return digests;
  }
}
