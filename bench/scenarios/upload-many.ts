/**
 * Many files uploaded by the app, against raw PUTs of the same files over 6 concurrent connections (6 async loops
 * over a shared index); files per second; raw and app alternate:
 * - upload-5000x10kb: 5,000 files of 10 KB, where the cost of each request weighs most;
 * - upload-1000x250kb: 1,000 files of 250 KB, read together for their checksums when Start is pressed at once;
 * - upload-300x3mb: 300 files of 3 MB, as most camera JPEGs, each streamed for its checksum when pressed at once.
 */
import { PAYLOAD_DIR } from '#core/protocol';
import path from 'node:path';
import {
  AppProblem,
  openApp,
  scanWithApp,
  setBatch,
  settleCheck,
  uploadWithApp,
  waitToStart,
  type StartWhen,
  longestTaskOfRaw,
  alternateStarts,
  longestOver,
  medianRate,
} from '../app.ts';
import { formatMs, progress, step } from '../log.ts';
import { inWorker, makeTreeInWorker, rawPutMany } from '../opfs.ts';
import { profiling, startProfile } from '../profile.ts';
import { startTrace, tracing } from '../trace.ts';
import { RAW_PREFIX } from '../raw-handler.ts';
import { describeRequests } from '../request-log.ts';
import {
  checkAnnounced,
  clearReceived,
  longestTaskSpec,
  rawLongestTaskSpec,
  RUNS,
  tally,
  type BenchEnv,
  type Outcome,
  type Scenario,
} from '../scenario.ts';

const CONNECTIONS = 6;
const UPLOAD_TIMEOUT = 300_000;
const perSecond = (files: number, ms: number) => files / (ms / 1000);

interface ManyFiles {
  readonly label: string;
  readonly folders: number;
  readonly filesPerFolder: number;
  /** Bytes of each file. */
  readonly size: number;
  readonly seed: number;
  /** The lowest ratio each start may reach. */
  readonly bars: { readonly reviewed: number; readonly atOnce: number };
}

function manyFilesScenario(shape: ManyFiles): Scenario {
  const { label, folders, size } = shape;
  const files = folders * shape.filesPerFolder;
  return {
    label,
    specs: [
      {
        name: label,
        unit: 'files/s',
        bar: { on: 'ratio', op: '≥', limit: shape.bars.reviewed },
        decimals: 0,
        aggregation: `${files} OPFS files of ${size / 1000} KB in ${folders} folders, target Custom pattern (SHA-256 of each file announced and verified); app: files / (click on Start upload → "Upload complete"), pressed once the checksums the app computes by itself after the check are done (not timed); baseline: ${CONNECTIONS} loops of getFile() + fetch(PUT); median of ${RUNS} runs each, alternating`,
      },
      {
        name: `${label}-at-once`,
        unit: 'files/s',
        bar: { on: 'ratio', op: '≥', limit: shape.bars.atOnce },
        decimals: 0,
        aggregation: `as ${label}, but Start upload pressed as soon as the check is done, so the files are hashed during the transfer; same baseline`,
      },
      longestTaskSpec(`${label}-longest-task`, 'the app uploads (click → "Upload complete"), both starts'),
      rawLongestTaskSpec(
        `${label}-raw-longest-task`,
        `the raw PUTs of the baseline (no bar: what the machine's load does to a page that only sends)`,
      ),
    ],
    run: (env) => runMany(env, shape),
  };
}

export const uploadManyScenario = manyFilesScenario({
  label: 'upload-5000x10kb',
  folders: 5,
  filesPerFolder: 1000,
  size: 10_000,
  seed: 4,
  bars: { reviewed: 0.8, atOnce: 0.9 },
});

export const uploadMidScenario = manyFilesScenario({
  label: 'upload-1000x250kb',
  folders: 2,
  filesPerFolder: 500,
  size: 250_000,
  seed: 12,
  bars: { reviewed: 0.8, atOnce: 0.8 },
});

export const uploadJpegScenario = manyFilesScenario({
  label: 'upload-300x3mb',
  folders: 3,
  filesPerFolder: 100,
  size: 3_000_000,
  seed: 13,
  bars: { reviewed: 0.8, atOnce: 0.8 },
});

async function runMany(env: BenchEnv, shape: ManyFiles): Promise<Record<string, Outcome>> {
  const { label, folders: FOLDERS, filesPerFolder: FILES_PER_FOLDER, size: SIZE } = shape;
  const ROOT = `bench-${label}`;
  const FILES = FOLDERS * FILES_PER_FOLDER;
  const { page, close } = await env.openContext(label);

  const rawRun = async (run: number): Promise<{ rate: number; longestTaskMs: number }> => {
    await clearReceived(env);
    await openApp(page, env.url);
    await env.receiver.reset();
    const [put] = await step(label, `run ${run}/${RUNS}: baseline raw PUTs`, () =>
      page.evaluate(rawPutMany, {
        root: ROOT,
        urlPrefix: `${env.url}${RAW_PREFIX.slice(1)}raw-${run}-`,
        concurrency: CONNECTIONS,
      }),
    );
    const { cpuMs } = await env.receiver.report();
    const stored = await tally(env.rawDir);
    if (put.files !== FILES || stored.files !== FILES || stored.bytes !== FILES * SIZE) {
      throw new Error(`raw PUTs: sent ${put.files}, stored ${stored.files} files / ${stored.bytes} bytes`);
    }
    const rate = perSecond(put.files, put.ms);
    progress(
      label,
      `run ${run}/${RUNS}: raw ${formatMs(put.ms)} = ${rate.toFixed(0)} files/s; receiver CPU ${formatMs(cpuMs)}`,
    );
    const longestTaskMs = await longestTaskOfRaw(page, put);
    await clearReceived(env);
    return { rate, longestTaskMs };
  };

  const appRun = async (
    run: number | 'profiled',
    when: StartWhen,
  ): Promise<{ rate: number; longestTaskMs: number }> => {
    const tag = `${run === 'profiled' ? 'profiled run (not counted)' : `run ${run}/${RUNS}`}, ${when}`;
    await clearReceived(env);
    await openApp(page, env.url);
    await page.getByLabel('Target').selectOption('custom');
    const scan = await scanWithApp(page, ROOT, FILES, 120_000);
    checkAnnounced(env, label, tag, scan, FILES);
    const headline = await settleCheck(page, 120_000);
    if (headline) progress(label, `${tag}: check: ${headline}`);
    await waitToStart(page, when, UPLOAD_TIMEOUT, (text) => progress(label, `${tag}: ${text}`));
    const batch = `bench-many-${run}-${when}`;
    await setBatch(page, batch);
    await env.receiver.reset();
    const stopProfile = run === 'profiled' ? await startProfile(page, env.appDir, env.receiver) : null;
    const stopTrace = tracing && run === 1 ? await startTrace(page, `${label}-${when}`, env.appDir) : null;
    const [upload] = await step(label, `${tag}: app upload`, () =>
      uploadWithApp(page, { expectedFiles: FILES, timeout: UPLOAD_TIMEOUT, sampleHeap: false }),
    );
    const seen = await env.receiver.report();
    const profile = stopProfile ? await stopProfile() : '';
    if (stopTrace) console.log(await stopTrace());
    const arrived = await tally(path.join(env.uploadDir, batch, PAYLOAD_DIR));
    if (arrived.files !== FILES || arrived.bytes !== FILES * SIZE) {
      throw new AppProblem(
        `the receiver holds ${arrived.files} files / ${arrived.bytes} bytes, expected ${FILES} / ${FILES * SIZE}`,
      );
    }
    const rate = perSecond(FILES, upload.ms);
    progress(
      label,
      `${tag}: app ${formatMs(upload.ms)} = ${rate.toFixed(0)} files/s; longest task ${upload.longestTaskMs} ms; receiver CPU ${formatMs(seen.cpuMs)}`,
    );
    progress(label, `${tag}: receiver saw ${describeRequests(seen.requests)}`);
    if (profile) console.log(profile);
    await clearReceived(env);
    return { rate, longestTaskMs: upload.longestTaskMs };
  };

  try {
    await openApp(page, env.url);
    await step(label, `generate ${FOLDERS} folders × ${FILES_PER_FOLDER} files of ${SIZE} B`, () =>
      inWorker(page, makeTreeInWorker, {
        root: ROOT,
        folders: FOLDERS,
        filesPerFolder: FILES_PER_FOLDER,
        size: SIZE,
        seed: shape.seed,
        concurrency: 16,
      }),
    );
    const runs = await alternateStarts(RUNS, rawRun, appRun);
    // One profiled run of each start, not counted.
    if (profiling) for (const when of ['reviewed', 'at-once'] as const) await appRun('profiled', when);
    return {
      [label]: { value: medianRate(runs.reviewed), baseline: medianRate(runs.raw) },
      [`${label}-at-once`]: { value: medianRate(runs.atOnce), baseline: medianRate(runs.raw) },
      [`${label}-longest-task`]: { value: longestOver([...runs.reviewed, ...runs.atOnce]), baseline: null },
      [`${label}-raw-longest-task`]: { value: longestOver(runs.raw), baseline: null },
    };
  } finally {
    await close();
    await clearReceived(env);
  }
}
