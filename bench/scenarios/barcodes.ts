/**
 * barcodes-60mp: a generated 60-megapixel herbarium sheet (42 cm high, a 1-cm Code 128 label and a 1-cm Data
 * Matrix turned 30°) in OPFS. The app reads its barcodes by itself after the check (Symbiota), in its image
 * worker: open, decode, read; its `barcodes` measure, against one decode of the same file (createImageBitmap)
 * in a worker of the same page; alternating runs. BENCH_TRACE=dir adds one traced baseline decode and one traced
 * app run, not counted (trace.ts), so the decode's CPU can be compared on both sides.
 */
import type { Page } from '@playwright/test';
import { drawSheet } from '../../tests/e2e/barcode-sheets.ts';
import { AppProblem, openApp, scanWithApp, settleCheck, waitForMeasure } from '../app.ts';
import { formatMs, median, progress, step } from '../log.ts';
import { inWorker } from '../opfs.ts';
import { RUNS, type Scenario, type Spec } from '../scenario.ts';
import { startTrace, tracing } from '../trace.ts';

const LABEL = 'barcodes-60mp';
const ROOT = 'bench-sheet-60mp';
const NAME = 'BR0000013284861.jpg';

async function writeToOpfs(page: Page, bytes: Buffer): Promise<void> {
  await page.evaluate(
    async ({ root, name, base64 }) => {
      const binary = atob(base64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i += 1) data[i] = binary.charCodeAt(i);
      const opfs = await navigator.storage.getDirectory();
      await opfs.removeEntry(root, { recursive: true }).catch(() => undefined);
      const dir = await opfs.getDirectoryHandle(root, { create: true });
      const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await writable.write(data);
      await writable.close();
    },
    { root: ROOT, name: NAME, base64: bytes.toString('base64') },
  );
}

async function decodeInWorker(spec: { readonly root: string; readonly name: string }): Promise<number> {
  const opfs = await navigator.storage.getDirectory();
  const file = await (await (await opfs.getDirectoryHandle(spec.root)).getFileHandle(spec.name)).getFile();
  const started = performance.now();
  const image = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const ms = performance.now() - started;
  image.close();
  return ms;
}

async function appRun(page: Page, url: string, trace = false): Promise<{ ms: number; status: string }> {
  await openApp(page, url);
  const stopTrace = trace ? await startTrace(page, LABEL) : null;
  await page.getByLabel('Target').selectOption('symbiota');
  await page.getByLabel('Pattern syntax').selectOption('javascript');
  await page.getByLabel('Catalog number pattern').fill('^(BR\\d{13})');
  await scanWithApp(page, ROOT, 1, 60_000);
  await settleCheck(page, 60_000);
  const { ms } = await waitForMeasure(page, 'barcodes', {}, 120_000, 'reading the barcodes');
  const panel = page.getByRole('region', { name: 'Barcodes' });
  const status = (await panel.locator('.figures').innerText()).trim();
  if (stopTrace) console.log(await stopTrace());
  if (!status.startsWith('1 of 1 images read · 1 with a barcode'))
    throw new AppProblem(`the app said "${status}"`);
  return { ms, status };
}

const spec: Spec = {
  name: LABEL,
  unit: 's',
  bar: { on: 'ratio', op: '≤', limit: 1.5 },
  decimals: 2,
  aggregation: `app \`barcodes\` measure: the barcodes of a 60-MP sheet read in the image worker (open, decode, read); baseline: one decode of the same JPEG (createImageBitmap) in a worker; median of ${RUNS} runs each, alternating`,
};

export const barcodesScenario: Scenario = {
  label: LABEL,
  specs: [spec],
  async run(env) {
    const { page, close } = await env.openContext(LABEL);
    try {
      await openApp(page, env.url);
      const [bytes] = await step(
        LABEL,
        'generate a 6336 × 9504 herbarium sheet with two 1-cm labels in OPFS',
        () =>
          drawSheet(page, {
            width: 6336,
            height: 9504,
            heightCm: 42,
            seed: 2,
            labels: [
              { text: 'BR0000013284861', format: 'Code128', x: 0.25, y: 0.9, cm: 1, angle: -3 },
              { text: 'BR0000013284878', format: 'DataMatrix', x: 0.75, y: 0.2, cm: 1, angle: 30 },
            ],
          }),
      );
      await writeToOpfs(page, bytes);
      progress(LABEL, `sheet: ${(bytes.length / 1e6).toFixed(1)} MB`);
      const app: number[] = [];
      const base: number[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        const [baseline] = await step(LABEL, `run ${run}/${RUNS}: baseline decode`, () =>
          inWorker(page, decodeInWorker, { root: ROOT, name: NAME }),
        );
        base.push(baseline);
        const [result] = await step(LABEL, `run ${run}/${RUNS}: app`, () => appRun(page, env.url));
        app.push(result.ms);
        progress(
          LABEL,
          `run ${run}/${RUNS}: app ${formatMs(result.ms)}, baseline ${formatMs(baseline)} — "${result.status}"`,
        );
      }
      if (tracing) {
        const stopTrace = await startTrace(page, `${LABEL}-baseline`);
        const [decoded] = await step(LABEL, 'traced run (not counted): baseline decode', () =>
          inWorker(page, decodeInWorker, { root: ROOT, name: NAME }),
        );
        console.log(await stopTrace());
        progress(LABEL, `traced run: baseline ${formatMs(decoded)}`);
        const [traced] = await step(LABEL, 'traced run (not counted): app', () =>
          appRun(page, env.url, true),
        );
        progress(LABEL, `traced run: app ${formatMs(traced.ms)}`);
      }
      return { [LABEL]: { value: median(app) / 1000, baseline: median(base) / 1000 } };
    } finally {
      await close();
    }
  },
};
