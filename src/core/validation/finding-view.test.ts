import { describe, expect, it } from 'vitest';
import { FindingView, type FindingQuery } from '#core/validation/finding-view';
import type { Finding, Status } from '#core/validation/types';

const f = (path: string, status: Status, rule: string, identifier = ''): Finding => ({
  path,
  status,
  rule,
  identifier,
  message: `${path} ${rule}`,
});

const findings = [
  f('a.jpg', 'ok', 'ok', 'A'),
  f('b.jpg', 'error', 'common.empty', 'B'),
  f('c.jpg', 'warning', 'common.nfc', 'C'),
  f('d.jpg', 'error', 'symbiota.pattern', 'D'),
  f('e.jpg', 'skipped', 'common.system-file'),
];

const query = (over: Partial<FindingQuery> = {}): FindingQuery => ({
  statuses: [],
  rule: '',
  sort: 'path',
  descending: false,
  start: 0,
  count: 100,
  ...over,
});
const paths = (view: FindingView, q: Partial<FindingQuery>) => view.page(query(q)).rows.map((r) => r.path);

describe('FindingView', () => {
  it('shows everything in path order by default', () => {
    expect(paths(new FindingView(findings), {})).toEqual(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg']);
  });

  it('filters by status and by rule, and counts what matches', () => {
    const view = new FindingView(findings);
    expect(paths(view, { statuses: ['error', 'warning'] })).toEqual(['b.jpg', 'c.jpg', 'd.jpg']);
    expect(view.page(query({ rule: 'common.empty' })).total).toBe(1);
  });

  it('sorts by severity with errors first, keeping path order among equals, and reverses', () => {
    const view = new FindingView(findings);
    expect(paths(view, { sort: 'status' })).toEqual(['b.jpg', 'd.jpg', 'c.jpg', 'a.jpg', 'e.jpg']);
    expect(paths(view, { sort: 'identifier', descending: true })).toEqual([
      'd.jpg',
      'c.jpg',
      'b.jpg',
      'a.jpg',
      'e.jpg',
    ]);
  });

  it('pages through a selection and clamps a page past the end', () => {
    const view = new FindingView(findings);
    expect(view.page(query({ start: 3, count: 1 }))).toMatchObject({
      total: 5,
      start: 3,
      rows: [findings[3]],
    });
    expect(view.page(query({ start: 99, count: 5 }))).toMatchObject({ total: 5, start: 5, rows: [] });
  });

  it('returns the whole current selection for a report', () => {
    expect(
      new FindingView(findings).all({ statuses: ['skipped'], rule: '', sort: 'path', descending: false }),
    ).toEqual([findings[4]]);
  });
});
