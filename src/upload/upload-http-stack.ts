/**
 * tus-js-client's own XHR stack, with three changes:
 * - a request listens for upload progress only when its body is large enough for progress within it to matter.
 *   Each progress event of a small file becomes Uppy state updates and events on the page's main thread, which
 *   over 5,000 files of 10 KB cost more than their bytes; such a file's progress still moves when it completes.
 * - a request that shows no sign of life for {@link STALL_MS} is given up, and tus tries it again with its
 *   backoff. A connection that went silent (a proxy, a sleeping laptop's network, a receiver that never
 *   answers) would otherwise hold its file, and the batch, for good: the XHR stack answers only load and error.
 * - where the server takes tus's checksum extension, a request with a body carries its `Upload-Checksum`.
 */
import { DefaultHttpStack, type HttpRequest, type HttpResponse, type HttpStack } from 'tus-js-client';
import { UPLOAD_CHECKSUM_HEADER } from '#core/protocol';
import { WEB_CRYPTO_DIGESTS, type ChunkChecksumAlgorithm } from '#core/tus-capabilities';

/** Bodies from this size on report progress while they are sent. */
export const PROGRESS_FROM_BYTES = 1024 * 1024;

/**
 * How long a request may go without progress or an answer. Long enough for a receiver to read back a large file
 * it verifies after a restart; a small body gives no progress, so it has this long in all.
 */
export const STALL_MS = 120_000;

type Body = Blob | null;

export class UploadHttpStack implements HttpStack {
  readonly #inner: HttpStack;
  readonly #onAnswer: (at: number) => void;
  readonly #checksum: ChunkChecksumAlgorithm | null;

  /**
   * `onAnswer` hears of every answer with a status (any status), with the time it came (Date.now()); `checksum` is
   * the algorithm of the `Upload-Checksum` each body carries, or null for none.
   */
  constructor(
    inner: HttpStack = new DefaultHttpStack({}),
    onAnswer: (at: number) => void = () => undefined,
    checksum: ChunkChecksumAlgorithm | null = null,
  ) {
    this.#inner = inner;
    this.#onAnswer = onAnswer;
    this.#checksum = checksum;
  }

  createRequest(method: string, url: string): HttpRequest {
    return new WatchedRequest(this.#inner.createRequest(method, url), this.#onAnswer, this.#checksum);
  }

  getName(): string {
    return 'UploadHttpStack';
  }
}

/** The request went without progress or an answer for {@link STALL_MS}. */
export class RequestStalled extends Error {}

export class WatchedRequest implements HttpRequest {
  readonly #inner: HttpRequest;
  readonly #onAnswer: (at: number) => void;
  readonly #checksum: ChunkChecksumAlgorithm | null;
  #onProgress: ((bytesSent: number) => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #aborted = false;
  /** The upload job the request belongs to, when its sender says (see UploadRun). */
  owner: number | undefined;
  /** Bytes in the body last sent, and when it was sent (Date.now()). */
  bodySize = 0;
  sentAt = 0;

  constructor(
    inner: HttpRequest,
    onAnswer: (at: number) => void,
    checksum: ChunkChecksumAlgorithm | null = null,
  ) {
    this.#inner = inner;
    this.#onAnswer = onAnswer;
    this.#checksum = checksum;
  }

  getMethod(): string {
    return this.#inner.getMethod();
  }

  getURL(): string {
    return this.#inner.getURL();
  }

  setHeader(header: string, value: string): void {
    this.#inner.setHeader(header, value);
  }

  getHeader(header: string): string | undefined {
    return this.#inner.getHeader(header);
  }

  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.#onProgress = handler;
  }

  send(body: Body = null): Promise<HttpResponse> {
    const algorithm = this.#checksum;
    if (algorithm === null || body === null || body.size === 0) return this.#send(body);
    return uploadChecksum(algorithm, body).then((checksum) => {
      // Paused or cancelled while the checksum was computed: the request must not go out after all.
      if (this.#aborted)
        throw new Error(`${this.getMethod()} ${this.getURL()} was stopped before it was sent`);
      this.setHeader(UPLOAD_CHECKSUM_HEADER, checksum);
      return this.#send(body);
    });
  }

  #send(body: Body): Promise<HttpResponse> {
    let lastSign = Date.now();
    this.bodySize = body?.size ?? 0;
    this.sentAt = lastSign;
    const onProgress = this.#onProgress;
    if (onProgress && (body?.size ?? 0) >= PROGRESS_FROM_BYTES) {
      this.#inner.setProgressHandler((bytesSent) => {
        lastSign = Date.now();
        onProgress(bytesSent);
      });
    }
    return new Promise((resolve, reject) => {
      // One timer per request, set again only when it fires after progress: progress events stay cheap.
      const watch = (ms: number) => {
        this.#timer = setTimeout(() => {
          const quiet = Date.now() - lastSign;
          if (quiet < STALL_MS) return watch(STALL_MS - quiet);
          void this.#inner.abort();
          reject(
            new RequestStalled(
              `${this.getMethod()} ${this.getURL()} had no progress and no answer for ${STALL_MS / 1000} s`,
            ),
          );
        }, ms);
      };
      watch(STALL_MS);
      this.#inner.send(body).then(
        (response) => {
          clearTimeout(this.#timer);
          if (response.getStatus() > 0) this.#onAnswer(Date.now());
          resolve(response);
        },
        (error: unknown) => {
          clearTimeout(this.#timer);
          // As the XHR stack gives it (an event, not an Error): tus-js-client wraps it as it always has.
          reject(error as Error);
        },
      );
    });
  }

  abort(): Promise<void> {
    // Stopped on purpose (pause, cancel): the XHR answers nothing now, and nobody waits for it.
    this.#aborted = true;
    clearTimeout(this.#timer);
    return this.#inner.abort();
  }

  getUnderlyingObject(): unknown {
    return this.#inner.getUnderlyingObject();
  }
}

/** The `Upload-Checksum` value of `body`: the tus algorithm name and the base64 digest. */
export async function uploadChecksum(algorithm: ChunkChecksumAlgorithm, body: Blob): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest(WEB_CRYPTO_DIGESTS[algorithm], await body.arrayBuffer()),
  );
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return `${algorithm} ${btoa(binary)}`;
}
