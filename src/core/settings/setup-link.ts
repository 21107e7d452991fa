/**
 * The setup link's codec: what a link carries (the target, its settings that differ from the defaults, the
 * endpoint) and how it is read back over the stored settings, with a note for each thing ignored.
 *
 * Merge rule: defaults < stored settings < setup link. A link's values win over the stored settings for the
 * visit it opens; once applied (and removed from the address bar), they are saved like any other change, so
 * a reload does not undo later edits. A link describes its target completely: the target's settings that the
 * link leaves out are that target's defaults, and a link that names a target but no endpoint means "the
 * receiver that served the page". The other targets' settings stay as stored.
 */
import { profiles } from '#core/profiles/registry';
import { namePaths } from '#core/validation/path-parts';
import type { ProfileId, ProfileSettings } from '#core/validation/types';
import {
  asSettings,
  checkValue,
  defaultFields,
  eachProfile,
  endpointReason,
  endpointSecret,
  fieldChoices,
  fieldsOf,
  ignoredKeys,
  isProfileId,
  isSecretKey,
  maxLengthOf,
  profileIds,
  show,
  targetNames,
  type AppSettings,
  type Fields,
  type SettingsReading,
} from './app-settings';

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

function where(endpoint: string): string {
  return endpoint === '' ? 'the receiver that served this page' : endpoint;
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
