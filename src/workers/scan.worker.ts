/** Scan worker: walks a picked directory handle off the main thread and streams batches back. */
import * as Comlink from 'comlink';
import { walkTree } from '#core/scan-tree';
import type { ScanBatch, ScanProgress } from '#core/scan-types';

const api = {
  scan(root: FileSystemDirectoryHandle, onBatch: (batch: ScanBatch) => void): Promise<ScanProgress> {
    return walkTree(root, onBatch);
  },
};

export type ScanWorkerApi = typeof api;

Comlink.expose(api);
