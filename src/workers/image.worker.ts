/**
 * An image worker: plans one image from its first bytes (what travels, which copies, or why none), makes the
 * copies from one decode, keeps them in OPFS, and says what it did. Several run side by side (image-pool.ts);
 * each holds at most one decoded image.
 */
import * as Comlink from 'comlink';
import { notOpenedProblem, unreadableReason } from '#core/barcodes/readable';
import type { BarcodeReading } from '#core/barcodes/types';
import { aboutFile } from '#core/format';
import { copySize, planImage, type OriginalFate } from '#core/images/derivative-plan';
import { headerBytesWanted, isImageHeader, readImageHeader } from '#core/images/image-header';
import { estimateJpegQuality, startQuality } from '#core/images/jpeg-quality';
import type { DerivativeRole, ImageFormat, ImageHeader, ImagePolicy } from '#core/images/types';
import { writeStored } from '../platform/opfs';
import { endWarmUp, prepareBarcodeReader, readImageBarcodes } from './images/barcode-reader';
import { decode, DecodeProblem, draw, encodeUnder, type Decoded } from './images/render';

/** An image in a picked folder, which the worker opens itself (`path` relative to `folder`). */
export interface InFolder {
  readonly folder: FileSystemDirectoryHandle;
  readonly path: string;
}

export interface MakeRequest {
  readonly path: string;
  readonly file: Blob | InFolder;
  readonly policy: ImagePolicy;
  /** The OPFS folder of this picked folder's copies. */
  readonly store: string;
  /** Make the copies the policy asks for (default); false to only read the barcodes. */
  readonly copies?: boolean;
  /** Read the image's barcodes from the same decode. */
  readonly barcodes?: boolean;
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
  /** Set when the barcodes were asked for. */
  readonly barcodes?: BarcodeReading;
}

const api = {
  /** Compiles the barcode reader ahead of the first image (a pool that reads barcodes asks as it starts). */
  async prepareBarcodes(): Promise<void> {
    await prepareBarcodeReader();
  },

  async make(request: MakeRequest): Promise<MakeResult> {
    endWarmUp();
    const { path } = request;
    let file: Blob;
    try {
      file = request.file instanceof Blob ? request.file : await openInFolder(request.file);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return {
        path,
        original: 'upload-uncopied',
        copies: [],
        problems:
          request.copies === false
            ? []
            : [
                aboutFile(
                  path,
                  `it could not be opened to make its copies (${detail}); choose the folder again to rescan it.`,
                ),
              ],
        notes: [],
        width: 0,
        height: 0,
        ...(request.barcodes === true ? { barcodes: { problem: notOpenedProblem(path, detail) } } : {}),
      };
    }
    const first = new Uint8Array(await file.slice(0, headerBytesWanted).arrayBuffer());
    const header = readImageHeader(first, file.size);
    const policy = request.copies === false ? NO_COPIES : request.policy;
    const plan = planImage(path, header, file.size, policy);
    const base = { path, copies: [], width: 0, height: 0, notes: plan.notes };
    const copying = plan.problem === undefined && plan.copies.length > 0 && isImageHeader(header);
    const unreadable = request.barcodes === true ? unreadableReason(header, file.size) : undefined;
    const reading = request.barcodes === true && unreadable === undefined;
    const noBarcodes =
      unreadable === undefined
        ? {}
        : { barcodes: { problem: `The barcodes of ${path} were not read: ${unreadable}.` } };
    if (!copying && !reading) {
      const problems = plan.problem === undefined ? [] : [plan.problem];
      return { ...base, ...noBarcodes, original: plan.original, problems };
    }
    // A failed compile says so when the barcodes are read.
    if (reading) void prepareBarcodeReader().catch(() => undefined);
    let decoded: Decoded;
    closeDone();
    try {
      decoded = await decode(file, formatOf(header));
    } catch (error) {
      const problem = aboutFile(path, reason(error));
      return {
        ...base,
        ...(reading
          ? { barcodes: { problem: `The barcodes of ${path} were not read: it could not be decoded.` } }
          : {}),
        original: copying ? 'upload-uncopied' : plan.original,
        problems: copying ? [problem] : [],
      };
    }
    let barcodes: BarcodeReading | undefined;
    if (reading) {
      try {
        barcodes = { found: await readImageBarcodes(decoded.image) };
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        barcodes = { problem: `The barcodes of ${path} could not be read (${detail}).` };
      }
    }
    const withBarcodes = barcodes === undefined ? {} : { barcodes };
    if (!copying) {
      const { width, height } = decoded.image;
      closeAfterAnswer(decoded.image);
      return { ...base, ...withBarcodes, original: plan.original, problems: [], width, height };
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
      const { width, height } = image;
      return { path, original, copies, problems, notes, width, height, ...withBarcodes };
    } catch (error) {
      return {
        ...base,
        ...withBarcodes,
        original: 'upload-uncopied',
        notes,
        problems: [aboutFile(path, reason(error))],
      };
    } finally {
      closeAfterAnswer(image);
    }
  },
};

/** The decoded image answered for, closed once its answer has been sent (see closeAfterAnswer). */
let done: ImageBitmap | undefined;

/**
 * Closes `image` in the next task, after the answer has been posted: closing a 60-MP decode (freeing its 240 MB)
 * took 50–90 ms of the worker on a loaded machine, which the page waited for when it came before the answer.
 * The next image closes it first if it comes sooner, so a worker still holds one decoded image at most.
 */
function closeAfterAnswer(image: ImageBitmap): void {
  closeDone();
  done = image;
  setTimeout(closeDone, 0);
}

function closeDone(): void {
  done?.close();
  done = undefined;
}

/** Opens a picked folder's file by its path, name by name. */
async function openInFolder({ folder, path }: InFolder): Promise<File> {
  const names = path.split('/');
  const name = names.pop() ?? '';
  let dir = folder;
  for (const part of names) dir = await dir.getDirectoryHandle(part);
  return (await dir.getFileHandle(name)).getFile();
}

const NO_COPIES: ImagePolicy = { derivatives: [], originals: 'as-is' };

function formatOf(header: ReturnType<typeof readImageHeader>): ImageFormat {
  return isImageHeader(header) ? header.format : 'jpeg';
}

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
