/** Settings the settings tests share: the defaults, a builder of changed settings, and customised setups. */
import { defaultAppSettings, type AppSettings, type SettingsImport } from '#core/settings/app-settings';
import type { ProfileId, ProfileSettings } from '#core/validation/types';
import { fixtureConfig } from '../../fixtures/deriva/configs';

export const defaults = defaultAppSettings();

/** The defaults with some changes: a target, an endpoint and any profile's fields. */
export const make = (
  changes: {
    target?: ProfileId;
    endpoint?: string;
    includeHidden?: boolean;
    profiles?: { [P in ProfileId]?: Partial<ProfileSettings[P]> };
  } = {},
): AppSettings => ({
  version: 1,
  target: changes.target ?? defaults.target,
  endpoint: changes.endpoint ?? defaults.endpoint,
  includeHidden: changes.includeHidden ?? defaults.includeHidden,
  profiles: {
    any: defaults.profiles.any,
    gudmap: { ...defaults.profiles.gudmap, ...changes.profiles?.gudmap },
    symbiota: { ...defaults.profiles.symbiota, ...changes.profiles?.symbiota },
    bia: defaults.profiles.bia,
    custom: { ...defaults.profiles.custom, ...changes.profiles?.custom },
    deriva: { ...defaults.profiles.deriva, ...changes.profiles?.deriva },
  },
});

export const customised: [string, AppSettings][] = [
  ['the defaults', defaults],
  [
    'a Symbiota setup with its own pattern and replace step',
    make({
      target: 'symbiota',
      profiles: {
        symbiota: {
          pattern: '/^(ASU-L-\\d{7})\\D*/i',
          replacePattern: '/^/',
          replacement: 'barcode-',
          matchOtherCatalogNumbers: true,
        },
      },
    }),
  ],
  [
    'a JavaScript pattern with + & = # % and non-ASCII',
    make({
      target: 'symbiota',
      profiles: { symbiota: { patternSyntax: 'javascript', pattern: '^(Bär\\d+)&=#%+ x', flags: 'iu' } },
    }),
  ],
  [
    'a custom pattern on the whole path, to another receiver',
    make({
      target: 'custom',
      endpoint: 'https://portal.example.org/uploads/files/',
      profiles: { custom: { pattern: '^plate(?<id>\\d+)/', matchAgainst: 'path' } },
    }),
  ],
  ['GUDMAP with the newer 3D reading off', make({ profiles: { gudmap: { image3dNumbered: false } } })],
  [
    'Read barcodes off for Symbiota and on for a custom pattern',
    make({ profiles: { symbiota: { readBarcodes: false }, custom: { readBarcodes: true } } }),
  ],
  ['the BioImage Archive', make({ target: 'bia', endpoint: 'http://localhost:1080/files/' })],
  [
    "a Deriva catalog's upload config, longer than any pattern",
    make({
      target: 'deriva',
      profiles: {
        deriva: {
          config: fixtureConfig('rbk-upload-config.json'),
          configSource: 'rbk-upload-config.json',
          catalogUrl: 'https://www.gudmap.org/ermrest/catalog/2',
        },
      },
    }),
  ],
];

export const json = (value: unknown): string => JSON.stringify(value);
export const settingsOf = (read: SettingsImport): AppSettings => {
  if ('problems' in read) throw new Error(read.problems.join(' '));
  return read.settings;
};
export const notesOf = (read: SettingsImport): readonly string[] =>
  'notes' in read ? read.notes : read.problems;
/** A version-1 settings object with some top-level keys. */
export const file = (extra: Record<string, unknown>): string => json({ version: 1, ...extra });
