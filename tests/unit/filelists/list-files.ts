/** Hand-made files and contexts for the file-list builders' unit tests: an ok file with no identifier, by default. */
import type { ListContext, ListFile } from '#core/filelists/types';
import type { ProfileId } from '#core/validation/types';

export function listFile(path: string, extra: Partial<ListFile> = {}): ListFile {
  return { path, size: 100, status: 'ok', identifier: '', parts: {}, record: 'unchecked', ...extra };
}

export function contextOfFiles(
  profile: ProfileId,
  files: readonly ListFile[],
  extra: Partial<ListContext> = {},
): ListContext {
  return { profile, files, heldBack: [], batch: 'b1', ...extra };
}
