/**
 * Which of several images with the right name an annotation comes from. Labs keep masks in a tree that mirrors
 * the images' (`images/P1/A01/A01_DAPI.tif`, `masks/P1/A01/A01_DAPI_mask.png`), and the same names repeat on
 * every plate: the place in the tree, not the name, tells them apart.
 */
import { subdirOf, type AnnotationPlace } from '#core/filelists/source-template';

/**
 * Whether a candidate sits where the annotation sits in its own tree: its folders below its top folders (as
 * many as the set's folder has) are the annotation's below the set's folder. `images/P1/A01/x.tif` mirrors
 * `masks/P1/A01/x_mask.png` of the set `masks/`, and so does `study/images/P1/A01/x.tif` for
 * `study/masks/P1/A01/x_mask.png` of `study/masks/`.
 */
export function mirrors(place: AnnotationPlace, candidate: string): boolean {
  const folders = candidate.split('/').slice(0, -1);
  if (folders.length !== place.folders.length) return false;
  const below = subdirOf(place);
  return below.every((name, i) => folders[place.setDepth + i] === name);
}

/**
 * How many folder names a candidate shares with the annotation: from the top (the same study) and, of the rest,
 * from the bottom (the same plate and well), so `s1/images/P1/A01` shares 3 with `s1/masks/P1/A01`.
 */
export function sharedFolders(place: AnnotationPlace, candidate: string): number {
  const mine = place.folders;
  const theirs = candidate.split('/').slice(0, -1);
  const most = Math.min(mine.length, theirs.length);
  let top = 0;
  while (top < most && mine[top] === theirs[top]) top += 1;
  let bottom = 0;
  while (top + bottom < most && mine[mine.length - 1 - bottom] === theirs[theirs.length - 1 - bottom])
    bottom += 1;
  return top + bottom;
}

/**
 * The candidates an annotation most likely comes from, in the order given: those that mirror its place when
 * any does, and of those the ones sharing the most folders with it. One left means the source is found; more
 * means the tree cannot tell them apart.
 */
export function closestSources(place: AnnotationPlace, candidates: readonly string[]): readonly string[] {
  if (candidates.length <= 1) return candidates;
  const mirrored = candidates.filter((candidate) => mirrors(place, candidate));
  const pool = mirrored.length > 0 ? mirrored : candidates;
  if (pool.length === 1) return pool;
  const shared = pool.map((candidate) => sharedFolders(place, candidate));
  const best = Math.max(...shared);
  return pool.filter((_, i) => shared[i] === best);
}
