/**
 * The page's only door to the scan worker. A scan cannot be interrupted inside the worker, so aborting terminates
 * it (as Squoosh does); each scan gets a fresh worker, which also frees the directory walk's memory.
 */
import * as Comlink from 'comlink';
import type { ScanBatch, ScanProgress } from '#core/scan-types';
import type { ScanWorkerApi } from './scan.worker';

export function scanInWorker(
  root: FileSystemDirectoryHandle,
  onBatch: (batch: ScanBatch) => void,
  signal: AbortSignal,
): Promise<ScanProgress> {
  if (signal.aborted) return Promise.reject(new DOMException('Scan cancelled', 'AbortError'));
  const worker = new Worker(new URL('./scan.worker.ts', import.meta.url), { type: 'module', name: 'scan' });
  const api = Comlink.wrap<ScanWorkerApi>(worker);
  return new Promise<ScanProgress>((resolve, reject) => {
    const abort = () => {
      worker.terminate();
      reject(new DOMException('Scan cancelled', 'AbortError'));
    };
    signal.addEventListener('abort', abort, { once: true });
    worker.addEventListener('error', (event) =>
      reject(new Error(event.message || 'The scan worker failed.')),
    );
    api
      .scan(root, Comlink.proxy(onBatch))
      .then(resolve, reject)
      .finally(() => {
        signal.removeEventListener('abort', abort);
        worker.terminate();
      });
  });
}
