import { describe, expect, it } from 'vitest';
import { checkedSettings, getProfile, profileList, profiles } from '#core/profiles/registry';

describe('the profile registry', () => {
  it('lists the targets in picker order, with their labels, Any files first as a first visit’s target', () =>
    expect(profileList.map((p) => [p.id, p.label])).toEqual([
      ['any', 'Any files'],
      ['gudmap', 'GUDMAP/RBK'],
      ['symbiota', 'Symbiota'],
      ['bia', 'BioImage Archive'],
      ['custom', 'Custom pattern'],
      ['deriva', 'Deriva upload config'],
    ]));
  it('files each profile under its own id', () => {
    for (const [id, profile] of Object.entries(profiles)) expect(profile.id).toBe(id);
    expect(getProfile('symbiota')).toBe(profiles.symbiota);
  });
  it.each(profileList.map((p) => [p.label, p]))(
    '%s describes itself and accepts its own defaults',
    (_label, profile) => {
      expect(profile.description.length).toBeGreaterThan(20);
      expect((profile.prepare as (s: unknown) => { ok: boolean })(profile.defaultSettings).ok).toBe(true);
    },
  );
});

describe('checkedSettings', () => {
  it('leaves out the settings that only shape file lists', () => {
    const settings = {
      ...getProfile('symbiota').defaultSettings,
      publicBaseUrl: 'https://x.org',
      pattern: '/^(a)/',
    };
    const checked = checkedSettings('symbiota', settings);
    expect(checked).not.toHaveProperty('publicBaseUrl');
    expect(checked).not.toHaveProperty('newRecordFields');
    expect(checked).toHaveProperty('pattern', '/^(a)/');
    const bia = { ...getProfile('bia').defaultSettings, pathTemplate: '{Plate}/x.tif', makeThumbnails: true };
    expect(checkedSettings('bia', bia)).toEqual({});
    const { readBarcodes: _prepared, ...custom } = getProfile('custom').defaultSettings;
    expect(checkedSettings('custom', getProfile('custom').defaultSettings)).toEqual(custom);
  });

  it('leaves out Read barcodes, which starts a Prepare run rather than a new check', () => {
    for (const id of ['symbiota', 'gudmap', 'custom'] as const) {
      expect(checkedSettings(id, getProfile(id).defaultSettings)).not.toHaveProperty('readBarcodes');
    }
  });
});
