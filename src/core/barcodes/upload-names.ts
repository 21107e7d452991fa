/**
 * The names files are uploaded under when they differ from their own (names from barcodes): the original path
 * stays the file's key for reading it, its checksums and the batch journal; the upload name is what the check,
 * the file lists, the web copies and the receiver see. Files not renamed keep their path.
 */
export class UploadNames {
  readonly #upload = new Map<string, string>();
  readonly #original = new Map<string, string>();

  constructor(pairs: Iterable<readonly [string, string]> = []) {
    for (const [from, to] of pairs) this.set(from, to);
  }

  get size(): number {
    return this.#upload.size;
  }

  set(from: string, to: string): void {
    const before = this.#upload.get(from);
    if (before !== undefined) this.#original.delete(before);
    this.#upload.set(from, to);
    this.#original.set(to, from);
  }

  /** The path a file is uploaded under. */
  of(path: string): string {
    return this.#upload.get(path) ?? path;
  }

  /** The file's own path when `uploadPath` is a name it was given, else undefined. */
  originalOf(uploadPath: string): string | undefined {
    return this.#original.get(uploadPath);
  }

  /** Pairs of (own path, upload path). */
  pairs(): [string, string][] {
    return [...this.#upload];
  }

  /** The items under their upload paths, in the same order (the same array when nothing is renamed). */
  rename<T extends { readonly path: string }>(items: readonly T[]): readonly T[] {
    if (this.#upload.size === 0) return items;
    return items.map((item) => {
      const to = this.#upload.get(item.path);
      return to === undefined ? item : { ...item, path: to };
    });
  }

  /** A map keyed by own paths, keyed by upload paths instead. */
  rekey<V>(map: ReadonlyMap<string, V>): ReadonlyMap<string, V> {
    if (this.#upload.size === 0) return map;
    const out = new Map<string, V>();
    for (const [path, value] of map) out.set(this.of(path), value);
    return out;
  }
}
