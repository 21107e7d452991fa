/**
 * The settings that travel: the target, every target's settings, and the endpoint. Read once at start (stored,
 * then a setup link over them), saved on every change, and carried in a link or a JSON file. Never the token.
 */
import type { AppSettings } from '#core/settings/app-settings';
import { parseSettingsJson, settingsToJson } from '#core/settings/settings-json';
import { defaultEndpoint } from '../../platform/endpoint';
import { clearSetupFromUrl, makeSetupLink, readLinkSettings } from '../../platform/settings-link';
import { loadAppSettings, saveAppSettings } from '../../platform/settings-store';
import type { Announcer } from './announcer.svelte';
import type { CheckState } from './check.svelte';
import type { FolderState } from './folder.svelte';
import type { UploadState } from './upload.svelte';

export class SettingsState {
  /** What the last load, link or import said: fields that fell back, keys ignored, a changed endpoint. */
  notes = $state.raw<readonly string[]>([]);
  readonly #folder: FolderState;
  readonly #check: CheckState;
  readonly #upload: UploadState;
  readonly #announcer: Announcer;

  constructor(folder: FolderState, check: CheckState, upload: UploadState, announcer: Announcer) {
    this.#folder = folder;
    this.#check = check;
    this.#upload = upload;
    this.#announcer = announcer;
    const stored = loadAppSettings();
    const linked = readLinkSettings(window.location, stored.settings);
    this.#apply(linked?.settings ?? stored.settings);
    this.notes = [...stored.notes, ...(linked?.notes ?? [])];
    if (linked) {
      clearSetupFromUrl();
      saveAppSettings(this.current);
    }
  }

  get current(): AppSettings {
    const endpoint = this.#upload.endpoint.trim();
    return {
      version: 1,
      target: this.#check.target,
      profiles: this.#check.settings,
      endpoint: endpoint === defaultEndpoint() ? '' : endpoint,
      includeHidden: this.#folder.includeHidden,
    };
  }

  save(): void {
    saveAppSettings(this.current);
  }

  link(): string {
    return makeSetupLink(this.current, window.location.href);
  }

  json(): string {
    return settingsToJson(this.current);
  }

  /** Applies a settings file; on problems nothing changes and the problems are shown. */
  import(text: string, name: string): boolean {
    const read = parseSettingsJson(text);
    if ('problems' in read) {
      this.notes = [`"${name}" was not imported:`, ...read.problems];
      this.#announcer.say(`Settings not imported: ${read.problems[0] ?? ''}`);
      return false;
    }
    this.#apply(read.settings);
    this.notes = read.notes;
    this.#announcer.say(`Settings imported from ${name}.`);
    return true;
  }

  #apply(settings: AppSettings): void {
    this.#check.replaceSettings(settings.target, settings.profiles);
    this.#upload.endpoint = settings.endpoint || defaultEndpoint();
    this.#folder.setIncludeHidden(settings.includeHidden);
  }
}
