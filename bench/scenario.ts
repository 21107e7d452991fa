/** What every scenario module shares: the environment run.ts sets up, and the shape of what a scenario returns. */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { AppScan } from './app.ts';
import type { BenchContext } from './browser.ts';
import { step } from './log.ts';
import { inWorker, makeBigFileInWorker, makeTreeInWorker, type TreeMade } from './opfs.ts';
import type { Bar } from './report.ts';
import type { BenchReceiver } from './receiver.ts';

export interface BenchEnv {
  /** The app's URL, e.g. http://127.0.0.1:PORT/ (the tus endpoint is `${url}files/`). */
  readonly url: string;
  /** The built app being served (a copy of dist/), for source maps. */
  readonly appDir: string;
  /** The receiver's upload folder: `<uploadDir>/<batch>/data/<relativePath>`. */
  readonly uploadDir: string;
  /** Where the raw PUT baseline handler writes. */
  readonly rawDir: string;
  /** The receiver's process: its tus requests and CPU since a reset, for explaining slow uploads, and profiles. */
  readonly receiver: BenchReceiver;
  openContext(label: string): Promise<BenchContext>;
  /** Records an app problem seen on the way (printed at once and again under the table). */
  warn(scenario: string, text: string): void;
}

export interface Spec {
  readonly name: string;
  readonly unit: string;
  /** Null: reported with its ratio to the baseline, held to no bar. */
  readonly bar: Bar | null;
  readonly decimals: number;
  readonly aggregation: string;
}

export interface Outcome {
  readonly value: number;
  readonly baseline: number | null;
}

export interface Scenario {
  readonly label: string;
  readonly specs: readonly Spec[];
  /** Returns one outcome per spec name. Throws AppProblem when the app fails the scenario. */
  run(env: BenchEnv): Promise<Record<string, Outcome>>;
}

/** Runs per side; BENCH_RUNS overrides it for quick looks (the bars are meant for 3). */
export const RUNS = Number(process.env.BENCH_RUNS) || 3;

/** Empties the receiver's folders between runs: what arrived, leftovers of cancelled uploads, raw PUTs. */
export async function clearReceived(env: BenchEnv): Promise<void> {
  for (const dir of [env.uploadDir, path.join(env.uploadDir, '.partial'), env.rawDir]) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      entries
        .filter((name) => !(dir === env.uploadDir && name === '.partial'))
        .map((name) => rm(path.join(dir, name), { recursive: true, force: true })),
    );
  }
}

/** Files and bytes below `dir` (0 and 0 when it does not exist). */
export async function tally(dir: string): Promise<{ files: number; bytes: number }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let files = 0;
  let bytes = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

/** Warns when the app announced the end of its scan before it had counted every file. */
export function checkAnnounced(
  env: BenchEnv,
  scenario: string,
  tag: string,
  scan: AppScan,
  files: number,
): void {
  if (scan.announcedFiles !== null && scan.announcedFiles !== files) {
    env.warn(
      scenario,
      `${tag}: the app announced "Scan complete: ${scan.announcedFiles.toLocaleString('en-US')} files" for a folder of ${files.toLocaleString('en-US')} (its panel showed "${scan.summary}" a second later)`,
    );
  }
}

/** The spec of a scenario's "longest main-thread task" figure: at most 50 ms, the max over the runs. */
export function longestTaskSpec(name: string, during: string): Spec {
  return {
    name,
    unit: 'ms',
    bar: { on: 'value', op: '≤', limit: 50 },
    decimals: 0,
    aggregation: `longest main-thread long task overlapping ${during}; max over ${RUNS} runs`,
  };
}

/** The same, for a baseline's run on the page: reported beside the app's, without a bar. */
export function rawLongestTaskSpec(name: string, during: string): Spec {
  return { ...longestTaskSpec(name, during), bar: null };
}

/** Makes `<root>` with `folders` × `filesPerFolder` empty files in the page's OPFS, as a step of `label`. */
export async function emptyTree(
  page: Page,
  label: string,
  tree: {
    readonly root: string;
    readonly folders: number;
    readonly filesPerFolder: number;
    readonly seed: number;
  },
): Promise<void> {
  await step(label, `generate ${tree.folders} folders × ${tree.filesPerFolder} empty files in OPFS`, () =>
    inWorker(page, makeTreeInWorker, { ...tree, size: 0, concurrency: 64 }),
  );
}

/** The 1 GiB OPFS file of the big-file scenarios. */
export const BIG_FILE = { root: 'bench-1gib', name: 'specimen-1GiB.bin', size: 1024 ** 3 } as const;
const BIG_FILE_CHUNK = 16 * 1024 ** 2;

/** Writes {@link BIG_FILE} (xorshift bytes, always the same) in the page's OPFS, as a step of `label`. */
export async function bigFile(page: Page, label: string): Promise<TreeMade> {
  const [made] = await step(
    label,
    `write a 1 GiB file in OPFS (${BIG_FILE_CHUNK / 1024 ** 2} MiB chunks, sync access handle)`,
    () => inWorker(page, makeBigFileInWorker, { ...BIG_FILE, chunk: BIG_FILE_CHUNK, seed: 3 }),
  );
  return made;
}
