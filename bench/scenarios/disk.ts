/**
 * disk-20k: 20,000 files of 10 KB in folders on disk, picked through the app's `<input webkitdirectory>`, scanned,
 * checked and uploaded (Start pressed as soon as the check allows it, as most people will), against a bare input
 * on the same page handing over the same folder and 6 loops of fetch(PUT) sending its files to the raw handler.
 * Both clocks start when Playwright is given the folder and stop at the last file's answer; files per second.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PAYLOAD_DIR } from '#core/protocol';
import { AppProblem, openApp, settleCheck, uploadWithApp } from '../app.ts';
import type { BenchWindow } from '../browser.ts';
import { bareInputDelivery, makeDiskTree, rawPutInputFiles, withoutDirectoryPicker } from '../disk-tree.ts';
import { formatMs, median, progress, step } from '../log.ts';
import { RAW_PREFIX } from '../raw-handler.ts';
import { clearReceived, RUNS, tally, type Scenario } from '../scenario.ts';
import { pickThroughInput } from './input.ts';

const FOLDERS = 20;
const FILES_PER_FOLDER = 1000;
const FILES = FOLDERS * FILES_PER_FOLDER;
const SIZE = 10_000;
const CONNECTIONS = 6;
const UPLOAD_TIMEOUT = 900_000;
const perSecond = (files: number, ms: number) => files / (ms / 1000);

export const diskScenario: Scenario = {
  label: 'disk-20k',
  specs: [
    {
      name: 'disk-20k',
      unit: 'files/s',
      bar: { on: 'ratio', op: '≥', limit: 0.8 },
      decimals: 0,
      aggregation: `${FILES.toLocaleString('en-US')} files of ${SIZE / 1000} KB on disk through <input webkitdirectory>, target Custom pattern: app from the hand-over through scan, check and upload ("Upload complete") vs a bare input's hand-over and ${CONNECTIONS} loops of fetch(PUT); median of ${RUNS} runs each, alternating`,
    },
  ],
  async run(env) {
    const label = this.label;
    const parent = await mkdtemp(path.join(tmpdir(), 'bench-disk-'));
    const { page, close } = await env.openContext(label);
    try {
      await withoutDirectoryPicker(page);
      const [tree] = await step(
        label,
        `generate ${FOLDERS} folders × ${FILES_PER_FOLDER} files of ${SIZE} B on disk`,
        () =>
          makeDiskTree(path.join(parent, 'specimens'), {
            folders: FOLDERS,
            filesPerFolder: FILES_PER_FOLDER,
            size: SIZE,
            seed: 6,
          }),
      );
      const raw: number[] = [];
      const app: number[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        await clearReceived(env);
        await openApp(page, env.url);
        const [rawMs] = await step(label, `run ${run}/${RUNS}: bare input and raw PUTs`, async () => {
          const started = Date.now();
          const delivered = await bareInputDelivery(page, tree.dir, tree.files);
          const sent = await page.evaluate(rawPutInputFiles, {
            urlPrefix: `${env.url}${RAW_PREFIX.slice(1)}disk-${run}-`,
            concurrency: CONNECTIONS,
          });
          const ms = Date.now() - started;
          const stored = await tally(env.rawDir);
          if (sent !== FILES || stored.files !== FILES || stored.bytes !== tree.bytes) {
            throw new Error(`raw PUTs: sent ${sent}, stored ${stored.files} files / ${stored.bytes} bytes`);
          }
          progress(
            label,
            `run ${run}/${RUNS}: bare input ${formatMs(delivered)}, with the PUTs ${formatMs(ms)}`,
          );
          return ms;
        });
        raw.push(perSecond(FILES, rawMs));

        await clearReceived(env);
        await openApp(page, env.url);
        await page.getByLabel('Target').selectOption('custom');
        let batch = '';
        const [appMs] = await step(label, `run ${run}/${RUNS}: app`, async () => {
          const picked = await pickThroughInput(page, tree.dir, tree.files);
          await settleCheck(page, 120_000);
          batch = await page.getByLabel('Batch name').inputValue();
          await uploadWithApp(page, { expectedFiles: FILES, timeout: UPLOAD_TIMEOUT, sampleHeap: false });
          const doneAt = await page.evaluate(
            () => performance.timeOrigin + ((window as unknown as BenchWindow).__bench.upload?.doneAt ?? 0),
          );
          const arrived = await tally(path.join(env.uploadDir, batch, PAYLOAD_DIR));
          if (arrived.files !== FILES || arrived.bytes !== tree.bytes) {
            throw new AppProblem(
              `the receiver holds ${arrived.files} files / ${arrived.bytes} bytes, expected ${FILES} / ${tree.bytes}`,
            );
          }
          return doneAt - picked.startedAt;
        });
        app.push(perSecond(FILES, appMs));
        progress(label, `run ${run}/${RUNS}: app ${formatMs(appMs)}, raw ${formatMs(rawMs)}`);
        await clearReceived(env);
      }
      return { 'disk-20k': { value: median(app), baseline: median(raw) } };
    } finally {
      await close();
      await clearReceived(env);
      await rm(parent, { recursive: true, force: true });
    }
  },
};
