/**
 * scan-100k and scan-100k-longest-task: the app scans a 100,000-file OPFS tree, against the fastest plain walk
 * of the same tree in a Blob-URL worker (each folder listed, then all its getFile() calls at once; walking 2, 4
 * or 8 folders at a time was tried on 10,000 files and was no faster than one). scan-100k-serial reports the app
 * against the serial walk (one await after another), with no bar. Baselines and app alternate; the page is
 * reloaded before each run.
 */
import { openApp, scanWithApp, type AppScan } from '../app.ts';
import { formatMs, median, progress, step } from '../log.ts';
import { fastScanInWorker, inWorker, makeTreeInWorker, rawScanInWorker } from '../opfs.ts';
import { profiling, startProfile } from '../profile.ts';
import { startTrace, tracing } from '../trace.ts';
import { checkAnnounced, RUNS, type Scenario } from '../scenario.ts';

const ROOT = 'bench-scan-100k';
const FOLDERS = 100;
const FILES_PER_FOLDER = 1000;
const FILES = FOLDERS * FILES_PER_FOLDER;
const SCAN_TIMEOUT = 240_000;

export const scanScenario: Scenario = {
  label: 'scan-100k',
  specs: [
    {
      name: 'scan-100k',
      unit: 's',
      bar: { on: 'ratio', op: '≤', limit: 1.15 },
      decimals: 2,
      aggregation: `app \`scan\` measure vs the fastest plain walk (each folder's values() listed, then all its getFile() at once) in a Blob-URL worker; ${FOLDERS} folders × ${FILES_PER_FOLDER} empty files; median of ${RUNS} runs each, alternating`,
    },
    {
      name: 'scan-100k-serial',
      unit: 's',
      bar: null,
      decimals: 2,
      aggregation: `the same app runs vs the serial walk (for await values(), then await getFile() one at a time); median of ${RUNS} runs each`,
    },
    {
      name: 'scan-100k-longest-task',
      unit: 'ms',
      bar: { on: 'value', op: '≤', limit: 50 },
      decimals: 0,
      aggregation: `longest main-thread long task overlapping the scan (click on Choose folder → end of the \`scan\` measure); max over the ${RUNS} app runs of scan-100k`,
    },
  ],
  async run(env) {
    const label = this.label;
    const { page, close } = await env.openContext(label);

    const appRun = async (run: number | 'profiled' | 'traced'): Promise<AppScan> => {
      const tag = typeof run === 'number' ? `run ${run}/${RUNS}` : `${run} run (not counted)`;
      await openApp(page, env.url);
      const stopProfile =
        run === 'profiled'
          ? await startProfile(page, env.appDir, env.receiver)
          : run === 'traced'
            ? await startTrace(page, label, env.appDir)
            : null;
      const [scan] = await step(label, `${tag}: app scan`, () =>
        scanWithApp(page, ROOT, FILES, SCAN_TIMEOUT),
      );
      const profile = stopProfile ? await stopProfile() : '';
      checkAnnounced(env, label, tag, scan, FILES);
      progress(
        label,
        `${tag}: app ${formatMs(scan.scanMs)}, ${scan.longTasks} long tasks, longest ${Math.round(scan.longestTaskMs)} ms (in the second after it: ${Math.round(scan.longestAfterMs)} ms) — "${scan.summary}"`,
      );
      if (profile) console.log(profile);
      return scan;
    };

    try {
      await openApp(page, env.url);
      await step(label, `generate ${FOLDERS} folders × ${FILES_PER_FOLDER} empty files in OPFS`, async () => {
        const made = await inWorker(page, makeTreeInWorker, {
          root: ROOT,
          folders: FOLDERS,
          filesPerFolder: FILES_PER_FOLDER,
          size: 0,
          seed: 1,
          concurrency: 64,
        });
        if (made.files !== FILES) throw new Error(`generated ${made.files} files, expected ${FILES}`);
      });

      const baseline: number[] = [];
      const serial: number[] = [];
      const app: number[] = [];
      const longest: number[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        await openApp(page, env.url);
        const [fast] = await step(label, `run ${run}/${RUNS}: baseline walk`, () =>
          inWorker(page, fastScanInWorker, { root: ROOT, folders: 1 }),
        );
        if (fast.files !== FILES)
          throw new Error(`the baseline walk found ${fast.files} files, expected ${FILES}`);
        baseline.push(fast.ms);
        await openApp(page, env.url);
        const [raw] = await step(label, `run ${run}/${RUNS}: serial walk`, () =>
          inWorker(page, rawScanInWorker, ROOT),
        );
        if (raw.files !== FILES)
          throw new Error(`the serial walk found ${raw.files} files, expected ${FILES}`);
        serial.push(raw.ms);
        progress(
          label,
          `run ${run}/${RUNS}: baseline ${formatMs(fast.ms)}, serial walk ${formatMs(raw.ms)} (${raw.files} files, ${raw.folders} folders)`,
        );

        const scan = await appRun(run);
        app.push(scan.scanMs);
        longest.push(scan.longestTaskMs);
      }
      if (profiling) await appRun('profiled');
      if (tracing) await appRun('traced');
      return {
        'scan-100k': { value: median(app) / 1000, baseline: median(baseline) / 1000 },
        'scan-100k-serial': { value: median(app) / 1000, baseline: median(serial) / 1000 },
        'scan-100k-longest-task': { value: Math.max(...longest), baseline: null },
      };
    } finally {
      await close();
    }
  },
};
