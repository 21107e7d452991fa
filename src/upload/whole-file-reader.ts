import type { Body, Meta } from '@uppy/core';
import type { TusOptions } from '@uppy/tus';
import { BytesBody } from './upload-http-stack';

type FileReader = NonNullable<TusOptions<Meta, Body>['fileReader']>;

/**
 * How the engine reads a file for its requests:
 * - tus-js-client's own reader slices every file, even when the slice is the whole file, and slicing a file of the
 *   picked folder costs the page about a millisecond (7 s over 5,000 files in the bench's profile): a request that
 *   sends the whole file sends the File itself;
 * - a file whose bytes were read whole for its checksums (`bytesOf`, see RunDigests) sends those bytes, so it is
 *   read once; a request waits for that read as it would for the checksums it carries.
 */
export function wholeFileReader(
  bytesOf: (file: Blob) => Promise<Uint8Array<ArrayBuffer> | null> | undefined,
): FileReader {
  return {
    openFile: (input) => {
      const blob = input as Blob;
      return Promise.resolve({
        size: blob.size,
        slice: async (start: number, end: number) => {
          const bytes = await bytesOf(blob);
          const whole = start === 0 && end >= blob.size;
          const value = bytes
            ? new BytesBody(whole ? bytes : bytes.subarray(start, end))
            : whole
              ? blob
              : blob.slice(start, end);
          return { value, done: end >= blob.size };
        },
        close: () => undefined,
      });
    },
  };
}
