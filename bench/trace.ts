/**
 * Optional diagnosis (BENCH_TRACE=/some/dir): a Chromium performance trace of the page during an app run, as
 * DevTools' Performance panel records it, kept in that folder (open it there), and summarised as the page's long
 * main-thread tasks with what each was made of: script, style, layout (and, for a layout forced by script, the
 * function that forced it), paint, garbage collection. Each task shows its wall time and the main thread's CPU
 * time in it: on a shared machine the difference is time spent waiting for a core.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import type { CDPSession, Page } from '@playwright/test';

export const tracing = process.env.BENCH_TRACE;

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** The thread's own CPU time in the event (its wall time `dur` includes waiting for a core). */
  tdur?: number;
  pid: number;
  tid: number;
  args?: {
    name?: string;
    data?: { stackTrace?: { functionName: string; url: string; lineNumber: number }[] };
    beginData?: { stackTrace?: { functionName: string; url: string; lineNumber: number }[] };
  };
}

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.stack',
  'v8.execute',
  'blink.user_timing',
  'v8',
  ...(process.env.BENCH_TRACE_MORE
    ? ['toplevel', 'blink_gc', 'mojom', 'disabled-by-default-toplevel.flow']
    : []),
];

/** What a task's time goes to, by the names DevTools shows. */
const KINDS: Record<string, string> = {
  FunctionCall: 'script',
  EvaluateScript: 'script',
  'v8.compile': 'script',
  TimerFire: 'script',
  FireAnimationFrame: 'script',
  EventDispatch: 'script',
  'v8.run': 'script',
  RunMicrotasks: 'script',
  UpdateLayoutTree: 'style',
  Layout: 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  Layerize: 'paint',
  UpdateLayer: 'paint',
  MajorGC: 'gc',
  MinorGC: 'gc',
  'V8.GC_SCAVENGER': 'gc',
  ParseHTML: 'parse',
};

/** Starts tracing `page`; the returned function stops, writes `<dir>/<name>.json` and returns a summary. */
export async function startTrace(page: Page, name: string): Promise<() => Promise<string>> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (message: { value: unknown[] }) =>
    events.push(...(message.value as TraceEvent[])),
  );
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: CATEGORIES },
  } as never);
  return async () => {
    const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await done;
    await cdp.detach().catch(() => undefined);
    const file = path.join(tracing ?? '.', `${name}-${Date.now()}.json`);
    const summary = summariseTrace(events);
    // One string of a long run's events can pass V8's longest string: the file is written in pieces.
    const out = createWriteStream(file);
    out.write('{"traceEvents":[\n');
    for (let i = 0; i < events.length; i += 10_000) {
      const piece = events.slice(i, i + 10_000).map((e) => JSON.stringify(e));
      if (!out.write(`${i === 0 ? '' : ',\n'}${piece.join(',\n')}`)) await once(out, 'drain');
    }
    out.end('\n]}');
    await finished(out);
    return `  trace in ${file}\n${summary}`;
  };
}

export function summariseTrace(events: readonly TraceEvent[], longerThanMs = 50): string {
  const mainThreads = new Set(
    events
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = events.filter((e) => e.ph === 'X' && mainThreads.has(`${e.pid}:${e.tid}`));
  const tasks = onMain.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) / 1000 > longerThanMs);
  if (tasks.length === 0) return `  no main-thread task over ${longerThanMs} ms`;
  const lines: string[] = [];
  for (const task of tasks.sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0)).slice(0, 8)) {
    const end = task.ts + (task.dur ?? 0);
    const inside = onMain.filter(
      (e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end && e.pid === task.pid,
    );
    const byKind = new Map<string, number>();
    const notes: string[] = [];
    for (const event of inside) {
      const kind = KINDS[event.name];
      if (!kind) continue;
      // Count only the outermost event of each kind, so nested script calls are not added twice.
      const nested = inside.some(
        (outer) =>
          outer !== event &&
          KINDS[outer.name] === kind &&
          outer.ts <= event.ts &&
          outer.ts + (outer.dur ?? 0) >= event.ts + (event.dur ?? 0) &&
          (outer.dur ?? 0) > (event.dur ?? 0),
      );
      if (nested) continue;
      byKind.set(kind, (byKind.get(kind) ?? 0) + (event.tdur ?? event.dur ?? 0) / 1000);
      const stack = event.args?.beginData?.stackTrace ?? event.args?.data?.stackTrace;
      if ((kind === 'layout' || kind === 'style') && stack?.[0] && (event.dur ?? 0) > 2000) {
        const top = stack
          .slice(0, 3)
          .map((f) => `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`)
          .join(' < ');
        notes.push(
          `      forced ${event.name} ${Math.round((event.dur ?? 0) / 1000)} ms (CPU ${Math.round((event.tdur ?? 0) / 1000)}) by ${top}`,
        );
      }
    }
    const parts = [...byKind]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, ms]) => `${kind} ${Math.round(ms)}`)
      .join(', ');
    lines.push(
      `    task ${Math.round((task.dur ?? 0) / 1000)} ms, CPU ${Math.round((task.tdur ?? 0) / 1000)} ms: ${parts}`,
      ...notes.slice(0, 5),
    );
  }
  return [`  main-thread tasks over ${longerThanMs} ms (CPU ms by kind):`, ...lines].join('\n');
}
