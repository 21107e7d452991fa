/**
 * From a checked folder to the {@link ListContext} every file-list builder reads: the upload set in path order,
 * each file with its check result, and its checksums and stored place once they are known.
 */
import type { Derivatives, ListContext, ListFile } from '#core/filelists/types';
import type { ProfileId, RecordTable, ScannedFile, ValidationResult } from '#core/validation/types';

export interface Checksums {
  readonly sha256?: string;
  readonly md5?: string;
}

export interface Arrival {
  readonly storedPath: string;
  readonly uploadUrl?: string;
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
  /** Web copies made of each original, by its path. */
  readonly derivatives?: ReadonlyMap<string, Derivatives>;
}

export function listContext(input: ContextInput): ListContext {
  const sizes = new Map<string, number>();
  for (const file of input.files) sizes.set(file.path, file.size);
  const files: ListFile[] = [];
  const heldBack: ListFile[] = [];
  for (const summary of input.result.files) {
    const { status } = summary;
    if (status === 'skipped') continue;
    const sums = input.checksums?.get(summary.path);
    const arrival = input.arrivals?.get(summary.path);
    const derivatives = input.derivatives?.get(summary.path);
    const into = status === 'error' && !input.includeErrors ? heldBack : files;
    into.push({
      path: summary.path,
      size: sizes.get(summary.path) ?? 0,
      status,
      identifier: summary.identifier,
      parts: summary.parts,
      record: summary.record,
      ...(sums?.sha256 === undefined ? {} : { sha256: sums.sha256 }),
      ...(sums?.md5 === undefined ? {} : { md5: sums.md5 }),
      ...(arrival === undefined ? {} : { storedPath: arrival.storedPath }),
      ...(arrival?.uploadUrl === undefined ? {} : { uploadUrl: arrival.uploadUrl }),
      ...(derivatives === undefined ? {} : { derivatives }),
    });
  }
  return {
    profile: input.result.profile satisfies ProfileId,
    files,
    heldBack,
    batch: input.batch,
    ...(input.records === undefined ? {} : { records: input.records }),
  };
}
