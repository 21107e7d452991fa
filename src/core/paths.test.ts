import { describe, expect, it } from 'vitest';
import { sanitizeBatchName, sanitizeRelativePath, suggestBatchName, utf8Length } from '#core/paths';

const long255 = 'a'.repeat(251) + '.jpg';
const long256 = 'a'.repeat(252) + '.jpg';
// 'ü' is two bytes in UTF-8, so 128 of them make 256 bytes in only 128 characters.
const umlauts256 = 'ü'.repeat(128);

describe('sanitizeRelativePath', () => {
  it.each([
    ['a non-ASCII name with spaces', 'Sammlung Müller/Käfer 01.jpg', 'Sammlung Müller/Käfer 01.jpg'],
    ['a plain file name', 'IMG_0001.JPG', 'IMG_0001.JPG'],
    ['mixed case and several dots', 'Deriva/images/KM-123-1.ome.tif', 'Deriva/images/KM-123-1.ome.tif'],
    ['backslashes, as separators', 'Sammlung\\Käfer\\01.jpg', 'Sammlung/Käfer/01.jpg'],
    ['empty segments, by dropping them', 'a//b.jpg', 'a/b.jpg'],
    ['"." segments, by dropping them', './a/./b.jpg', 'a/b.jpg'],
    ['a trailing slash, by dropping it', 'a/b/', 'a/b'],
    ['a name made of three dots', 'a/.../b', 'a/.../b'],
    ['a hidden file', 'a/.DS_Store', 'a/.DS_Store'],
    ['decomposed Unicode, without normalising it', 'Mu\u0308ller.jpg', 'Mu\u0308ller.jpg'],
    ['an emoji', 'a/🦋.png', 'a/🦋.png'],
    ['a segment of exactly 255 bytes', `x/${long255}`, `x/${long255}`],
  ])('accepts %s', (_what, input, expected) => {
    expect(sanitizeRelativePath(input)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ['an empty path', '', /empty/],
    ['a path of only dots and slashes', './/.', /no file name/],
    ['a ".." in the middle', 'a/../b', /may not contain "\.\."/],
    ['a leading ".."', '../x', /may not contain "\.\."/],
    ['a trailing ".."', 'a/..', /may not contain "\.\."/],
    ['a ".." written with backslashes', 'a\\..\\..\\b', /may not contain "\.\."/],
    ['an absolute Unix path', '/etc/passwd', /relative, not start with a slash/],
    ['a path starting with two slashes', '//server/share', /relative, not start with a slash/],
    ['a Windows UNC path', '\\\\server\\share\\x', /relative, not start with a slash/],
    ['a Windows drive path', 'C:\\x', /drive letter/],
    ['a bare Windows drive', 'C:', /drive letter/],
    ['a Windows drive with a slash', 'd:/x', /drive letter/],
    ['a NUL character', 'a\u0000b', /NUL character/],
    ['a line feed', 'a\nb.jpg', /control character \(U\+000a\)/],
    ['a tab', 'a\tb.jpg', /control character \(U\+0009\)/],
    ['a lone surrogate', 'a\ud800b.jpg', /lone surrogate/],
    ['a segment of 256 ASCII bytes', `x/${long256}`, /256 bytes long in UTF-8, more than the 255/],
    ['a segment of 256 bytes in 128 characters', `x/${umlauts256}`, /256 bytes long in UTF-8/],
    ['a whole path over 4096 bytes', Array.from({ length: 17 }, () => long255).join('/'), /4351 bytes.*4096/],
  ])('refuses %s', (_what, input, reason) => {
    const result = sanitizeRelativePath(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(reason);
      expect(result.reason).toMatch(/^[a-z].*\.$/);
    }
  });

  it('names the over-long segment in the reason', () => {
    const result = sanitizeRelativePath(`ok/${long256}`);
    expect(result).toEqual({
      ok: false,
      reason: `the name "${'a'.repeat(40)}…" is 256 bytes long in UTF-8, more than the 255 bytes a file system allows.`,
    });
  });

  it('reads as one sentence after the refused path', () => {
    const result = sanitizeRelativePath('../x.jpg');
    expect(result.ok ? '' : `Refused "../x.jpg": ${result.reason}`).toBe(
      'Refused "../x.jpg": a path may not contain "..".',
    );
  });
});

describe('sanitizeBatchName', () => {
  it.each([
    ['a suggested name', 'Herbarium-2026-11-21T05-02-36Z'],
    ['spaces and non-ASCII letters', 'Sammlung Müller 2026'],
    ['dots after the first character', 'run.1.final'],
    ['a name of exactly 255 bytes', long255],
  ])('accepts %s unchanged', (_what, input) => {
    expect(sanitizeBatchName(input)).toEqual({ ok: true, name: input });
  });

  it.each([
    ['an empty name', '', /empty/],
    ['a slash', 'a/b', /may not contain "\/"/],
    ['a backslash', 'a\\b', /may not contain "\/" or "\\"/],
    ['a leading dot', '.hidden', /start with a dot/],
    ['"."', '.', /start with a dot/],
    ['".."', '..', /start with a dot/],
    ['a NUL character', 'a\u0000b', /NUL character/],
    ['a carriage return', 'a\rb', /control character \(U\+000d\)/],
    ['a name of 256 bytes', umlauts256, /256 bytes long in UTF-8/],
  ])('refuses %s', (_what, input, reason) => {
    const result = sanitizeBatchName(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('suggestBatchName', () => {
  const date = new Date('2026-11-21T05:02:36.789Z');

  it.each([
    ['a plain folder name', 'Herbarium', 'Herbarium-2026-11-21T05-02-36Z'],
    [
      'spaces and umlauts, replaced by underscores',
      'Sammlung Müller',
      'Sammlung_M_ller-2026-11-21T05-02-36Z',
    ],
    ['an emoji, replaced by a single underscore', 'a🦋b', 'a_b-2026-11-21T05-02-36Z'],
    ['leading dots and underscores, trimmed', '.._.x', 'x-2026-11-21T05-02-36Z'],
    ['an empty name, with "batch"', '', 'batch-2026-11-21T05-02-36Z'],
    ['a name of only dots, with "batch"', '...', 'batch-2026-11-21T05-02-36Z'],
    ['a name of only symbols, with "batch"', '☃☃', 'batch-2026-11-21T05-02-36Z'],
    ['a very long name, capped at 80 characters', 'x'.repeat(200), `${'x'.repeat(80)}-2026-11-21T05-02-36Z`],
  ])('turns %s into a safe name', (_what, folder, expected) => {
    expect(suggestBatchName(folder, date)).toBe(expected);
  });

  it.each(['Herbarium', '', '.git', 'a/b\\c', 'ü'.repeat(300)])(
    'suggests a name that sanitizeBatchName accepts for %j',
    (folder) => {
      const name = suggestBatchName(folder, date);
      expect(sanitizeBatchName(name)).toEqual({ ok: true, name });
    },
  );
});

describe('utf8Length', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['ü', 2],
    ['€', 3],
    ['🦋', 4],
  ])('counts %j as %d bytes', (text, bytes) => {
    expect(utf8Length(text)).toBe(bytes);
  });
});
