import { describe, expect, it } from 'vitest';
import {
  describeBlockedRequest,
  describeBodyLimit,
  describeUploadFailure,
  failureCause,
} from '#core/upload-failure';

const describeStatus = (status: number, body?: string) =>
  describeUploadFailure({
    path: 'a/b.jpg',
    status,
    endpoint: 'http://host/files/',
    ...(body === undefined ? {} : { body }),
  });

describe('describeUploadFailure', () => {
  it.each([
    [0, undefined, /could not reach the receiver at http:\/\/host\/files\/.*Upload endpoint/],
    [401, 'Unauthorized', /access token \(401 Unauthorized\)\. Enter the token/],
    [403, undefined, /403 Forbidden/],
    [404, undefined, /no upload endpoint at http:\/\/host\/files\/ \(404/],
    [
      413,
      'Maximum size exceeded',
      /larger than the receiver accepts \(413 Payload Too Large\): Maximum size exceeded\./,
    ],
    [
      400,
      'Refused "../x": a path may not contain "..".',
      /\(400\): Refused "\.\.\/x": a path may not contain "\.\."\.$/,
    ],
    [500, '<html>oops</html>', /failed on the receiver \(500\)\. Retry/],
    [507, undefined, /disk is full/],
    [460, 'SHA-256 mismatch', /arrived with other bytes than were sent \(460\).*not stored\. Retry it/],
    [418, 'teapot', /\(418\): teapot\. Check the file/],
  ])('explains status %d (body %s)', (status, body, expected) => {
    const sentence = describeStatus(status, body);
    expect(sentence).toMatch(expected);
    expect(sentence.startsWith('"a/b.jpg"')).toBe(true);
  });
});

describe('failureCause', () => {
  it.each([
    [0, 'receiver not reachable'],
    [401, 'access token refused (401)'],
    [413, 'larger than the receiver accepts (413)'],
    [460, 'changed on the way (460)'],
    [503, 'receiver error (503)'],
    [400, 'refused by the receiver (400)'],
  ])('names status %d as %s', (status, cause) => expect(failureCause(status)).toBe(cause));
});

describe('sentences for requests that never reached the tus server', () => {
  it('names a blocked request, the server, the likely cause and the fix', () => {
    const sentence = describeBlockedRequest('a/b.jpg', 'http://127.0.0.1:9000/files/');
    expect(sentence).toMatch(
      /^"a\/b\.jpg" could not be sent: the server at http:\/\/127\.0\.0\.1:9000 answers/,
    );
    expect(sentence).toContain('refuses a header the app sent');
    expect(sentence).toContain('Access-Control-Allow-Headers');
  });

  it('names a body limit below the smallest chunk and how to raise it', () => {
    expect(describeBodyLimit('a/b.jpg', 'https://tus.example/up/', 256 * 1024)).toBe(
      '"a/b.jpg" could not be sent: the server at https://tus.example, or a proxy before it, refuses requests of 256 KiB (413 Payload Too Large), the smallest the app sends. Raise its limit on request bodies (for nginx, client_max_body_size), then retry.',
    );
  });
});
