/** TIFF files for the decoder's unit tests: the fixtures, and a small writer for the cases no fixture has. */
import { readFileSync } from 'node:fs';
import {
  decodeTiff,
  type TiffDecoded,
  type TiffDecodeOptions,
} from '../../../src/workers/images/tiff/decode';

export const FIXTURES = new URL('../../fixtures/images/', import.meta.url);

export function fixture(name: string): ArrayBuffer {
  const bytes = readFileSync(new URL(name, FIXTURES));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
}

export function decoded(bytes: ArrayBuffer, options?: TiffDecodeOptions): TiffDecoded {
  const result = decodeTiff(bytes, options);
  if ('problem' in result) throw new Error(`expected a decoded image, got: ${result.problem}`);
  return result;
}

export function problemOf(bytes: ArrayBuffer, options?: TiffDecodeOptions): string {
  const result = decodeTiff(bytes, options);
  if (!('problem' in result))
    throw new Error(`expected a problem, got a ${result.width} × ${result.height} image`);
  return result.problem;
}

export function pixelAt(image: TiffDecoded, x: number, y: number): number[] {
  const at = (y * image.width + x) * 4;
  return Array.from(image.rgba.subarray(at, at + 4));
}

export const NO_COPY = 'so no web copy was made; it is uploaded as it is';

export const stretchNote = (kind: string, range: string) =>
  `its ${kind} values (${range}) were stretched to 8 bits for the web copy; the original is uploaded unchanged.`;

// Synthetic files

/** A field's type (3 SHORT, 4 LONG, 8 SSHORT, 11 FLOAT, 16 LONG8) and values; plain numbers are SHORT or LONG. */
export interface Field {
  readonly type: number;
  readonly values: readonly number[];
}

export interface Page {
  readonly tags: Readonly<Record<number, readonly number[] | Field>>;
  /** Stored as the only strip; StripOffsets and StripByteCounts are filled in. */
  readonly strip?: Uint8Array;
  /** Written before the page and listed in its SubIFDs tag. */
  readonly subPages?: readonly Page[];
}

const FIELD_SIZES: Readonly<Record<number, number>> = { 3: 2, 4: 4, 8: 2, 11: 4, 13: 4, 16: 8 };

/** A classic TIFF of these pages in a chain; `nextOfLast` makes the last page point back into the chain. */
export function tiff(
  pages: readonly Page[],
  options: { bigEndian?: boolean; nextOfLast?: number } = {},
): ArrayBuffer {
  const littleEndian = !options.bigEndian;
  const bytes = new Uint8Array(1 << 16);
  const view = new DataView(bytes.buffer);
  let end = 8;
  const take = (length: number) => {
    end += end % 2;
    const at = end;
    end += length;
    return at;
  };
  const write = (at: number, type: number, value: number) => {
    if (type === 3) view.setUint16(at, value, littleEndian);
    else if (type === 8) view.setInt16(at, value, littleEndian);
    else if (type === 11) view.setFloat32(at, value, littleEndian);
    else if (type === 16) view.setBigUint64(at, BigInt(value), littleEndian);
    else view.setUint32(at, value, littleEndian);
  };
  const writePage = (page: Page): { at: number; next: number } => {
    const fields = new Map<number, Field>(
      Object.entries(page.tags).map(([tag, field]) => [
        Number(tag),
        'type' in field ? field : { type: field.every((value) => value < 65536) ? 3 : 4, values: field },
      ]),
    );
    if (page.strip) {
      const at = take(page.strip.length);
      bytes.set(page.strip, at);
      fields.set(273, { type: 4, values: [at] });
      fields.set(279, { type: 4, values: [page.strip.length] });
    }
    if (page.subPages) fields.set(330, { type: 4, values: page.subPages.map((sub) => writePage(sub).at) });
    const sorted = [...fields].sort(([a], [b]) => a - b);
    const outOfLine = sorted.map(([, { type, values }]) =>
      values.length * FIELD_SIZES[type]! > 4 ? take(values.length * FIELD_SIZES[type]!) : 0,
    );
    const at = take(2 + sorted.length * 12 + 4);
    view.setUint16(at, sorted.length, littleEndian);
    sorted.forEach(([tag, { type, values }], i) => {
      const entry = at + 2 + i * 12;
      view.setUint16(entry, tag, littleEndian);
      view.setUint16(entry + 2, type, littleEndian);
      view.setUint32(entry + 4, values.length, littleEndian);
      const valuesAt = outOfLine[i] || entry + 8;
      if (outOfLine[i]) view.setUint32(entry + 8, valuesAt, littleEndian);
      values.forEach((value, k) => write(valuesAt + k * FIELD_SIZES[type]!, type, value));
    });
    return { at, next: at + 2 + sorted.length * 12 };
  };
  bytes.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]);
  view.setUint16(2, 42, littleEndian);
  const written = pages.map(writePage);
  view.setUint32(4, written[0]!.at, littleEndian);
  written.forEach(({ next }, i) => {
    const target =
      i + 1 < written.length
        ? written[i + 1]!.at
        : options.nextOfLast === undefined
          ? 0
          : written[options.nextOfLast]!.at;
    view.setUint32(next, target, littleEndian);
  });
  return bytes.buffer.slice(0, end);
}

/** The tags of a one-strip image: width, height, bits, samples, colour model, and any others. */
export function imageTags(
  width: number,
  height: number,
  bits: number,
  photometric: number,
  others: Page['tags'] = {},
): Page['tags'] {
  return {
    256: { type: 4, values: [width] },
    257: { type: 4, values: [height] },
    258: [bits],
    262: [photometric],
    ...others,
  };
}

export function samples16(values: readonly number[], bigEndian = false): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setUint16(i * 2, value & 0xffff, !bigEndian));
  return bytes;
}

export function floats32(values: readonly number[], bigEndian = false): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, !bigEndian));
  return bytes;
}

export const ramp = (count: number, from: number, to: number) =>
  Array.from({ length: count }, (_, i) => Math.round(from + ((to - from) * i) / (count - 1)));

export function greyOf(image: TiffDecoded): number[] {
  return Array.from({ length: image.width * image.height }, (_, i) => image.rgba[i * 4]!);
}
