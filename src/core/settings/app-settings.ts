/**
 * The app's settings as a whole: the chosen target, every target's own settings and the upload endpoint.
 * They are saved in the browser, exported and imported as JSON (settings-json.ts), and carried in a setup link
 * that a portal manager sends to an imaging team (setup-link.ts). The access token is never part of them: it is
 * not saved, exported, imported or carried in a link, and a token found in a file or a link is dropped with a
 * note.
 *
 * Reading is tolerant: a value of the wrong kind falls back with a note naming it, an unknown key is ignored
 * with a note. Only what makes the whole input unusable (not JSON, another version, an unknown target) is a
 * problem. Patterns are not compiled here: each profile's `prepare()` does that and reports on them.
 */
import { formatCount, plural } from '#core/format';
import { profileList, profiles } from '#core/profiles/registry';
import { listInWords, namePaths } from '#core/validation/path-parts';
import type { ProfileId, ProfileSettings } from '#core/validation/types';

export interface AppSettings {
  readonly version: 1;
  readonly target: ProfileId;
  readonly profiles: { readonly [P in ProfileId]: ProfileSettings[P] };
  /** Where uploads go; '' means the receiver that served the page. */
  readonly endpoint: string;
  /** Hidden files and folders (names starting with a dot) are scanned as data rather than skipped. */
  readonly includeHidden: boolean;
}

export interface SettingsReading {
  readonly settings: AppSettings;
  /** One sentence for each thing that was ignored or fell back. */
  readonly notes: readonly string[];
}

export type SettingsImport = SettingsReading | { readonly problems: readonly string[] };

/** The longest text a setting (a pattern, an endpoint) may hold. */
export const maxSettingLength = 2000;
/** Settings that hold a whole document (a Deriva upload config), with their own limit. */
export const maxDocumentLength = 200_000;
const documentFields: { readonly [P in ProfileId]?: readonly (keyof ProfileSettings[P])[] } = {
  deriva: ['config'],
};

export function maxLengthOf(id: ProfileId, field: string): number {
  return (documentFields[id] as readonly string[] | undefined)?.includes(field) === true
    ? maxDocumentLength
    : maxSettingLength;
}
const secretWords = new Set(['password', 'passwd', 'secret', 'apikey', 'authorization', 'credentials']);

/** Settings seen field by field; every profile's settings are flat objects of text, numbers and booleans. */
export type Fields = Readonly<Record<string, unknown>>;

/** The values a text setting may take, where it is a choice. */
const choices: {
  readonly [P in ProfileId]?: { readonly [K in keyof ProfileSettings[P]]?: readonly ProfileSettings[P][K][] };
} = {
  symbiota: { patternSyntax: ['php', 'javascript'], originals: ['none', 'as-is', 'web-ready'] },
  custom: { matchAgainst: ['name', 'path'] },
};

export const profileIds: readonly ProfileId[] = profileList.map((profile) => profile.id);

export function isProfileId(text: string): text is ProfileId {
  return (profileIds as readonly string[]).includes(text);
}

/** A key that names a credential (token, accessToken, access_token, password …), which is never carried. */
export function isSecretKey(key: string): boolean {
  const word = key.toLowerCase().replace(/[^a-z]/g, '');
  return word.endsWith('token') || secretWords.has(word);
}

export function defaultAppSettings(): AppSettings {
  return {
    version: 1,
    target: profileList[0]?.id ?? 'any',
    profiles: eachProfile((id) => profiles[id].defaultSettings),
    endpoint: '',
    includeHidden: false,
  };
}

export function eachProfile(
  make: <P extends ProfileId>(id: P) => ProfileSettings[P],
): AppSettings['profiles'] {
  return {
    any: make('any'),
    gudmap: make('gudmap'),
    symbiota: make('symbiota'),
    bia: make('bia'),
    custom: make('custom'),
    deriva: make('deriva'),
  };
}

export function fieldsOf(settings: object): Fields {
  return settings as Fields;
}

/** Safe where the fields were copied from the defaults and each replaced only by a value of the same kind. */
export function asSettings<P extends ProfileId>(_id: P, fields: Fields): ProfileSettings[P] {
  return fields as unknown as ProfileSettings[P];
}

export function defaultFields(id: ProfileId): Fields {
  return fieldsOf(profiles[id].defaultSettings);
}

export function fieldChoices(id: ProfileId, field: string): readonly unknown[] | undefined {
  return (choices[id] as Readonly<Record<string, readonly unknown[] | undefined>> | undefined)?.[field];
}

export function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function own(record: Fields, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

// ——— Wording ———

/** A value as a note shows it: text in quotes, cut short when long. */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (value === '') return "'' (empty)";
  if (typeof value === 'string') return value.length > 80 ? `'${value.slice(0, 77)}…'` : `'${value}'`;
  return String(value);
}

export function targetNames(conjunction: 'and' | 'or' = 'or'): string {
  return listInWords(
    profileList.map((profile) => `'${profile.id}' (${profile.label})`),
    conjunction,
  );
}

/** `what` is singular and plural, like ['a setting', 'settings']. */
export function ignoredKeys(keys: readonly string[], what: readonly [string, string], aside = ''): string {
  const one = keys.length === 1;
  return `${namePaths(keys)} ${one ? 'is' : 'are'} not ${one ? what[0] : what[1]} this uploader knows${aside}, so ${one ? 'it was' : 'they were'} ignored.`;
}

// ——— Values ———

type Check = { readonly value: unknown } | { readonly reason: string };

/** Whether `value` may replace `fallback`: the same kind, one of the choices, not too long. */
export function checkValue(
  fallback: unknown,
  value: unknown,
  allowed: readonly unknown[] | undefined,
  maxLength = maxSettingLength,
): Check {
  if (typeof fallback === 'boolean') {
    return typeof value === 'boolean' ? { value } : { reason: `should be true or false, not ${show(value)}` };
  }
  if (typeof fallback === 'number') {
    return typeof value === 'number' && Number.isFinite(value)
      ? { value }
      : { reason: `should be a number, not ${show(value)}` };
  }
  if (typeof fallback !== 'string') return { reason: 'cannot be read from settings' };
  if (typeof value !== 'string') return { reason: `should be text, not ${show(value)}` };
  if (allowed !== undefined && !allowed.includes(value)) {
    return { reason: `should be ${listInWords(allowed.map(show), 'or')}, not ${show(value)}` };
  }
  if (value.length > maxLength) {
    return {
      reason: `is ${plural(value.length, 'character')} long, more than the ${formatCount(maxLength)} allowed`,
    };
  }
  return { value };
}

/** Why an endpoint carries a credential (a user name or password, a token in its query), or undefined. */
export function endpointSecret(endpoint: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(endpoint)) return 'holds a user name or password';
  const query = /[?&]([^=&#]*)=/g;
  for (const match of endpoint.matchAll(query)) {
    if (isSecretKey(match[1] ?? '')) return 'holds a token in its query';
  }
  return undefined;
}

/** Why a non-empty endpoint cannot be used, or undefined. */
export function endpointReason(endpoint: string): string | undefined {
  if (endpoint === '') return undefined;
  if (endpoint.length > maxSettingLength) {
    return `is ${plural(endpoint.length, 'character')} long, more than the ${formatCount(maxSettingLength)} allowed`;
  }
  if (!/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i.test(endpoint)) {
    return 'is not a web address starting with https:// or http://';
  }
  return endpointSecret(endpoint);
}
