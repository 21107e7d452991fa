import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  PROGRESS_FROM_BYTES,
  RequestStalled,
  STALL_MS,
  UploadHttpStack,
  WatchedRequest,
} from './upload-http-stack';

/** A stack that records what reaches its requests, and answers 204. */
function recordingStack() {
  const seen: { method: string; headers: Record<string, string>; progress: boolean; body: unknown }[] = [];
  const stack: HttpStack = {
    getName: () => 'recording',
    createRequest(method) {
      const entry = {
        method,
        headers: {} as Record<string, string>,
        progress: false,
        body: undefined as unknown,
      };
      seen.push(entry);
      const request: HttpRequest = {
        getMethod: () => method,
        getURL: () => '/files/',
        setHeader: (name, value) => void (entry.headers[name] = value),
        getHeader: (name) => entry.headers[name],
        setProgressHandler: () => void (entry.progress = true),
        send: (body) => {
          entry.body = body;
          return Promise.resolve({ getStatus: () => 204 } as HttpResponse);
        },
        abort: () => Promise.resolve(),
        getUnderlyingObject: () => entry,
      };
      return request;
    },
  };
  return { seen, stack };
}

async function send(body: Blob | null) {
  const { seen, stack } = recordingStack();
  const request = new UploadHttpStack(stack).createRequest('PATCH', '/files/x');
  request.setHeader('Upload-Offset', '0');
  request.setProgressHandler(() => undefined);
  const response = await request.send(body);
  return { entry: seen[0], response, request };
}

describe('UploadHttpStack', () => {
  it('listens for progress on a body of a megabyte or more', async () => {
    const { entry } = await send(new Blob([new Uint8Array(PROGRESS_FROM_BYTES)]));
    expect(entry?.progress).toBe(true);
  });

  it('does not listen for progress on a small body, or none', async () => {
    expect((await send(new Blob([new Uint8Array(PROGRESS_FROM_BYTES - 1)]))).entry?.progress).toBe(false);
    expect((await send(null)).entry?.progress).toBe(false);
  });

  it('passes everything else through: headers, body, answer and the underlying request', async () => {
    const body = new Blob(['abc']);
    const { entry, response, request } = await send(body);
    expect(entry?.headers).toEqual({ 'Upload-Offset': '0' });
    expect(request.getHeader('Upload-Offset')).toBe('0');
    expect(request.getMethod()).toBe('PATCH');
    expect(entry?.body).toBe(body);
    expect(response.getStatus()).toBe(204);
    expect(request.getUnderlyingObject()).toBe(entry);
    expect((request as WatchedRequest).bodySize).toBe(3);
  });
});

describe('Upload-Checksum, for a server that takes tus checksums', () => {
  it('goes with each body, as the tus algorithm name and the base64 WebCrypto digest', async () => {
    const { seen, stack } = recordingStack();
    const request = new UploadHttpStack(stack, undefined, 'sha1').createRequest('PATCH', '/files/x');
    await request.send(new Blob(['abc']));
    // SHA-1 of "abc" is a9993e364706816aba3e25717850c26c9cd0d89d.
    expect(seen[0]?.headers['Upload-Checksum']).toBe('sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0=');
    await new UploadHttpStack(stack, undefined, 'sha256')
      .createRequest('POST', '/files/')
      .send(new Blob(['abc']));
    expect(seen[1]?.headers['Upload-Checksum']).toBe('sha256 ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });

  it('is the digest of a slice’s bytes, not of the file it was cut from', async () => {
    const { seen, stack } = recordingStack();
    await new UploadHttpStack(stack, undefined, 'sha1')
      .createRequest('PATCH', '/files/x')
      .send(new Blob(['xxabcxx']).slice(2, 5));
    expect(seen[0]?.headers['Upload-Checksum']).toBe('sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0=');
  });

  it('is left out without a body, with an empty one, or when the server takes none', async () => {
    const { seen, stack } = recordingStack();
    const checked = new UploadHttpStack(stack, undefined, 'sha256');
    await checked.createRequest('HEAD', '/files/x').send(null);
    await checked.createRequest('PATCH', '/files/x').send(new Blob([]));
    await new UploadHttpStack(stack).createRequest('PATCH', '/files/x').send(new Blob(['abc']));
    expect(seen.map((entry) => entry.headers['Upload-Checksum'])).toEqual([undefined, undefined, undefined]);
  });

  it('is not sent at all when the request is stopped while its checksum is computed', async () => {
    const { seen, stack } = recordingStack();
    const request = new UploadHttpStack(stack, undefined, 'sha256').createRequest('PATCH', '/files/x');
    const sending = request.send(new Blob([new Uint8Array(4 * 2 ** 20)]));
    await request.abort();
    await expect(sending).rejects.toThrow('was stopped before it was sent');
    expect(seen[0]?.body).toBeUndefined();
  });
});

describe('what a request keeps for reading its failure against the server', () => {
  it("keeps its body's size and when it was sent, and reports every answer with a status", async () => {
    const answers: number[] = [];
    const { stack } = recordingStack();
    const request = new UploadHttpStack(stack, (at) => answers.push(at)).createRequest('PATCH', '/files/x');
    expect(request).toBeInstanceOf(WatchedRequest);
    const before = Date.now();
    await request.send(new Blob([new Uint8Array(1234)]));
    const watched = request as WatchedRequest;
    expect(watched.bodySize).toBe(1234);
    expect(watched.sentAt).toBeGreaterThanOrEqual(before);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toBeGreaterThanOrEqual(watched.sentAt);
  });

  it('reports no answer for a request that got none', async () => {
    const answers: number[] = [];
    const stack: HttpStack = {
      getName: () => 'failing',
      createRequest: (method) => ({
        ...recordingStack().stack.createRequest(method, '/files/'),
        send: () => Promise.reject(new Error('network error')),
      }),
    };
    const request = new UploadHttpStack(stack, (at) => answers.push(at)).createRequest('POST', '/files/');
    await expect(request.send(null)).rejects.toThrow('network error');
    expect((request as WatchedRequest).bodySize).toBe(0);
    expect(answers).toEqual([]);
  });
});

/** One request whose answer the test gives (or never gives), and whose progress handler the test calls. */
function silentRequest() {
  let answer: (response: HttpResponse) => void = () => undefined;
  const seen = { aborted: 0, progress: null as ((bytes: number) => void) | null };
  const stack: HttpStack = {
    getName: () => 'silent',
    createRequest: (method) => ({
      getMethod: () => method,
      getURL: () => '/files/x',
      setHeader: () => undefined,
      getHeader: () => undefined,
      setProgressHandler: (handler) => void (seen.progress = handler),
      send: () => new Promise<HttpResponse>((resolve) => (answer = resolve)),
      abort: () => {
        seen.aborted += 1;
        return Promise.resolve();
      },
      getUnderlyingObject: () => null,
    }),
  };
  const request = new UploadHttpStack(stack).createRequest('PATCH', '/files/x');
  request.setProgressHandler(() => undefined);
  return { request, seen, answer: (status: number) => answer({ getStatus: () => status } as HttpResponse) };
}

describe('a request that shows no sign of life', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it(`is aborted and fails after ${STALL_MS / 1000} s without progress or an answer`, async () => {
    vi.useFakeTimers();
    const { request, seen } = silentRequest();
    const outcome = request.send(new Blob(['small'])).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(STALL_MS - 1);
    expect(seen.aborted).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(RequestStalled);
    expect((error as Error).message).toBe('PATCH /files/x had no progress and no answer for 120 s');
    expect(seen.aborted).toBe(1);
  });

  it('is given its whole time again by each sign of progress of a large body', async () => {
    vi.useFakeTimers();
    const { request, seen, answer } = silentRequest();
    let settled = false;
    const outcome = request
      .send(new Blob([new Uint8Array(PROGRESS_FROM_BYTES)]))
      .finally(() => (settled = true));
    for (let i = 1; i <= 3; i += 1) {
      await vi.advanceTimersByTimeAsync(STALL_MS - 1000);
      seen.progress?.(i * 1000);
    }
    await vi.advanceTimersByTimeAsync(STALL_MS - 1);
    expect(settled).toBe(false);
    expect(seen.aborted).toBe(0);
    answer(204);
    expect((await outcome).getStatus()).toBe(204);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind once answered, or once aborted by tus', async () => {
    vi.useFakeTimers();
    const answered = silentRequest();
    const outcome = answered.request.send(null);
    answered.answer(201);
    expect((await outcome).getStatus()).toBe(201);
    expect(vi.getTimerCount()).toBe(0);

    const paused = silentRequest();
    void paused.request.send(null);
    await paused.request.abort();
    expect(vi.getTimerCount()).toBe(0);
    expect(paused.seen.aborted).toBe(1);
  });
});
