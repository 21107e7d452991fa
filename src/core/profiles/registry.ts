/** Every target profile, listed by hand so a search for a profile id finds where it is wired in. */
import { any } from '#core/profiles/any';
import { bia } from '#core/profiles/bia';
import { custom } from '#core/profiles/custom';
import { deriva } from '#core/profiles/deriva';
import { gudmap } from '#core/profiles/gudmap';
import { symbiota } from '#core/profiles/symbiota';
import type { ProfileDescriptor } from '#core/profiles/types';
import type { ProfileId, ProfileSettings } from '#core/validation/types';

export const profiles: { readonly [P in ProfileId]: ProfileDescriptor<P> } = {
  any,
  gudmap,
  symbiota,
  bia,
  custom,
  deriva,
};

/** In the order a target picker shows them; the first is a first visit's target. */
export const profileList: readonly ProfileDescriptor[] = [any, gudmap, symbiota, bia, custom, deriva];

export function getProfile<P extends ProfileId>(id: P): ProfileDescriptor<P> {
  return profiles[id];
}

/** The settings a check depends on: all but those that only shape the file lists (a base URL, a template). */
export function checkedSettings<P extends ProfileId>(
  id: P,
  settings: ProfileSettings[P],
): Partial<ProfileSettings[P]> {
  const skip = new Set(profiles[id].prepareSettings ?? []);
  return Object.fromEntries(Object.entries(settings).filter(([key]) => !skip.has(key))) as Partial<
    ProfileSettings[P]
  >;
}
