import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UPLOAD_LOCKED, VERIFIED_HEADER } from '#core/protocol';
import { createUpload, openPatch, patchUpload, sha256, uploadUrl } from './helpers.ts';
import {
  headOffset,
  MiB,
  objectBytes,
  receiverOn,
  storage,
  useObjectStorage,
  type Receiver,
} from './object-storage-harness.ts';

useObjectStorage();

/** Where the receiver puts the first part of an upload on S3 (its usual part size). */
const PART = 8 * MiB;

/** Headers that send a PATCH to the receiver's own PATCH path, and to tus's (a Tus-Version header goes to tus). */
const PATHS = [{}, { 'Tus-Version': '1.0.0' }];

/**
 * An upload of 20 MiB and a PATCH on `holder` that has sent its first part and a MiB more, its connection left
 * open: the part is on S3 (HEAD, which takes no lock, says 8 MiB) while the request still holds the upload.
 */
async function uploadHeldBy(holder: Receiver, batch: string, headers: Record<string, string> = {}) {
  const data = randomBytes(20 * MiB);
  const created = await createUpload(
    holder.endpoint,
    { batch, relativePath: 'locked.bin', sha256: sha256(data) },
    { length: data.length },
  );
  const path = new URL(uploadUrl(created, holder)).pathname;
  const on = (receiver: Receiver) => new URL(path, receiver.url);
  const held = openPatch(on(holder), 0, data.length, headers);
  await new Promise((resolve) => held.request.write(data.subarray(0, PART + MiB), resolve));
  await expect.poll(() => headOffset(on(holder)), { timeout: 60_000 }).toBe(String(PART));
  return { data, on, held };
}

const kinds = [
  ['two receivers sharing Redis', true],
  ['one receiver, its locks in memory', false],
] as const;

describe.each(kinds)('upload locks on S3, %s', (_kind, shared) => {
  it('refuses a PATCH to an upload another PATCH writes to with 423 and a sentence, and takes it once that one ends', async () => {
    const store = storage(shared);
    const a = await receiverOn(store);
    const b = shared ? await receiverOn(store) : a;
    const { data, on, held } = await uploadHeldBy(a, 'l1');

    // Through the receiver's own PATCH and through tus's, with the rest of the file.
    for (const headers of PATHS) {
      const refused = await patchUpload(on(b), data.subarray(PART), { offset: PART, headers });
      expect(refused.status).toBe(UPLOAD_LOCKED);
      expect(await refused.text()).toBe(
        'Another request is writing to "l1/locked.bin" now; the upload goes on when it ends: try again in a few seconds.',
      );
    }
    expect(await headOffset(on(b))).toBe(String(PART));

    // The first request ends short, as when its sender goes away: what it sent is kept, and the upload goes on.
    held.request.destroy();
    await expect.poll(() => headOffset(on(b))).toBe(String(PART + MiB));
    const rest = await patchUpload(on(b), data.subarray(PART + MiB), { offset: PART + MiB });
    expect(rest.status).toBe(204);
    expect(rest.headers.get(VERIFIED_HEADER)).toBe('sha-256');
    expect(sha256(await objectBytes(`${store.prefix}l1/data/locked.bin`))).toBe(sha256(data));
  });

  it('ends a request whose sender went silent once its lease is over, keeping what it sent, and frees the upload', async () => {
    const store = storage(shared, { lockLeaseMs: 1000 });
    const a = await receiverOn(store);
    const b = shared ? await receiverOn(store) : a;
    for (const [at, headers] of PATHS.entries()) {
      // Its connection stays open and nothing more comes: a client gone without a word, or a half-open connection.
      const { data, on, held } = await uploadHeldBy(a, `l2-${at}`, headers);
      // Ended by its receiver (answered, or its connection closed, since the rest of its body will not come).
      await held.answered;
      await expect.poll(() => headOffset(on(b))).toBe(String(PART + MiB));
      const rest = await patchUpload(on(b), data.subarray(PART + MiB), { offset: PART + MiB });
      expect(rest.status).toBe(204);
      expect(sha256(await objectBytes(`${store.prefix}l2-${at}/data/locked.bin`))).toBe(sha256(data));
    }
  });
});
