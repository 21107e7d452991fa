/** YCbCr (not JPEG): blocks of subsampled luma with one Cb and one Cr each, to RGB as libtiff does it. */
import type { Tags } from '#core/images/tiff/ifd';
import { TAG } from '#core/images/tiff/tags';
import type { Layout } from './layout';

export function yCbCrToRgb(blocks: Uint8Array, layout: Layout): Uint8Array<ArrayBuffer> {
  const { width, height, tags } = layout;
  const [horizontal, vertical] = layout.subsampling;
  const [lumaRed, lumaGreen, lumaBlue] = lumaCoefficients(tags);
  const [yBlack, yWhite, cbBlack, cbWhite, crBlack, crWhite] = referenceBlackWhite(tags);
  const yScale = 255 / (yWhite - yBlack || 1);
  const cbScale = 127 / (cbWhite - cbBlack || 1);
  const crScale = 127 / (crWhite - crBlack || 1);
  const lumaSamples = horizontal * vertical;
  const across = Math.ceil(width / horizontal);
  const rgb = new Uint8ClampedArray(width * height * 3);
  for (let blockY = 0; blockY * vertical < height; blockY += 1) {
    for (let blockX = 0; blockX < across; blockX += 1) {
      const base = (blockY * across + blockX) * (lumaSamples + 2);
      const blueFromCb = (blocks[base + lumaSamples]! - cbBlack) * cbScale * (2 - 2 * lumaBlue);
      const redFromCr = (blocks[base + lumaSamples + 1]! - crBlack) * crScale * (2 - 2 * lumaRed);
      for (let dy = 0; dy < vertical && blockY * vertical + dy < height; dy += 1) {
        for (let dx = 0; dx < horizontal && blockX * horizontal + dx < width; dx += 1) {
          const luma = (blocks[base + dy * horizontal + dx]! - yBlack) * yScale;
          const r = luma + redFromCr;
          const b = luma + blueFromCb;
          const at = ((blockY * vertical + dy) * width + blockX * horizontal + dx) * 3;
          rgb[at] = r;
          rgb[at + 1] = (luma - lumaBlue * b - lumaRed * r) / lumaGreen;
          rgb[at + 2] = b;
        }
      }
    }
  }
  return new Uint8Array(rgb.buffer);
}

function lumaCoefficients(tags: Tags): [number, number, number] {
  const [red, green, blue] = tags.numbers(TAG.yCbCrCoefficients, 3) ?? [];
  const valid = [red, green, blue].every((value) => value !== undefined && value > 0 && value < 1);
  return valid ? [red!, green!, blue!] : [0.299, 0.587, 0.114];
}

function referenceBlackWhite(tags: Tags): [number, number, number, number, number, number] {
  const [yBlack, yWhite, cbBlack, cbWhite, crBlack, crWhite] = tags.numbers(TAG.referenceBlackWhite, 6) ?? [];
  if (crWhite === undefined) return [0, 255, 128, 255, 128, 255];
  return [yBlack!, yWhite!, cbBlack!, cbWhite!, crBlack!, crWhite];
}
