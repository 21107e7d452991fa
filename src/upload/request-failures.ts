/**
 * What an upload run makes of its failed requests before a file is given up: whether the engine may try a request
 * again, files to send again in smaller chunks when a limit on request bodies explains the failure, files whose
 * requests the browser blocks while the server answers others, and the one new try a file gets after the receiver
 * found other bytes than announced (a server with tus's checksum extension keeps the upload, so only the refused
 * request goes again).
 */
import type { TusDetailedError } from '@uppy/tus';
import type { BodyLimit } from '#core/body-limit';
import { CHECKSUM_MISMATCH, DISK_FULL } from '#core/protocol';
import { discoverTus } from './tus-discovery';
import { findCause, findDigestFailure, statusOf, type TusError } from './tus-errors';
import { RequestStalled, WatchedRequest } from './upload-http-stack';
import type { UploadListener } from './upload-types';

/** Why a file's last request failed, as far as its earlier requests tell. */
export interface FailureEvidence {
  /** The size of the body refused with 413 even in the smallest chunks. */
  readonly limited: number | undefined;
  /** Its requests went unanswered while the server answered others. */
  readonly blocked: boolean;
}

export class RequestFailures {
  readonly #endpoint: string;
  readonly #limit: BodyLimit;
  readonly #listener: UploadListener;
  /** The server checks each request's body (tus checksum extension) and keeps the upload when it refuses one. */
  readonly #checksRequests: boolean;
  /** Files already sent again once after the receiver found other bytes than announced. */
  readonly #resent = new Set<number>();
  /** Files to send again in smaller chunks, with the address of their upload when it was created. */
  readonly #smaller = new Map<number, string | null>();
  /** Files refused with 413 even in the smallest chunks, with the size of the request refused. */
  readonly #bodyLimited = new Map<number, number>();
  /** Files whose requests went unanswered while the server answered others: how often, and when last. */
  readonly #unanswered = new Map<number, { evidence: number; last: number }>();
  #probing = false;

  constructor(endpoint: string, limit: BodyLimit, listener: UploadListener, checksRequests: boolean) {
    this.#endpoint = endpoint;
    this.#limit = limit;
    this.#listener = listener;
    this.#checksRequests = checksRequests;
  }

  /** Whether tus-js-client may try a failed request again; `next` is its own rule. */
  shouldRetry(error: TusDetailedError, next: (error: TusDetailedError) => boolean): boolean {
    // A full disk does not empty itself in seconds: say so at once rather than retrying for a minute.
    if (findDigestFailure(error) || statusOf(error) === DISK_FULL) return false;
    if (!this.#mayRetry(error)) return false;
    // A server with tus's checksum extension refused one damaged request and kept the upload: send it again.
    const retry = next(error) || (statusOf(error) === CHECKSUM_MISMATCH && this.#checksRequests);
    if (retry) this.#listener.onRetrying?.(statusOf(error));
    return retry;
  }

  /**
   * When the file is to go again in smaller chunks: the address of its upload (null: it was never created, so it
   * starts anew). Undefined when it is not.
   */
  takeSmaller(id: number): string | null | undefined {
    if (!this.#smaller.has(id)) return undefined;
    const url = this.#smaller.get(id) ?? null;
    this.#smaller.delete(id);
    return url;
  }

  /** What the file's failed requests showed, forgotten once asked: its failure is final. */
  evidence(id: number, status: number): FailureEvidence {
    const limited = this.#bodyLimited.get(id);
    const blocked = status === 0 && (this.#unanswered.get(id)?.evidence ?? 0) > 0;
    this.#bodyLimited.delete(id);
    this.#unanswered.delete(id);
    return { limited, blocked };
  }

  /** Whether a file whose bytes were changed on the way is sent once more; only once. */
  resendOnce(id: number): boolean {
    if (this.#resent.has(id)) return false;
    this.#resent.add(id);
    return true;
  }

  /**
   * Whether a failed request may be tried again by the engine as it is. Not when a limit on request bodies
   * explains it (the file goes again in smaller chunks, or fails when they cannot get smaller), nor once the
   * browser has blocked the file's requests a few times while the server answered others.
   */
  #mayRetry(error: unknown): boolean {
    const request = (error as TusError | null)?.originalRequest;
    if (!(request instanceof WatchedRequest) || request.owner === undefined) return true;
    const id = request.owner;
    const status = statusOf(error);
    // Offline, a stalled connection: no answer, but nothing the server refused (the engine handles those).
    const silent = status === 0 && navigator.onLine && !(findCause(error) instanceof RequestStalled);
    if (request.bodySize > 0 && (status === 413 || silent)) {
      const verdict =
        status === 413
          ? this.#limit.refused(request.bodySize)
          : this.#limit.networkFailure(request.bodySize, Date.now());
      if (verdict.kind === 'smaller') {
        if (verdict.shrunk) this.#listener.onChunkSize?.(verdict.chunkSize, request.bodySize, status === 413);
        this.#smaller.set(id, request.getMethod() === 'PATCH' ? request.getURL() : null);
        return false;
      }
      if (status === 413 && request.getMethod() === 'PATCH') {
        this.#bodyLimited.set(id, request.bodySize);
        return false;
      }
    }
    if (!silent) return true;
    this.#probe();
    const seen = this.#unanswered.get(id) ?? { evidence: 0, last: request.sentAt };
    if (this.#limit.answeredSince(seen.last)) seen.evidence += 1;
    seen.last = Date.now();
    this.#unanswered.set(id, seen);
    return seen.evidence < BLOCKED_TRIES;
  }

  /**
   * After a request got no answer, asks the endpoint a plain OPTIONS (which no CORS rule of a tus server blocks):
   * if it answers, the server is there, and what failed was that request (blocked by the browser, or too large for
   * a proxy). The engine's next try of the file reads the result. One probe at a time.
   */
  #probe(): void {
    if (this.#probing) return;
    this.#probing = true;
    void discoverTus(this.#endpoint)
      .then((discovery) => {
        if (discovery.problem === '') this.#limit.answered(Date.now());
      })
      .finally(() => {
        this.#probing = false;
      });
  }
}

/**
 * Failures of a file's requests with no answer while the server answered others, before it fails as blocked by
 * the browser (a CORS refusal does not go away by trying again).
 */
const BLOCKED_TRIES = 3;
