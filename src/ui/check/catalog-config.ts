/** Loading a Deriva upload config into the check: from a file, from the catalog, or the bundled RBK one. */
import { configSummary } from '#core/deriva/catalog';
import { readDerivaConfig } from '#core/deriva/config';
import rbkConfig from '../../assets/rbk-upload-config.json?raw';
import type { CheckState } from '../state/check.svelte';

export const RBK_CONFIG_SOURCE =
  'the RBK upload config (bundled: informatics-isi-edu/rbk-upload conf/config.json)';

/** Keeps the config as compact JSON when it parses (shorter setup links), else as given, so its fault is shown. */
export function setConfig(check: CheckState, text: string, source: string): void {
  let config = text;
  try {
    config = JSON.stringify(JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text));
  } catch {
    // Kept as loaded: the check names what is wrong with it.
  }
  check.patchSettings('deriva', { config, configSource: source });
}

/** What the loaded config holds, or why it cannot be used. */
export function describeConfig(
  config: string,
  source: string,
): { readonly summary: string } | { readonly problems: readonly string[] } {
  const reading = readDerivaConfig(config, source);
  return reading.ok ? { summary: configSummary(reading.config) } : { problems: reading.problems };
}

/** GUDMAP/RBK's one click: the Deriva target with the config loaded there, or with RBK's own. */
export function useCatalogConfig(check: CheckState): void {
  if (check.settings.deriva.config.trim() === '') setConfig(check, rbkConfig, RBK_CONFIG_SOURCE);
  check.setTarget('deriva');
}
