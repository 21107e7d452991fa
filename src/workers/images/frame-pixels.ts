/**
 * The pixels of a decoded image read through a VideoFrame of it (`copyTo`), without drawing it on a canvas. A
 * VideoFrame made from an ImageBitmap shares its pixels (about 1 ms to make), and a rectangle is copied out of
 * it. Measured in Chromium on the 60-MP bench sheet (CPU of the worker, on a loaded machine): a 1-MP crop a few
 * ms against 14 ms drawn and read back. Only opaque frames are read this way (a decoded JPEG is BGRX): a
 * transparent image must be drawn on white first. The search for labels takes the pixels in the frame's own
 * order; the reader's crops are asked of `copyTo` as RGBX, or turned here where it cannot.
 */
import type { Region } from '#core/barcodes/label-regions';

const OPAQUE: ReadonlySet<VideoPixelFormat> = new Set<VideoPixelFormat>(['RGBX', 'BGRX']);
/** Read as they are when the pixels are known to be opaque (a copy of an opaque image made by createImageBitmap is BGRA). */
const WITH_ALPHA: ReadonlySet<VideoPixelFormat> = new Set<VideoPixelFormat>(['RGBA', 'BGRA']);

/** BGRX → RGBX, four bytes at a time (little-endian: the first byte is the lowest). */
const swapRedBlue = (p: number) => (p & 0xff00ff00) | ((p >>> 16) & 0xff) | ((p & 0xff) << 16);

export class FramePixels {
  readonly #frame: VideoFrame;
  /** The frame's pixels are BGRX, so red and blue swap places on the way out. */
  readonly #bgr: boolean;

  private constructor(frame: VideoFrame) {
    this.#frame = frame;
    this.#bgr = frame.format === 'BGRX' || frame.format === 'BGRA';
  }

  /**
   * A reader of `image`'s pixels, or undefined where the browser has no VideoFrame or the image is not opaque;
   * `opaque`: the caller knows its pixels are (a copy of an opaque image), whatever the frame's format says.
   */
  static of(image: ImageBitmap, opaque = false): FramePixels | undefined {
    if (typeof VideoFrame === 'undefined') return undefined;
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(image, { timestamp: 0 });
    } catch {
      return undefined;
    }
    const { format, visibleRect } = frame;
    const whole = visibleRect?.width === image.width && visibleRect.height === image.height;
    const readable = format !== null && (OPAQUE.has(format) || (opaque && WITH_ALPHA.has(format)));
    if (!readable || !whole) {
      frame.close();
      return undefined;
    }
    return new FramePixels(frame);
  }

  close(): void {
    this.#frame.close();
  }

  /** The order of the bytes `copy` gives: 'bgra' when blue comes first. */
  get order(): 'rgba' | 'bgra' {
    return this.#bgr ? 'bgra' : 'rgba';
  }

  /** The rectangle `at` at full resolution, four bytes a pixel in the frame's own order (see order). */
  async copy(at: Region): Promise<Uint8ClampedArray<ArrayBuffer>> {
    const data = new Uint8ClampedArray(at.width * at.height * 4);
    await this.#frame.copyTo(data, { rect: at });
    return data;
  }

  /**
   * The rectangle `at` at full resolution, as RGBX (or RGBA, opaque): turned by `copyTo` where the browser can
   * (an 886 × 606 crop of the bench sheet took 2 ms so, the same as in the frame's own order), else here.
   */
  async crop(at: Region): Promise<ImageData> {
    if (this.#bgr) {
      try {
        const data = new Uint8ClampedArray(at.width * at.height * 4);
        const format = this.#frame.format === 'BGRA' ? 'RGBA' : 'RGBX';
        await this.#frame.copyTo(data, { rect: at, format });
        return new ImageData(data, at.width, at.height);
      } catch {
        // A browser that copies only in the frame's own order: the bytes are turned below.
      }
    }
    const data = await this.copy(at);
    if (this.#bgr) {
      const pixels = new Uint32Array(data.buffer);
      for (let i = 0; i < pixels.length; i += 1) pixels[i] = swapRedBlue(pixels[i] as number);
    }
    return new ImageData(data, at.width, at.height);
  }
}
