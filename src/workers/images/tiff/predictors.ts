/** The TIFF predictors undone, and samples put in the machine's byte order. */

export const MACHINE_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function swapBytes(chunk: Uint8Array, size: number): void {
  for (let start = 0; start + size <= chunk.length; start += size) {
    for (let low = start, high = start + size - 1; low < high; low += 1, high -= 1) {
      const byte = chunk[low]!;
      chunk[low] = chunk[high]!;
      chunk[high] = byte;
    }
  }
}

/** Predictor 2: each sample was stored as the difference from the same sample of the pixel before it. */
export function undoHorizontalPredictor(
  chunk: Uint8Array,
  rows: number,
  rowBytes: number,
  bits: number,
  stride: number,
): void {
  const samples =
    bits === 8
      ? chunk
      : bits === 16
        ? new Uint16Array(chunk.buffer, chunk.byteOffset, chunk.length / 2)
        : new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length / 4);
  const rowSamples = rowBytes / (bits / 8);
  for (let row = 0; row < rows; row += 1) {
    const end = (row + 1) * rowSamples;
    for (let i = row * rowSamples + stride; i < end; i += 1) samples[i] = samples[i]! + samples[i - stride]!;
  }
}

/**
 * Predictor 3 (floating point), as libtiff undoes it: bytes differenced across the row, and each row stored
 * as byte planes, most significant first. The result is in the machine's byte order whatever the file's.
 */
export function undoFloatPredictor(
  chunk: Uint8Array,
  rows: number,
  rowBytes: number,
  bytesPerSample: number,
  stride: number,
): void {
  const row = new Uint8Array(rowBytes);
  const samplesPerRow = rowBytes / bytesPerSample;
  for (let r = 0; r < rows; r += 1) {
    const start = r * rowBytes;
    for (let i = start + stride; i < start + rowBytes; i += 1) chunk[i] = chunk[i]! + chunk[i - stride]!;
    row.set(chunk.subarray(start, start + rowBytes));
    for (let byte = 0; byte < bytesPerSample; byte += 1) {
      const plane = (MACHINE_IS_LITTLE_ENDIAN ? bytesPerSample - 1 - byte : byte) * samplesPerRow;
      for (let k = 0; k < samplesPerRow; k += 1) chunk[start + k * bytesPerSample + byte] = row[plane + k]!;
    }
  }
}
