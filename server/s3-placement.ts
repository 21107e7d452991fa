import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  AbortMultipartUploadCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { storedPathFor } from '#core/protocol';
import { numbered, PlacementError, type Placement } from './placement.ts';
import type { SharedState } from './shared-state.ts';

const MAX_NUMBERED_COPIES = 999;
/** S3 copies at most 5 GiB in one request; larger objects are copied in parts of this size. */
const MAX_SINGLE_COPY = 5 * 2 ** 30;
const COPY_PART_SIZE = 2 ** 30;
const PLACE_LOCK_WAIT_MS = 60_000;
/**
 * The object metadata that lets a clash with identical content be told without reading either object, and that
 * gives a batch's completion the digests verified on arrival when the shared records of them are gone.
 */
export const SHA256_METADATA = 'sha256';
export const MD5_METADATA = 'md5';

export type ObjectSource = {
  client: S3Client;
  bucket: string;
  /** The finished upload's object. */
  key: string;
  size: number;
  sha256: string;
  md5?: string | undefined;
};

/** Where the object was placed, and its ETag there, which tells later whether it is still the object placed. */
export type ObjectPlacement = Placement & { etag: string | undefined };

/**
 * Copies a finished upload's object to `<prefix><batch>/data/<relativePath>` without ever overwriting, like
 * placeFile on disk: a clash with identical content (same size and SHA-256, as noted on the object) keeps the
 * existing object, a clash with different content gets a ` (n)` suffix. Each candidate name is checked and written
 * under a lock the instances share, so two receivers placing the same name at once keep both files. The copy stays
 * inside the store (no byte passes through the receiver).
 */
export async function placeObject(
  source: ObjectSource,
  prefix: string,
  batch: string,
  relativePath: string,
  state: SharedState,
): Promise<ObjectPlacement> {
  const target = storedPathFor(batch, relativePath);
  for (let n = 1; n <= MAX_NUMBERED_COPIES; n += 1) {
    const candidate = n === 1 ? target : numbered(target, n);
    const key = `${prefix}${candidate}`;
    const outcome = await state.exclusive(`place:${key}`, PLACE_LOCK_WAIT_MS, async () => {
      const existing = await headObject(source.client, source.bucket, key);
      if (!existing) {
        const etag = await copyObject(source, key);
        return { outcome: n === 1 ? ('stored' as const) : ('renamed' as const), etag };
      }
      const same = existing.size === source.size && existing.sha256 === source.sha256;
      return same ? { outcome: 'identical' as const, etag: existing.etag } : undefined;
    });
    if (outcome) return { storedPath: candidate, ...outcome };
  }
  throw new PlacementError(409, `${MAX_NUMBERED_COPIES} different files with that name are already stored.`);
}

async function headObject(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<{ size: number; sha256: string | undefined; etag: string | undefined } | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: head.ContentLength ?? -1, sha256: head.Metadata?.[SHA256_METADATA], etag: head.ETag };
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return undefined;
    throw error;
  }
}

/** Copies the upload's object to `key`; returns the new object's ETag. */
async function copyObject(source: ObjectSource, key: string): Promise<string | undefined> {
  const { client, bucket } = source;
  const copySource = `${bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`;
  const metadata = {
    [SHA256_METADATA]: source.sha256,
    ...(source.md5 ? { [MD5_METADATA]: source.md5 } : {}),
  };
  if (source.size <= MAX_SINGLE_COPY) {
    const copied = await client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: key,
        CopySource: copySource,
        MetadataDirective: 'REPLACE',
        Metadata: metadata,
      }),
    );
    return copied.CopyObjectResult?.ETag;
  }
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata }),
  );
  try {
    const parts = [];
    for (let start = 0, part = 1; start < source.size; start += COPY_PART_SIZE, part += 1) {
      const end = Math.min(source.size, start + COPY_PART_SIZE) - 1;
      const copied = await client.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          PartNumber: part,
          CopySource: copySource,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      parts.push({ PartNumber: part, ETag: copied.CopyPartResult?.ETag });
    }
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return completed.ETag;
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
      .catch(() => undefined);
    throw error;
  }
}
