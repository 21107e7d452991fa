/**
 * Compares the barcodes read off an image with the identifier its name gives, the way the portal matches
 * catalog numbers: letters in any case, leading zeros dropped, and a label that holds only the number of a
 * prefixed catalog number (`1390992` on the sheet of `MICH-V-1390992`, or the 13 digits of an EAN-13 for
 * `BR0000013284830`) is the same specimen. The target's own pattern is applied to the barcode text first, so a
 * label that holds the whole name-like text reads as the name does.
 */
import type { FoundBarcode } from '#core/barcodes/types';
import { finding } from '#core/validation/finding';
import { fileName, lastExtension, listInWords } from '#core/validation/path-parts';
import type { Finding } from '#core/validation/types';

/** How a barcode matched an identifier, or undefined when it names another specimen. */
export type BarcodeMatch = 'same' | 'leading-zeros' | 'without-prefix';

/** A barcode that can become a file name everywhere: letters, digits, `.`, `_`, `-`, not starting with `.` or `-`. */
const SAFE_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}._-]*$/u;
const TRAILING_NUMBER = /^(.*?)(\d+)$/;

function split(id: string): { readonly prefix: string; readonly number: string } | undefined {
  const match = TRAILING_NUMBER.exec(id.trim().toUpperCase());
  if (!match) return undefined;
  return { prefix: match[1] ?? '', number: (match[2] ?? '').replace(/^0+(?=\d)/, '') };
}

/** Whether the barcode value `code` names the specimen `identifier`, and how. */
export function matchBarcode(identifier: string, code: string): BarcodeMatch | undefined {
  const a = identifier.trim().toUpperCase();
  const b = code.trim().toUpperCase();
  if (a === '' || b === '') return undefined;
  if (a === b) return 'same';
  const x = split(a);
  const y = split(b);
  if (x === undefined || y === undefined || x.number !== y.number) return undefined;
  if (x.prefix === y.prefix) return 'leading-zeros';
  return x.prefix === '' || y.prefix === '' ? 'without-prefix' : undefined;
}

/** A barcode with the identifier the target's pattern reads from its text (undefined when it reads none). */
export interface ReadCode extends FoundBarcode {
  readonly identifier: string | undefined;
}

const FORMAT_NAMES: Readonly<Record<string, string>> = {
  Code39: 'Code 39',
  Code39Ext: 'Code 39',
  Code39Std: 'Code 39',
  Code93: 'Code 93',
  Code128: 'Code 128',
  DataMatrix: 'Data Matrix',
  QRCode: 'QR code',
  EAN13: 'EAN-13',
  ITF: 'ITF',
  PDF417: 'PDF417',
};

export function formatName(format: string): string {
  return FORMAT_NAMES[format] ?? format;
}

function shown(code: ReadCode): string {
  return `${code.text} (${formatName(code.format)})`;
}

/** The identifier a barcode stands for: what the pattern reads from it, or else its text. */
export function codeIdentifier(code: ReadCode): string {
  return code.identifier ?? code.text;
}

function matches(identifier: string, code: ReadCode): BarcodeMatch | undefined {
  const direct = matchBarcode(identifier, code.text);
  if (direct !== undefined || code.identifier === undefined) return direct;
  return matchBarcode(identifier, code.identifier);
}

const HOW: Readonly<Record<BarcodeMatch, string>> = {
  same: '',
  'leading-zeros': ', leaving out leading zeros as the portal does',
  'without-prefix': ', the label holding the number without its prefix',
};

/** The name a file gets from its barcode: `<barcode>.jpg`, keeping the file's extension in lower case. */
export function nameFromBarcode(path: string, identifier: string): string {
  const extension = lastExtension(fileName(path));
  return extension === '' ? identifier : `${identifier}.${extension}`;
}

/**
 * The findings of one image's barcodes: `identifier` is what its name gives ('' when the name gives none).
 * Distinct barcodes only; an empty list means none was found.
 */
export function barcodeFindings(path: string, identifier: string, codes: readonly ReadCode[]): Finding[] {
  const name = fileName(path);
  if (codes.length === 0) {
    return [
      finding(
        path,
        'ok',
        'barcode.none',
        `No barcode was found on ${name}, so only its name links it to a specimen; a close-up or a label photographed alone often has none.`,
        identifier,
      ),
    ];
  }
  const listed = listInWords(codes.map(shown));
  const ids = [...new Set(codes.map(codeIdentifier))];
  if (identifier === '') {
    if (ids.length > 1) {
      const message = `${name} holds no identifier in its name, and its labels show several barcodes: ${listed}; rename it after the specimen it shows.`;
      return [finding(path, 'warning', 'barcode.several', message)];
    }
    const suggested = ids[0] ?? '';
    if (!SAFE_NAME.test(suggested)) {
      const message = `${name} holds no identifier in its name, and its label shows ${listed}, which cannot be a file name; rename it by hand.`;
      return [finding(path, 'warning', 'barcode.unnamed', message)];
    }
    const message = `${name} holds no identifier in its name, but its label shows ${listed}; rename it ${nameFromBarcode(path, suggested)} (Prepare, Barcodes, Download rename list).`;
    return [finding(path, 'warning', 'barcode.suggested', message, suggested)];
  }
  const matched = codes.filter((code) => matches(identifier, code) !== undefined);
  if (matched.length === 0) {
    const fix =
      ids.length === 1
        ? `rename the file after its label, or check that the right specimen was photographed`
        : 'check which specimen the image shows and name it after that one';
    const message = `${name} shows ${listed} on its ${ids.length === 1 ? 'label' : 'labels'}; the name says ${identifier}. ${capitalise(fix)}.`;
    return [finding(path, 'error', 'barcode.mismatch', message, identifier)];
  }
  const others = codes.filter((code) => !matched.includes(code));
  if (others.length > 0) {
    const message = `${name} shows several barcodes: ${listed}; only ${listInWords(matched.map((c) => c.text))} matches its name (${identifier}). Check that the image shows one specimen, or that the other labels belong to it.`;
    return [finding(path, 'warning', 'barcode.several', message, identifier)];
  }
  const first = matched[0] as ReadCode;
  const how = HOW[matches(identifier, first) ?? 'same'];
  const message = `${name} shows ${listed} on its label, which matches its name (${identifier})${how}.`;
  return [finding(path, 'ok', 'barcode.match', message, identifier)];
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
