import { describe, expect, it } from 'vitest';
import { profileList } from '#core/profiles/registry';
import { maxDocumentLength, maxSettingLength, type AppSettings } from '#core/settings/app-settings';
import { parseSettingsJson, settingsToJson } from '#core/settings/settings-json';
import {
  customised,
  defaults,
  file,
  json,
  make,
  notesOf,
  settingsOf,
} from '../../../tests/unit/settings/examples';

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
