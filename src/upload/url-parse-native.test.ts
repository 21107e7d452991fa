import UrlParse from 'url-parse';
import { describe, expect, it } from 'vitest';
import ResolvedUrl from './url-parse-native';

// Called with `new`, as tus-js-client calls url-parse; a function that returns an object gives that object.
const resolved = (link: string, origin: string) =>
  new (ResolvedUrl as unknown as new (a: string, b: string) => { toString(): string })(
    link,
    origin,
  ).toString();

describe('the native stand-in for url-parse', () => {
  it.each([
    ['/files/0a1b2c', 'http://127.0.0.1:8080/files/'],
    ['0a1b2c', 'http://127.0.0.1:8080/files/'],
    ['https://uploads.example.org/tus/abc', 'http://127.0.0.1:8080/files/'],
    ['/files/a%20b?x=1#frag', 'https://portal.example.org:8443/files/'],
    ['../other/abc', 'http://localhost/base/files/'],
  ])('resolves %s against %s as url-parse does', (link, origin) => {
    expect(resolved(link, origin)).toBe(new UrlParse(link, origin).toString());
  });

  it('keeps an address the browser cannot parse as it was', () => {
    expect(resolved('http://[not-an-address/files/1', 'also not a base')).toBe(
      'http://[not-an-address/files/1',
    );
  });
});
