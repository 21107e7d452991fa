/** Catalog-number patterns for common barcode shapes, in the portal's own PHP form. */
export interface SymbiotaPreset {
  readonly id: string;
  readonly label: string;
  readonly pattern: string;
  /** A file name the pattern reads, and the catalog number it reads out of it. */
  readonly exampleFile: string;
  readonly exampleCatalogNumber: string;
}

export const symbiotaPresets: readonly SymbiotaPreset[] = [
  {
    id: 'prefix-letter-7-digits',
    label: 'Institution, letter code and 7 digits (ASU-L-0001234)',
    pattern: '/^([A-Z]+-[A-Z]+-\\d{7})\\D*/',
    exampleFile: 'ASU-L-0001234_a.jpg',
    exampleCatalogNumber: 'ASU-L-0001234',
  },
  {
    id: 'letters-digits',
    label: 'Letters then digits (NY01234567)',
    pattern: '/^([A-Z]+\\d+)\\D*/',
    exampleFile: 'NY01234567_b.jpg',
    exampleCatalogNumber: 'NY01234567',
  },
  {
    id: 'digits',
    label: 'Digits only (00123456)',
    pattern: '/^(\\d+)\\D*/',
    exampleFile: '00123456.jpg',
    exampleCatalogNumber: '00123456',
  },
  {
    id: 'before-underscore',
    label: 'Everything before the first _ or . (MICH-V-1234567)',
    pattern: '/^([^_.]+)/',
    exampleFile: 'MICH-V-1234567_label.jpg',
    exampleCatalogNumber: 'MICH-V-1234567',
  },
];
