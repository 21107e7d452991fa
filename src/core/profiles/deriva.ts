/**
 * Any Deriva catalog, checked with its own bulk-upload config exactly as deriva-upload-cli would apply it: which
 * asset mapping each file fits, its groups, its Hatrac URI and column values (see #core/deriva).
 */
import { readDerivaConfig } from '#core/deriva/config';
import { DERIVA_DEFAULT_CONFIG, DERIVA_DEFAULT_CONFIG_NAME } from '#core/deriva/default-config';
import { findMapping, matchedPath, UPLOAD_STATE_PREFIX, type MappingMatch } from '#core/deriva/match';
import { planFile, planHatracUri, prepareConfig, type PreparedConfig } from '#core/deriva/plan';
import {
  extMissingSentence,
  noMappingSentence,
  planSentence,
  undefinedNameSentence,
} from '#core/deriva/plan-words';
import type { Identification, PrepareContext, Preparation, ProfileDescriptor } from '#core/profiles/types';
import { finding } from '#core/validation/finding';
import { fileName, listInWords } from '#core/validation/path-parts';
import type { DerivaSettings, Finding, ScannedFile } from '#core/validation/types';

/** Where identify keeps the Hatrac URI among the parts; no Python group name has a space. */
const HATRAC_URI = 'hatrac uri';

export const derivaDefaultSettings: DerivaSettings = { config: '', configSource: '', catalogUrl: '' };

/** The config's name in sentences: where it came from, or the fallback deriva-py itself uses. */
export function configName(settings: DerivaSettings): string {
  if (settings.config.trim() === '') return DERIVA_DEFAULT_CONFIG_NAME;
  return settings.configSource === '' ? 'the upload config' : settings.configSource;
}

/**
 * The Hatrac URI as far as the path alone fills it: two files with the same one would overwrite each other.
 * Undefined while it waits for the catalog or checksums, or depends on the file's size.
 */
function knownUri(prepared: PreparedConfig, path: string, match: MappingMatch): string | undefined {
  const uri = planHatracUri(prepared, { path, size: 0 }, match);
  const template = (match.mapping.raw['hatrac_templates'] as Record<string, unknown> | undefined)?.[
    'hatrac_uri'
  ];
  if (uri === undefined || uri.includes('{') || String(template).includes('{file_size')) return undefined;
  return uri;
}

function identifyWith(prepared: PreparedConfig, matches: Map<string, MappingMatch>) {
  const { config, folderName } = prepared;
  return (path: string): Identification => {
    const name = fileName(path);
    if (name.startsWith(UPLOAD_STATE_PREFIX)) {
      return {
        problem: finding(
          path,
          'skipped',
          'deriva.upload-state',
          `${name} is where deriva-upload-cli keeps its own transfer state, so it skips the file.`,
        ),
      };
    }
    const subject = matchedPath(path, folderName, config.relativePaths);
    const match = findMapping(config, subject);
    if (match === undefined) {
      const message = noMappingSentence(path, subject, config.mappings.length);
      return { problem: finding(path, 'warning', 'deriva.no-mapping', message) };
    }
    matches.set(path, match);
    const group = match.mapping.identifierGroup;
    const identifier = (group === undefined ? undefined : match.groups[group]) ?? '';
    const parts: Record<string, string> = Object.fromEntries(
      Object.entries(match.groups).map(([k, v]) => [k, v ?? '']),
    );
    const uri = knownUri(prepared, path, match);
    return { identifier, parts: uri === undefined ? parts : { ...parts, [HATRAC_URI]: uri }, notes: [] };
  };
}

function checkFileWith(prepared: PreparedConfig, matches: ReadonlyMap<string, MappingMatch>) {
  return (file: ScannedFile): readonly Finding[] => {
    const match = matches.get(file.path);
    if (match === undefined) return [];
    const plan = planFile(prepared, { path: file.path, size: file.size }, match);
    if (plan === undefined) return [];
    const subject = matchedPath(file.path, prepared.folderName, prepared.config.relativePaths);
    const id =
      match.mapping.identifierGroup === undefined ? '' : (match.groups[match.mapping.identifierGroup] ?? '');
    const findings = [finding(file.path, 'ok', 'deriva.plan', planSentence(file.path, subject, plan), id)];
    if (plan.undefinedNames.length > 0) {
      findings.push(
        finding(file.path, 'error', 'deriva.template', undefinedNameSentence(file.path, plan), id),
      );
    }
    if (plan.extMissing !== undefined) {
      findings.push(
        finding(file.path, 'warning', 'deriva.file-ext', extMissingSentence(file.path, plan), id),
      );
    }
    return findings;
  };
}

function prepare(settings: DerivaSettings, context?: PrepareContext): Preparation {
  const fallback = settings.config.trim() === '';
  const name = configName(settings);
  const reading = readDerivaConfig(fallback ? DERIVA_DEFAULT_CONFIG : settings.config, name);
  if (!reading.ok) {
    return { ok: false, problems: reading.problems.map((p) => finding('', 'error', 'deriva.config', p)) };
  }
  const prepared = prepareConfig(reading.config, context?.folderName ?? '');
  const matches = new Map<string, MappingMatch>();
  const folderNotes: Finding[] = fallback
    ? [
        finding(
          '',
          'warning',
          'deriva.default-config',
          `No upload config is loaded, so files are checked against ${DERIVA_DEFAULT_CONFIG_NAME} (table rows from records/<schema>/<table>.csv or .json), as deriva-upload-cli does for a catalog without one; load the catalog's config to check its asset mappings.`,
        ),
      ]
    : [];
  return {
    ok: true,
    profile: {
      identify: identifyWith(prepared, matches),
      checkFile: checkFileWith(prepared, matches),
      duplicateKey: (id) => id.parts[HATRAC_URI],
      duplicateWording: (id) => ({
        what: `Hatrac URI (${id.parts[HATRAC_URI] ?? ''})`,
        fix: 'the second upload would replace the first, so rename one to give it a URI of its own',
      }),
      describe: (path) => {
        const match = matches.get(path);
        const label = match?.mapping.label ?? 'a mapping';
        return `${fileName(path)} is ready for ${label}`;
      },
      checkFolder: () => folderNotes,
      pathEndTrimmed: false,
      hiddenFilesTaken:
        'deriva-upload-cli does upload hidden files, so tick Include hidden files to check them as it would',
      records: {
        columns: [],
        extraColumns: [],
        trimEnd: false,
        withoutLeadingZeros: false,
        missingStatus: 'warning',
        missingMessage: ({ name, identifier, list }) =>
          `${name} has the value '${identifier}', which is not in ${list}; add the record or correct the name.`,
        noFileStatus: 'warning',
        noFileMessage: (identifier, line, list) =>
          `Record ${identifier} (line ${line} of ${list}) has no file in the folder; add its file, or ignore this if it comes later.`,
        repeatedStatus: 'warning',
        repeatedMessage: (identifier, lines, list) =>
          `${identifier} appears on lines ${listInWords(lines.map(String))} of ${list}; remove or correct the extra rows.`,
        checkTable: () => [],
      },
    },
  };
}

export const deriva: ProfileDescriptor<'deriva'> = {
  id: 'deriva',
  label: 'Deriva upload config',
  description:
    "Any Deriva catalog (GUDMAP/RBK, FaceBase …): each file is matched as deriva-upload-cli would, with the catalog's own bulk-upload config, showing the asset mapping it fits, its Hatrac URI and column values.",
  defaultSettings: derivaDefaultSettings,
  isRecordFile: () => false,
  prepare,
};
