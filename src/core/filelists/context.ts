/**
 * From a checked folder to the {@link ListContext} every file-list builder reads: the upload set in path order,
 * each file with its check result, and its checksums and stored place once they are known.
 */
import type { Derivatives, ListContext, ListCopy, ListFile } from '#core/filelists/types';
import type { ProfileId, RecordTable, ScannedFile, ValidationResult } from '#core/validation/types';

export interface Checksums {
  readonly sha256?: string;
  readonly md5?: string;
}

export interface Arrival {
  readonly storedPath: string;
  readonly uploadUrl?: string;
  /** The checksums sent with the file, which the receiver verified when `verified` names them. */
  readonly sha256?: string;
  readonly md5?: string;
  /** What the receiver said it verified ('sha-256, md5'); '' when it did not say. */
  readonly verified?: string;
}

export interface ContextInput {
  readonly files: readonly ScannedFile[];
  /** The check of those files. */
  readonly result: ValidationResult;
  /** The user lets files with errors into the upload, so into the lists too. */
  readonly includeErrors: boolean;
  readonly batch: string;
  readonly records?: RecordTable;
  readonly checksums?: ReadonlyMap<string, Checksums>;
  readonly arrivals?: ReadonlyMap<string, Arrival>;
  /** Web copies that travel with the upload. */
  readonly copies?: readonly Omit<ListCopy, 'storedPath' | 'uploadUrl'>[];
  /** Originals that stay home because their copies travel instead. */
  readonly leftHome?: ReadonlySet<string>;
  /** A file's own path when the check saw it under another name (names from barcodes). */
  readonly originalOf?: (path: string) => string | undefined;
}

/** Each original's copies by role (Symbiota's thumbnail, web and large image). */
function derivativesByOriginal(copies: ContextInput['copies']): Map<string, Derivatives> {
  const out = new Map<string, Derivatives>();
  for (const copy of copies ?? []) {
    if (copy.role === 'web-ready') continue;
    out.set(copy.copyOf, { ...out.get(copy.copyOf), [copy.role]: copy.path });
  }
  return out;
}

/** An item with what its arrival says: where it was placed, its address, and the checksums sent with it. */
function withArrival<T extends { readonly path: string }>(
  item: T,
  arrivals: ReadonlyMap<string, Arrival> | undefined,
): T & Pick<ListCopy, 'storedPath' | 'uploadUrl' | 'sha256' | 'md5' | 'verified'> {
  const arrival = arrivals?.get(item.path);
  if (arrival === undefined) return item;
  return {
    ...item,
    storedPath: arrival.storedPath,
    ...(arrival.verified === undefined ? {} : { verified: arrival.verified }),
    ...(arrival.uploadUrl === undefined ? {} : { uploadUrl: arrival.uploadUrl }),
    ...(arrival.sha256 === undefined ? {} : { sha256: arrival.sha256 }),
    ...(arrival.md5 === undefined ? {} : { md5: arrival.md5 }),
  };
}

export function listContext(input: ContextInput): ListContext {
  const sizes = new Map<string, number>();
  for (const file of input.files) sizes.set(file.path, file.size);
  const copiesOf = derivativesByOriginal(input.copies);
  const files: ListFile[] = [];
  const heldBack: ListFile[] = [];
  for (const summary of input.result.files) {
    const { status } = summary;
    if (status === 'skipped') continue;
    const sums = input.checksums?.get(summary.path);
    const derivatives = copiesOf.get(summary.path);
    const into = status === 'error' && !input.includeErrors ? heldBack : files;
    const originalPath = input.originalOf?.(summary.path);
    const file: ListFile = {
      path: summary.path,
      ...(originalPath === undefined ? {} : { originalPath }),
      size: sizes.get(summary.path) ?? 0,
      status,
      identifier: summary.identifier,
      parts: summary.parts,
      record: summary.record,
      ...(sums?.sha256 === undefined ? {} : { sha256: sums.sha256 }),
      ...(sums?.md5 === undefined ? {} : { md5: sums.md5 }),
      ...(derivatives === undefined ? {} : { derivatives }),
      ...(input.leftHome?.has(summary.path) === true ? { leftHome: true as const } : {}),
    };
    into.push(withArrival(file, input.arrivals));
  }
  return {
    profile: input.result.profile satisfies ProfileId,
    files,
    heldBack,
    batch: input.batch,
    ...(input.records === undefined ? {} : { records: input.records }),
    ...(input.copies === undefined
      ? {}
      : { copies: input.copies.map((copy) => withArrival(copy, input.arrivals)) }),
  };
}
