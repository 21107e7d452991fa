/**
 * A folder input's files as a tree the core walker reads, built in the folder worker from the paths the page
 * worked out (see absorbFileList); the Files arrive with their size and date already taken.
 */
import type { TreeDir, TreeFile } from '#core/scan-tree';

export class MemoryDir implements TreeDir {
  readonly kind = 'directory';
  readonly #children = new Map<string, MemoryDir | TreeFile>();
  constructor(readonly name: string) {}

  add(parts: readonly string[], file: File, at = 0): void {
    const name = parts[at] as string;
    if (at === parts.length - 1) {
      this.#children.set(name, { kind: 'file', name, getFile: async () => file });
      return;
    }
    let sub = this.#children.get(name);
    if (!sub || sub.kind !== 'directory') {
      sub = new MemoryDir(name);
      this.#children.set(name, sub);
    }
    sub.add(parts, file, at + 1);
  }

  async *values(): AsyncIterable<TreeDir | TreeFile> {
    yield* this.#children.values();
  }
}
