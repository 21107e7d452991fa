/**
 * deriva-py's choice of asset mapping (`DerivaUpload.getAssetMapping`): patterns applied with `re.search`, in
 * the order dir, ext, file, every one present must match; their named groups merge, file over ext over dir (a
 * group a later pattern defines but leaves unmatched overwrites with nothing, as `dict.update` with None does);
 * the first mapping that fits wins, and one without patterns fits every file.
 */
import type { CompiledMapping, DerivaConfig } from '#core/deriva/config';

export interface MappingMatch {
  readonly mapping: CompiledMapping;
  /** Each named group of the matching patterns; undefined where Python's would be None. */
  readonly groups: Readonly<Record<string, string | undefined>>;
}

/** The name deriva-upload-cli keeps its own transfer state under; it skips such files by name. */
export const UPLOAD_STATE_PREFIX = '.deriva-upload-state';

/**
 * The path the patterns see: `/<picked folder>/<relative path>`, standing for the absolute path the uploader
 * would use (folders above the picked one are unknown to the browser), or the path relative to the folder when
 * the config sets `relative_path_validation`.
 */
export function matchedPath(relativePath: string, folderName: string, relativePaths: boolean): string {
  if (relativePaths) return relativePath;
  return folderName === '' ? `/${relativePath}` : `/${folderName}/${relativePath}`;
}

export function findMapping(config: DerivaConfig, subject: string): MappingMatch | undefined {
  for (const mapping of config.mappings) {
    const groups: Record<string, string | undefined> = {};
    let fits = true;
    for (const { regex } of mapping.patterns) {
      const match = regex.exec(subject);
      if (match === null) {
        fits = false;
        break;
      }
      Object.assign(groups, match.groups);
    }
    if (fits) return { mapping, groups };
  }
  return undefined;
}
