/** The compressions decoded here: LZW, PackBits and Deflate (fflate), and FillOrder 2's reversed bits. */
import { inflateSync } from 'fflate';

const REVERSED_BITS = Uint8Array.from({ length: 256 }, (_, byte) => {
  let reversed = 0;
  for (let bit = 0; bit < 8; bit += 1) reversed |= ((byte >> bit) & 1) << (7 - bit);
  return reversed;
});

/** FillOrder 2 (least significant bit first) turned into the usual order. */
export function reverseBitOrder(input: Uint8Array): Uint8Array {
  const output = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i += 1) output[i] = REVERSED_BITS[input[i]!]!;
  return output;
}

/** Deflate with its zlib wrapper (the checksum is not needed), or raw Deflate from writers that leave it out. */
export function inflateInto(input: Uint8Array, target: Uint8Array): void {
  const zlib = input.length >= 2 && (input[0]! & 0x0f) === 8 && ((input[0]! << 8) | input[1]!) % 31 === 0;
  inflateSync(zlib ? input.subarray(2) : input, { out: target });
}

/** PackBits: a header byte n < 128 copies n + 1 bytes, n > 128 repeats the next byte 257 − n times. */
export function decodePackBits(input: Uint8Array, target: Uint8Array): void {
  let at = 0;
  let out = 0;
  while (at < input.length && out < target.length) {
    const header = input[at]!;
    at += 1;
    if (header < 128) {
      const count = Math.min(header + 1, input.length - at, target.length - out);
      target.set(input.subarray(at, at + count), out);
      at += header + 1;
      out += header + 1;
    } else if (header > 128) {
      const count = 257 - header;
      target.fill(input[at] ?? 0, out, Math.min(out + count, target.length));
      at += 1;
      out += count;
    }
  }
}

const LZW_CLEAR = 256;

const LZW_END = 257;

const LZW_FIRST_FREE = 258;

const LZW_TABLE_SIZE = 4096;

// One table for every call (decoding is synchronous): an entry is written before any code can refer to it.
const lzwPrefix = new Uint16Array(LZW_TABLE_SIZE);

const lzwSuffix = new Uint8Array(LZW_TABLE_SIZE);

const lzwFirst = new Uint8Array(LZW_TABLE_SIZE);

const lzwLength = new Uint16Array(LZW_TABLE_SIZE);

for (let code = 0; code < 256; code += 1) {
  lzwSuffix[code] = code;
  lzwFirst[code] = code;
  lzwLength[code] = 1;
}

/**
 * LZW as TIFF stores it: codes most significant bit first, the code width growing one code early; or the
 * old style of libtiff before 1991 (least significant bit first, growing on time), which starts with the
 * bytes 00 01 where the new style starts with 80. Stops when `target` is full; a code the table does not
 * have yet throws. Each code takes at least 9 bits of input and the table never loops, so it always ends.
 */
export function decodeLzw(input: Uint8Array, target: Uint8Array): void {
  const oldStyle = input.length >= 2 && input[0] === 0 && (input[1]! & 1) === 1;
  const earlyChange = oldStyle ? 0 : 1;
  const totalBits = input.length * 8;
  let bit = 0;
  let width = 9;
  let next = LZW_FIRST_FREE;
  let previous = -1;
  let out = 0;
  while (out < target.length && bit + width <= totalBits) {
    const code = oldStyle ? readBitsLsbFirst(input, bit, width) : readBitsMsbFirst(input, bit, width);
    bit += width;
    if (code === LZW_CLEAR) {
      width = 9;
      next = LZW_FIRST_FREE;
      previous = -1;
      continue;
    }
    if (code === LZW_END) return;
    if (previous === -1 ? code > 255 : code > next) throw new Error(`LZW code ${code} is not in the table`);
    if (previous !== -1 && next < LZW_TABLE_SIZE) {
      lzwPrefix[next] = previous;
      lzwFirst[next] = lzwFirst[previous]!;
      // The entry ends with the first byte of the code read; for the code being defined now (KwKwK) that is
      // the first byte of the previous string, which the line above has just given it.
      lzwSuffix[next] = lzwFirst[code]!;
      lzwLength[next] = lzwLength[previous]! + 1;
      next += 1;
      if (next + earlyChange >= 1 << width && width < 12) width += 1;
    }
    out = writeLzwString(target, out, code);
    previous = code;
  }
}

function writeLzwString(target: Uint8Array, out: number, code: number): number {
  const length = lzwLength[code]!;
  let entry = code;
  for (let at = out + length - 1; at >= out; at -= 1) {
    if (at < target.length) target[at] = lzwSuffix[entry]!;
    entry = lzwPrefix[entry]!;
  }
  return out + length;
}

function readBitsMsbFirst(input: Uint8Array, bit: number, width: number): number {
  const at = bit >>> 3;
  const word = (input[at]! << 16) | ((input[at + 1] ?? 0) << 8) | (input[at + 2] ?? 0);
  return (word >>> (24 - (bit & 7) - width)) & ((1 << width) - 1);
}

function readBitsLsbFirst(input: Uint8Array, bit: number, width: number): number {
  const at = bit >>> 3;
  const word = input[at]! | ((input[at + 1] ?? 0) << 8) | ((input[at + 2] ?? 0) << 16);
  return (word >>> (bit & 7)) & ((1 << width) - 1);
}
