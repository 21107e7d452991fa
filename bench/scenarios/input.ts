/**
 * input-100k: 100,000 empty files in folders on disk, picked through the app's `<input webkitdirectory>` (the
 * picker is removed, as in browsers without it), from handing the folder to the input to the end of the app's
 * first `check` measure, against a bare input on the same page that is handed the same folder and reads every
 * file's path, size and date, the facts the app shows (Chromium fetches a picked file's size and date with one
 * blocking call to its browser process the first time either is read or the File is cloned, so no page gets them
 * faster). Both clocks start when Playwright is given the folder, so its own walk of the folder counts on both
 * sides. input-100k-longest-task: the longest main-thread task in the app's window.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { AppProblem, clickReady, openApp } from '../app.ts';
import type { BenchWindow } from '../browser.ts';
import {
  bareChangedAt,
  bareInputFacts,
  handOverTaskMs,
  makeDiskTree,
  withoutDirectoryPicker,
} from '../disk-tree.ts';
import { formatMs, median, progress, step } from '../log.ts';
import { profiling, startProfile } from '../profile.ts';
import { longestTaskSpec, RUNS, type Scenario } from '../scenario.ts';
import { startTrace, tracing } from '../trace.ts';

/** BENCH_INPUT_FOLDERS sets fewer folders (of 1,000 files) for quick looks; the bar is meant for 100. */
const FOLDERS = Number(process.env.BENCH_INPUT_FOLDERS) || 100;
const FILES_PER_FOLDER = 1000;
const FILES = FOLDERS * FILES_PER_FOLDER;
const TIMEOUT = 600_000;

export interface InputRun {
  /** Date.now() when the folder was handed to the input. */
  readonly startedAt: number;
  /** From handing the folder to the input to the end of the first `check` measure. */
  readonly ms: number;
  /** The longest main-thread task from the change event on (the app's part of the task that fired it). */
  readonly longestTaskMs: number;
  /** The browser's part of the task that fired change, before it: the File objects being made. */
  readonly handOverTaskMs: number;
  /** When the app's long tasks came, against its scan and check, for the log. */
  readonly diagnosis: string;
}

/** Hands `dir` to the app through Choose folder's input and waits for the first check; the page must be fresh. */
export async function pickThroughInput(page: Page, dir: string, files: number): Promise<InputRun> {
  await page.evaluate(() => {
    const state = window as unknown as { __inputChangedAt: number };
    state.__inputChangedAt = 0;
    document.addEventListener('change', () => (state.__inputChangedAt ||= performance.now()), true);
  });
  const chooser = page.waitForEvent('filechooser');
  await clickReady(page, 'Choose folder');
  const started = Date.now();
  // Playwright lists the folder before Chromium makes its Files: minutes for 100,000 files on a loaded machine.
  await (await chooser).setFiles(dir, { timeout: TIMEOUT });
  try {
    await page.waitForFunction(() => performance.getEntriesByName('check', 'measure').length > 0, undefined, {
      polling: 100,
      timeout: TIMEOUT,
    });
  } catch (error) {
    throw new AppProblem(
      `the check of the picked folder did not end within ${TIMEOUT / 1000} s (${String(error)})`,
    );
  }
  // Long tasks are reported asynchronously.
  await page.waitForTimeout(1200);
  const seen = await page.evaluate(() => {
    const state = (window as unknown as BenchWindow).__bench;
    const check = performance.getEntriesByName('check', 'measure')[0] as PerformanceMeasure;
    const end = check.startTime + check.duration;
    // The app's window opens with the change event: the task that fires it made the File objects first
    // (the browser's hand-over, which the bare input's change waits for too), so only its rest is the app's.
    const from = (window as unknown as { __inputChangedAt: number }).__inputChangedAt;
    const during = state.longTasks.filter((t) => t.start + t.duration >= from && t.start <= end);
    const scan = performance.getEntriesByName('scan', 'measure')[0];
    const absorb = performance.getEntriesByName('absorb', 'measure')[0];
    const marks = `list read ${Math.round((absorb ? absorb.startTime + absorb.duration : 0) - from)}, scan ends ${Math.round((scan ? scan.startTime + scan.duration : 0) - from)}, check ${Math.round(check.startTime - from)}–${Math.round(end - from)}`;
    const tasks = during.map((t) => `${Math.round(t.start - from)}+${Math.round(t.duration)}`).join(' ');
    return {
      diagnosis: `${marks} ms after change; long tasks (start+ms): ${tasks}`,
      endAt: performance.timeOrigin + end,
      handOver: Math.max(0, ...during.filter((t) => t.start < from).map((t) => from - t.start)),
      longest: Math.max(0, ...during.map((t) => t.start + t.duration - Math.max(t.start, from))),
      files: (check.detail as { files?: number } | null)?.files ?? null,
    };
  });
  if (seen.files !== null && seen.files !== files) {
    throw new AppProblem(`the app checked ${seen.files} files, expected ${files}`);
  }
  return {
    startedAt: started,
    ms: seen.endAt - started,
    longestTaskMs: seen.longest,
    handOverTaskMs: seen.handOver,
    diagnosis: seen.diagnosis,
  };
}

export const inputScenario: Scenario = {
  label: 'input-100k',
  specs: [
    {
      name: 'input-100k',
      unit: 's',
      bar: { on: 'ratio', op: '≤', limit: 1.2 },
      decimals: 2,
      aggregation: `${FILES.toLocaleString('en-US')} empty files (${FOLDERS} folders) on disk through <input webkitdirectory>: app from the hand-over to the end of its first check vs a bare input's change event and its reading of every file's path, size and date (the browser fetches size and date with one blocking call a file); median of ${RUNS} runs each, alternating`,
    },
    longestTaskSpec(
      'input-100k-longest-task',
      "input-100k's scan and check, from the change event (the browser's hand-over task before it is not the app's)",
    ),
    {
      name: 'input-100k-hand-over-task',
      unit: 'ms',
      bar: null,
      decimals: 0,
      aggregation: `the browser's own task that makes the FileList's File objects and fires change, on the bare input (no page code runs in it before change); max over ${RUNS} runs`,
    },
  ],
  async run(env) {
    const label = this.label;
    const parent = await mkdtemp(path.join(tmpdir(), 'bench-input-'));
    try {
      /**
       * Each side runs in a browser of its own, so neither inherits the other's 100,000 Files: in one page, the
       * app's side after the bare input's had main-thread tasks of 6.6–16.8 s that ran no page code (under load
       * 15), against at most 2.4 s in a browser of its own.
       */
      const inFreshBrowser = async <T>(work: (page: Page) => Promise<T>): Promise<T> => {
        const { page, close } = await env.openContext(label);
        try {
          await withoutDirectoryPicker(page);
          await openApp(page, env.url);
          return await work(page);
        } finally {
          await close();
        }
      };
      /** The app's side, in a fresh browser; `watch` starts a profile or trace and returns its stop. */
      const appSide = (
        name: string,
        watch?: (page: Page) => Promise<() => Promise<string>>,
      ): Promise<InputRun> =>
        inFreshBrowser(async (page) => {
          await page.getByLabel('Target').selectOption('custom');
          const stop = await watch?.(page);
          const [picked] = await step(label, name, () => pickThroughInput(page, tree.dir, tree.files));
          if (stop) console.log(await stop());
          return picked;
        });
      const [tree] = await step(
        label,
        `generate ${FOLDERS} folders × ${FILES_PER_FOLDER} empty files on disk`,
        () =>
          makeDiskTree(path.join(parent, 'specimens'), {
            folders: FOLDERS,
            filesPerFolder: FILES_PER_FOLDER,
            size: 0,
            seed: 5,
          }),
      );
      const baseline: number[] = [];
      const app: number[] = [];
      const longest: number[] = [];
      const handOver: number[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        const { facts, bareHandOver } = await inFreshBrowser(async (page) => {
          const [facts] = await step(label, `run ${run}/${RUNS}: bare input`, () =>
            bareInputFacts(page, tree.dir, tree.files),
          );
          return { facts, bareHandOver: await handOverTaskMs(page, await bareChangedAt(page)) };
        });
        const bare = facts.ms;
        baseline.push(bare);
        handOver.push(bareHandOver);
        const picked = await appSide(`run ${run}/${RUNS}: app`);
        app.push(picked.ms);
        longest.push(picked.longestTaskMs);
        progress(label, `run ${run}/${RUNS}: ${picked.diagnosis}`);
        progress(
          label,
          `run ${run}/${RUNS}: bare input ${formatMs(bare)} to every file's path, size and date (its FileList after ${formatMs(facts.listMs)}; its hand-over task ${Math.round(bareHandOver)} ms), app to its first check ${formatMs(picked.ms)}, longest task ${Math.round(picked.longestTaskMs)} ms after the hand-over task of ${Math.round(picked.handOverTaskMs)} ms`,
        );
      }
      if (profiling) {
        const picked = await appSide('profiled run (not counted): app', (page) =>
          startProfile(page, env.appDir, env.receiver),
        );
        progress(label, `profiled run: ${picked.diagnosis}`);
      }
      if (tracing) {
        const picked = await appSide('traced run (not counted): app', (page) =>
          startTrace(page, label, env.appDir),
        );
        progress(label, `traced run: ${picked.diagnosis}`);
      }
      return {
        'input-100k': { value: median(app) / 1000, baseline: median(baseline) / 1000 },
        'input-100k-longest-task': { value: Math.max(...longest), baseline: null },
        'input-100k-hand-over-task': { value: Math.max(...handOver), baseline: null },
      };
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  },
};
