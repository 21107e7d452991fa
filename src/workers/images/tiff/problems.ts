/** How the TIFF decoder words what it refuses: each problem is a whole sentence without the file's path. */

/** A file this decoder refuses; the message is the whole problem sentence. */
export class Unreadable extends Error {}

export const NO_COPY = 'so no web copy was made; it is uploaded as it is';

/** A valid TIFF feature this decoder does not handle. */
export function cannotRead(what: string): Unreadable {
  return new Unreadable(`${what}, which the browser-side decoder cannot read, ${NO_COPY}.`);
}

/** A file whose own numbers contradict themselves or the file's length. */
export function damaged(what: string): Unreadable {
  return new Unreadable(`${what}, ${NO_COPY}; check the file.`);
}

export function tooLarge(what: string): Unreadable {
  return new Unreadable(`${what}, ${NO_COPY}; make its web copies with a desktop tool.`);
}
