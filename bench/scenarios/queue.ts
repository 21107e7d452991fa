/**
 * queue-10k: after scanning 10,000 small files, how long Start upload takes to hand the first window over, and the
 * longest main-thread task meanwhile. BENCH_TRACE=dir traces the first run's Start upload (trace.ts).
 */
import { openApp, settleCheck, queueWithApp, scanWithApp, setBatch } from '../app.ts';
import { formatMs, median, progress, step } from '../log.ts';
import { inWorker, makeTreeInWorker } from '../opfs.ts';
import { startTrace, tracing } from '../trace.ts';
import { checkAnnounced, clearReceived, longestTaskSpec, RUNS, type Scenario } from '../scenario.ts';

const ROOT = 'bench-queue-10k';
const FOLDERS = 10;
const FILES_PER_FOLDER = 1000;
const FILES = FOLDERS * FILES_PER_FOLDER;
const SIZE = 10_000;

export const queueScenario: Scenario = {
  label: 'queue-10k',
  specs: [
    {
      name: 'queue-10k',
      unit: 's',
      bar: { on: 'value', op: '≤', limit: 0.5 },
      decimals: 3,
      aggregation: `\`queue\` measure (queue-start → queue-ready) after scanning ${FOLDERS} folders × ${FILES_PER_FOLDER} files of ${SIZE / 1000} KB; median of ${RUNS} runs, each cancelled right after`,
    },
    longestTaskSpec('queue-10k-longest-task', 'the `queue` measure'),
  ],
  async run(env) {
    const label = this.label;
    const { page, close } = await env.openContext(label);
    try {
      await openApp(page, env.url);
      const [made] = await step(
        label,
        `generate ${FOLDERS} folders × ${FILES_PER_FOLDER} files of ${SIZE} B`,
        () =>
          inWorker(page, makeTreeInWorker, {
            root: ROOT,
            folders: FOLDERS,
            filesPerFolder: FILES_PER_FOLDER,
            size: SIZE,
            seed: 2,
            concurrency: 16,
          }),
      );
      if (made.files !== FILES) throw new Error(`generated ${made.files} files, expected ${FILES}`);
      const queue: number[] = [];
      const longest: number[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        await openApp(page, env.url);
        const [scan] = await step(label, `run ${run}/${RUNS}: app scan`, () =>
          scanWithApp(page, ROOT, FILES, 120_000),
        );
        checkAnnounced(env, label, `run ${run}/${RUNS}`, scan, FILES);
        progress(label, `run ${run}/${RUNS}: scanned in ${formatMs(scan.scanMs)}`);
        const headline = await settleCheck(page, 120_000);
        if (headline) progress(label, `run ${run}/${RUNS}: check: ${headline}`);
        await setBatch(page, `bench-queue-${run}`);
        const stopTrace = tracing && run === 1 ? await startTrace(page, label, env.appDir) : null;
        const [measured] = await step(
          label,
          `run ${run}/${RUNS}: Start upload → queue-ready, then Cancel`,
          () => queueWithApp(page, 60_000),
        );
        if (stopTrace) console.log(await stopTrace());
        queue.push(measured.ms);
        longest.push(measured.longestTaskMs);
        progress(
          label,
          `run ${run}/${RUNS}: queue ${formatMs(measured.ms)}, longest task ${Math.round(measured.longestTaskMs)} ms`,
        );
        await clearReceived(env);
      }
      return {
        'queue-10k': { value: median(queue) / 1000, baseline: null },
        'queue-10k-longest-task': { value: Math.max(...longest), baseline: null },
      };
    } finally {
      await close();
      await clearReceived(env);
    }
  },
};
