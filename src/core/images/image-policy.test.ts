import { describe, expect, it } from 'vitest';
import { describePolicy, imagePolicy, policyProblems } from '#core/images/image-policy';
import type { ImagePolicy } from '#core/images/types';
import { gudmapDefaultSettings } from '#core/profiles/gudmap';
import { profiles } from '#core/profiles/registry';
import { symbiotaDefaultSettings } from '#core/profiles/symbiota';
import { defaultAppSettings } from '#core/settings/app-settings';
import { parseSettingsJson } from '#core/settings/settings-json';
import { settingsFromLinkParams } from '#core/settings/setup-link';
import type { SymbiotaSettings } from '#core/validation/types';

const symbiota = (changes: Partial<SymbiotaSettings> = {}) => ({ ...symbiotaDefaultSettings, ...changes });
const messages = (changes: Partial<SymbiotaSettings>) =>
  policyProblems('symbiota', symbiota(changes)).map((f) => [f.status, f.message]);

describe('imagePolicy', () => {
  it('gives Symbiota its thumbnail, web and large JPEGs at quality 80 under 8 MB, and leaves originals out', () => {
    expect(imagePolicy('symbiota', symbiotaDefaultSettings)).toEqual({
      derivatives: [
        { role: 'thumbnail', suffix: '_tn', maxWidth: 200, quality: 0.8, maxBytes: 8_000_000 },
        { role: 'web', suffix: '_med', maxWidth: 1400, quality: 0.8, maxBytes: 8_000_000 },
        { role: 'large', suffix: '_lg', maxWidth: 3200, quality: 0.8, maxBytes: 8_000_000 },
      ],
      originals: 'none',
    });
  });

  it('follows the Symbiota settings: widths, quality, limit and originals', () => {
    const policy = imagePolicy(
      'symbiota',
      symbiota({
        webWidth: 1600,
        largeWidth: 3600,
        jpegQuality: 75,
        maxFileMegabytes: 0.5,
        originals: 'as-is',
      }),
    );
    expect(policy.originals).toBe('as-is');
    expect(policy.derivatives.map((d) => [d.suffix, d.maxWidth, d.quality, d.maxBytes])).toEqual([
      ['_tn', 200, 0.75, 500_000],
      ['_med', 1600, 0.75, 500_000],
      ['_lg', 3600, 0.75, 500_000],
    ]);
  });

  it('adds the full-size web-ready copy when originals are to be web-ready', () => {
    const policy = imagePolicy('symbiota', symbiota({ makeDerivatives: false, originals: 'web-ready' }));
    expect(policy).toEqual({
      derivatives: [{ role: 'web-ready', suffix: '', quality: 0.8, maxBytes: 8_000_000 }],
      originals: 'web-ready',
    });
  });

  it('uploads the originals as they are rather than nothing when derivatives are off and originals left out', () => {
    expect(imagePolicy('symbiota', symbiota({ makeDerivatives: false }))).toEqual({
      derivatives: [],
      originals: 'as-is',
    });
  });

  it('uses the defaults in place of unusable numbers', () => {
    const policy = imagePolicy(
      'symbiota',
      symbiota({
        thumbnailWidth: -5,
        webWidth: 1400.5,
        largeWidth: Number.NaN,
        jpegQuality: 0,
        maxFileMegabytes: 0,
      }),
    );
    expect(policy.derivatives.map((d) => [d.maxWidth, d.quality, d.maxBytes])).toEqual([
      [200, 0.8, 8_000_000],
      [1400, 0.8, 8_000_000],
      [3200, 0.8, 8_000_000],
    ]);
  });

  it('gives the BioImage Archive nothing to make by default, and thumbnails of any side when asked', () => {
    const bia = profiles.bia.defaultSettings;
    expect(imagePolicy('bia', bia)).toEqual({ derivatives: [], originals: 'as-is' });
    expect(imagePolicy('bia', { ...bia, makeThumbnails: true, thumbnailSide: 256 })).toEqual({
      derivatives: [{ role: 'thumbnail', suffix: '_tn', maxSide: 256, quality: 0.8, maxBytes: 8_000_000 }],
      originals: 'as-is',
    });
    expect(policyProblems('bia', { ...bia, makeThumbnails: true, thumbnailSide: 256 })).toEqual([]);
    expect(policyProblems('bia', { ...bia, makeThumbnails: true, thumbnailSide: -1 })[0]?.status).toBe(
      'error',
    );
  });

  it('gives GUDMAP nothing to make by default, and a 150-px-box thumbnail beside unchanged originals when asked', () => {
    expect(imagePolicy('gudmap', gudmapDefaultSettings)).toEqual({ derivatives: [], originals: 'as-is' });
    expect(imagePolicy('gudmap', { ...gudmapDefaultSettings, makeThumbnails: true })).toEqual({
      derivatives: [{ role: 'thumbnail', suffix: '_tn', maxSide: 150, quality: 0.8, maxBytes: 8_000_000 }],
      originals: 'as-is',
    });
  });

  it('gives the BioImage Archive and custom targets nothing to make, whatever their settings', () => {
    const asIs: ImagePolicy = { derivatives: [], originals: 'as-is' };
    expect(imagePolicy('bia', profiles.bia.defaultSettings)).toEqual(asIs);
    expect(imagePolicy('custom', profiles.custom.defaultSettings)).toEqual(asIs);
  });
});

describe('policyProblems', () => {
  it('finds nothing wrong with the defaults of any target', () => {
    for (const id of ['gudmap', 'symbiota', 'bia', 'custom'] as const) {
      expect(policyProblems(id, profiles[id].defaultSettings)).toEqual([]);
    }
    expect(policyProblems('gudmap', { ...gudmapDefaultSettings, makeThumbnails: true })).toEqual([]);
  });

  it.each([
    [
      'a negative thumbnail width',
      { thumbnailWidth: -5 },
      'The thumbnail width -5 is not a whole number of pixels above 0, so the default 200 px is used; enter a width such as 200.',
    ],
    [
      'a fractional web width',
      { webWidth: 1400.5 },
      'The web image width 1,400.5 is not a whole number of pixels above 0, so the default 1,400 px is used; enter a width such as 1,400.',
    ],
    [
      'a zero large width',
      { largeWidth: 0 },
      'The large image width 0 is not a whole number of pixels above 0, so the default 3,200 px is used; enter a width such as 3,200.',
    ],
    [
      'a quality written as a fraction',
      { jpegQuality: 0.8 },
      "The JPEG quality 0.8 is not a percentage between 1 and 100, so the default 80 is used; Symbiota's scripts use 70 to 80.",
    ],
    [
      'a quality above 100',
      { jpegQuality: 101 },
      "The JPEG quality 101 is not a percentage between 1 and 100, so the default 80 is used; Symbiota's scripts use 70 to 80.",
    ],
    [
      'a size limit of 0',
      { maxFileMegabytes: 0 },
      'The size limit of 0 MB is not a number above 0, so the default 8 MB is used; Symbiota recommends at most 8 MB per image.',
    ],
  ])('reports %s as an error, naming the default used', (_case, changes, message) => {
    expect(messages(changes)).toEqual([['error', message]]);
  });

  it.each([
    [{ thumbnailWidth: 1400 }, '1,400, 1,400 and 3,200'],
    [{ webWidth: 1600, largeWidth: 1400 }, '200, 1,600 and 1,400'],
  ])('warns when the widths do not grow from thumbnail to large: %j', (changes, widths) => {
    expect(messages(changes)).toEqual([
      [
        'warning',
        `The thumbnail, web and large image widths are ${widths} px, but each should be wider than the one before (the portal lists thumbnails, shows the web image on the record and the large image on request); set them in that order, such as 200, 1,400 and 3,200.`,
      ],
    ]);
  });

  it('warns about quality 100, which is used anyway', () => {
    expect(messages({ jpegQuality: 100 })).toEqual([
      [
        'warning',
        'A JPEG quality of 100 makes copies much larger than 80 for no visible gain, and Symbiota never uses it; choose 80 unless the portal asks for more.',
      ],
    ]);
    expect(imagePolicy('symbiota', symbiota({ jpegQuality: 100 })).derivatives[0]?.quality).toBe(1);
  });

  it('warns when no image would be uploaded at all', () => {
    expect(messages({ makeDerivatives: false })).toEqual([
      [
        'warning',
        'Derivatives are turned off and originals are set not to be uploaded, which would upload no image at all, so the originals are uploaded as they are; turn derivatives on, or choose which originals to upload.',
      ],
    ]);
  });

  it('says nothing about settings that make no copy', () => {
    expect(
      messages({ makeDerivatives: false, originals: 'as-is', thumbnailWidth: -1, jpegQuality: 0 }),
    ).toEqual([]);
    // Web-ready originals are JPEGs: their quality and limit count, the widths do not.
    expect(
      messages({ makeDerivatives: false, originals: 'web-ready', thumbnailWidth: -1, jpegQuality: 0 }),
    ).toHaveLength(1);
  });

  it('reports every unusable setting together, each with the file path left empty and one rule', () => {
    const found = policyProblems(
      'symbiota',
      symbiota({ thumbnailWidth: 0, jpegQuality: -1, maxFileMegabytes: -2 }),
    );
    expect(found.map((f) => [f.path, f.rule, f.status])).toEqual([
      ['', 'images.settings', 'error'],
      ['', 'images.settings', 'error'],
      ['', 'images.settings', 'error'],
    ]);
  });

  it('checks the GUDMAP thumbnail side only when thumbnails are made, and warns when it is not 150', () => {
    const gudmap = (thumbnailSide: number, makeThumbnails = true) =>
      policyProblems('gudmap', { ...gudmapDefaultSettings, makeThumbnails, thumbnailSide }).map((f) => [
        f.status,
        f.message,
      ]);
    expect(gudmap(0, false)).toEqual([]);
    expect(gudmap(0)).toEqual([
      [
        'error',
        'The thumbnail side 0 is not a whole number of pixels above 0, so the default 150 px is used; enter a width such as 150.',
      ],
    ]);
    expect(gudmap(200)).toEqual([
      [
        'warning',
        'Thumbnails are set to fit 200 × 200 px, but GUDMAP asks for 150 × 150; set the thumbnail side to 150 unless the curators asked for another size.',
      ],
    ]);
  });
});

describe('the image settings', () => {
  it('shape only what the Prepare step makes, so changing them calls for no new check', () => {
    for (const key of [
      'makeDerivatives',
      'thumbnailWidth',
      'webWidth',
      'largeWidth',
      'jpegQuality',
      'maxFileMegabytes',
      'originals',
    ]) {
      expect(profiles.symbiota.prepareSettings).toContain(key);
    }
    expect(profiles.gudmap.prepareSettings).toEqual(['makeThumbnails', 'thumbnailSide', 'readBarcodes']);
  });

  it('take only the three known choices for originals, from a file or a link', () => {
    const file = JSON.stringify({ version: 1, profiles: { symbiota: { originals: 'all' } } });
    const read = parseSettingsJson(file);
    expect('notes' in read && read.notes).toEqual([
      "The setting profiles.symbiota.originals should be 'none', 'as-is' or 'web-ready', not 'all', so its default 'none' is used.",
    ]);
    const linked = settingsFromLinkParams(
      [
        ['symbiota.originals', 'web-ready'],
        ['symbiota.webWidth', '1600'],
      ],
      defaultAppSettings(),
    );
    expect(linked.settings.profiles.symbiota).toMatchObject({ originals: 'web-ready', webWidth: 1600 });
    expect(linked.notes).toEqual([]);
  });
});

describe('describePolicy', () => {
  it.each([
    [
      "Symbiota's defaults",
      symbiota(),
      [
        'Each image gets a 200 px thumbnail (_tn), a 1,400 px web image (_med) and a 3,200 px large image (_lg), JPEG quality 80, each at most 8 MB; originals are not uploaded.',
      ],
    ],
    [
      'Symbiota with web-ready originals',
      symbiota({ originals: 'web-ready', maxFileMegabytes: 0.5, jpegQuality: 75 }),
      [
        'Each image gets a 200 px thumbnail (_tn), a 1,400 px web image (_med) and a 3,200 px large image (_lg), JPEG quality 75, each at most 0.5 MB; each original is replaced by a full-size web-ready JPEG (quality 75, at most 0.5 MB), unless it already is a JPEG of at most 0.5 MB, which is uploaded as it is.',
      ],
    ],
    [
      'Symbiota with web-ready originals alone',
      symbiota({ originals: 'web-ready', makeDerivatives: false }),
      [
        'Each original is replaced by a full-size web-ready JPEG (quality 80, at most 8 MB), unless it already is a JPEG of at most 8 MB, which is uploaded as it is.',
      ],
    ],
  ])('says in words what %s make', (_case, settings, first) => {
    const sentences = describePolicy(imagePolicy('symbiota', settings));
    expect(sentences.slice(0, 1)).toEqual(first);
  });

  it('adds that copies are never enlarged and undecodable images go as they are, when copies are made', () => {
    expect(describePolicy(imagePolicy('symbiota', symbiota()))[1]).toBe(
      'A copy is never larger than its source, and images the browser cannot decode (CZI, LIF, HEIC, JPEG 2000 and other microscope formats) are uploaded as they are.',
    );
  });

  it('describes GUDMAP thumbnails and a target that makes nothing', () => {
    expect(describePolicy(imagePolicy('gudmap', { ...gudmapDefaultSettings, makeThumbnails: true }))[0]).toBe(
      'Each image gets a thumbnail (_tn) of at most 150 × 150 px, JPEG quality 80, at most 8 MB; originals are uploaded as they are.',
    );
    expect(describePolicy({ derivatives: [], originals: 'as-is' })).toEqual([
      'Originals are uploaded as they are; no web copies are made.',
    ]);
  });
});
