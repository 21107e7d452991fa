/** What an upload's errors are made of: tus-js-client's and Uppy's wrappers, and the status and body behind them. */

/** A file that could not be hashed for sending: not worth retrying, its message names the file. */
export class DigestFailure extends Error {}

export type TusError = Error & {
  originalRequest?: unknown;
  originalResponse?: { getStatus(): number; getBody(): string } | null;
  causingError?: unknown;
};

export function statusOf(error: unknown): number {
  return (error as TusError | null)?.originalResponse?.getStatus() ?? 0;
}

export function bodyOf(error: unknown): string {
  return (error as TusError | null)?.originalResponse?.getBody() ?? '';
}

/** The DigestFailure behind an error, through tus-js-client's `causingError` and Uppy's `cause` wrappers. */
export function findDigestFailure(error: unknown): DigestFailure | undefined {
  const cause = findCause(error);
  return cause instanceof DigestFailure ? cause : undefined;
}

/** The innermost error behind tus-js-client's `causingError` and Uppy's `cause` wrappers. */
export function findCause(error: unknown): unknown {
  let e: unknown = error;
  for (let depth = 0; depth < 5; depth += 1) {
    const wrapper = e as (TusError & { cause?: unknown }) | null;
    const inner = wrapper?.causingError ?? wrapper?.cause;
    if (!inner || inner instanceof DigestFailure) return inner ?? e;
    e = inner;
  }
  return e;
}
