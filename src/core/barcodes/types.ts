/** A barcode read off an image: its text and ZXing's name for its kind ('Code39', 'DataMatrix' …). */
export interface FoundBarcode {
  readonly text: string;
  readonly format: string;
}

/** What reading an image's barcodes gave: the barcodes (none is an answer too), or why it could not be read. */
export type BarcodeReading = { readonly found: readonly FoundBarcode[] } | { readonly problem: string };
