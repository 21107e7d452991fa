/**
 * An image worker: plans one image from its first bytes (what travels, which copies, or why none), makes the
 * copies from one decode, keeps them in OPFS, and says what it did. Several run side by side (image-pool.ts);
 * each holds at most one decoded image.
 */
import * as Comlink from 'comlink';
import { aboutFile } from '#core/format';
import { copySize, planImage, type OriginalFate } from '#core/images/derivative-plan';
import { headerBytesWanted, isImageHeader, readImageHeader } from '#core/images/image-header';
import { estimateJpegQuality, startQuality } from '#core/images/jpeg-quality';
import type { DerivativeRole, ImageHeader, ImagePolicy } from '#core/images/types';
import { writeStored } from '../platform/opfs';
import { decode, DecodeProblem, draw, encodeUnder } from './images/render';

export interface MakeRequest {
  readonly path: string;
  readonly file: Blob;
  readonly policy: ImagePolicy;
  /** The OPFS folder of this picked folder's copies. */
  readonly store: string;
}

export interface MadeCopy {
  /** Where the copy goes, relative to the picked folder: `a/x_tn.jpg`. */
  readonly name: string;
  readonly role: DerivativeRole;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  readonly quality: number;
  /** The stored file's date, which the upload checks the copy against. */
  readonly lastModified: number;
}

export interface MakeResult {
  readonly path: string;
  /** What travels of the original; 'upload-uncopied' when no copy could be made (see `problems`). */
  readonly original: OriginalFate;
  readonly copies: readonly MadeCopy[];
  /** Why copies were not made, one sentence each naming the file. */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  /** The source as decoded, upright; 0 when it was not decoded. */
  readonly width: number;
  readonly height: number;
}

const api = {
  async make(request: MakeRequest): Promise<MakeResult> {
    const { path, file, policy } = request;
    const first = new Uint8Array(await file.slice(0, headerBytesWanted).arrayBuffer());
    const header = readImageHeader(first, file.size);
    const plan = planImage(path, header, file.size, policy);
    const base = { path, copies: [], width: 0, height: 0, notes: plan.notes };
    if (plan.problem !== undefined) return { ...base, original: plan.original, problems: [plan.problem] };
    if (plan.copies.length === 0 || !isImageHeader(header)) {
      return { ...base, original: plan.original, problems: [] };
    }
    let decoded;
    try {
      decoded = await decode(file, header.format === 'tiff' ? 'tiff' : header.format);
    } catch (error) {
      return {
        ...base,
        original: 'upload-uncopied',
        problems: [aboutFile(path, reason(error))],
      };
    }
    const { image } = decoded;
    const notes = [...plan.notes, ...decoded.notes.map((note) => aboutFile(path, note))];
    try {
      // Sized from the decoded image, which is upright whatever the header said; largest first, each copy drawn
      // from the one before, so the full-size decode is resampled once.
      const sized = plan.copies
        .map((copy) => ({ copy, size: copySize(copy.spec, image.width, image.height) }))
        .sort((a, b) => b.size.width * b.size.height - a.size.width * a.size.height);
      const copies: MadeCopy[] = [];
      const problems: string[] = [];
      const sourceQuality = estimateJpegQuality(first);
      const sourceJpeg =
        sourceQuality === undefined
          ? undefined
          : { quality: sourceQuality, bytes: file.size, pixels: image.width * image.height };
      let source: CanvasImageSource = image;
      for (const { copy, size } of sized) {
        if (isOriginalAsCopy(header, file.size, size, image, copy.spec.maxBytes)) {
          // Re-encoding an upright JPEG at its own size and under the limit would only lose quality (and often
          // grow the file): the copy is the original's bytes.
          const stored = await writeStored(request.store, copy.path, file);
          copies.push({
            lastModified: stored.lastModified,
            name: copy.path,
            role: copy.spec.role,
            width: image.width,
            height: image.height,
            bytes: file.size,
            quality: sourceQuality ?? 1,
          });
          continue;
        }
        const canvas = draw(source, size.width, size.height);
        source = canvas;
        const { quality, maxBytes } = copy.spec;
        const start = startQuality(sourceJpeg, { pixels: size.width * size.height, quality, maxBytes });
        const encoded = await encodeUnder(canvas, start, maxBytes);
        if ('problem' in encoded) {
          problems.push(`${copy.path} was not made: ${encoded.problem}`);
          continue;
        }
        const stored = await writeStored(request.store, copy.path, encoded.blob);
        copies.push({
          lastModified: stored.lastModified,
          name: copy.path,
          role: copy.spec.role,
          width: encoded.width,
          height: encoded.height,
          bytes: encoded.blob.size,
          quality: encoded.quality,
        });
      }
      // An original meant to be replaced travels after all when its web-ready copy could not be made.
      const replaced = plan.original === 'replace' && !copies.some((c) => c.role === 'web-ready');
      const original: OriginalFate = replaced ? 'upload-uncopied' : plan.original;
      return { path, original, copies, problems, notes, width: image.width, height: image.height };
    } catch (error) {
      return {
        ...base,
        original: 'upload-uncopied',
        notes,
        problems: [aboutFile(path, reason(error))],
      };
    } finally {
      image.close();
    }
  },
};

/** A JPEG shown as stored (no EXIF turn), as large as the copy and within its limit, is its own copy. */
function isOriginalAsCopy(
  header: ImageHeader,
  bytes: number,
  size: { readonly width: number; readonly height: number },
  image: ImageBitmap,
  maxBytes: number,
): boolean {
  return (
    header.format === 'jpeg' &&
    header.orientation <= 1 &&
    bytes <= maxBytes &&
    size.width === image.width &&
    size.height === image.height
  );
}

function reason(error: unknown): string {
  if (error instanceof DecodeProblem) return error.message;
  if (error instanceof DOMException && error.name === 'QuotaExceededError') {
    return 'it is uploaded as it is: the browser has no room left to keep its web copies; free disk space, then make the copies again.';
  }
  const detail = error instanceof Error ? error.message : String(error);
  return `it is uploaded as it is: its web copies could not be made (${detail}); check the file, then make the copies again.`;
}

export type ImageWorkerApi = typeof api;

Comlink.expose(api);
