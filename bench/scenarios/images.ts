/**
 * compress-24mp and derivatives-24mp: a generated 24-megapixel camera JPEG of about 18 MB in OPFS.
 * - compress-24mp: the app brings it under 8 MB (Symbiota, originals as web-ready JPEGs, no other copies).
 * - derivatives-24mp: the app makes Symbiota's three copies (_tn 200, _med 1400, _lg 3200 px wide).
 * Each is the app's `web-copies` measure (open, plan, decode, draw, encode under the limit, keep in OPFS) against
 * one decode + one JPEG encode of the whole image at quality 0.85 in a worker of the same page; alternating runs.
 */
import type { Page } from '@playwright/test';
import { AppProblem, openApp, scanWithApp, settleCheck } from '../app.ts';
import { formatMs, median, progress, step } from '../log.ts';
import { decodeEncodeInWorker, inWorker, makePhotoInWorker } from '../opfs.ts';
import { RUNS, type Scenario, type Spec } from '../scenario.ts';

const ROOT = 'bench-photo-24mp';
const NAME = 'IMG_0001.jpg';
const WIDTH = 6000;
const HEIGHT = 4000;
const TARGET_BYTES = 18_000_000;
const BASELINE_QUALITY = 0.85;

type Mode = 'compress' | 'derivatives';

/** Sets the Symbiota image settings for the mode, makes the copies, and returns the app's measure. */
async function appRun(page: Page, url: string, mode: Mode): Promise<{ ms: number; status: string }> {
  await openApp(page, url);
  await page.getByLabel('Target').selectOption('symbiota');
  await scanWithApp(page, ROOT, 1, 60_000);
  await settleCheck(page, 60_000);
  const copies = page.getByRole('region', { name: 'Web copies' });
  await copies.getByLabel('Make thumbnail, web and large copies').setChecked(mode === 'derivatives');
  await copies.getByLabel('Originals').selectOption(mode === 'compress' ? 'web-ready' : 'none');
  const known = await page.evaluate(() => performance.getEntriesByName('web-copies', 'measure').length);
  await copies.getByRole('button', { name: 'Make web copies' }).click();
  try {
    await page.waitForFunction(
      (n) => performance.getEntriesByName('web-copies', 'measure').length > n,
      known,
      {
        polling: 100,
        timeout: 120_000,
      },
    );
  } catch (error) {
    throw new AppProblem(`the web copies were not made within 120 s (${String(error)})`);
  }
  const ms = await page.evaluate(
    () => (performance.getEntriesByName('web-copies', 'measure').at(-1) as PerformanceMeasure).duration,
  );
  const status = (await page.getByRole('status').innerText()).trim();
  const expected = mode === 'compress' ? /^Web copies made: 1 copy / : /^Web copies made: 3 copies /;
  if (!expected.test(status)) throw new AppProblem(`the app said "${status}"`);
  return { ms, status };
}

function imageScenario(label: string, mode: Mode, limit: number, what: string): Scenario {
  const spec: Spec = {
    name: label,
    unit: 's',
    bar: { on: 'ratio', op: '≤', limit },
    decimals: 2,
    aggregation: `${what}; baseline: one decode + one JPEG encode of the whole image at quality ${BASELINE_QUALITY} in a worker; median of ${RUNS} runs each, alternating`,
  };
  return {
    label,
    specs: [spec],
    async run(env) {
      const { page, close } = await env.openContext(label);
      try {
        await openApp(page, env.url);
        const [made] = await step(label, `generate a ${WIDTH} × ${HEIGHT} JPEG of about 18 MB in OPFS`, () =>
          inWorker(page, makePhotoInWorker, {
            root: ROOT,
            name: NAME,
            width: WIDTH,
            height: HEIGHT,
            targetBytes: TARGET_BYTES,
            seed: 11,
          }),
        );
        progress(
          label,
          `photo: ${(made.bytes / 1e6).toFixed(1)} MB (quality ${made.quality}, noise ${Math.round(made.noise)})`,
        );
        const app: number[] = [];
        const base: number[] = [];
        for (let run = 1; run <= RUNS; run += 1) {
          const [baseline] = await step(label, `run ${run}/${RUNS}: baseline decode + encode`, () =>
            inWorker(page, decodeEncodeInWorker, { root: ROOT, name: NAME, quality: BASELINE_QUALITY }),
          );
          base.push(baseline.ms);
          const [result] = await step(label, `run ${run}/${RUNS}: app`, () => appRun(page, env.url, mode));
          app.push(result.ms);
          progress(
            label,
            `run ${run}/${RUNS}: app ${formatMs(result.ms)}, baseline ${formatMs(baseline.ms)} (${(baseline.bytes / 1e6).toFixed(1)} MB) — "${result.status}"`,
          );
        }
        return { [label]: { value: median(app) / 1000, baseline: median(base) / 1000 } };
      } finally {
        await close();
      }
    },
  };
}

export const compressScenario = imageScenario(
  'compress-24mp',
  'compress',
  1.5,
  'app `web-copies` measure: the 24-MP, ~18 MB JPEG brought under 8 MB as a full-size web-ready JPEG',
);

export const derivativesScenario = imageScenario(
  'derivatives-24mp',
  'derivatives',
  2.0,
  'app `web-copies` measure: the three Symbiota copies (200, 1,400 and 3,200 px wide) of the 24-MP JPEG from one decode',
);
