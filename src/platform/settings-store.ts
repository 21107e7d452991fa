/** Settings that survive a visit, in localStorage. Never the access token. */
import { defaultAppSettings, type AppSettings, type SettingsReading } from '#core/settings/app-settings';
import { parseSettingsJson, settingsToJson } from '#core/settings/settings-json';

const PREFIX = 'specimen-uploader:';

function loadSetting(key: string): string | null {
  try {
    return localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

function saveSetting(key: string, value: string): void {
  try {
    localStorage.setItem(PREFIX + key, value);
  } catch {
    // Storage full or blocked (private mode): the setting lasts for this visit only.
  }
}

const APP_SETTINGS_KEY = 'settings';

/** The saved settings, or the defaults (with a note) when none are saved or they cannot be read. */
export function loadAppSettings(): SettingsReading {
  const text = loadSetting(APP_SETTINGS_KEY);
  if (text === null) return { settings: defaultAppSettings(), notes: [] };
  const read = parseSettingsJson(text);
  if (!('problems' in read)) return read;
  return {
    settings: defaultAppSettings(),
    notes: [
      'The settings saved in this browser could not be read, so the defaults are used.',
      ...read.problems,
    ],
  };
}

/** Saves the settings as JSON; never a token, since AppSettings has no place for one. */
export function saveAppSettings(settings: AppSettings): void {
  saveSetting(APP_SETTINGS_KEY, settingsToJson(settings));
}
