import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client';
import { describe, expect, it } from 'vitest';
import { PROGRESS_FROM_BYTES, ProgressOnLargeBodies } from './progress-stack';

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
  const request = new ProgressOnLargeBodies(stack).createRequest('PATCH', '/files/x');
  request.setHeader('Upload-Offset', '0');
  request.setProgressHandler(() => undefined);
  const response = await request.send(body);
  return { entry: seen[0], response, request };
}

describe('ProgressOnLargeBodies', () => {
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
  });
});
