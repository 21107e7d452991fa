import { describe, expect, it } from 'vitest';
import { profileList, profiles } from '#core/profiles/registry';
import {
  defaultAppSettings,
  linkQuery,
  maxDocumentLength,
  maxSettingLength,
  parseLinkQuery,
  parseSettingsJson,
  settingsFromLinkParams,
  settingsToJson,
  settingsToLinkParams,
  type AppSettings,
  type SettingsImport,
} from '#core/settings';
import type { ProfileId, ProfileSettings } from '#core/validation/types';
import { fixtureConfig } from '../../tests/fixtures/deriva/configs';

const defaults = defaultAppSettings();

/** The defaults with some changes: a target, an endpoint and any profile's fields. */
const make = (
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

const customised: [string, AppSettings][] = [
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

const json = (value: unknown): string => JSON.stringify(value);
const settingsOf = (read: SettingsImport): AppSettings => {
  if ('problems' in read) throw new Error(read.problems.join(' '));
  return read.settings;
};
const notesOf = (read: SettingsImport): readonly string[] => ('notes' in read ? read.notes : read.problems);
/** A version-1 settings object with some top-level keys. */
const file = (extra: Record<string, unknown>): string => json({ version: 1, ...extra });

describe('Default settings', () => {
  it('start at the first target in the picker, with every profile at its defaults, sending to the page', () => {
    expect(defaults.target).toBe(profileList[0]?.id);
    expect(defaults.endpoint).toBe('');
    for (const profile of profileList) expect(defaults.profiles[profile.id]).toEqual(profile.defaultSettings);
  });
});

describe('Settings as JSON', () => {
  it.each(customised)('read back exactly as they were written: %s', (_case, settings) => {
    expect(parseSettingsJson(settingsToJson(settings))).toEqual({ settings, notes: [] });
  });

  it('carry Include hidden files, and fall back to skipping them with a note when it is not true or false', () => {
    const settings = make({ includeHidden: true });
    expect(parseSettingsJson(settingsToJson(settings))).toEqual({ settings, notes: [] });
    const text = settingsToJson(settings).replace('"includeHidden": true', '"includeHidden": "yes"');
    expect(parseSettingsJson(text)).toEqual({
      settings: defaults,
      notes: ["The setting includeHidden should be true or false, not 'yes', so hidden files are skipped."],
    });
  });

  it('are written pretty, version first, in a fixed order', () => {
    const text = settingsToJson(defaults);
    expect(
      text.startsWith(
        '{\n  "version": 1,\n  "target": "any",\n  "endpoint": "",\n  "includeHidden": false,\n  "profiles": {\n',
      ),
    ).toBe(true);
    expect([...text.matchAll(/^ {4}"(\w+)": /gm)].map((m) => m[1])).toEqual(profileList.map((p) => p.id));
    expect(settingsToJson(make({ profiles: { custom: { matchAgainst: 'path', flags: 'i' } } }))).toBe(
      settingsToJson(make({ profiles: { custom: { flags: 'i', matchAgainst: 'path' } } })),
    );
  });

  it('never write a token, even when one was slipped into the settings object', () => {
    const withToken = {
      ...defaults,
      token: 'SECRET-1',
      profiles: {
        ...defaults.profiles,
        symbiota: { ...defaults.profiles.symbiota, accessToken: 'SECRET-2' },
      },
    } as AppSettings;
    expect(settingsToJson(withToken)).not.toContain('SECRET');
  });

  it.each([
    ['a user name and password', 'https://user:SECRET@portal.org/files/'],
    ['a token in its query', 'https://portal.org/files/?access_token=SECRET'],
  ])('leave out an endpoint that holds %s', (_case, endpoint) => {
    expect(settingsToJson(make({ endpoint }))).not.toContain('SECRET');
  });

  it('read a file saved with a byte-order mark', () => {
    expect(settingsOf(parseSettingsJson(`\uFEFF${settingsToJson(customised[1]![1])}`))).toEqual(
      customised[1]![1],
    );
  });

  it('take defaults for whatever is left out, without a note', () => {
    expect(parseSettingsJson(file({ target: 'symbiota' }))).toEqual({
      settings: make({ target: 'symbiota' }),
      notes: [],
    });
    expect(parseSettingsJson(file({}))).toEqual({ settings: defaults, notes: [] });
    expect(parseSettingsJson(file({ profiles: { custom: { flags: 'i' } } }))).toEqual({
      settings: make({ profiles: { custom: { flags: 'i' } } }),
      notes: [],
    });
  });
});

describe('Settings JSON that cannot be used', () => {
  it.each([
    ['empty text', '  \n', 'The settings are empty: there is no JSON to read.'],
    [
      'a trailing comma',
      '{"version": 1,}',
      "The settings are not valid JSON: at line 1, column 15 there is '}', where JSON expects a name in double quotes.",
    ],
    [
      'a missing brace, on line 3',
      '{\n  "version": 1,\n  "target": "bia"\n',
      "The settings are not valid JSON: at line 4, column 1 the text ends, where JSON expects ',' or '}'.",
    ],
    [
      'single quotes',
      "{'version': 1}",
      "The settings are not valid JSON: at line 1, column 2 there is ''', where JSON expects a name in double quotes.",
    ],
    [
      'a line break inside text',
      '{"version": 1, "endpoint": "https://\nportal"}',
      'The settings are not valid JSON: at line 1, column 37 there is a line break, where JSON expects a closing " (a line break inside text is written \\n).',
    ],
    [
      'an unknown escape',
      '{"a": "\\d"}',
      "The settings are not valid JSON: at line 1, column 8 there is '\\', where JSON expects an escape such as \\n, \\\" or \\u00e9.",
    ],
    [
      'text after the object',
      '{"version": 1} {}',
      "The settings are not valid JSON: at line 1, column 16 there is '{', where JSON expects nothing more after the settings object.",
    ],
    [
      'a bare word',
      '{"version": one}',
      "The settings are not valid JSON: at line 1, column 13 there is 'o', where JSON expects a value (text in double quotes, a number, true, false, null, { or [).",
    ],
    ['a list', '[1]', 'The settings should be a JSON object ({ … }), not a list.'],
    ['a string', '"gudmap"', "The settings should be a JSON object ({ … }), not 'gudmap'."],
    [
      'no version',
      json({ target: 'bia' }),
      'The settings have no "version": 1, so they are not settings exported by this uploader.',
    ],
    [
      'a newer version',
      json({ version: 2 }),
      'The settings are version 2, written by a newer uploader; this one reads only version 1.',
    ],
    [
      'a version in quotes',
      json({ version: '1' }),
      "The settings' version is '1', but this uploader reads only version 1.",
    ],
    [
      'an unknown target',
      file({ target: 'omero' }),
      "The settings name the target 'omero', which is not one of 'any' (Any files), 'gudmap' (GUDMAP/RBK), 'symbiota' (Symbiota), 'bia' (BioImage Archive), 'custom' (Custom pattern) or 'deriva' (Deriva upload config).",
    ],
    [
      'a target that is not text',
      file({ target: 2 }),
      "The settings name the target 2, which is not one of 'any' (Any files), 'gudmap' (GUDMAP/RBK), 'symbiota' (Symbiota), 'bia' (BioImage Archive), 'custom' (Custom pattern) or 'deriva' (Deriva upload config).",
    ],
  ])('are refused for %s', (_case, text, problem) => {
    expect(parseSettingsJson(text)).toEqual({ problems: [problem] });
  });

  it('are refused when far too long to be settings', () => {
    const read = parseSettingsJson(file({ padding: 'x'.repeat(1_000_001) }));
    expect(notesOf(read)[0]).toContain('too long to be settings from this uploader');
    expect('problems' in read).toBe(true);
  });

  it('are refused, not crashed on, when nested very deeply', () => {
    const deep = `{"version": 1, "a": ${'['.repeat(5000)}}`;
    expect(parseSettingsJson(deep)).toEqual({
      problems: [expect.stringContaining('The settings are not valid JSON: at line 1, column')],
    });
  });
});

describe('Settings JSON read field by field', () => {
  it.each([
    [
      'a boolean given as text',
      { gudmap: { image3dNumbered: 'false' } },
      "The setting profiles.gudmap.image3dNumbered should be true or false, not 'false', so its default true is used.",
    ],
    [
      'a pattern given as a number',
      { custom: { pattern: 5 } },
      "The setting profiles.custom.pattern should be text, not 5, so its default '^(?<id>[^_.]+)' is used.",
    ],
    [
      'a choice not on offer',
      { symbiota: { patternSyntax: 'perl' } },
      "The setting profiles.symbiota.patternSyntax should be 'php' or 'javascript', not 'perl', so its default 'php' is used.",
    ],
    [
      'a pattern far too long',
      { custom: { flags: 'i'.repeat(maxSettingLength + 1) } },
      "The setting profiles.custom.flags is 2,001 characters long, more than the 2,000 allowed, so its default '' (empty) is used.",
    ],
    [
      'a null',
      { custom: { matchAgainst: null } },
      "The setting profiles.custom.matchAgainst should be text, not null, so its default 'name' is used.",
    ],
    [
      'an unknown field',
      { symbiota: { colour: 'red' } },
      'In the settings, profiles.symbiota.colour is not a Symbiota setting this uploader knows, so it was ignored.',
    ],
    [
      'a field for the BioImage Archive, which has none',
      { bia: { strict: true, depth: 2 } },
      'In the settings, profiles.bia.strict and profiles.bia.depth are not BioImage Archive settings this uploader knows, so they were ignored.',
    ],
    [
      'an unknown target',
      { omero: {} },
      "In the settings, profiles.omero is not a target this uploader knows (it knows 'any' (Any files), 'gudmap' (GUDMAP/RBK), 'symbiota' (Symbiota), 'bia' (BioImage Archive), 'custom' (Custom pattern) and 'deriva' (Deriva upload config)), so it was ignored.",
    ],
    [
      'a profile that is not an object',
      { gudmap: [true, false] },
      'The setting profiles.gudmap should be an object, not a list, so GUDMAP/RBK keeps its defaults.',
    ],
  ])('fall back with a note for %s', (_case, profileValues, note) => {
    expect(parseSettingsJson(file({ profiles: profileValues }))).toEqual({
      settings: defaults,
      notes: [note],
    });
  });

  it('keep the good fields of a profile that has a bad one', () => {
    const read = parseSettingsJson(file({ profiles: { symbiota: { pattern: '/^(NY\\d+)/', flags: 3 } } }));
    expect(settingsOf(read).profiles.symbiota).toEqual({
      ...defaults.profiles.symbiota,
      pattern: '/^(NY\\d+)/',
    });
    expect(notesOf(read)).toEqual([expect.stringContaining('profiles.symbiota.flags should be text, not 3')]);
  });

  it('do not compile patterns: a broken one is read as it is, for the profile to report', () => {
    const read = parseSettingsJson(
      file({ target: 'custom', profiles: { custom: { pattern: '^(?<id>[A-Z+' } } }),
    );
    expect(read).toEqual({
      settings: make({ target: 'custom', profiles: { custom: { pattern: '^(?<id>[A-Z+' } } }),
      notes: [],
    });
  });

  it.each([
    [
      'an unknown top-level key',
      { colour: 'red' },
      'In the settings, colour is not a setting this uploader knows, so it was ignored.',
    ],
    [
      'several unknown top-level keys',
      { a: 1, b: 2, c: 3, d: 4 },
      'In the settings, a, b, c and 1 more are not settings this uploader knows, so they were ignored.',
    ],
    [
      'profiles that are not an object',
      { profiles: 'symbiota' },
      "The setting profiles should be an object, not 'symbiota', so every target keeps its defaults.",
    ],
    [
      'an endpoint that is not a web address',
      { endpoint: 'ftp://portal.org/files/' },
      'The setting endpoint is not a web address starting with https:// or http://, so uploads go to the receiver that served the page.',
    ],
    [
      'an endpoint with a password in it',
      { endpoint: 'https://me:pw@portal.org/files/' },
      'The setting endpoint holds a user name or password, so uploads go to the receiver that served the page.',
    ],
    [
      'an endpoint with a token in its query',
      { endpoint: 'https://portal.org/files/?token=abc' },
      'The setting endpoint holds a token in its query, so uploads go to the receiver that served the page.',
    ],
    [
      'an endpoint that is not text',
      { endpoint: { url: 'https://portal.org/' } },
      'The setting endpoint should be text, not an object, so uploads go to the receiver that served the page.',
    ],
  ])('fall back with a note for %s', (_case, extra, note) => {
    expect(parseSettingsJson(file(extra))).toEqual({ settings: defaults, notes: [note] });
  });

  it('trim the spaces around an endpoint', () => {
    expect(settingsOf(parseSettingsJson(file({ endpoint: ' https://portal.org/files/ ' }))).endpoint).toBe(
      'https://portal.org/files/',
    );
  });
});

describe('A token in settings JSON', () => {
  it.each([
    ['at the top', { token: 'SECRET' }, 'token'],
    [
      'as accessToken in a profile',
      { profiles: { symbiota: { accessToken: 'SECRET' } } },
      'profiles.symbiota.accessToken',
    ],
    ['as access_token', { access_token: 'SECRET' }, 'access_token'],
    ['inside an unknown key', { auth: { bearer: { token: 'SECRET' } } }, 'auth.bearer.token'],
    ['inside a list', { extra: [{ password: 'SECRET' }] }, 'extra[0].password'],
  ])('is never imported, %s', (_case, extra, path) => {
    const read = parseSettingsJson(file(extra));
    expect(notesOf(read)).toContain(
      `The settings hold a token (${path}), which was ignored: tokens are never imported, so enter yours in the Access token field.`,
    );
    expect(json(read)).not.toContain('SECRET');
    expect(settingsToJson(settingsOf(read))).not.toContain('SECRET');
  });
});

describe('Settings saved in the browser that are old or damaged', () => {
  it.each([
    ['cut short by a full disk', settingsToJson(customised[1]![1]).slice(0, 60)],
    ['from before settings had a version', json({ endpoint: 'https://portal.org/files/' })],
    ['from a newer uploader', json({ version: 3, target: 'omero' })],
    ['overwritten by something else', 'undefined'],
  ])('are refused as a whole (so the store falls back to the defaults) when %s', (_case, text) => {
    const read = parseSettingsJson(text);
    expect('problems' in read).toBe(true);
    expect(notesOf(read)).toHaveLength(1);
  });
});

describe('Settings in a setup link', () => {
  const bases: [string, AppSettings][] = [
    ['the defaults', defaults],
    [
      'stored settings that differ everywhere',
      make({
        target: 'custom',
        endpoint: 'https://old.example.org/files/',
        profiles: {
          gudmap: { image3dNumbered: false, requireImageFields: false },
          symbiota: { pattern: '/^(OLD\\d+)/', patternSyntax: 'javascript', flags: 'i', replacement: 'x' },
          custom: { pattern: '^(old)', matchAgainst: 'path' },
        },
      }),
    ],
  ];
  const cases = customised.flatMap(([name, settings]) =>
    bases.map(([baseName, base]) => [name, baseName, settings, base] as const),
  );

  it.each(cases)('carry the whole setup for %s, over %s', (_case, _base, settings, base) => {
    const query = linkQuery(settingsToLinkParams(settings));
    const read = settingsFromLinkParams(parseLinkQuery(query).params, base);
    expect(read.settings.target).toBe(settings.target);
    expect(read.settings.profiles[settings.target]).toEqual(settings.profiles[settings.target]);
    expect(read.settings.endpoint).toBe(settings.endpoint);
    for (const other of profileList.filter((p) => p.id !== settings.target)) {
      expect(read.settings.profiles[other.id]).toEqual(base.profiles[other.id]);
    }
  });

  it.each([
    ['only the target for the defaults', defaults, [['target', 'any']]],
    [
      'only the fields that differ from the defaults',
      customised[1]![1],
      [
        ['target', 'symbiota'],
        ['symbiota.pattern', '/^(ASU-L-\\d{7})\\D*/i'],
        ['symbiota.replacePattern', '/^/'],
        ['symbiota.replacement', 'barcode-'],
        ['symbiota.matchOtherCatalogNumbers', 'true'],
      ],
    ],
    [
      'the endpoint when it is not the page’s own receiver',
      customised[3]![1],
      [
        ['target', 'custom'],
        ['custom.pattern', '^plate(?<id>\\d+)/'],
        ['custom.matchAgainst', 'path'],
        ['endpoint', 'https://portal.example.org/uploads/files/'],
      ],
    ],
    [
      'nothing about targets other than the chosen one',
      make({ target: 'bia', profiles: { symbiota: { flags: 'i' }, gudmap: { image3dNumbered: false } } }),
      [['target', 'bia']],
    ],
    [
      'no endpoint that holds a password',
      make({ target: 'bia', endpoint: 'https://me:SECRET@portal.org/files/' }),
      [['target', 'bia']],
    ],
    [
      'hidden files included',
      make({ target: 'bia', includeHidden: true }),
      [
        ['target', 'bia'],
        ['includeHidden', 'true'],
      ],
    ],
  ])('hold %s', (_case, settings, params) => {
    expect(settingsToLinkParams(settings)).toEqual(params);
  });

  it('carry Include hidden files, and a link naming a target without it skips them again', () => {
    const carried = settingsFromLinkParams(settingsToLinkParams(make({ includeHidden: true })), defaults);
    expect(carried).toEqual({ settings: make({ includeHidden: true }), notes: [] });
    const stored = make({ includeHidden: true });
    expect(settingsFromLinkParams([['target', 'bia']], stored).settings.includeHidden).toBe(false);
    expect(settingsFromLinkParams([['custom.flags', 'i']], stored).settings.includeHidden).toBe(true);
    expect(settingsFromLinkParams([['includeHidden', 'maybe']], stored)).toEqual({
      settings: stored,
      notes: ["The link's includeHidden should be true or false, not 'maybe', so true is used instead."],
    });
  });

  it('are readable by people, with + kept apart from spaces', () => {
    expect(linkQuery(settingsToLinkParams(customised[3]![1]))).toBe(
      'target=custom&custom.pattern=%5Eplate(%3F%3Cid%3E%5Cd%2B)/&custom.matchAgainst=path&endpoint=https://portal.example.org/uploads/files/',
    );
    expect(parseLinkQuery('?symbiota.pattern=/^(\\d+) x/').params).toEqual([
      ['symbiota.pattern', '/^(\\d+) x/'],
    ]);
  });

  it.each([
    ['.', '^(.+)\\.', 'custom.pattern=%5E(.%2B)%5C%2E'],
    [')', '^(?<id>\\w+)', 'custom.pattern=%5E(%3F%3Cid%3E%5Cw%2B%29'],
    ['*', '^(\\d)*', 'custom.pattern=%5E(%5Cd)%2A'],
  ])('never end in bare punctuation (%s), which mail programs cut off', (_case, pattern, query) => {
    expect(linkQuery([['custom.pattern', pattern]])).toBe(query);
    expect(parseLinkQuery(query).params).toEqual([['custom.pattern', pattern]]);
  });

  it.each([
    [
      'a token',
      [['token', 'SECRET']],
      'The link carries a token (token), which was ignored: tokens are never taken from a link, so enter yours in the Access token field.',
    ],
    [
      'an access token inside a target’s settings',
      [['symbiota.accessToken', 'SECRET']],
      'The link carries a token (symbiota.accessToken), which was ignored: tokens are never taken from a link, so enter yours in the Access token field.',
    ],
    [
      'an unknown key',
      [['colour', 'red']],
      'In the link, colour is not a setting this uploader knows, so it was ignored.',
    ],
    [
      'a field of an unknown target',
      [
        ['omero.pattern', 'x'],
        ['custom.colour', 'red'],
      ],
      'In the link, omero.pattern and custom.colour are not settings this uploader knows, so they were ignored.',
    ],
    [
      'an unknown target',
      [['target', 'omero']],
      "The link names the target 'omero', which is not one of 'any' (Any files), 'gudmap' (GUDMAP/RBK), 'symbiota' (Symbiota), 'bia' (BioImage Archive), 'custom' (Custom pattern) or 'deriva' (Deriva upload config), so the target stays Any files.",
    ],
    [
      'a boolean that is neither true nor false',
      [['gudmap.image3dNumbered', 'maybe']],
      "The link's gudmap.image3dNumbered should be true or false, not 'maybe', so true is used instead.",
    ],
    [
      'a choice not on offer',
      [['custom.matchAgainst', 'folder']],
      "The link's custom.matchAgainst should be 'name' or 'path', not 'folder', so 'name' is used instead.",
    ],
    [
      'a pattern far too long',
      [['custom.pattern', 'x'.repeat(maxSettingLength + 1)]],
      "The link's custom.pattern is 2,001 characters long, more than the 2,000 allowed, so '^(?<id>[^_.]+)' is used instead.",
    ],
    [
      'an endpoint that is not a web address',
      [['endpoint', 'javascript:alert(1)']],
      "The link's endpoint is not a web address starting with https:// or http://, so uploads go to the receiver that served this page.",
    ],
    [
      'an endpoint with a token in it',
      [['endpoint', 'https://portal.org/files/?api_key=SECRET']],
      "The link's endpoint holds a token in its query, so uploads go to the receiver that served this page.",
    ],
  ])('ignore %s with a note', (_case, params, note) => {
    const read = settingsFromLinkParams(params as [string, string][], defaults);
    expect(read).toEqual({ settings: defaults, notes: [note] });
  });

  it('use the last of a repeated key, with a note', () => {
    const read = settingsFromLinkParams(
      [
        ['target', 'bia'],
        ['target', 'symbiota'],
      ],
      defaults,
    );
    expect(read).toEqual({
      settings: make({ target: 'symbiota' }),
      notes: ['The link gives target more than once; the last one is used.'],
    });
  });

  it('accept true/false as 1/0 and yes/no', () => {
    const read = settingsFromLinkParams(
      [
        ['gudmap.image3dNumbered', '0'],
        ['gudmap.requireImageFields', 'No'],
      ],
      defaults,
    );
    expect(read.settings.profiles.gudmap).toEqual({
      ...defaults.profiles.gudmap,
      image3dNumbered: false,
      requireImageFields: false,
    });
  });

  it('say where uploads go when the link moves them to another receiver', () => {
    const read = settingsFromLinkParams(
      [
        ['target', 'bia'],
        ['endpoint', 'https://evil.example.com/files/'],
      ],
      defaults,
    );
    expect(read.notes).toEqual([
      "The link sends uploads to https://evil.example.com/files/: check that this is your repository's receiver before you enter a token.",
    ]);
  });

  it('send uploads back to the page’s own receiver when its setup names none, and say so', () => {
    const base = make({ endpoint: 'https://old.example.org/files/' });
    const read = settingsFromLinkParams([['target', 'symbiota']], base);
    expect(read.settings.endpoint).toBe('');
    expect(read.notes).toEqual([
      'The link sends uploads to the receiver that served this page, in place of https://old.example.org/files/.',
    ]);
  });

  it('leave the stored endpoint alone when the link names no target and no endpoint', () => {
    const base = make({ endpoint: 'https://old.example.org/files/' });
    expect(settingsFromLinkParams([['custom.flags', 'i']], base)).toEqual({
      settings: make({ endpoint: 'https://old.example.org/files/', profiles: { custom: { flags: 'i' } } }),
      notes: [],
    });
  });

  it('reset the named target’s settings the link leaves out to their defaults', () => {
    const base = make({
      target: 'symbiota',
      profiles: { symbiota: { pattern: '/^(OLD\\d+)/', flags: 'i' } },
    });
    const read = settingsFromLinkParams(
      [
        ['target', 'symbiota'],
        ['symbiota.flags', 'g'],
      ],
      base,
    );
    expect(read.settings.profiles.symbiota).toEqual({ ...profiles.symbiota.defaultSettings, flags: 'g' });
  });

  it('never carry a token through a link, whatever its spelling', () => {
    const params = parseLinkQuery('target=bia&token=SECRET&access_token=SECRET&bia.authToken=SECRET').params;
    const read = settingsFromLinkParams(params, defaults);
    expect(json(read)).not.toContain('SECRET');
    expect(read.notes).toHaveLength(1);
  });

  it.each([
    [
      'a bad value',
      'target=bia&endpoint=%E0',
      ["The link's endpoint is not correctly encoded, so it was ignored."],
    ],
    ['a bad key', '%E0=1&target=bia', ['A part of the link is not correctly encoded, so it was ignored.']],
  ])('leave out a part with %s, with a note', (_case, query, notes) => {
    expect(parseLinkQuery(query)).toEqual({ params: [['target', 'bia']], notes });
  });
});

describe('A Deriva upload config in the settings', () => {
  it('may hold a whole document, up to its own limit', () => {
    const config = 'x'.repeat(maxDocumentLength + 1);
    const read = parseSettingsJson(file({ target: 'deriva', profiles: { deriva: { config } } }));
    expect(notesOf(read)).toEqual([
      "The setting profiles.deriva.config is 200,001 characters long, more than the 200,000 allowed, so its default '' (empty) is used.",
    ]);
    expect(maxDocumentLength).toBeGreaterThan(maxSettingLength);
  });
});
