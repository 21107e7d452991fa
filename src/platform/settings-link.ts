/**
 * The setup link: `page#setup?target=symbiota&symbiota.pattern=…&endpoint=…`. The setup rides in the hash, so
 * it never reaches a server's log; `page?target=…` is read too, for links written by hand or by a portal.
 * What the link carries and how it merges with stored settings is decided in #core/settings/setup-link.
 */
import type { AppSettings, SettingsReading } from '#core/settings/app-settings';
import {
  linkQuery,
  parseLinkQuery,
  settingsFromLinkParams,
  settingsToLinkParams,
} from '#core/settings/setup-link';

const HASH_PREFIX = '#setup?';
/** A query is taken for a setup only when it names a target, so other query params are left alone. */
const SEARCH_MARKER = 'target';

/** The settings a setup link opens with, applied over `base`, or null when the address holds no setup. */
export function readLinkSettings(
  location: Pick<Location, 'hash' | 'search'>,
  base: AppSettings,
): SettingsReading | null {
  const query = setupQuery(location);
  if (query === null) return null;
  const read = parseLinkQuery(query);
  const applied = settingsFromLinkParams(read.params, base);
  return { settings: applied.settings, notes: [...read.notes, ...applied.notes] };
}

function setupQuery(location: Pick<Location, 'hash' | 'search'>): string | null {
  if (location.hash.startsWith(HASH_PREFIX)) return location.hash.slice(HASH_PREFIX.length);
  const search = location.search.replace(/^\?/, '');
  const hasTarget = parseLinkQuery(search).params.some(([key]) => key === SEARCH_MARKER);
  return hasTarget ? search : null;
}

/** A link to `pageUrl` that opens with these settings (never the token). */
export function makeSetupLink(settings: AppSettings, pageUrl: string): string {
  const url = withoutSetup(new URL(pageUrl));
  url.hash = '';
  return `${url.href}${HASH_PREFIX}${linkQuery(settingsToLinkParams(settings))}`;
}

/** Removes the setup from the address bar once applied, so a reload does not apply it over later edits. */
export function clearSetupFromUrl(): void {
  const url = new URL(window.location.href);
  const cleared = withoutSetup(url);
  if (cleared.href !== url.href) history.replaceState(history.state, '', cleared.href);
}

function withoutSetup(url: URL): URL {
  const cleared = new URL(url.href);
  if (cleared.hash.startsWith(HASH_PREFIX) || cleared.hash === '#setup') cleared.hash = '';
  if (setupQuery({ hash: '', search: cleared.search }) !== null) cleared.search = '';
  return cleared;
}
