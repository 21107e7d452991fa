/**
 * validate-100k: the app checks 100,000 scanned paths against a 100,000-row record list in its folder worker
 * (custom pattern over the whole path, so every file has its own record). Reports the app's `check` measure and
 * the longest main-thread task while it ran. Files are empty, so no first bytes are read (see the README).
 * BENCH_PROFILE=1 samples the page through the first run's scan and check; BENCH_TRACE=dir traces it (trace.ts).
 */
import type { Page } from '@playwright/test';
import { AppProblem, openApp, scanWithApp, waitForMeasure, type Measured } from '../app.ts';
import { formatMs, median, progress, step } from '../log.ts';
import { profiling, startProfile } from '../profile.ts';
import { startTrace, tracing } from '../trace.ts';
import { emptyTree, longestTaskSpec, RUNS, type Scenario } from '../scenario.ts';

const ROOT = 'bench-validate-100k';
const FOLDERS = 100;
const FILES_PER_FOLDER = 1000;
const FILES = FOLDERS * FILES_PER_FOLDER;

function recordList(): string {
  const lines = ['id,title'];
  for (let d = 0; d < FOLDERS; d += 1) {
    for (let f = 0; f < FILES_PER_FOLDER; f += 1) {
      lines.push(`folder-${String(d).padStart(3, '0')}/file-${String(f).padStart(4, '0')},record ${d}.${f}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

interface CheckRun extends Measured {
  readonly headline: string;
  readonly elements: number;
}

async function measuredCheck(page: Page, known: number, timeout: number): Promise<CheckRun> {
  const measured = await waitForMeasure(page, 'check', { after: known }, timeout, 'the check');
  const headline = (await page.getByRole('status').innerText()).trim();
  // How big the page's DOM is once the check's results are shown: layout cost grows with it.
  const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
  return { ...measured, headline, elements };
}

export const validateScenario: Scenario = {
  label: 'validate-100k',
  specs: [
    {
      name: 'validate-100k',
      unit: 's',
      bar: { on: 'value', op: '≤', limit: 10 },
      decimals: 2,
      aggregation: `app \`check\` measure: ${FILES.toLocaleString('en-US')} paths against a ${FILES.toLocaleString('en-US')}-row record list in the folder worker; median of ${RUNS} runs`,
    },
    longestTaskSpec('validate-100k-longest-task', 'the check'),
  ],
  async run(env) {
    const label = this.label;
    const { page, close } = await env.openContext(label);
    try {
      await openApp(page, env.url);
      await emptyTree(page, label, {
        root: ROOT,
        folders: FOLDERS,
        filesPerFolder: FILES_PER_FOLDER,
        seed: 3,
      });
      const records = Buffer.from(recordList());
      const times: number[] = [];
      const longest: number[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        await openApp(page, env.url);
        await page.getByLabel('Target').selectOption('custom');
        await page.getByLabel('Identifier pattern').fill('^(?<id>.+)\\.dat$');
        await page.getByLabel('Match against').selectOption('path');
        await page
          .getByLabel('Record list')
          .setInputFiles({ name: 'records.csv', mimeType: 'text/csv', buffer: records });
        const known = await page.evaluate(() => performance.getEntriesByName('check', 'measure').length);
        // Profiled, the first run (the one that has had the long task) is sampled from the scan to the check.
        const stopProfile =
          profiling && run === 1 ? await startProfile(page, env.appDir, env.receiver) : null;
        const stopTrace = tracing && run === 1 ? await startTrace(page, label, env.appDir) : null;
        await step(label, `run ${run}/${RUNS}: app scan`, () => scanWithApp(page, ROOT, FILES, 240_000));
        const [check] = await step(label, `run ${run}/${RUNS}: check`, () =>
          measuredCheck(page, known, 240_000),
        );
        if (stopProfile) console.log(await stopProfile());
        if (stopTrace) console.log(await stopTrace());
        if (!check.headline.startsWith('Checked against Custom pattern')) {
          throw new AppProblem(`the check ended with "${check.headline}"`);
        }
        times.push(check.ms);
        longest.push(check.longestTaskMs);
        progress(
          label,
          `run ${run}/${RUNS}: check ${formatMs(check.ms)}, longest task ${Math.round(check.longestTaskMs)} ms, ${check.elements} elements on the page — "${check.headline}"`,
        );
      }
      return {
        'validate-100k': { value: median(times) / 1000, baseline: null },
        'validate-100k-longest-task': { value: Math.max(...longest), baseline: null },
      };
    } finally {
      await close();
    }
  },
};
