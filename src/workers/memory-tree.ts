/**
 * A folder input's files as a tree the core walker reads, built in the folder worker from the facts the page
 * read (see absorbFileList): paths, sizes and dates. The File objects stay on the page.
 */
import type { TreeDir, TreeFile } from '#core/scan-tree';

export interface FileFactsOnly {
  readonly size: number;
  readonly lastModified: number;
}

export class MemoryDir implements TreeDir {
  readonly kind = 'directory';
  readonly #children = new Map<string, MemoryDir | TreeFile>();
  constructor(readonly name: string) {}

  add(parts: readonly string[], facts: FileFactsOnly, at = 0): void {
    const name = parts[at] as string;
    if (at === parts.length - 1) {
      this.#children.set(name, { kind: 'file', name, getFile: async () => facts });
      return;
    }
    let sub = this.#children.get(name);
    if (!sub || sub.kind !== 'directory') {
      sub = new MemoryDir(name);
      this.#children.set(name, sub);
    }
    sub.add(parts, facts, at + 1);
  }

  async *values(): AsyncIterable<TreeDir | TreeFile> {
    yield* this.#children.values();
  }
}
