/** Every target profile, listed by hand so a search for a profile id finds where it is wired in. */
import { bia } from '#core/profiles/bia';
import { custom } from '#core/profiles/custom';
import { gudmap } from '#core/profiles/gudmap';
import { symbiota } from '#core/profiles/symbiota';
import type { ProfileDescriptor } from '#core/profiles/types';
import type { ProfileId } from '#core/validation/types';

export const profiles: { readonly [P in ProfileId]: ProfileDescriptor<P> } = {
  gudmap,
  symbiota,
  bia,
  custom,
};

/** In the order a target picker shows them. */
export const profileList: readonly ProfileDescriptor[] = [gudmap, symbiota, bia, custom];

export function getProfile<P extends ProfileId>(id: P): ProfileDescriptor<P> {
  return profiles[id];
}
