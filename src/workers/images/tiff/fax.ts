/** CCITT fax (RLE, Group 3, Group 4) strips and tiles, decoded by utif once they pass a check of our own. */
import type { TiffFile } from '#core/images/tiff/ifd';
import { TAG } from '#core/images/tiff/tags';
import { compressionName, type Layout } from './layout';
import { damaged } from './problems';
import { utif } from './utif';

/**
 * utif's fax decoders build each code bit by bit in a string; a long run of zero bits (no fax code has more
 * than 11) makes that string, and the time, grow without end. Real fax data never has this many zero bytes.
 */
const MAX_FAX_ZERO_BYTES = 16;

export function decodeFax(
  file: TiffFile,
  layout: Layout,
  offset: number,
  size: number,
  target: Uint8Array,
  width: number,
): void {
  if (hasZeroRun(file.bytes, offset, offset + size, MAX_FAX_ZERO_BYTES)) {
    throw damaged(
      `its ${compressionName(layout.compression)} data holds a long run of zero bytes, which fax data never has`,
    );
  }
  const { _decodeG2, _decodeG3, _decodeG4 } = utif.decode;
  const decoder = layout.compression === 4 ? _decodeG4 : layout.compression === 3 ? _decodeG3 : _decodeG2;
  const twoDimensional = ((layout.tags.first(TAG.t4Options) ?? 0) & 1) === 1;
  decoder(file.bytes, offset, size, target, 0, width, layout.fillOrder, twoDimensional);
}

function hasZeroRun(bytes: Uint8Array, start: number, end: number, limit: number): boolean {
  let run = 0;
  for (let i = start; i < end; i += 1) {
    run = bytes[i] === 0 ? run + 1 : 0;
    if (run >= limit) return true;
  }
  return false;
}
