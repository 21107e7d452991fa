import type { Finding, Status, StatusCounts } from '#core/validation/types';

export function finding(
  path: string,
  status: Status,
  rule: string,
  message: string,
  identifier = '',
): Finding {
  return { path, status, identifier, rule, message };
}

const rank: Readonly<Record<Status, number>> = { skipped: 0, ok: 1, warning: 2, error: 3 };

export function worseStatus(a: Status, b: Status): Status {
  return rank[b] > rank[a] ? b : a;
}

export function isProblem(status: Status): boolean {
  return status === 'warning' || status === 'error';
}

export function emptyCounts(): Record<Status, number> {
  return { ok: 0, warning: 0, error: 0, skipped: 0 };
}

export function countFindings(findings: readonly Finding[]): StatusCounts {
  const counts = emptyCounts();
  for (const f of findings) counts[f.status] += 1;
  return counts;
}
