/** utif's JPEG decoder (pdf.js's) and CCITT fax decoders, which its type definitions do not declare. */
import UTIF from 'utif2';

type FaxDecoder = (
  data: Uint8Array,
  offset: number,
  length: number,
  target: Uint8Array,
  targetOffset: number,
  width: number,
  fillOrder: number,
  twoDimensional?: boolean,
) => void;

interface JpegParser {
  readonly width: number;
  readonly height: number;
  parse(data: Uint8Array): void;
  getData(options: {
    width: number;
    height: number;
    forceRGB: boolean;
    isSourcePDF: boolean;
  }): Uint8ClampedArray;
}

interface UtifInternals {
  /** `w` is pdf.js's colorTransform: 1 converts YCbCr to RGB, 0 leaves RGB alone, absent lets the data decide. */
  readonly JpegDecoder: new (options?: { w?: number }) => JpegParser;
  readonly decode: {
    readonly _decodeG2: FaxDecoder;
    readonly _decodeG3: FaxDecoder;
    readonly _decodeG4: FaxDecoder;
  };
}

export const utif = UTIF as unknown as UtifInternals;
