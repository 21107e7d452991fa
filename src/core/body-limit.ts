/**
 * A limit on request bodies somewhere between the page and the tus server (a proxy's, such as nginx's default
 * `client_max_body_size` of 1 MiB), learned from the refusals it causes: the chunk size halves until requests
 * pass, down to a floor.
 *
 * The limit shows in two ways. A 413 to a request with a body says it outright. A proxy that answers before the
 * body is sent and closes the connection often leaves the browser with no answer at all, like an unreachable
 * server; such a failure counts as the limit only when it happens again to a body as large after the server
 * answered another request (a server that went down answers nothing until the retried body goes through).
 */

/** The smallest chunk the page shrinks to: below it, a limit is not worth working around. */
export const CHUNK_FLOOR = 256 * 1024;

export type BodyVerdict =
  /** Send again with the (now smaller) chunk size. */
  | { readonly kind: 'smaller'; readonly chunkSize: number; readonly shrunk: boolean }
  /** Not explained by a body limit, or already at the floor. */
  | { readonly kind: 'unexplained' };

/**
 * The chunk size after a request with a body of `failedBody` bytes was refused: halved until it is below that
 * body, never below `floor`. Null when it cannot get smaller than the body that failed.
 */
export function halvedChunk(current: number, failedBody: number, floor = CHUNK_FLOOR): number | null {
  // Another request already brought the chunk below this one's body: try again at that size.
  if (current < failedBody) return current;
  let next = current;
  while (next >= failedBody && next / 2 >= floor) next /= 2;
  return next < failedBody ? Math.floor(next) : null;
}

export class BodyLimit {
  #chunkSize: number;
  /** The page's usual chunk: a refused body larger than it falls back to it at once, then halves. */
  readonly #usual: number;
  readonly #floor: number;
  /** When the server last answered a request (any status). */
  #lastAnswer = -Infinity;
  /** Network failures of bodies not yet explained: when each failed and how large it was. */
  #unexplained: { readonly at: number; readonly bytes: number }[] = [];

  /** `start` is where request bodies begin when the server prefers larger ones than the usual `chunkSize`. */
  constructor(chunkSize: number, floor = CHUNK_FLOOR, start = chunkSize) {
    this.#chunkSize = Math.max(start, chunkSize);
    this.#usual = chunkSize;
    this.#floor = Math.min(floor, chunkSize);
  }

  get chunkSize(): number {
    return this.#chunkSize;
  }

  /** The server (or a proxy before it) answered a request at `at`, with any status. */
  answered(at: number): void {
    this.#lastAnswer = Math.max(this.#lastAnswer, at);
  }

  /** The server answered some request after `since`. */
  answeredSince(since: number): boolean {
    return this.#lastAnswer > since;
  }

  /** A 413 to a request with a body of `bytes`. */
  refused(bytes: number): BodyVerdict {
    return this.#shrinkBelow(bytes);
  }

  /** A request with a body of `bytes` got no answer at all (status 0) at `failedAt`. */
  networkFailure(bytes: number, failedAt: number): BodyVerdict {
    if (bytes <= this.#floor) return { kind: 'unexplained' };
    if (this.#unexplained.some((f) => f.bytes >= bytes && this.#lastAnswer > f.at)) {
      this.#unexplained = this.#unexplained.filter((f) => f.bytes < bytes);
      return this.#shrinkBelow(bytes);
    }
    this.#unexplained.push({ at: failedAt, bytes });
    return { kind: 'unexplained' };
  }

  #shrinkBelow(bytes: number): BodyVerdict {
    const next = halvedChunk(Math.min(this.#chunkSize, this.#usual), bytes, this.#floor);
    if (next === null) return { kind: 'unexplained' };
    const shrunk = next < this.#chunkSize;
    this.#chunkSize = next;
    return { kind: 'smaller', chunkSize: next, shrunk };
  }
}
