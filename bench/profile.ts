/**
 * Optional diagnosis (BENCH_PROFILE=1): a CPU profile of the page's main thread during an app run, summarised
 * as the functions with the most self time, mapped back to the app's sources through dist/'s source maps.
 * BENCH_PROFILE_DIR=/some/dir also keeps the page's raw profile there (open it in Chromium's DevTools), with the
 * page's long tasks and its clock at the profile's start, so each long task's samples can be looked at, and the
 * receiver's raw profile beside it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { BenchWindow } from './browser.ts';
import type { BenchReceiver } from './receiver.ts';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export const profiling = Boolean(process.env.BENCH_PROFILE);

/**
 * Starts sampling the page's main thread and the receiver's process; the returned function stops both and
 * returns a few lines of summary.
 */
export async function startProfile(
  page: Page,
  appDir: string,
  receiver: BenchReceiver,
): Promise<() => Promise<string>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  // The page's clock when sampling began, to place the page's long tasks on the profile's time line.
  const startedAt = await page.evaluate(() => performance.now());
  await receiver.startProfile();
  return async () => {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
    await cdp.detach().catch(() => undefined);
    const receiverProfile = (await receiver.stopProfile()) as Profile;
    if (process.env.BENCH_PROFILE_DIR) {
      const longTasks = await page.evaluate(() => (window as unknown as BenchWindow).__bench.longTasks);
      const stamp = Date.now();
      const file = path.join(process.env.BENCH_PROFILE_DIR, `page-${stamp}`);
      writeFileSync(`${file}.cpuprofile`, JSON.stringify(profile));
      writeFileSync(`${file}.tasks.json`, JSON.stringify({ startedAt, longTasks }));
      writeFileSync(
        path.join(process.env.BENCH_PROFILE_DIR, `receiver-${stamp}.cpuprofile`),
        JSON.stringify(receiverProfile),
      );
    }
    return [
      summarise('page main thread', profile, appDir),
      summarise('receiver process', receiverProfile, appDir),
    ].join('\n');
  };
}

/** Names a sampled frame as `name source:line` (through dist/'s source maps), with its group (a package, an app
 * or server file, or the engine). */
export function frameNamer(
  appDir: string,
): (frame: ProfileNode['callFrame']) => { key: string; group: string } {
  const maps = new Map<string, SourceMap | null>();
  const sourceMap = (file: string): SourceMap | null => {
    let map = maps.get(file);
    if (map === undefined) {
      const mapFile = path.join(appDir, `${file}.map`);
      map = existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null;
      maps.set(file, map);
    }
    return map;
  };
  return (frame) => {
    let name = frame.functionName || '(anonymous)';
    let source = frame.url;
    let line = frame.lineNumber + 1;
    if (/^https?:/.test(frame.url)) {
      const file = new URL(frame.url).pathname;
      const entry = sourceMap(file)?.findEntry(frame.lineNumber, frame.columnNumber) as
        { originalSource?: string; originalLine?: number; name?: string } | undefined;
      source = entry?.originalSource ?? file;
      line = entry?.originalSource ? (entry.originalLine ?? 0) + 1 : line;
      name = entry?.name || name;
    }
    source = source.replace(/^file:\/\//, '').replace(/^.*?(node_modules\/|src\/|server\/|bench\/)/, '$1');
    if (!source)
      return {
        key: frame.functionName,
        group: frame.functionName.startsWith('(') ? frame.functionName : '(native)',
      };
    const group = source.startsWith('node_modules/')
      ? (/^node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(source)?.[1] ?? source)
      : source.startsWith('node:')
        ? 'node:internal'
        : source;
    return { key: `${name} ${source}:${line}`, group };
  };
}

function summarise(title: string, profile: Profile, appDir: string, top = 10): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const where = frameNamer(appDir);
  const self = new Map<string, number>();
  const groups = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  let idle = 0;
  for (let i = 0; i < samples.length; i += 1) {
    const node = byId.get(samples[i] as number);
    const ms = (deltas[i + 1] ?? 0) / 1000;
    if (!node) continue;
    total += ms;
    const { key, group } = where(node.callFrame);
    if (key === '(idle)') {
      idle += ms;
      continue;
    }
    self.set(key, (self.get(key) ?? 0) + ms);
    groups.set(group, (groups.get(group) ?? 0) + ms);
  }
  const list = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, ms]) => `    ${Math.round(ms).toString().padStart(6)} ms  ${key}`);
  const busy = total - idle;
  return [
    `  ${title}: ${Math.round(total)} ms sampled, ${Math.round(busy)} ms busy (${Math.round((busy / Math.max(total, 1)) * 100)}%). Self time by group:`,
    ...list(groups, 6),
    '  by function:',
    ...list(self, top),
  ].join('\n');
}
