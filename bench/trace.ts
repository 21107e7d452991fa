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
import { frameNamer, type ProfileNode } from './profile.ts';

export const tracing = process.env.BENCH_TRACE;

interface TraceEvent {
  name: string;
  ph: string;
  id?: string;
  ts: number;
  dur?: number;
  /** The thread's own CPU time in the event (its wall time `dur` includes waiting for a core). */
  tdur?: number;
  pid: number;
  tid: number;
  args?: {
    name?: string;
    data?: {
      stackTrace?: { functionName: string; url: string; lineNumber: number }[];
      // Profile and ProfileChunk events of the CPU profiler.
      startTime?: number;
      cpuProfile?: { nodes?: (ProfileNode & { parent?: number })[]; samples?: number[] };
      timeDeltas?: number[];
    };
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
  // Sampled stacks, to name the functions a long task ran.
  'disabled-by-default-v8.cpu_profiler',
  ...(process.env.BENCH_TRACE_MORE
    ? [
        'toplevel',
        'blink_gc',
        'cppgc',
        'disabled-by-default-cppgc',
        'mojom',
        'disabled-by-default-toplevel.flow',
      ]
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

/**
 * Starts tracing `page`; the returned function stops, writes `<dir>/<name>.json` and returns a summary. With the
 * served app's folder (`appDir`), the functions sampled in each long task are named through its source maps.
 */
export async function startTrace(page: Page, name: string, appDir?: string): Promise<() => Promise<string>> {
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
    // One string of a long run's events can pass V8's longest string: the file is written in pieces.
    const out = createWriteStream(file);
    out.write('{"traceEvents":[\n');
    for (let i = 0; i < events.length; i += 10_000) {
      const piece = events.slice(i, i + 10_000).map((e) => JSON.stringify(e));
      if (!out.write(`${i === 0 ? '' : ',\n'}${piece.join(',\n')}`)) await once(out, 'drain');
    }
    out.end('\n]}');
    await finished(out);
    const summary = summariseTrace(events, appDir);
    return `  trace in ${file}\n${summary}`;
  };
}

interface Sample {
  /** When it was taken, on the trace's clock (µs). */
  ts: number;
  /** The time since the sample before it (µs): what this sample stands for. */
  us: number;
  node: number;
  profile: string;
}

/** The CPU profiler's samples of the given threads, and the call tree of each profile. */
function sampled(events: readonly TraceEvent[], threads: ReadonlySet<string>) {
  const profiles = new Set(
    events
      .filter((e) => e.name === 'Profile' && threads.has(`${e.pid}:${e.tid}`))
      .map((e) => `${e.pid}:${e.id}`),
  );
  const clocks = new Map<string, number>();
  for (const e of events) {
    if (e.name === 'Profile' && profiles.has(`${e.pid}:${e.id}`)) {
      clocks.set(`${e.pid}:${e.id}`, e.args?.data?.startTime ?? e.ts);
    }
  }
  const nodes = new Map<string, Map<number, ProfileNode & { parent?: number }>>();
  const samples: Sample[] = [];
  for (const e of events.filter((e) => e.name === 'ProfileChunk').sort((a, b) => a.ts - b.ts)) {
    const profile = `${e.pid}:${e.id}`;
    if (!profiles.has(profile)) continue;
    const tree = nodes.get(profile) ?? new Map();
    nodes.set(profile, tree);
    for (const node of e.args?.data?.cpuProfile?.nodes ?? []) tree.set(node.id, node);
    const deltas = e.args?.data?.timeDeltas ?? [];
    let clock = clocks.get(profile) ?? 0;
    (e.args?.data?.cpuProfile?.samples ?? []).forEach((node, i) => {
      const us = deltas[i] ?? 0;
      clock += us;
      samples.push({ ts: clock, us, node, profile });
    });
    clocks.set(profile, clock);
  }
  return { samples, nodes };
}

/** A sampled frame with the fields the trace leaves out when empty. */
const frameOf = ({ callFrame: f }: Partial<ProfileNode>): ProfileNode['callFrame'] => ({
  functionName: f?.functionName ?? '',
  url: f?.url ?? '',
  lineNumber: f?.lineNumber ?? 0,
  columnNumber: f?.columnNumber ?? 0,
});

/**
 * What a task's samples ran: the functions with the most self time, and the app's own functions (src/) nearest
 * the top of each sampled stack, with the time under them.
 */
function sampledIn(
  task: TraceEvent,
  profiled: ReturnType<typeof sampled>,
  name: ReturnType<typeof frameNamer>,
): string[] {
  const end = task.ts + (task.dur ?? 0);
  const self = new Map<string, number>();
  const app = new Map<string, number>();
  for (const sample of profiled.samples) {
    if (sample.ts < task.ts || sample.ts > end) continue;
    const tree = profiled.nodes.get(sample.profile);
    let node = tree?.get(sample.node);
    if (!node) continue;
    const leaf = name(frameOf(node)).key;
    self.set(leaf, (self.get(leaf) ?? 0) + sample.us / 1000);
    for (; node; node = node.parent === undefined ? undefined : tree?.get(node.parent)) {
      const { key, group } = name(frameOf(node));
      if (group.startsWith('src/')) {
        app.set(key, (app.get(key) ?? 0) + sample.us / 1000);
        break;
      }
    }
  }
  const top = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .filter(([, ms]) => ms >= 1)
      .map(([key, ms]) => `${Math.round(ms)} ${key}`)
      .join('; ');
  return [`      sampled self ms: ${top(self)}`, `      under app functions: ${top(app)}`];
}

export function summariseTrace(events: readonly TraceEvent[], appDir?: string, longerThanMs = 50): string {
  const mainThreads = new Set(
    events
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const profiled = appDir ? sampled(events, mainThreads) : null;
  const name = appDir ? frameNamer(appDir) : null;
  const onMain = events.filter((e) => e.ph === 'X' && mainThreads.has(`${e.pid}:${e.tid}`));
  // The profiler's own start (a task of up to 200 ms of CPU at the trace's start) is not the page's.
  const profilerStarts = onMain.filter((e) => e.name === 'CpuProfiler::StartProfiling');
  const tasks = onMain.filter(
    (e) =>
      e.name === 'RunTask' &&
      (e.dur ?? 0) / 1000 > longerThanMs &&
      !profilerStarts.some((p) => p.ts >= e.ts && p.ts <= e.ts + (e.dur ?? 0)),
  );
  if (tasks.length === 0) return `  no main-thread task over ${longerThanMs} ms`;
  const lines: string[] = [];
  // Most CPU first: on a shared machine a task's wall time is mostly waiting for a core.
  for (const task of tasks.sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0)).slice(0, 8)) {
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
      ...(profiled && name ? sampledIn(task, profiled, name) : []),
    );
  }
  return [
    `  ${tasks.length} main-thread tasks over ${longerThanMs} ms, most CPU first (CPU ms by kind):`,
    ...lines,
  ].join('\n');
}
