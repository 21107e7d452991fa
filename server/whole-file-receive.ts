import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ERRORS, Upload } from '@tus/server';
import { REPR_DIGEST_HEADER, TUS_PATH, WANT_REPR_DIGEST_HEADER } from '#core/protocol';
import { isDiskFull } from './disk-space.ts';
import type { DiskFinisher } from './disk-finisher.ts';
import { AT_ONCE_LIMIT, type PartialStore } from './partial-store.ts';
import type { SpaceGuard } from './space-guard.ts';
import { answerLikeTus, bodyChunksOf, bodyOf, tusRefusal, type WholeFilePost } from './whole-file-post.ts';

export interface WholeFileParts {
  readonly partialDir: string;
  readonly store: PartialStore;
  readonly finisher: DiskFinisher;
  readonly space: SpaceGuard;
  readonly logAt: (text: string) => void;
  /** The tus headers of an answer to a page of this origin. */
  readonly headers: (req: IncomingMessage) => Record<string, string>;
}

/**
 * A whole file in its creation request, taken as tus would take it, with only its data file written and nothing
 * read back: for many small files, that and tus's handling of a request cost more than the bytes.
 */
export async function receiveWholeFile(
  parts: WholeFileParts,
  req: IncomingMessage,
  res: ServerResponse,
  post: WholeFilePost,
): Promise<void> {
  const { partialDir, store, finisher, space, logAt } = parts;
  const headers = parts.headers(req);
  // Ids as tus makes them (32 hexadecimal digits), from the cheaper pooled randomness of randomUUID.
  const id = randomUUID().replaceAll('-', '');
  const upload = new Upload({ id, size: post.size, offset: 0, metadata: post.metadata });
  let stage: 'checking' | 'writing' | 'finishing' = 'checking';
  try {
    const admitted = await finisher.admit(
      upload,
      singleHeader(req, REPR_DIGEST_HEADER),
      singleHeader(req, WANT_REPR_DIGEST_HEADER),
    );
    upload.metadata = admitted.metadata;
    stage = 'writing';
    upload.offset =
      post.size <= AT_ONCE_LIMIT
        ? await store.writeWholeAtOnce(await bodyChunksOf(req), upload.id, admitted.algorithms)
        : await store.writeWhole(bodyOf(req), upload.id, admitted.algorithms);
    stage = 'finishing';
    // The creation's Repr-Digest is checked from the metadata.
    const finished = await finisher.finishOnce(upload, null);
    answerLikeTus(res, 201, {
      ...headers,
      'Upload-Offset': String(upload.offset),
      ...finished.headers,
      Location: `${TUS_PATH}/${upload.id}`,
    });
  } catch (error) {
    const diskFull = stage === 'writing' && isDiskFull(error);
    if (diskFull)
      upload.offset = (await stat(path.join(partialDir, upload.id)).catch(() => undefined))?.size ?? 0;
    if (stage !== 'checking') await store.discard(upload.id);
    if (error instanceof Error && !diskFull) logAt(`ERROR ${error.message}`);
    const failure = diskFull
      ? await space.fullRefusal(upload, 'POST', false)
      : tusRefusal(stage === 'writing' && !req.complete ? ERRORS.ABORTED : error);
    // Like tus, which closes the connection after a failed write, since the rest of the body is left unread.
    answerLikeTus(res, failure.status_code, headers, failure.body, stage === 'writing');
  }
}

function singleHeader(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : null;
}
