/** Which files a web page can show as an image, and their MIME type, for the lists that map image addresses. */
import { fileKind } from '#core/file-types';

/**
 * The formats every current browser shows in an `<img>`: what a portal page can display straight from its
 * address. TIFF, microscope formats and HEIC are not among them, and neither are AVIF and BMP, which are
 * rare on the web and which portals' own thumbnail makers do not read.
 */
const SHOWN_BY_BROWSERS: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
]);

/** The MIME type of an image a browser shows (`x.JPG` → `image/jpeg`), judged by its name; undefined for any other file. */
export function webImageType(path: string): string | undefined {
  const { mime } = fileKind(path);
  return SHOWN_BY_BROWSERS.has(mime) ? mime : undefined;
}
