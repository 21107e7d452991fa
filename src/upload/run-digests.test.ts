import { describe, expect, it } from 'vitest';
import { BYTES_SENT_BELOW, type HashedFile } from '#core/digest';
import type { TransferPlan } from '#core/tus-capabilities';
import { RunDigests } from './run-digests';
import type { DigestSource, UploadJob, UploadListener } from './upload-types';

const PLAN: TransferPlan = {
  dataInCreation: true,
  reprDigest: true,
  chunkChecksum: null,
  verifies: true,
  fastDigest: true,
};

/** A folder worker whose XXH3-128 reads end when `finish()` is called, each with the file's bytes. */
function heldSource() {
  const waiting: (() => void)[] = [];
  const source: DigestSource = {
    known: (jobs) => Promise.resolve(jobs.map(() => null)),
    digest: () => Promise.reject(new Error('not asked')),
    fastDigest: async (_job, file): Promise<HashedFile<{ readonly xxh3: string }>> => {
      await new Promise<void>((resolve) => waiting.push(resolve));
      const bytes = new Uint8Array(await file.arrayBuffer());
      return { digests: { xxh3: 'ab' }, bytes: file.size < BYTES_SENT_BELOW ? bytes : null };
    },
    hold: () => undefined,
    release: () => undefined,
    adopt: () => undefined,
  };
  return { source, finish: () => waiting.splice(0).forEach((resolve) => resolve()) };
}

const nothing = () => undefined;
const LISTENER: UploadListener = { onFileDone: nothing, onFileFailed: nothing, onSettled: nothing };

const jobOf = (id: number, file: File): UploadJob => ({
  id,
  path: `f${id}.jpg`,
  size: file.size,
  lastModified: file.lastModified,
  mime: 'image/jpeg',
});

describe('RunDigests.bytesOf, what a request sends', () => {
  it('a small file waits for its hash read and sends its bytes; a larger one is sent from the file at once', async () => {
    const { source, finish } = heldSource();
    const digests = new RunDigests(source, LISTENER, PLAN, false);
    const small = new File(['label'], 'label.jpg');
    const large = new File([new Uint8Array(BYTES_SENT_BELOW)], 'sheet.jpg');
    digests.start(jobOf(1, small), small, undefined);
    digests.start(jobOf(2, large), large, undefined);
    // The larger file's request does not wait for its hash, still under way.
    expect(digests.bytesOf(large)).toBeUndefined();
    const bytes = digests.bytesOf(small);
    finish();
    expect(await bytes).toEqual(new TextEncoder().encode('label'));
  });
});
