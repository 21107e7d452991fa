/**
 * Any files: no target's own rules, only those common to every target (empty files, case clashes, names the
 * file systems or the receiver refuse, content that does not match the extension). Nothing is read out of the
 * names, so no identifier and no record list: the target a first visit opens on, for any ordinary folder.
 */
import type { Preparation, ProfileDescriptor } from '#core/profiles/types';
import { fileName } from '#core/validation/path-parts';
import type { AnySettings } from '#core/validation/types';

export const anyDefaultSettings: AnySettings = {};

const prepared: Preparation = {
  ok: true,
  profile: {
    identify: () => ({ identifier: '', parts: {}, notes: [] }),
    checkFile: () => [],
    // Without identifiers there are no duplicates to find; names that differ only in case still are.
    duplicateKey: () => undefined,
    duplicateWording: () => ({ what: 'name', fix: 'keep one of them, or rename one' }),
    describe: (path) => `${fileName(path)} passes the checks common to every target`,
    checkFolder: () => [],
    pathEndTrimmed: false,
    records: {
      columns: [],
      extraColumns: [],
      trimEnd: false,
      withoutLeadingZeros: false,
      missingStatus: 'warning',
      missingMessage: ({ name }) => `${name} has no identifier to look up.`,
      noFileStatus: 'warning',
      noFileMessage: (identifier, line, list) =>
        `Record ${identifier} (line ${line} of ${list}) cannot be matched: Any files reads no identifiers.`,
      repeatedStatus: 'warning',
      repeatedMessage: (identifier, _lines, list) =>
        `Identifier ${identifier} appears more than once in ${list}.`,
      checkTable: () => [],
    },
  },
};

export const any: ProfileDescriptor<'any'> = {
  id: 'any',
  label: 'Any files',
  description:
    'Any folder, as it is: only the checks common to every target (empty files, names that differ only in case, names file systems refuse, content that does not match its extension). Choose a repository below for its own rules.',
  defaultSettings: anyDefaultSettings,
  usesRecordList: false,
  isRecordFile: () => false,
  prepare: () => prepared,
};
