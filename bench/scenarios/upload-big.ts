/**
 * upload-1gib, upload-1gib-at-once and upload-1gib-heap: one 1 GiB OPFS file, uploaded by the app (tus, through
 * Uppy) against one raw `fetch(PUT)` of the same File to a plain streaming handler. Raw and app alternate; the
 * page is reloaded and the receiver emptied between runs. The app runs also sample the page's JS heap every 100 ms.
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
import { formatMs, mbPerSecond, progress, step } from '../log.ts';
import { rawPutOne } from '../opfs.ts';
import { profiling, startProfile } from '../profile.ts';
import { startTrace, tracing } from '../trace.ts';
import { RAW_PREFIX } from '../raw-handler.ts';
import { describeRequests } from '../request-log.ts';
import {
  BIG_FILE,
  bigFile,
  checkAnnounced,
  clearReceived,
  longestTaskSpec,
  rawLongestTaskSpec,
  RUNS,
  tally,
  type Scenario,
} from '../scenario.ts';

const { root: ROOT, name: NAME, size: SIZE } = BIG_FILE;
const UPLOAD_TIMEOUT = 300_000;

export const uploadBigScenario: Scenario = {
  label: 'upload-1gib',
  specs: [
    {
      name: 'upload-1gib',
      unit: 'MB/s',
      bar: { on: 'ratio', op: '≥', limit: 0.9 },
      decimals: 1,
      aggregation: `1 GiB OPFS file, target Custom pattern (SHA-256, no MD5); app: bytes / (click on Start upload → "Upload complete" announced), pressed once the SHA-256 the app computes by itself after the check is done (not timed; sha256-1gib times it), so it is announced at creation and verified by the receiver; baseline: one fetch(PUT) of the same File to a pipeline() handler, unverified; MB = 10^6 bytes; median of ${RUNS} runs each, alternating`,
    },
    {
      name: 'upload-1gib-at-once',
      unit: 'MB/s',
      bar: { on: 'ratio', op: '≥', limit: 0.9 },
      decimals: 1,
      aggregation: `as upload-1gib, but Start upload pressed as soon as the check is done, so the XXH3-128 the receiver asks for is computed during the transfer (on the same two cores) and sent on the last request, and the receiver's SHA-256 comes back; same baseline`,
    },
    {
      name: 'upload-1gib-heap',
      unit: 'MB',
      bar: { on: 'value', op: '≤', limit: 150 },
      decimals: 1,
      aggregation: `peak performance.memory.usedJSHeapSize of the page, sampled every 100 ms during each app run of upload-1gib and upload-1gib-at-once; max over those runs; MB = 10^6 bytes`,
    },
    longestTaskSpec('upload-1gib-longest-task', 'the app uploads (click → "Upload complete"), both starts'),
    rawLongestTaskSpec(
      'upload-1gib-raw-longest-task',
      `the raw PUT of the baseline (no bar: what the machine's load does to a page that only sends)`,
    ),
  ],
  async run(env) {
    const label = this.label;
    const { page, close } = await env.openContext(label);

    const rawRun = async (run: number): Promise<{ rate: number; longestTaskMs: number }> => {
      await clearReceived(env);
      await openApp(page, env.url);
      await env.receiver.reset();
      const [put] = await step(label, `run ${run}/${RUNS}: baseline raw PUT`, () =>
        page.evaluate(rawPutOne, {
          root: ROOT,
          name: NAME,
          url: `${env.url}${RAW_PREFIX.slice(1)}raw-${run}.bin`,
        }),
      );
      const { cpuMs } = await env.receiver.report();
      const stored = await tally(env.rawDir);
      if (stored.bytes !== SIZE)
        throw new Error(`the raw handler stored ${stored.bytes} bytes, expected ${SIZE}`);
      const rate = mbPerSecond(put.bytes, put.ms);
      progress(
        label,
        `run ${run}/${RUNS}: raw PUT ${formatMs(put.ms)} = ${rate.toFixed(1)} MB/s; receiver CPU ${formatMs(cpuMs)}`,
      );
      const longestTaskMs = await longestTaskOfRaw(page, put);
      await clearReceived(env);
      return { rate, longestTaskMs };
    };

    const appRun = async (
      run: number | 'profiled',
      when: StartWhen,
    ): Promise<{ rate: number; heapMb: number; longestTaskMs: number }> => {
      const tag = `${run === 'profiled' ? 'profiled run (not counted)' : `run ${run}/${RUNS}`}, ${when}`;
      await clearReceived(env);
      await openApp(page, env.url);
      await page.getByLabel('Target').selectOption('custom');
      const scan = await scanWithApp(page, ROOT, 1, 60_000);
      checkAnnounced(env, label, tag, scan, 1);
      const headline = await settleCheck(page, 120_000);
      if (headline) progress(label, `${tag}: check: ${headline}`);
      await waitToStart(page, when, UPLOAD_TIMEOUT, (text) => progress(label, `${tag}: ${text}`));
      const batch = `bench-1gib-${run}-${when}`;
      await setBatch(page, batch);
      await env.receiver.reset();
      const stopProfile = run === 'profiled' ? await startProfile(page, env.appDir, env.receiver) : null;
      const stopTrace = tracing && run === 1 ? await startTrace(page, `${label}-${when}`, env.appDir) : null;
      const [upload] = await step(label, `${tag}: app upload`, () =>
        uploadWithApp(page, { expectedFiles: 1, timeout: UPLOAD_TIMEOUT, sampleHeap: true }),
      );
      const seen = await env.receiver.report();
      const profile = stopProfile ? await stopProfile() : '';
      if (stopTrace) console.log(await stopTrace());
      const arrived = await tally(path.join(env.uploadDir, batch, PAYLOAD_DIR));
      if (arrived.files !== 1 || arrived.bytes !== SIZE) {
        throw new AppProblem(
          `the receiver holds ${arrived.files} files / ${arrived.bytes} bytes, expected 1 / ${SIZE}`,
        );
      }
      const rate = mbPerSecond(SIZE, upload.ms);
      const heapMb = upload.heapPeakBytes / 1e6;
      progress(
        label,
        `${tag}: app ${formatMs(upload.ms)} = ${rate.toFixed(1)} MB/s; heap ${(upload.heapStartBytes / 1e6).toFixed(1)} MB at start, peak ${heapMb.toFixed(1)} MB; longest task ${upload.longestTaskMs} ms; receiver CPU ${formatMs(seen.cpuMs)}`,
      );
      progress(label, `${tag}: receiver saw ${describeRequests(seen.requests)}`);
      if (profile) console.log(profile);
      await clearReceived(env);
      return { rate, heapMb, longestTaskMs: upload.longestTaskMs };
    };

    try {
      await openApp(page, env.url);
      await bigFile(page, label);
      const runs = await alternateStarts(RUNS, rawRun, appRun);
      // One profiled run of each start, not counted.
      if (profiling) for (const when of ['reviewed', 'at-once'] as const) await appRun('profiled', when);
      const app = [...runs.reviewed, ...runs.atOnce];
      return {
        'upload-1gib': { value: medianRate(runs.reviewed), baseline: medianRate(runs.raw) },
        'upload-1gib-at-once': { value: medianRate(runs.atOnce), baseline: medianRate(runs.raw) },
        'upload-1gib-heap': { value: Math.max(...app.map((side) => side.heapMb)), baseline: null },
        'upload-1gib-longest-task': {
          value: longestOver(app),
          baseline: null,
        },
        'upload-1gib-raw-longest-task': {
          value: longestOver(runs.raw),
          baseline: null,
        },
      };
    } finally {
      await close();
      await clearReceived(env);
    }
  },
};
