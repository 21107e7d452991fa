/**
 * Watches the receiver's tus requests (without answering them) so a slow upload can be explained: how many
 * requests of each kind, how long the server held each one after its body had arrived, and how long the
 * connection pool sat idle between requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Seen {
  readonly method: string;
  readonly start: number;
  status: number;
  bodyEnd: number;
  finish: number;
  aborted?: boolean;
}

export interface RequestSummary {
  /** Requests by method and status, e.g. { 'POST 201': 1, 'PATCH 204': 32 }; 'aborted' when the client hung up. */
  readonly counts: Record<string, number>;
  /** From the first request's arrival to the last response. */
  readonly spanMs: number;
  /** Summed time requests spent receiving their bodies. */
  readonly bodyMs: number;
  /** Summed time from a body's last byte to the response (the receiver's own work). */
  readonly serverMs: number;
  /** Time inside the span with no request open at all (the client's own gaps). */
  readonly idleMs: number;
  readonly slowestServerMs: number;
}

export class RequestLog {
  #seen: Seen[] = [];
  #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  /** An extraHandler that only watches: it always returns false. */
  readonly watch = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!(req.url ?? '').startsWith(this.#prefix)) return false;
    const seen: Seen = {
      method: req.method ?? '?',
      start: performance.now(),
      status: 0,
      bodyEnd: 0,
      finish: 0,
    };
    this.#seen.push(seen);
    // Only 'end' and 'finish' are watched: a 'data' listener would start the body flowing before the receiver
    // reads it, and the receiver would lose those bytes.
    req.on('end', () => {
      seen.bodyEnd = performance.now();
    });
    res.on('close', () => {
      if (seen.finish === 0) seen.aborted = true;
    });
    res.on('finish', () => {
      seen.finish = performance.now();
      seen.status = res.statusCode;
      if (seen.bodyEnd === 0) seen.bodyEnd = seen.finish;
    });
    return false;
  };

  reset(): void {
    this.#seen = [];
  }

  summary(): RequestSummary {
    const counts: Record<string, number> = {};
    for (const s of this.#seen) {
      const key = `${s.method} ${s.aborted ? 'aborted' : s.status || 'open'}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    const done = this.#seen.filter((s) => s.finish > 0).sort((a, b) => a.start - b.start);
    let bodyMs = 0;
    let serverMs = 0;
    let slowestServerMs = 0;
    let idleMs = 0;
    let openUntil = done[0]?.start ?? 0;
    for (const s of done) {
      bodyMs += s.bodyEnd - s.start;
      serverMs += s.finish - s.bodyEnd;
      slowestServerMs = Math.max(slowestServerMs, s.finish - s.bodyEnd);
      if (s.start > openUntil) idleMs += s.start - openUntil;
      openUntil = Math.max(openUntil, s.finish);
    }
    const first = done[0];
    return {
      counts,
      spanMs: first ? openUntil - first.start : 0,
      bodyMs,
      serverMs,
      idleMs,
      slowestServerMs,
    };
  }
}

export function describeRequests(s: RequestSummary): string {
  const counts = Object.entries(s.counts)
    .map(([kind, n]) => `${n}× ${kind}`)
    .join(', ');
  const ms = (x: number) => `${Math.round(x)} ms`;
  return `${counts}; span ${ms(s.spanMs)}, bodies ${ms(s.bodyMs)}, receiver after body ${ms(s.serverMs)} (slowest ${ms(s.slowestServerMs)}), no request open ${ms(s.idleMs)}`;
}
