/**
 * Telling the receiver that a batch is complete: its manifest goes to the completion resource (see
 * `completionPath` in the protocol) where the server lists the batch-complete extension; the answer is the bag
 * and its hand-off, or the files that are missing or differ. A request that gets no answer, a 5xx or a 429 is
 * sent again with growing pauses and the same completion id, so a receiver that restarts meanwhile still bags
 * and hands the batch on once.
 */
import { completionPath, type CompletionRefusal, type CompletionState } from '#core/protocol';

export type CompletionOutcome =
  | { kind: 'complete'; state: CompletionState }
  | { kind: 'refused'; refusal: CompletionRefusal }
  /** The server does not list batch-complete: a plain tus server, which keeps the files as they are. */
  | { kind: 'unsupported' }
  | { kind: 'failed'; message: string };

export type CompletionTarget = { endpoint: string; token: string; batch: string };

/** Pauses before each new try, in milliseconds (about two minutes in all). */
const RETRY_DELAYS = [1000, 3000, 5000, 10_000, 20_000, 30_000, 60_000];

function resource(target: CompletionTarget): string {
  return new URL(
    completionPath(target.batch),
    target.endpoint.endsWith('/') ? target.endpoint : `${target.endpoint}/`,
  ).href;
}

const headers = (token: string): Record<string, string> =>
  token ? { Authorization: `Bearer ${token}` } : {};

/**
 * Declares the batch complete where the server lists batch-complete (`supported`, from its OPTIONS answer) with
 * `body`, a CompletionRequest's JSON (see manifest-body.ts); `onWaiting` hears each time the receiver does not
 * answer and a retry is coming.
 */
export async function completeBatch(
  target: CompletionTarget,
  body: Blob,
  supported: boolean,
  onWaiting: (status: number) => void = () => undefined,
): Promise<CompletionOutcome> {
  if (!supported) return { kind: 'unsupported' };
  for (let attempt = 0; ; attempt += 1) {
    let status = 0;
    try {
      const response = await fetch(resource(target), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers(target.token) },
        body,
      });
      status = response.status;
      if (response.ok) return { kind: 'complete', state: (await response.json()) as CompletionState };
      if (status !== 429 && status < 500) return refusedOrFailed(response, target);
    } catch {
      // No answer: the receiver is down or restarting; tried again below.
    }
    const delay = RETRY_DELAYS[attempt];
    if (delay === undefined) {
      return {
        kind: 'failed',
        message: `The receiver at ${target.endpoint} did not answer the completion of batch ${target.batch}${status ? ` (${status})` : ''}; the files are there; press Complete batch to try again.`,
      };
    }
    onWaiting(status);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** The latest completion of the batch and where its hand-off stands, or undefined when it cannot be read. */
export async function completionState(target: CompletionTarget): Promise<CompletionState | undefined> {
  try {
    const response = await fetch(resource(target), { headers: headers(target.token), cache: 'no-store' });
    return response.ok ? ((await response.json()) as CompletionState) : undefined;
  } catch {
    return undefined;
  }
}

async function refusedOrFailed(response: Response, target: CompletionTarget): Promise<CompletionOutcome> {
  if (response.status === 401 || response.status === 403) {
    return {
      kind: 'failed',
      message: `The receiver did not accept the access token when the batch was completed (${response.status}); enter the token it expects under Access token, then press Complete batch.`,
    };
  }
  const text = await response.text();
  try {
    const refusal = JSON.parse(text) as CompletionRefusal;
    if (response.status === 422 && Array.isArray(refusal.problems)) return { kind: 'refused', refusal };
    return { kind: 'failed', message: refusal.message };
  } catch {
    return {
      kind: 'failed',
      message: `The receiver refused the completion of batch ${target.batch} (${response.status}${text ? `: ${text.slice(0, 200)}` : ''}).`,
    };
  }
}
