/** Settings that survive a visit, in localStorage. Never the access token. */

const PREFIX = 'specimen-uploader:';

export function loadSetting(key: string): string | null {
  try {
    return localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

export function saveSetting(key: string, value: string): void {
  try {
    localStorage.setItem(PREFIX + key, value);
  } catch {
    // Storage full or blocked (private mode): the setting lasts for this visit only.
  }
}
