/** What several file lists share: where a file will be, its public address, and the notes every list carries. */
import { plural } from '#core/format';
import type { ListContext, ListFile, ListProblem } from '#core/filelists/types';
import { FAST_DIGEST, storedPathFor } from '#core/protocol';

/**
 * Where the receiver places (or placed) a file: `<batch>/data/<path>` until the upload says otherwise (no batch
 * named yet: the path alone). Takes any
 * path with an optional stored place, so a derivative (`{ path: 'a/x_tn.jpg' }`) has its place too.
 */
export function storedPathOf(file: Pick<ListFile, 'path' | 'storedPath'>, batch: string): string {
  // '' is an arrival at a server that did not say where it put the file: the planned place is all there is.
  return file.storedPath || (batch === '' ? file.path : storedPathFor(batch, file.path));
}

/** The stored_path column of what arrived where the server says nothing of where it keeps files (plain tus). */
export const STORED_PATH_NOT_RETURNED = 'not returned by the receiver';
/** The verified column of a file that arrived without the receiver checking its checksums. */
export const NOT_VERIFIED = 'not verified by the receiver';

/** The stored_path column: where the file was (or will be) placed, or that the receiver did not say. */
export function storedPathColumn(file: Pick<ListFile, 'path' | 'storedPath'>, batch: string): string {
  return file.storedPath === '' ? STORED_PATH_NOT_RETURNED : storedPathOf(file, batch);
}

const IN_TRANSIT = 'upload-checksum ';
/** The verified column of a file the receiver verified by XXH3-128, whose checksums are the receiver's. */
export const BY_FAST_DIGEST = 'yes, by XXH3-128';

/**
 * What an arrival's `verified` holds when the server checked each request's body (tus's checksum extension, with
 * `algorithm`) and said nothing of the whole file; '' when no checksum was sent.
 */
export const checkedInTransit = (algorithm: string | null): string =>
  algorithm === null ? '' : `${IN_TRANSIT}${algorithm}`;

/**
 * The verified column: 'yes' when the receiver says it checked the SHA-256 (and the MD5, where one was sent),
 * {@link BY_FAST_DIGEST} when it checked the XXH3-128 sent instead (and the checksums are its own),
 * `in transit (Upload-Checksum <algorithm>)` when it checked each request's bytes but not the whole file,
 * {@link NOT_VERIFIED} for any other arrival, '' for a file that has not arrived.
 */
export function verifiedColumn(file: Pick<ListFile, 'storedPath' | 'verified' | 'md5'>): string {
  if (file.storedPath === undefined) return '';
  const said = (file.verified ?? '').split(',').map((part) => part.trim().toLowerCase());
  const sha = said.includes('sha-256');
  const md5 = file.md5 === undefined || said.includes('md5');
  if (sha && md5) return 'yes';
  if (said.includes(FAST_DIGEST)) return BY_FAST_DIGEST;
  const inTransit = said.find((part) => part.startsWith(IN_TRANSIT));
  return inTransit ? `in transit (Upload-Checksum ${inTransit.slice(IN_TRANSIT.length)})` : NOT_VERIFIED;
}

/** Notes on arrivals the receiver did not verify, or did not say where it stored. */
export function arrivalNotes(
  files: readonly Pick<ListFile, 'path' | 'storedPath' | 'verified' | 'md5'>[],
): string[] {
  const unverified = files.filter((file) => verifiedColumn(file) === NOT_VERIFIED).length;
  const unplaced = files.filter((file) => file.storedPath === '').length;
  const inTransit = files.filter((file) => verifiedColumn(file).startsWith('in transit')).length;
  const fast = files.filter((file) => verifiedColumn(file) === BY_FAST_DIGEST).length;
  return [
    ...(fast > 0
      ? [
          `The receiver verified ${plural(fast, 'file')} by XXH3-128 (verified: ${BY_FAST_DIGEST}), sent because the upload began before the app had computed ${fast === 1 ? 'its' : 'their'} SHA-256: the checksum columns hold the receiver's SHA-256 (and MD5) of bytes proven identical to the files sent by XXH3-128, as rsync verifies transfers.`,
        ]
      : []),
    ...(inTransit > 0
      ? [
          `The receiver checked the bytes of ${plural(inTransit, 'file')} request by request as ${inTransit === 1 ? 'it' : 'they'} arrived (tus Upload-Checksum; verified: in transit), but not the whole ${inTransit === 1 ? 'file' : 'files'}: the sha256 column travelled as tus metadata, so compare it with the stored files to be sure.`,
        ]
      : []),
    ...(unverified > 0
      ? [
          `${plural(unverified, 'file')} arrived without the receiver confirming ${unverified === 1 ? 'its' : 'their'} checksums (verified: ${NOT_VERIFIED}): the receiver does not verify them (a plain tus server), or the file arrived before it did; the checksums travelled as tus metadata, so compare the sha256 column with the stored files to be sure.`,
        ]
      : []),
    ...(unplaced > 0
      ? [
          `The receiver did not say where it stored ${plural(unplaced, 'file')} (stored_path: ${STORED_PATH_NOT_RETURNED}): a plain tus server keeps uploads under names of its own, with the path and batch in their tus metadata.`,
        ]
      : []),
  ];
}

/**
 * The public address of a stored file: the base URL, a single `/`, and each path segment percent-encoded
 * (a space becomes `%20`, `#` becomes `%23`), so any file name makes a working link.
 */
export function publicUrl(baseUrl: string, storedPath: string): string {
  const base = baseUrl.trim().replace(/\/+$/, '');
  const encoded = storedPath
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return `${base}/${encoded}`;
}

/**
 * Why a public base URL cannot be used (an error), or should not be (a warning): empty, not a web address,
 * or plain http, which portals and browsers flag as insecure.
 */
export function baseUrlProblem(baseUrl: string, setting = 'Public base URL'): ListProblem | undefined {
  const base = baseUrl.trim();
  if (base === '') {
    return {
      status: 'error',
      message: `The ${setting} is empty, so no image address can be written; enter the web address under which the uploaded files are served, such as https://images.example.org/herbarium.`,
    };
  }
  if (!/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/i.test(base)) {
    return {
      status: 'error',
      message: `The ${setting} '${base}' is not a web address starting with https:// (without a ? or # part); enter the address under which the uploaded files are served.`,
    };
  }
  if (!/^https:\/\//i.test(base)) {
    return {
      status: 'warning',
      message: `The ${setting} '${base}' starts with http://, not https://; portals show such images as insecure, so serve them over https if you can.`,
    };
  }
  return undefined;
}

/**
 * The distinct identifiers of files whose record the record list lacks (all of them without a list), in the
 * path order of their first files. Held-back files count too: a missing record is what holds an image back, and the point of listing
 * new records is to let it through.
 */
export function identifiersWithoutRecord(context: ListContext): readonly string[] {
  const firstPath = new Map<string, string>();
  for (const files of [context.files, context.heldBack]) {
    for (const file of files) {
      if (file.identifier === '' || file.record === 'linked') continue;
      const seen = firstPath.get(file.identifier);
      if (seen === undefined || file.path < seen) firstPath.set(file.identifier, file.path);
    }
  }
  return [...firstPath].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id]) => id);
}

/** Notes every list repeats: files held back by errors, checksums not yet computed. */
export function heldBackNote(context: ListContext): string[] {
  const count = context.heldBack.length;
  if (count === 0) return [];
  return [
    `${plural(count, 'file')} with errors ${count === 1 ? 'is' : 'are'} left out, as from the upload; fix ${count === 1 ? 'it' : 'them'}, or tick "Upload files with errors too".`,
  ];
}

export function checksumNote(context: ListContext, which: 'sha256' | 'md5', label: string): string[] {
  const missing = context.files.filter((file) => file[which] === undefined).length;
  if (missing === 0) return [];
  return [
    `The ${label} column is empty for ${plural(missing, 'file')} whose checksums are not computed yet; compute checksums first to fill it.`,
  ];
}

/** How many problems of one kind a list names one by one before it counts the rest in a single sentence. */
export const LISTED_PER_RULE = 20;

/**
 * One problem per item, up to `limit`, then one sentence counting the rest (`rest(count)`), so 100,000 bad
 * files never become 100,000 sentences. `sentence` runs only for the listed items.
 */
export function cappedProblems<T>(
  items: readonly T[],
  status: ListProblem['status'],
  sentence: (item: T) => string,
  rest: (count: number) => string,
  limit = LISTED_PER_RULE,
): ListProblem[] {
  const problems = items.slice(0, limit).map((item) => ({ status, message: sentence(item) }));
  if (items.length > limit) problems.push({ status, message: rest(items.length - limit) });
  return problems;
}

/** Errors first, then warnings, each group in the order found. */
export function problemsInOrder(problems: readonly ListProblem[]): readonly ListProblem[] {
  return [...problems.filter((p) => p.status === 'error'), ...problems.filter((p) => p.status === 'warning')];
}

/** How a problem names the first character of a value: `'='`, or in words for the invisible ones. */
export function leadingCharacter(value: string): string {
  const first = value.charAt(0);
  if (first === '\t') return 'a tab';
  if (first === '\r') return 'a carriage return';
  return `'${first}'`;
}

type MaybeRenamed = Pick<ListFile, 'path' | 'originalPath'>;

/**
 * The original_path column, after path, when some file travels under a name from its barcode: each such file's
 * own path ('' for the others); no column otherwise.
 */
export function originalPathColumn(files: readonly MaybeRenamed[]): {
  readonly columns: readonly string[];
  readonly cells: (file: MaybeRenamed) => readonly string[];
} {
  if (!files.some((file) => file.originalPath !== undefined)) return { columns: [], cells: () => [] };
  return { columns: ['original_path'], cells: (file) => [file.originalPath ?? ''] };
}

/** A note saying that some files travel under names from their barcodes. */
export function renamedNote(files: readonly MaybeRenamed[]): string[] {
  const renamed = files.filter((file) => file.originalPath !== undefined).length;
  if (renamed === 0) return [];
  return [
    `${plural(renamed, 'file')} ${renamed === 1 ? 'is' : 'are'} uploaded under the name ${renamed === 1 ? 'its' : 'their'} barcode gives (path); original_path is the name in the folder, which is not changed.`,
  ];
}
