/** The settings as a JSON file: exported in a fixed order, and read back tolerantly (see app-settings.ts). */
import { profiles } from '#core/profiles/registry';
import { plural } from '#core/format';
import { namePaths } from '#core/validation/path-parts';
import type { ProfileId, ProfileSettings } from '#core/validation/types';
import {
  asSettings,
  checkValue,
  defaultAppSettings,
  defaultFields,
  eachProfile,
  endpointReason,
  endpointSecret,
  fieldChoices,
  fieldsOf,
  ignoredKeys,
  isProfileId,
  isRecord,
  isSecretKey,
  maxLengthOf,
  own,
  profileIds,
  show,
  targetNames,
  type AppSettings,
  type Fields,
  type SettingsImport,
} from './app-settings';
import { parseJson } from './json-fault';

const maxJsonLength = 1_000_000;
/** How deep the search for tokens goes into a file's unknown parts. */
const maxSecretDepth = 32;
const topKeys = ['version', 'target', 'endpoint', 'includeHidden', 'profiles'];

/** Pretty JSON in a fixed key order, profiles in picker order; only known fields, so never a token. */
export function settingsToJson(settings: AppSettings): string {
  const ordered = {
    version: 1,
    target: settings.target,
    endpoint: endpointSecret(settings.endpoint) === undefined ? settings.endpoint : '',
    includeHidden: settings.includeHidden,
    profiles: Object.fromEntries(profileIds.map((id) => [id, knownFields(id, settings.profiles[id])])),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function knownFields(id: ProfileId, settings: object): Fields {
  const fields = fieldsOf(settings);
  return Object.fromEntries(Object.keys(defaultFields(id)).map((key) => [key, fields[key]]));
}

export function parseSettingsJson(text: string): SettingsImport {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.length > maxJsonLength) {
    return {
      problems: [
        `The settings are ${plural(body.length, 'character')} long, too long to be settings from this uploader (they take a few hundred).`,
      ],
    };
  }
  if (body.trim() === '') return { problems: ['The settings are empty: there is no JSON to read.'] };
  const parsed = parseJson(body);
  return 'problem' in parsed ? { problems: [parsed.problem] } : readSettings(parsed.value);
}

function readSettings(value: unknown): SettingsImport {
  if (!isRecord(value)) {
    return { problems: [`The settings should be a JSON object ({ … }), not ${show(value)}.`] };
  }
  const version = versionProblem(value);
  if (version !== undefined) return { problems: [version] };
  const target = readTarget(value);
  if ('problem' in target) return { problems: [target.problem] };
  const notes: string[] = [];
  const secrets: string[] = [];
  findSecrets(value, '', 0, secrets);
  if (secrets.length > 0) {
    notes.push(
      `The settings hold a token (${namePaths(secrets)}), which was ignored: tokens are never imported, so enter yours in the Access token field.`,
    );
  }
  noteUnknownKeys(value, topKeys, '', ['a setting', 'settings'], notes);
  const endpoint = readEndpoint(value, notes);
  const includeHidden = readIncludeHidden(value, notes);
  const profileSettings = readProfiles(own(value, 'profiles'), notes);
  return {
    settings: { version: 1, target: target.target, profiles: profileSettings, endpoint, includeHidden },
    notes,
  };
}

function versionProblem(record: Fields): string | undefined {
  if (!Object.hasOwn(record, 'version')) {
    return 'The settings have no "version": 1, so they are not settings exported by this uploader.';
  }
  const version = record.version;
  if (version === 1) return undefined;
  if (typeof version === 'number' && version > 1) {
    return `The settings are version ${version}, written by a newer uploader; this one reads only version 1.`;
  }
  return `The settings' version is ${show(version)}, but this uploader reads only version 1.`;
}

function readTarget(record: Fields): { readonly target: ProfileId } | { readonly problem: string } {
  if (!Object.hasOwn(record, 'target')) return { target: defaultAppSettings().target };
  const target = record.target;
  if (typeof target === 'string' && isProfileId(target)) return { target };
  return { problem: `The settings name the target ${show(target)}, which is not one of ${targetNames()}.` };
}

function findSecrets(value: unknown, path: string, depth: number, found: string[]): void {
  if (depth > maxSecretDepth || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => findSecrets(item, `${path}[${index}]`, depth + 1, found));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (isSecretKey(key)) found.push(at);
    else findSecrets(item, at, depth + 1, found);
  }
}

function noteUnknownKeys(
  record: Fields,
  known: readonly string[],
  prefix: string,
  what: readonly [string, string],
  notes: string[],
  aside = '',
) {
  const unknown = Object.keys(record).filter((key) => !known.includes(key) && !isSecretKey(key));
  const paths = unknown.map((key) => prefix + key);
  if (paths.length > 0) notes.push(`In the settings, ${ignoredKeys(paths, what, aside)}`);
}

function readEndpoint(record: Fields, notes: string[]): string {
  if (!Object.hasOwn(record, 'endpoint')) return '';
  const value = record.endpoint;
  const reason =
    typeof value === 'string' ? endpointReason(value.trim()) : `should be text, not ${show(value)}`;
  if (reason === undefined && typeof value === 'string') return value.trim();
  notes.push(`The setting endpoint ${reason}, so uploads go to the receiver that served the page.`);
  return '';
}

function readIncludeHidden(record: Fields, notes: string[]): boolean {
  if (!Object.hasOwn(record, 'includeHidden')) return false;
  const check = checkValue(false, record.includeHidden, undefined);
  if ('value' in check) return check.value === true;
  notes.push(`The setting includeHidden ${check.reason}, so hidden files are skipped.`);
  return false;
}

function readProfiles(value: unknown, notes: string[]): AppSettings['profiles'] {
  if (value === undefined) return defaultAppSettings().profiles;
  if (!isRecord(value)) {
    notes.push(
      `The setting profiles should be an object, not ${show(value)}, so every target keeps its defaults.`,
    );
    return defaultAppSettings().profiles;
  }
  noteUnknownKeys(
    value,
    profileIds,
    'profiles.',
    ['a target', 'targets'],
    notes,
    ` (it knows ${targetNames('and')})`,
  );
  return eachProfile((id) => readProfile(id, own(value, id), notes));
}

function readProfile<P extends ProfileId>(id: P, value: unknown, notes: string[]): ProfileSettings[P] {
  const defaults = defaultFields(id);
  if (value === undefined) return asSettings(id, defaults);
  const path = `profiles.${id}`;
  if (!isRecord(value)) {
    notes.push(
      `The setting ${path} should be an object, not ${show(value)}, so ${profiles[id].label} keeps its defaults.`,
    );
    return asSettings(id, defaults);
  }
  const label = profiles[id].label;
  noteUnknownKeys(
    value,
    Object.keys(defaults),
    `${path}.`,
    [`a ${label} setting`, `${label} settings`],
    notes,
  );
  const fields: Record<string, unknown> = { ...defaults };
  for (const [key, fallback] of Object.entries(defaults)) {
    if (!Object.hasOwn(value, key)) continue;
    const check = checkValue(fallback, value[key], fieldChoices(id, key), maxLengthOf(id, key));
    if ('value' in check) fields[key] = check.value;
    else notes.push(`The setting ${path}.${key} ${check.reason}, so its default ${show(fallback)} is used.`);
  }
  return asSettings(id, fields);
}
