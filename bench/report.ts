/** The bench's output: `bench/results.json` and the same as a markdown table on stdout. */
import { writeFile } from 'node:fs/promises';

export type Bar =
  | { readonly on: 'ratio'; readonly op: '≤' | '≥'; readonly limit: number }
  | { readonly on: 'value'; readonly op: '≤' | '≥'; readonly limit: number };

export interface Measurement {
  readonly name: string;
  readonly unit: string;
  /** Null when the scenario could not produce a value (the app failed); it then fails its bar. */
  readonly value: number | null;
  readonly baseline: number | null;
  /** Null for a figure reported with its ratio to the baseline but held to no bar. */
  readonly bar: Bar | null;
  /** Decimals for value and baseline. */
  readonly decimals: number;
  /** How the runs were aggregated, e.g. "median of 3 runs"; printed under the table. */
  readonly aggregation: string;
  /** Why there is no value, when there is none. */
  readonly error?: string;
}

export interface Result {
  readonly name: string;
  readonly value: number | null;
  readonly baseline: number | null;
  readonly ratio: number | null;
  readonly unit: string;
  readonly bar: string;
  /** Null when there is no bar to pass. */
  readonly pass: boolean | null;
}

const round = (x: number, decimals: number) => Math.round(x * 10 ** decimals) / 10 ** decimals;
const holds = (x: number, op: '≤' | '≥', limit: number) => (op === '≤' ? x <= limit : x >= limit);

export function toResult(m: Measurement): Result {
  const { bar } = m;
  const onRatio = bar === null || bar.on === 'ratio';
  const ratio =
    onRatio && m.value !== null && m.baseline !== null && m.baseline > 0 ? m.value / m.baseline : null;
  const checked = onRatio ? ratio : m.value;
  return {
    name: m.name,
    value: m.value === null ? null : round(m.value, m.decimals),
    baseline: onRatio && m.baseline !== null ? round(m.baseline, m.decimals) : null,
    ratio: ratio === null ? null : round(ratio, 2),
    unit: m.unit,
    bar:
      bar === null ? '–' : bar.on === 'ratio' ? `${bar.op} ${bar.limit}` : `${bar.op} ${bar.limit} ${m.unit}`,
    pass:
      bar === null ? null : checked !== null && Number.isFinite(checked) && holds(checked, bar.op, bar.limit),
  };
}

export async function writeResults(file: string, results: readonly Result[]): Promise<void> {
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}

export function markdownTable(measurements: readonly Measurement[], results: readonly Result[]): string {
  const cell = (x: number | null, unit: string, decimals: number) =>
    x === null ? '–' : `${x.toFixed(decimals)} ${unit}`;
  const rows = results.map((r, i) => {
    const m = measurements[i] as Measurement;
    return [
      r.name,
      cell(r.value, r.unit, m.decimals),
      cell(r.baseline, r.unit, m.decimals),
      r.ratio === null ? '–' : r.ratio.toFixed(2),
      r.bar,
      r.pass === null ? '–' : r.pass ? 'pass' : '**FAIL**',
    ];
  });
  const header = ['scenario', 'value', 'baseline', 'ratio', 'bar', 'pass'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] as string).length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, c) => text.padEnd(widths[c] as number)).join(' | ')} |`;
  const notes = measurements.map(
    (m) => `- ${m.name}: ${m.aggregation}${m.error ? `; no value: ${m.error}` : ''}`,
  );
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', ...notes].join('\n');
}
