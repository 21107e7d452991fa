import { describe, expect, it } from 'vitest';
import { profileList, profiles } from '#core/profiles/registry';
import { maxSettingLength, type AppSettings } from '#core/settings/app-settings';
import {
  linkQuery,
  parseLinkQuery,
  settingsFromLinkParams,
  settingsToLinkParams,
} from '#core/settings/setup-link';
import { customised, defaults, json, make } from '../../../tests/unit/settings/examples';

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
