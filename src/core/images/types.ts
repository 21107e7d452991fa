/**
 * Web copies of images (derivatives): what a target wants made, how each copy is sized, named and bounded,
 * and what happens to the originals. Pure data; the decoding and encoding happen in the image workers.
 */

/** Which copy: Symbiota's thumbnail, web and large images, or a full-size web-ready JPEG standing in for an original. */
export type DerivativeRole = 'thumbnail' | 'web' | 'large' | 'web-ready';

export interface DerivativeSpec {
  readonly role: DerivativeRole;
  /** Appended to the original's name without extension: `_tn` makes `x_tn.jpg`; '' for the web-ready copy. */
  readonly suffix: string;
  /** The copy is at most this wide (Symbiota sizes derivatives by width); never wider than the source. */
  readonly maxWidth?: number;
  /** Or both sides at most this long (GUDMAP thumbnails fit 150 × 150); never larger than the source. */
  readonly maxSide?: number;
  /** JPEG quality to start from, 0–1. */
  readonly quality: number;
  /** The copy must be at most this many bytes; a copy that cannot be brought under it is reported, never kept. */
  readonly maxBytes: number;
}

/**
 * What travels of an original image: the file as it is, a web-ready JPEG in its place (the file itself when it
 * already is a JPEG under the limit), or nothing (its derivatives go instead).
 */
export type OriginalsPolicy = 'as-is' | 'web-ready' | 'none';

export interface ImagePolicy {
  /** The copies made of every image that can be decoded; empty for none. */
  readonly derivatives: readonly DerivativeSpec[];
  readonly originals: OriginalsPolicy;
}

/** Image formats by what can decode them in the browser. */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'bmp' | 'tiff';

/** What the first bytes of an image say, before anything is decoded. */
export interface ImageHeader {
  readonly format: ImageFormat;
  /** As stored; 0 when the header does not say (then the decoder finds out). */
  readonly width: number;
  readonly height: number;
  /** EXIF orientation 1–8 when the header carries one (JPEG, and TIFF's own tag), else 1. */
  readonly orientation: number;
  /** Pages (TIFF IFDs) when known; 1 otherwise. */
  readonly pages: number;
}
