/**
 * tus-js-client's own XHR stack, except that a request listens for upload progress only when its body is large
 * enough for progress within it to matter. Each progress event of a small file becomes Uppy state updates and
 * events on the page's main thread, which over 5,000 files of 10 KB cost more than their bytes; such a file's
 * progress still moves when its request completes.
 */
import { DefaultHttpStack, type HttpRequest, type HttpResponse, type HttpStack } from 'tus-js-client';

/** Bodies from this size on report progress while they are sent. */
export const PROGRESS_FROM_BYTES = 1024 * 1024;

export class ProgressOnLargeBodies implements HttpStack {
  readonly #inner: HttpStack;

  constructor(inner: HttpStack = new DefaultHttpStack({})) {
    this.#inner = inner;
  }

  createRequest(method: string, url: string): HttpRequest {
    return new LargeBodyProgress(this.#inner.createRequest(method, url));
  }

  getName(): string {
    return 'ProgressOnLargeBodies';
  }
}

class LargeBodyProgress implements HttpRequest {
  readonly #inner: HttpRequest;
  #onProgress: ((bytesSent: number) => void) | null = null;

  constructor(inner: HttpRequest) {
    this.#inner = inner;
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

  send(body: Blob | null = null): Promise<HttpResponse> {
    if (this.#onProgress && (body?.size ?? 0) >= PROGRESS_FROM_BYTES) {
      this.#inner.setProgressHandler(this.#onProgress);
    }
    return this.#inner.send(body);
  }

  abort(): Promise<void> {
    return this.#inner.abort();
  }

  getUnderlyingObject(): unknown {
    return this.#inner.getUnderlyingObject();
  }
}
