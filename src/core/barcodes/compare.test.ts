import { describe, expect, it } from 'vitest';
import { barcodeFindings, matchBarcode, nameFromBarcode, type ReadCode } from '#core/barcodes/compare';

const code = (text: string, format = 'Code39', identifier?: string): ReadCode => ({
  text,
  format,
  identifier,
});

describe('matchBarcode', () => {
  it.each([
    ['MICH-V-1390992', 'MICH-V-1390992', 'same'],
    ['mich-v-1390992', 'MICH-V-1390992', 'same'],
    ['MICH-V-1390992', '1390992', 'without-prefix'],
    ['1390992', 'MICH-V-1390992', 'without-prefix'],
    ['BR0000013284830', '0000013284830', 'without-prefix'],
    ['WIS-L-0001234', 'WIS-L-1234', 'leading-zeros'],
    ['00012345', '12345', 'leading-zeros'],
    ['MICH-V-1390992', '1390993', undefined],
    ['MICH-V-1390992', 'WIS-L-1390992', undefined],
    ['MICH-V-1390992', '13909920', undefined],
    ['ABC', 'abd', undefined],
    ['', '1390992', undefined],
    ['MICH-V-1390992', '', undefined],
  ] as const)('%s against the label %s → %s', (identifier, label, expected) =>
    expect(matchBarcode(identifier, label)).toBe(expected),
  );
});

describe('barcodeFindings', () => {
  const path = 'sheets/MICH-V-1390992.jpg';
  it.each([
    {
      what: 'a label without the prefix matches',
      identifier: 'MICH-V-1390992',
      codes: [code('1390992')],
      rule: 'barcode.match',
      status: 'ok',
      words: ['1390992 (Code 39)', 'without its prefix'],
    },
    {
      what: 'the pattern read from the label matches',
      identifier: 'MICH-V-1390992',
      codes: [code('MICH-V-1390992', 'DataMatrix', 'MICH-V-1390992')],
      rule: 'barcode.match',
      status: 'ok',
      words: ['MICH-V-1390992 (Data Matrix)'],
    },
    {
      what: 'another number is an error naming both',
      identifier: 'MICH-V-1390992',
      codes: [code('1450812')],
      rule: 'barcode.mismatch',
      status: 'error',
      words: ['shows 1450812 (Code 39) on its label; the name says MICH-V-1390992', 'Rename the file'],
    },
    {
      what: 'several different barcodes, one of them the name, are a warning listing them',
      identifier: 'MICH-V-1390992',
      codes: [code('1390992'), code('1450812', 'Code128')],
      rule: 'barcode.several',
      status: 'warning',
      words: ['1390992 (Code 39) and 1450812 (Code 128)'],
    },
    {
      what: 'several barcodes, none of them the name, are an error',
      identifier: 'MICH-V-1390992',
      codes: [code('1450812'), code('1450813', 'QRCode')],
      rule: 'barcode.mismatch',
      status: 'error',
      words: ['1450812 (Code 39) and 1450813 (QR code) on its labels'],
    },
    {
      what: 'the same number in two kinds of code is one specimen',
      identifier: 'MICH-V-1390992',
      codes: [code('1390992'), code('MICH-V-1390992', 'QRCode')],
      rule: 'barcode.match',
      status: 'ok',
      words: ['1390992 (Code 39) and MICH-V-1390992 (QR code)'],
    },
    {
      what: 'no barcode is counted under its own rule, not as a problem',
      identifier: 'MICH-V-1390992',
      codes: [],
      rule: 'barcode.none',
      status: 'ok',
      words: ['No barcode was found on MICH-V-1390992.jpg'],
    },
    {
      what: 'a name without identifier gets the barcode as its suggested name',
      identifier: '',
      codes: [code('1390992')],
      rule: 'barcode.suggested',
      status: 'warning',
      words: ['rename it 1390992.jpg'],
    },
    {
      what: 'a label that cannot be a file name gets no suggestion',
      identifier: '',
      codes: [code('https://example.org/specimen/1', 'QRCode')],
      rule: 'barcode.unnamed',
      status: 'warning',
      words: ['cannot be a file name'],
    },
    {
      what: 'a name without identifier and several barcodes gets no suggestion',
      identifier: '',
      codes: [code('1390992'), code('1450812')],
      rule: 'barcode.several',
      status: 'warning',
      words: ['several barcodes: 1390992 (Code 39) and 1450812 (Code 39)'],
    },
  ])('$what', ({ identifier, codes, rule, status, words }) => {
    const findings = barcodeFindings(path, identifier, codes);
    expect(findings).toHaveLength(1);
    const [found] = findings;
    expect(found?.rule).toBe(rule);
    expect(found?.status).toBe(status);
    expect(found?.path).toBe(path);
    for (const word of words) expect(found?.message).toContain(word);
  });

  it('suggests the pattern-read identifier over the raw text', () => {
    const [found] = barcodeFindings('IMG_0001.JPG', '', [
      code('BR0000013284830', 'EAN13', 'BR0000013284830'),
    ]);
    expect(found?.identifier).toBe('BR0000013284830');
  });
});

describe('nameFromBarcode', () => {
  it.each([
    ['a/IMG_0001.JPG', '1390992', '1390992.jpg'],
    ['IMG_0002.tif', 'MICH-V-1', 'MICH-V-1.tif'],
    ['noextension', 'X1', 'X1'],
  ])('%s named from %s is %s', (path, id, expected) => expect(nameFromBarcode(path, id)).toBe(expected));
});
