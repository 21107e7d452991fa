import { describe, expect, it } from 'vitest';
import { profileList } from '#core/profiles/registry';
import { defaults } from '../../../tests/unit/settings/examples';

describe('Default settings', () => {
  it('start at the first target in the picker, with every profile at its defaults, sending to the page', () => {
    expect(defaults.target).toBe(profileList[0]?.id);
    expect(defaults.endpoint).toBe('');
    for (const profile of profileList) expect(defaults.profiles[profile.id]).toEqual(profile.defaultSettings);
  });
});
