import { describe, expect, it } from 'vitest';
import { admits, STATUS_CODES, summarise } from '#core/validation/check-summary';
import { validate } from '#core/validation/validate';
import { getProfile } from '#core/profiles/registry';

const files = ['b/WIS-L-0001234_a.jpg', 'a/empty.jpg', '.DS_Store', 'WIS-L-0005678.jpg'].map((path, i) => ({
  path,
  size: path.includes('empty') ? 0 : 100 + i,
  lastModified: 0,
}));
const symbiota = getProfile('symbiota').defaultSettings;

describe('summarise', () => {
  it("gives each file's worst status in scan order, not in the validator's path order", () => {
    const summary = summarise(
      validate(files, 'symbiota', symbiota),
      files.map((f) => f.path),
    );
    // Codes: 0 ok, 1 warning, 2 error, 3 skipped (the empty file is an error, .DS_Store is skipped).
    expect([...summary.fileStatus]).toEqual([0, 2, 3, 0]);
    expect(summary.counts.error).toBeGreaterThanOrEqual(1);
    expect(summary.findingCount).toBeGreaterThanOrEqual(files.length);
  });

  it('lists the rules that fired, errors first', () => {
    const summary = summarise(
      validate(files, 'symbiota', symbiota),
      files.map((f) => f.path),
    );
    expect(summary.rules[0]?.status).toBe('error');
    expect(summary.rules.map((r) => r.rule)).toContain('common.system-file');
    expect(summary.settingsProblems).toEqual([]);
  });

  it('says why nothing was checked when the settings are wrong', () => {
    const broken = { ...symbiota, pattern: '/^WIS-L-\\d{7}/' };
    const summary = summarise(
      validate(files, 'symbiota', broken),
      files.map((f) => f.path),
    );
    expect(summary.settingsProblems).toHaveLength(1);
    expect(summary.settingsProblems[0]).toMatch(/capture/i);
    expect(summary.counts.skipped).toBe(files.length);
  });
});

describe('admitted', () => {
  it('counts the files the upload takes, with files with errors kept out and let in', () => {
    const summary = summarise(
      validate(files, 'symbiota', symbiota),
      files.map((f) => f.path),
    );
    // The empty file is an error; .DS_Store is skipped by the check yet a row the upload may take.
    expect(summary.admitted).toEqual({ withoutErrors: 3, withErrors: 4 });
  });

  it('keeps a name the receiver cannot take out even with errors let in, judged by its own path', () => {
    const named = [...files, { path: 'a\\b/WIS-L-0009999.jpg', size: 10, lastModified: 0 }];
    const checked = named.map((f) => f.path.replace('\\', '_'));
    const summary = summarise(
      validate(
        named.map((f, i) => ({ ...f, path: checked[i] ?? '' })),
        'symbiota',
        symbiota,
      ),
      checked,
      named.map((f) => f.path),
    );
    // Checked as a_b/..., it passes the check, yet its own path holds a backslash: it goes in neither count.
    expect([...summary.fileStatus].at(-1)).toBe(0);
    expect(summary.admitted).toEqual({ withoutErrors: 3, withErrors: 4 });
    expect(admits('a\\b/WIS-L-0009999.jpg', 0, true)).toBe(false);
    expect(admits('a/empty.jpg', STATUS_CODES.indexOf('error'), false)).toBe(false);
    expect(admits('a/empty.jpg', STATUS_CODES.indexOf('error'), true)).toBe(true);
    expect(admits('copy.jpg', undefined, false)).toBe(true);
  });
});
