/** Which files the web-copy step looks at: images by their name, including microscope formats no browser decodes. */
import { fileKind } from '#core/file-types';

const microscopeFormats: ReadonlySet<string> = new Set(['CZI', 'LIF', 'VSI', 'ND2', 'LSM']);

/**
 * An image by its name: an `image/*` type, or a native microscope format (which gets a sentence saying why no
 * web copy is made, rather than silence).
 */
export function isImageFile(path: string): boolean {
  const kind = fileKind(path);
  return kind.mime.startsWith('image/') || microscopeFormats.has(kind.label);
}
