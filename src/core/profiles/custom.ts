/** A pattern of the user's own: the `id` named group, or else group 1, is the identifier. */
import type { Identification, Preparation, ProfileDescriptor } from '#core/profiles/types';
import { finding } from '#core/validation/finding';
import { fileName, listInWords, stem } from '#core/validation/path-parts';
import { compileJsPattern, cutShort } from '#core/validation/pattern';
import type { CustomSettings } from '#core/validation/types';

const missingGroup =
  'The pattern needs a group around the identifier, like ^(?<id>[A-Z]+\\d+) or ^([A-Z]+\\d+); add parentheses around the part that links a file to its record.';

export const customDefaultSettings: CustomSettings = {
  pattern: '^(?<id>[^_.]+)',
  flags: '',
  matchAgainst: 'name',
  readBarcodes: false,
};

function identifyWith(regex: RegExp, settings: CustomSettings) {
  return (path: string): Identification => {
    const name = fileName(path);
    const subject = settings.matchAgainst === 'name' ? name : path;
    const match = regex.exec(subject);
    const named = match?.groups?.id;
    const identifier = named ?? match?.[1];
    if (match === null || identifier === undefined || identifier === '') {
      return {
        problem: finding(
          path,
          'error',
          'custom.no-match',
          `${subject} does not match the pattern /${settings.pattern}/ with a non-empty identifier; rename the file or adjust the pattern.`,
        ),
      };
    }
    const end = (named === undefined ? match.indices?.[1] : match.indices?.groups?.id)?.[1] ?? subject.length;
    const notes = cutShort(subject, end)
      ? [
          finding(
            path,
            'warning',
            'pattern.cut-short',
            `The pattern took '${identifier}' from ${subject}, but the next character '${subject[end]}' looks like part of it, so the pattern may have cut the identifier short; check how many characters the pattern expects.`,
            identifier,
          ),
        ]
      : [];
    return { identifier, parts: { name: stem(name) }, notes };
  };
}

function prepare(settings: CustomSettings): Preparation {
  const compiled = compileJsPattern(settings.pattern, settings.flags, { missingGroup });
  if (!compiled.ok) return { ok: false, problems: [finding('', 'error', 'custom.pattern', compiled.reason)] };
  return {
    ok: true,
    profile: {
      identify: identifyWith(compiled.regex, settings),
      checkFile: () => [],
      duplicateKey: (id) => `${id.identifier}\0${(id.parts.name ?? '').toLowerCase()}`,
      duplicateWording: (id) => ({
        what: `identifier and name (${id.identifier}, '${id.parts.name}')`,
        fix: 'keep one of them, or rename one',
      }),
      describe: (path, id) => `${fileName(path)} has the identifier ${id.identifier}`,
      checkFolder: () => [],
      pathEndTrimmed: false,
      records: {
        columns: [],
        extraColumns: [],
        trimEnd: false,
        withoutLeadingZeros: false,
        missingStatus: 'warning',
        missingMessage: ({ name, identifier, list, caseVariant }) =>
          `${name} has the identifier '${identifier}', which is not in ${list}${caseVariant === undefined ? '' : ` (it has '${caseVariant}', which differs only in case)`}; add the record or correct the name.`,
        noFileStatus: 'warning',
        noFileMessage: (identifier, line, list) =>
          `Record ${identifier} (line ${line} of ${list}) has no file in the folder; add its file, or ignore this if it comes later.`,
        repeatedStatus: 'warning',
        repeatedMessage: (identifier, lines, list) =>
          `Identifier ${identifier} appears on lines ${listInWords(lines.map(String))} of ${list}; remove or correct the extra rows.`,
        checkTable: () => [],
      },
    },
  };
}

export const custom: ProfileDescriptor<'custom'> = {
  id: 'custom',
  label: 'Custom pattern',
  description:
    'Any target: a JavaScript pattern of your own reads the identifier out of each file name (the id group, or group 1).',
  defaultSettings: customDefaultSettings,
  prepareSettings: ['readBarcodes'],
  isRecordFile: () => false,
  prepare,
};
