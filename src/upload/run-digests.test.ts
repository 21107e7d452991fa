import { describe, expect, it } from 'vitest';
import { FAST_DIGEST, REPR_DIGEST_HEADER } from '#core/protocol';
import type { TransferPlan } from '#core/tus-capabilities';
import { RunDigests } from './run-digests';
import type { EngineFile, HttpRequest } from './uppy-engine';
import type { DigestSource, UploadJob, UploadListener } from './upload-types';

const PLAN: TransferPlan = {
  dataInCreation: true,
  reprDigest: true,
  chunkChecksum: null,
  verifies: true,
  fastDigest: true,
};

/** A folder worker whose XXH3-128 reads end when `finish()` is called. */
function heldSource() {
  const waiting: (() => void)[] = [];
  const source: DigestSource = {
    known: (jobs) => Promise.resolve(jobs.map(() => null)),
    digest: () => Promise.reject(new Error('not asked')),
    fastDigest: async () => {
      await new Promise<void>((resolve) => waiting.push(resolve));
      return { xxh3: '00112233445566778899aabbccddeeff' };
    },
    hold: () => undefined,
    release: () => undefined,
    adopt: () => undefined,
  };
  return { source, finish: () => waiting.splice(0).forEach((resolve) => resolve()) };
}

const nothing = () => undefined;
const LISTENER: UploadListener = { onFileDone: nothing, onFileFailed: nothing, onSettled: nothing };

/** A request as the engine hands it to its hooks: its method and headers. */
function request(method: string, headers: Record<string, string> = {}) {
  const request = {
    getMethod: () => method,
    getHeader: (name: string) => headers[name],
    setHeader: (name: string, value: string) => void (headers[name] = value),
  } as unknown as HttpRequest;
  return { request, headers };
}

describe('RunDigests.attach, what a request waits for', () => {
  it('only the request that completes a file waits for its hash, and carries its XXH3-128', async () => {
    const { source, finish } = heldSource();
    const digests = new RunDigests(source, LISTENER, PLAN, false);
    const chunk = 1024;
    const file = new File([new Uint8Array(3 * chunk)], 'sheet.jpg');
    const job: UploadJob = { id: 1, path: 'sheet.jpg', size: file.size, lastModified: 0, mime: 'image/jpeg' };
    const engineFile = { size: file.size, meta: { jobId: 1 } } as unknown as EngineFile;
    digests.start(job, file, undefined);

    // The creation and the first PATCH go while the hash is still under way.
    const creation = request('POST');
    await digests.attach(creation.request, engineFile, chunk);
    expect(creation.headers[REPR_DIGEST_HEADER]).toBeUndefined();
    const first = request('PATCH', { 'Upload-Offset': '0' });
    await digests.attach(first.request, engineFile, chunk);
    expect(first.headers[REPR_DIGEST_HEADER]).toBeUndefined();

    const last = request('PATCH', { 'Upload-Offset': String(2 * chunk) });
    let attached = false;
    const attaching = digests.attach(last.request, engineFile, chunk).then(() => (attached = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(attached).toBe(false);
    finish();
    await attaching;
    expect(last.headers[REPR_DIGEST_HEADER]).toBe(`${FAST_DIGEST}=:ABEiM0RVZneImaq7zN3u/w==:`);
  });
});
