/**
 * The app's settings as a whole: the chosen target, every target's own settings and the upload endpoint.
 * They are saved in the browser, exported and imported as JSON, and carried in a setup link that a portal
 * manager sends to an imaging team. The access token is never part of them: it is not saved, exported,
 * imported or carried in a link, and a token found in a file or a link is dropped with a note.
 *
 * Merge rule: defaults < stored settings < setup link. A link's values win over the stored settings for the
 * visit it opens; once applied (and removed from the address bar), they are saved like any other change, so
 * a reload does not undo later edits. A link describes its target completely: the target's settings that the
 * link leaves out are that target's defaults, and a link that names a target but no endpoint means "the
 * receiver that served the page". The other targets' settings stay as stored.
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

function maxLengthOf(id: ProfileId, field: string): number {
  return (documentFields[id] as readonly string[] | undefined)?.includes(field) === true
    ? maxDocumentLength
    : maxSettingLength;
}
const maxJsonLength = 1_000_000;
const maxJsonDepth = 200;
/** How deep the search for tokens goes into a file's unknown parts. */
const maxSecretDepth = 32;
const topKeys = ['version', 'target', 'endpoint', 'includeHidden', 'profiles'];
const secretWords = new Set(['password', 'passwd', 'secret', 'apikey', 'authorization', 'credentials']);

/** Settings seen field by field; every profile's settings are flat objects of text, numbers and booleans. */
type Fields = Readonly<Record<string, unknown>>;

/** The values a text setting may take, where it is a choice. */
const choices: {
  readonly [P in ProfileId]?: { readonly [K in keyof ProfileSettings[P]]?: readonly ProfileSettings[P][K][] };
} = {
  symbiota: { patternSyntax: ['php', 'javascript'], originals: ['none', 'as-is', 'web-ready'] },
  custom: { matchAgainst: ['name', 'path'] },
};

const profileIds: readonly ProfileId[] = profileList.map((profile) => profile.id);

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

function eachProfile(make: <P extends ProfileId>(id: P) => ProfileSettings[P]): AppSettings['profiles'] {
  return {
    any: make('any'),
    gudmap: make('gudmap'),
    symbiota: make('symbiota'),
    bia: make('bia'),
    custom: make('custom'),
    deriva: make('deriva'),
  };
}

function fieldsOf(settings: object): Fields {
  return settings as Fields;
}

/** Safe where the fields were copied from the defaults and each replaced only by a value of the same kind. */
function asSettings<P extends ProfileId>(_id: P, fields: Fields): ProfileSettings[P] {
  return fields as unknown as ProfileSettings[P];
}

function defaultFields(id: ProfileId): Fields {
  return fieldsOf(profiles[id].defaultSettings);
}

function fieldChoices(id: ProfileId, field: string): readonly unknown[] | undefined {
  return (choices[id] as Readonly<Record<string, readonly unknown[] | undefined>> | undefined)?.[field];
}

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Fields, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

// ——— Wording ———

/** A value as a note shows it: text in quotes, cut short when long. */
function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (value === '') return "'' (empty)";
  if (typeof value === 'string') return value.length > 80 ? `'${value.slice(0, 77)}…'` : `'${value}'`;
  return String(value);
}

function targetNames(conjunction: 'and' | 'or' = 'or'): string {
  return listInWords(
    profileList.map((profile) => `'${profile.id}' (${profile.label})`),
    conjunction,
  );
}

function where(endpoint: string): string {
  return endpoint === '' ? 'the receiver that served this page' : endpoint;
}

/** `what` is singular and plural, like ['a setting', 'settings']. */
function ignoredKeys(keys: readonly string[], what: readonly [string, string], aside = ''): string {
  const one = keys.length === 1;
  return `${namePaths(keys)} ${one ? 'is' : 'are'} not ${one ? what[0] : what[1]} this uploader knows${aside}, so ${one ? 'it was' : 'they were'} ignored.`;
}

// ——— Values ———

type Check = { readonly value: unknown } | { readonly reason: string };

/** Whether `value` may replace `fallback`: the same kind, one of the choices, not too long. */
function checkValue(
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

/** A link carries text: `true`/`false` (or 1/0, yes/no) for a boolean setting, digits for a number. */
function fromLinkText(fallback: unknown, text: string): unknown {
  if (typeof fallback === 'boolean') {
    const word = text.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(word)) return true;
    if (['false', '0', 'no', 'off'].includes(word)) return false;
  }
  if (typeof fallback === 'number' && /^-?\d+(?:\.\d+)?$/.test(text.trim())) return Number(text.trim());
  return text;
}

/** Why an endpoint carries a credential (a user name or password, a token in its query), or undefined. */
function endpointSecret(endpoint: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(endpoint)) return 'holds a user name or password';
  const query = /[?&]([^=&#]*)=/g;
  for (const match of endpoint.matchAll(query)) {
    if (isSecretKey(match[1] ?? '')) return 'holds a token in its query';
  }
  return undefined;
}

/** Why a non-empty endpoint cannot be used, or undefined. */
function endpointReason(endpoint: string): string | undefined {
  if (endpoint === '') return undefined;
  if (endpoint.length > maxSettingLength) {
    return `is ${plural(endpoint.length, 'character')} long, more than the ${formatCount(maxSettingLength)} allowed`;
  }
  if (!/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i.test(endpoint)) {
    return 'is not a web address starting with https:// or http://';
  }
  return endpointSecret(endpoint);
}

// ——— JSON ———

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

function parseJson(text: string): { readonly value: unknown } | { readonly problem: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { problem: jsonProblem(text, error) };
  }
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

// ——— Where JSON.parse failed: engines word (and place) their errors differently, so find it here ———

interface JsonFault {
  readonly at: number;
  readonly expected: string;
}

/** The offset after a JSON value, or where the text stops being JSON. */
type Scan = number | JsonFault;

const space = /[ \t\n\r]*/y;
/** Any code unit from U+0020 up but " and \, or an escape: JSON text holds no raw control characters. */
const stringBody = /(?:[\u0020\u0021\u0023-\u005b\u005d-\uffff]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;
const scalar = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

function stickyEnd(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : -1;
}

function skipSpace(text: string, at: number): number {
  return stickyEnd(space, text, at);
}

function jsonProblem(text: string, error: unknown): string {
  const fault = findJsonFault(text);
  if (fault === undefined) {
    return `The settings are not valid JSON (${error instanceof Error ? error.message : String(error)}).`;
  }
  const before = text.slice(0, fault.at);
  const line = before.split('\n').length;
  const column = fault.at - before.lastIndexOf('\n');
  const found = fault.at >= text.length ? 'the text ends' : `there is ${showChar(text[fault.at] ?? '')}`;
  return `The settings are not valid JSON: at line ${line}, column ${column} ${found}, where JSON expects ${fault.expected}.`;
}

function showChar(char: string): string {
  if (char === '\n' || char === '\r') return 'a line break';
  if (char === '\t') return 'a tab';
  const code = char.charCodeAt(0);
  return code < 0x20 ? `the control character U+${code.toString(16).padStart(4, '0')}` : `'${char}'`;
}

function findJsonFault(text: string): JsonFault | undefined {
  const end = scanValue(text, skipSpace(text, 0), 0);
  if (typeof end !== 'number') return end;
  const rest = skipSpace(text, end);
  return rest < text.length ? { at: rest, expected: 'nothing more after the settings object' } : undefined;
}

function scanValue(text: string, at: number, depth: number): Scan {
  if (depth > maxJsonDepth) return { at, expected: `at most ${maxJsonDepth} levels of nesting` };
  const char = text[at];
  if (char === '{') return scanObject(text, skipSpace(text, at + 1), depth + 1);
  if (char === '[') return scanArray(text, skipSpace(text, at + 1), depth + 1);
  if (char === '"') return scanString(text, at);
  const end = stickyEnd(scalar, text, at);
  return end === -1
    ? { at, expected: 'a value (text in double quotes, a number, true, false, null, { or [)' }
    : end;
}

function scanString(text: string, at: number): Scan {
  const end = stickyEnd(stringBody, text, at + 1);
  const char = text[end];
  if (char === '"') return end + 1;
  if (char === '\\') return { at: end, expected: 'an escape such as \\n, \\" or \\u00e9' };
  if (char === undefined) return { at: end, expected: 'a closing "' };
  return { at: end, expected: 'a closing " (a line break inside text is written \\n)' };
}

function scanObject(text: string, start: number, depth: number): Scan {
  if (text[start] === '}') return start + 1;
  let at = start;
  for (;;) {
    if (text[at] !== '"') return { at, expected: 'a name in double quotes' };
    const name = scanString(text, at);
    if (typeof name !== 'number') return name;
    at = skipSpace(text, name);
    if (text[at] !== ':') return { at, expected: "':'" };
    const value = scanValue(text, skipSpace(text, at + 1), depth);
    if (typeof value !== 'number') return value;
    at = skipSpace(text, value);
    if (text[at] === '}') return at + 1;
    if (text[at] !== ',') return { at, expected: "',' or '}'" };
    at = skipSpace(text, at + 1);
  }
}

function scanArray(text: string, start: number, depth: number): Scan {
  if (text[start] === ']') return start + 1;
  let at = start;
  for (;;) {
    const value = scanValue(text, at, depth);
    if (typeof value !== 'number') return value;
    at = skipSpace(text, value);
    if (text[at] === ']') return at + 1;
    if (text[at] !== ',') return { at, expected: "',' or ']'" };
    at = skipSpace(text, at + 1);
  }
}

// ——— Setup link ———

/**
 * What a setup link carries: the target, the target's settings that differ from its defaults (so the link
 * stays short), and the endpoint when it is not the page's own receiver. Never a token, and never an endpoint
 * that holds a credential.
 */
export function settingsToLinkParams(settings: AppSettings): [string, string][] {
  const id = settings.target;
  const fields = fieldsOf(settings.profiles[id]);
  const params: [string, string][] = [['target', id]];
  for (const [key, fallback] of Object.entries(defaultFields(id))) {
    const value = fields[key];
    if (value !== undefined && value !== fallback) params.push([`${id}.${key}`, String(value)]);
  }
  if (settings.endpoint !== '' && endpointSecret(settings.endpoint) === undefined) {
    params.push(['endpoint', settings.endpoint]);
  }
  if (settings.includeHidden) params.push(['includeHidden', 'true']);
  return params;
}

/** Applies a link's params over `base` (see the merge rule at the top), with a note for each one ignored. */
export function settingsFromLinkParams(
  params: Iterable<readonly [string, string]>,
  base: AppSettings,
): SettingsReading {
  const notes: string[] = [];
  const values = linkValues(params, notes);
  const target = linkTarget(values.get('target'), base, notes);
  const profileSettings = eachProfile((id) =>
    linkProfile(id, id === target ? defaultFields(id) : fieldsOf(base.profiles[id]), values, notes),
  );
  const endpoint = linkEndpoint(values.get('endpoint'), base, target !== undefined, notes);
  const includeHidden = linkIncludeHidden(values.get('includeHidden'), base, target !== undefined, notes);
  const known = new Set(['target', 'endpoint', 'includeHidden']);
  for (const id of profileIds) for (const key of Object.keys(defaultFields(id))) known.add(`${id}.${key}`);
  const unknown = [...values.keys()].filter((key) => !known.has(key));
  if (unknown.length > 0) notes.push(`In the link, ${ignoredKeys(unknown, ['a setting', 'settings'])}`);
  return {
    settings: {
      version: 1,
      target: target ?? base.target,
      profiles: profileSettings,
      endpoint,
      includeHidden,
    },
    notes,
  };
}

/** The link's values by key, the last one winning; tokens are left out. */
function linkValues(params: Iterable<readonly [string, string]>, notes: string[]): Map<string, string> {
  const values = new Map<string, string>();
  const repeated = new Set<string>();
  const secrets = new Set<string>();
  for (const [key, value] of params) {
    if (isSecretKey(key)) {
      secrets.add(key);
      continue;
    }
    if (values.has(key)) repeated.add(key);
    values.set(key, value);
  }
  if (secrets.size > 0) {
    notes.push(
      `The link carries a token (${namePaths([...secrets])}), which was ignored: tokens are never taken from a link, so enter yours in the Access token field.`,
    );
  }
  for (const key of repeated) notes.push(`The link gives ${key} more than once; the last one is used.`);
  return values;
}

/** The link's target when it names a known one. */
function linkTarget(text: string | undefined, base: AppSettings, notes: string[]): ProfileId | undefined {
  if (text === undefined) return undefined;
  if (isProfileId(text)) return text;
  notes.push(
    `The link names the target ${show(text)}, which is not one of ${targetNames()}, so the target stays ${profiles[base.target].label}.`,
  );
  return undefined;
}

function linkProfile<P extends ProfileId>(
  id: P,
  start: Fields,
  values: ReadonlyMap<string, string>,
  notes: string[],
): ProfileSettings[P] {
  const fields: Record<string, unknown> = { ...start };
  for (const [key, fallback] of Object.entries(defaultFields(id))) {
    const text = values.get(`${id}.${key}`);
    if (text === undefined) continue;
    const check = checkValue(
      fallback,
      fromLinkText(fallback, text),
      fieldChoices(id, key),
      maxLengthOf(id, key),
    );
    if ('value' in check) fields[key] = check.value;
    else notes.push(`The link's ${id}.${key} ${check.reason}, so ${show(start[key])} is used instead.`);
  }
  return asSettings(id, fields);
}

/** Like the target's settings, a link that names a target and leaves this out means the default (skip them). */
function linkIncludeHidden(
  text: string | undefined,
  base: AppSettings,
  setsTarget: boolean,
  notes: string[],
): boolean {
  const fallback = setsTarget ? false : base.includeHidden;
  if (text === undefined) return fallback;
  const check = checkValue(false, fromLinkText(false, text), undefined);
  if ('value' in check) return check.value === true;
  notes.push(`The link's includeHidden ${check.reason}, so ${show(fallback)} is used instead.`);
  return fallback;
}

function linkEndpoint(
  text: string | undefined,
  base: AppSettings,
  setsTarget: boolean,
  notes: string[],
): string {
  const fallback = setsTarget ? '' : base.endpoint;
  const endpoint = text === undefined ? fallback : text.trim();
  const reason = text === undefined ? undefined : endpointReason(endpoint);
  if (reason !== undefined) {
    notes.push(`The link's endpoint ${reason}, so uploads go to ${where(fallback)}.`);
    return fallback;
  }
  if (endpoint === base.endpoint) return endpoint;
  notes.push(
    endpoint === ''
      ? `The link sends uploads to the receiver that served this page, in place of ${base.endpoint}.`
      : `The link sends uploads to ${endpoint}: check that this is your repository's receiver before you enter a token.`,
  );
  return endpoint;
}

/**
 * The params as a query (`target=symbiota&symbiota.pattern=/%5E(%5Cd%2B)…`). `+` is always encoded and read
 * back literally (not as a space), so a pattern survives as typed; `/ : @ $ , ;` stay readable; the last
 * character is never bare punctuation, which mail programs take for the end of the sentence, not the link.
 */
export function linkQuery(params: Iterable<readonly [string, string]>): string {
  const query = [...params].map(([key, value]) => `${encodePart(key)}=${encodePart(value)}`).join('&');
  const last = query.at(-1) ?? '';
  return /[A-Za-z0-9/=]/.test(last) || last === '' ? query : `${query.slice(0, -1)}${percent(last)}`;
}

function encodePart(text: string): string {
  return encodeURIComponent(text).replace(/%(?:2F|3A|40|24|2C|3B)/g, (escape) => decodeURIComponent(escape));
}

function percent(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Reads `a=1&b=2` (a leading `?` is skipped); a badly encoded part is left out with a note. */
export function parseLinkQuery(query: string): {
  readonly params: [string, string][];
  readonly notes: readonly string[];
} {
  const params: [string, string][] = [];
  const notes: string[] = [];
  for (const part of query.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const key = decodePart(equals === -1 ? part : part.slice(0, equals));
    const value = decodePart(equals === -1 ? '' : part.slice(equals + 1));
    if (key !== undefined && value !== undefined) params.push([key, value]);
    else if (key === undefined) notes.push('A part of the link is not correctly encoded, so it was ignored.');
    else notes.push(`The link's ${key} is not correctly encoded, so it was ignored.`);
  }
  return { params, notes };
}

function decodePart(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
