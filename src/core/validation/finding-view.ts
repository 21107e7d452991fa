/**
 * Filtering, sorting and paging findings where they live (the folder worker), so the page only ever receives the
 * rows in view. A selection is computed once per filter and sort, then sliced for each scroll position.
 */
import type { Finding, Status } from '#core/validation/types';

export type FindingColumn = 'path' | 'status' | 'identifier' | 'rule' | 'message';

export interface FindingQuery {
  /** Statuses to show; empty shows all. */
  readonly statuses: readonly Status[];
  /** A rule id to show alone, or '' for every rule. */
  readonly rule: string;
  readonly sort: FindingColumn;
  readonly descending: boolean;
  readonly start: number;
  readonly count: number;
}

export interface FindingPage {
  /** How many findings match the filter. */
  readonly total: number;
  readonly start: number;
  readonly rows: readonly Finding[];
}

const SEVERITY: Readonly<Record<Status, number>> = { error: 0, warning: 1, ok: 2, skipped: 3 };

export class FindingView {
  readonly #findings: readonly Finding[];
  #key = '';
  #selection: number[] = [];

  constructor(findings: readonly Finding[]) {
    this.#findings = findings;
  }

  page(query: FindingQuery): FindingPage {
    const selection = this.#select(query);
    const start = Math.max(0, Math.min(query.start, selection.length));
    const rows = selection
      .slice(start, start + Math.max(0, query.count))
      .map((i) => this.#findings[i] as Finding);
    return { total: selection.length, start, rows };
  }

  /** Every finding of the current filter and sort, for a report of what the user sees. */
  all(query: Omit<FindingQuery, 'start' | 'count'>): Finding[] {
    return this.#select({ ...query, start: 0, count: 0 }).map((i) => this.#findings[i] as Finding);
  }

  #select(query: FindingQuery): number[] {
    const key = `${[...query.statuses].sort().join(',')}|${query.rule}|${query.sort}|${query.descending}`;
    if (key === this.#key) return this.#selection;
    const statuses = new Set(query.statuses);
    const selection: number[] = [];
    this.#findings.forEach((f, i) => {
      if ((statuses.size === 0 || statuses.has(f.status)) && (query.rule === '' || f.rule === query.rule)) {
        selection.push(i);
      }
    });
    const findings = this.#findings;
    const column = query.sort;
    const direction = query.descending ? -1 : 1;
    // Ties keep path order, which is how the findings arrive.
    selection.sort((a, b) => {
      const fa = findings[a] as Finding;
      const fb = findings[b] as Finding;
      const order =
        column === 'status' ? SEVERITY[fa.status] - SEVERITY[fb.status] : compare(fa[column], fb[column]);
      return order === 0 ? a - b : order * direction;
    });
    this.#key = key;
    this.#selection = selection;
    return selection;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
