/**
 * day-100: a day's imaging. 100 herbarium sheets of about 60 MP on disk (see herbarium-sheets.ts), picked
 * through the app's `<input webkitdirectory>` under Symbiota with its default copies (thumbnail 200, web 1,400,
 * large 3,200 px wide; the copies go instead of the originals) and barcode reading off, so both sides do the same
 * work. The bar is on the app's `web-copies` measure against the same copies of the same files made in plain
 * workers of the same page, one per core (plain-copies.ts); alternating runs. The upload of the copies that
 * follows is reported beside it, and the longest main-thread task while the copies were made.
 */
import type { Page } from '@playwright/test';
import { copySize } from '../../src/core/images/derivative-plan.ts';
import { imagePolicy } from '../../src/core/images/image-policy.ts';
import { symbiotaDefaultSettings } from '../../src/core/profiles/symbiota.ts';
import { AppProblem, openApp, settleCheck, uploadWithApp } from '../app.ts';
import type { BenchWindow } from '../browser.ts';
import { bareInputDelivery, withoutDirectoryPicker } from '../disk-tree.ts';
import { daySheets } from '../herbarium-sheets.ts';
import { formatMs, loadAverage, median, progress, step } from '../log.ts';
import { plainCopiesOnPage, plainCopyWorker, type CopySpec } from '../plain-copies.ts';
import { profiling, startProfile } from '../profile.ts';
import { clearReceived, RUNS, type Scenario } from '../scenario.ts';
import { pickThroughInput } from './input.ts';

const LABEL = 'day-100';
/**
 * BENCH_DAY_SHEETS=20 for a quick look on a busy machine, BENCH_DAY_WIDTH=1600 for smaller sheets (4 MP) when
 * the upload that follows is what is looked at; the bar is meant for 100 sheets of 60 MP.
 */
const WIDTH = Number(process.env.BENCH_DAY_WIDTH) || 6336;
const SHEETS = {
  sheets: Number(process.env.BENCH_DAY_SHEETS) || 100,
  distinct: 8,
  width: WIDTH,
  height: Math.round((WIDTH * 3) / 2),
  targetBytes: Math.round(18_000_000 * (WIDTH / 6336) ** 2),
} as const;
const COPIES_TIMEOUT = 1_800_000;
const UPLOAD_TIMEOUT = 900_000;

/** Symbiota's default copies of one sheet, largest first, as the app's image worker makes them. */
function copySpecs(): CopySpec[] {
  const policy = imagePolicy('symbiota', {
    ...symbiotaDefaultSettings,
    makeDerivatives: true,
    originals: 'none',
  });
  return policy.derivatives
    .map((spec) => ({
      suffix: spec.suffix,
      quality: spec.quality,
      ...copySize(spec, SHEETS.width, SHEETS.height),
    }))
    .sort((a, b) => b.width * b.height - a.width * a.height);
}

interface AppDay {
  readonly copiesMs: number;
  readonly longestTaskMs: number;
  readonly uploadMs: number;
  readonly status: string;
}

async function appRun(page: Page, url: string, dir: string, copies: number): Promise<AppDay> {
  await openApp(page, url);
  await page.getByLabel('Target').selectOption('symbiota');
  await pickThroughInput(page, dir, SHEETS.sheets);
  await settleCheck(page, 120_000);
  // Barcodes off (remembered with Symbiota's settings), so the app's work is the baseline's.
  const barcodes = page.getByRole('region', { name: 'Barcodes' });
  const cancel = barcodes.getByRole('button', { name: 'Cancel barcodes' });
  if (await cancel.isVisible()) await cancel.click();
  await barcodes.getByLabel('Read barcodes').setChecked(false);
  const panel = page.getByRole('region', { name: 'Web copies' });
  await panel.getByLabel('Make thumbnail, web and large copies').setChecked(true);
  await panel.getByLabel('Originals').selectOption('none');
  const known = await page.evaluate(() => performance.getEntriesByName('web-copies', 'measure').length);
  await panel.getByRole('button', { name: 'Make web copies' }).click();
  try {
    await page.waitForFunction(
      (n) => performance.getEntriesByName('web-copies', 'measure').length > n,
      known,
      {
        polling: 250,
        timeout: COPIES_TIMEOUT,
      },
    );
  } catch (error) {
    throw new AppProblem(`the web copies were not made within ${COPIES_TIMEOUT / 1000} s (${String(error)})`);
  }
  // Long tasks are reported asynchronously.
  await page.waitForTimeout(1200);
  const measured = await page.evaluate(() => {
    const copies = performance.getEntriesByName('web-copies', 'measure').at(-1) as PerformanceMeasure;
    const end = copies.startTime + copies.duration;
    const tasks = (window as unknown as BenchWindow).__bench.longTasks.filter(
      (t) => t.start + t.duration >= copies.startTime && t.start <= end,
    );
    return { ms: copies.duration, longest: Math.max(0, ...tasks.map((t) => t.duration)) };
  });
  const status = (await page.getByRole('status').innerText()).trim();
  if (!status.startsWith(`Web copies made: ${copies} copies `))
    throw new AppProblem(`the app said "${status}"`);
  const upload = await uploadWithApp(page, {
    expectedFiles: copies,
    timeout: UPLOAD_TIMEOUT,
    sampleHeap: false,
  });
  return { copiesMs: measured.ms, longestTaskMs: measured.longest, uploadMs: upload.ms, status };
}

export const dayScenario: Scenario = {
  label: LABEL,
  specs: [
    {
      name: LABEL,
      unit: 's',
      bar: { on: 'ratio', op: '≤', limit: 1.3 },
      decimals: 1,
      aggregation: `${SHEETS.sheets} herbarium sheets of ${((SHEETS.width * SHEETS.height) / 1e6).toFixed(0)} MP (~${SHEETS.targetBytes / 1e6} MB JPEGs) on disk through <input webkitdirectory>, Symbiota's three copies each, barcodes off: the app's \`web-copies\` measure vs the same decode, draws, encodes and OPFS writes in plain workers, one per core, in the same page; median of ${RUNS} runs each, alternating`,
    },
    {
      name: `${LABEL}-upload`,
      unit: 's',
      bar: null,
      decimals: 1,
      aggregation: `the app's upload of the ${SHEETS.sheets * 3} copies that follows, Start upload to "Upload complete"; median of ${RUNS} runs`,
    },
    {
      name: `${LABEL}-longest-task`,
      unit: 'ms',
      bar: null,
      decimals: 0,
      aggregation: `longest main-thread long task while the app made the copies; max over ${RUNS} runs`,
    },
  ],
  async run(env) {
    const { page, close } = await env.openContext(LABEL);
    try {
      await withoutDirectoryPicker(page);
      await openApp(page, env.url);
      const day = await daySheets(page, LABEL, SHEETS);
      const copies = copySpecs();
      const expected = SHEETS.sheets * copies.length;
      const app: number[] = [];
      const base: number[] = [];
      const uploads: number[] = [];
      const longest: number[] = [];
      const load = () => ` (load average ${loadAverage()})`;
      for (let run = 1; run <= RUNS; run += 1) {
        await clearReceived(env);
        await openApp(page, env.url);
        const [plain] = await step(LABEL, `run ${run}/${RUNS}: plain workers`, async () => {
          await bareInputDelivery(page, day.dir, day.files);
          return page.evaluate(plainCopiesOnPage, {
            worker: plainCopyWorker.toString(),
            copies,
            store: 'bench-day-plain',
          });
        });
        if (plain.copies !== expected)
          throw new Error(`the plain workers made ${plain.copies} copies, expected ${expected}`);
        base.push(plain.ms);
        progress(
          LABEL,
          `run ${run}/${RUNS}: ${plain.workers} plain workers ${formatMs(plain.ms)} (${(plain.bytes / 1e6).toFixed(0)} MB of copies)${load()}`,
        );
        const [result] = await step(LABEL, `run ${run}/${RUNS}: app`, () =>
          appRun(page, env.url, day.dir, expected),
        );
        app.push(result.copiesMs);
        uploads.push(result.uploadMs);
        longest.push(result.longestTaskMs);
        progress(
          LABEL,
          `run ${run}/${RUNS}: app copies ${formatMs(result.copiesMs)} (longest task ${Math.round(result.longestTaskMs)} ms), upload ${formatMs(result.uploadMs)}, plain ${formatMs(plain.ms)}${load()} — "${result.status}"`,
        );
        await clearReceived(env);
      }
      if (profiling) {
        const stop = await startProfile(page, env.appDir, env.receiver);
        await step(LABEL, 'profiled run (not counted): app', () => appRun(page, env.url, day.dir, expected));
        console.log(await stop());
        await clearReceived(env);
      }
      return {
        [LABEL]: { value: median(app) / 1000, baseline: median(base) / 1000 },
        [`${LABEL}-upload`]: { value: median(uploads) / 1000, baseline: null },
        [`${LABEL}-longest-task`]: { value: Math.max(...longest), baseline: null },
      };
    } finally {
      await close();
    }
  },
};
