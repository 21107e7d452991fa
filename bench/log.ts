/** Progress lines with the time since the bench started, so a human watching sees it is alive. */
import { loadavg } from 'node:os';
const startedAt = performance.now();

export function elapsed(): string {
  return `${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)} s`;
}

export function progress(scenario: string, step: string): void {
  console.log(`[${elapsed()}] ${scenario.padEnd(24)} ${step}`);
}

/** Runs `work`, logging its start and how long it took; returns its result and the duration in ms. */
export async function step<T>(scenario: string, what: string, work: () => Promise<T>): Promise<[T, number]> {
  progress(scenario, `${what}…`);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  progress(scenario, `${what}: done in ${formatMs(ms)}`);
  return [result, ms];
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** MB (10^6 bytes) per second. */
export function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The machine's 1-, 5- and 15-minute load averages, to print beside a figure (others may share the cores). */
export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
