/** Drives the built app the way a user would: pick a folder, wait for the scan, start, cancel, wait. */
import type { Page } from '@playwright/test';
import type { BenchWindow } from './browser.ts';
import { formatMs, median } from './log.ts';
import { pickerReturnsOpfsFolder, type RawPut } from './opfs.ts';

/** The app did not do what the scenario needs (failed, refused, or never finished): a result, not a bench bug. */
export class AppProblem extends Error {
  override readonly name = 'AppProblem';
}

const count = (text: string) => Number(text.replaceAll(',', ''));

/** Loads (or reloads) the app, so its state is fresh. */
export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.getByRole('button', { name: 'Choose folder' }).waitFor({ state: 'visible' });
}

export interface AppScan {
  /** The app's own `scan` measure. */
  readonly scanMs: number;
  /** Longest main-thread task from the click on Choose folder to the end of the scan (the task that ends it). */
  readonly longestTaskMs: number;
  readonly longTasks: number;
  /** Longest task in the second after the scan ended (the app's next step, e.g. its check); diagnosis only. */
  readonly longestAfterMs: number;
  /** The file count the app announced when the scan ended ("Scan complete: N files"), when it did. */
  readonly announcedFiles: number | null;
  /** The Folder panel's summary, e.g. "100,000 files (0 B) in 101 folders". */
  readonly summary: string;
}

const SUMMARY = /([\d,]+) files? \([^)]*\) in [\d,]+ folders?[^.]*/;

/**
 * Clicks the button `name` once Playwright's polling script is in the page: `waitForFunction` loads it on first
 * use, and loaded inside the measured window it was the window's largest task (20 ms of CPU, 280 ms under load),
 * none of it the app's.
 */
export async function clickReady(page: Page, name: string): Promise<void> {
  await page.waitForFunction(() => true);
  await page.getByRole('button', { name }).click();
}

/** Picks the OPFS folder `root` through showDirectoryPicker and waits for the scan to finish. */
export async function scanWithApp(
  page: Page,
  root: string,
  expectedFiles: number,
  timeout: number,
): Promise<AppScan> {
  await page.evaluate(pickerReturnsOpfsFolder, root);
  await page.evaluate(() => {
    const state = (window as unknown as BenchWindow).__bench;
    const status = document.querySelector('[role="status"]');
    if (!status) return;
    state.statuses = [];
    new MutationObserver(() =>
      state.statuses.push({ at: performance.now(), text: (status.textContent ?? '').trim() }),
    ).observe(status, { childList: true, characterData: true, subtree: true });
  });
  await clickReady(page, 'Choose folder');
  try {
    await page.waitForFunction(
      () =>
        performance.getEntriesByName('scan', 'measure').length > 0 ||
        /could not be scanned/.test(document.querySelector('[role="status"]')?.textContent ?? ''),
      undefined,
      { polling: 250, timeout },
    );
  } catch (error) {
    throw new AppProblem(`the scan did not finish within ${timeout / 1000} s (${String(error)})`);
  }
  // Long tasks are reported asynchronously; the second after the scan is watched for diagnosis.
  await page.waitForTimeout(1200);
  const seen = await page.evaluate(() => {
    const state = (window as unknown as BenchWindow).__bench;
    const measure = performance.getEntriesByName('scan', 'measure').at(-1);
    const from = state.clicks['Choose folder'] ?? 0;
    const until = measure ? measure.startTime + measure.duration : performance.now();
    // Every task that overlaps the scan, including the one that ends it (and renders its last rows).
    const during = state.longTasks.filter((t) => t.start + t.duration >= from && t.start <= until);
    const after = state.longTasks.filter((t) => t.start > until && t.start <= until + 1000);
    const announced = state.statuses.map((s) => /^Scan complete: ([\d,]+) files?/.exec(s.text)).find(Boolean);
    return {
      scanMs: measure?.duration ?? null,
      longestTaskMs: Math.max(0, ...during.map((t) => t.duration)),
      longTasks: during.length,
      longestAfterMs: Math.max(0, ...after.map((t) => t.duration)),
      announced: announced?.[1] ?? null,
      status: document.querySelector('[role="status"]')?.textContent?.trim() ?? '',
    };
  });
  const panel = (await page.getByRole('region', { name: 'Folder' }).innerText()).replace(/\s+/g, ' ');
  const summary = SUMMARY.exec(panel);
  if (seen.scanMs === null || !summary) {
    throw new AppProblem(`the scan failed: "${seen.status}" / "${panel.slice(0, 300)}"`);
  }
  if (count(summary[1] ?? '') !== expectedFiles) {
    throw new AppProblem(`the scan found ${summary[0]}, expected ${expectedFiles} files`);
  }
  return {
    scanMs: seen.scanMs,
    longestTaskMs: seen.longestTaskMs,
    longTasks: seen.longTasks,
    longestAfterMs: seen.longestAfterMs,
    announcedFiles: seen.announced === null ? null : count(seen.announced),
    summary: summary[0].trim(),
  };
}

/**
 * When the app has a Check step (it validates the scanned folder against a target and keeps files with errors
 * out of the upload), waits for it to finish and lets every file into the upload, so the upload scenarios
 * measure the transfer of the whole folder. Returns the check's headline, or '' without a Check step.
 */
export async function settleCheck(page: Page, timeout: number): Promise<string> {
  if ((await page.getByRole('heading', { name: 'Check', exact: true }).count()) === 0) return '';
  const status = page.getByRole('status');
  try {
    await status
      .filter({ hasText: /^(Checked against|Not checked|The check could not run)/ })
      .waitFor({ timeout });
  } catch (error) {
    throw new AppProblem(`the Check step did not finish within ${timeout / 1000} s (${String(error)})`);
  }
  const headline = (await status.innerText()).trim();
  const override = page.getByRole('checkbox', { name: /Upload files with errors too/ });
  if ((await override.count()) > 0) await override.check();
  return headline;
}

export async function setBatch(page: Page, batch: string): Promise<void> {
  await page.getByLabel('Batch name').fill(batch);
}

export interface AppUpload {
  /** From the click on Start upload to the `Upload complete` announcement. */
  readonly ms: number;
  readonly heapStartBytes: number;
  readonly heapPeakBytes: number;
  /** The longest main-thread long task from the click to the announcement (0: none over 50 ms). */
  readonly longestTaskMs: number;
}

/** Clicks Start upload and waits for the live region to say the upload is complete. */
export async function uploadWithApp(
  page: Page,
  options: { expectedFiles: number; timeout: number; sampleHeap: boolean },
): Promise<AppUpload> {
  await page.evaluate((sampleHeap) => {
    const state = (window as unknown as BenchWindow).__bench;
    const status = document.querySelector('[role="status"]');
    if (!status) throw new Error('The page has no live region (role=status).');
    const heap = () =>
      (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
    const upload = { doneAt: 0, text: '', heapStart: heap(), heapPeak: heap(), timer: 0 };
    state.upload = upload;
    const check = () => {
      const text = (status.textContent ?? '').trim();
      if (upload.doneAt === 0 && /^Upload (complete|finished)/.test(text)) {
        upload.doneAt = performance.now();
        upload.text = text;
        upload.heapPeak = Math.max(upload.heapPeak, heap());
        clearInterval(upload.timer);
      }
    };
    new MutationObserver(check).observe(status, { childList: true, characterData: true, subtree: true });
    if (sampleHeap) {
      upload.timer = setInterval(() => {
        upload.heapPeak = Math.max(upload.heapPeak, heap());
      }, 100) as unknown as number;
    }
  }, options.sampleHeap);
  await clickReady(page, 'Start upload');
  try {
    await page.waitForFunction(
      () => ((window as unknown as BenchWindow).__bench.upload?.doneAt ?? 0) > 0,
      undefined,
      {
        polling: 250,
        timeout: options.timeout,
      },
    );
  } catch (error) {
    const figures = await page
      .getByRole('region', { name: 'Upload' })
      .innerText()
      .catch(() => '');
    throw new AppProblem(
      `the upload did not finish within ${options.timeout / 1000} s (${figures.replace(/\s+/g, ' ')}; ${String(error)})`,
    );
  }
  // Long tasks are reported asynchronously.
  await page.waitForTimeout(1200);
  const seen = await page.evaluate(() => {
    const state = (window as unknown as BenchWindow).__bench;
    const clickAt = state.clicks['Start upload'] ?? 0;
    const doneAt = state.upload?.doneAt ?? 0;
    const during = state.longTasks.filter((t) => t.start + t.duration >= clickAt && t.start <= doneAt);
    return { upload: state.upload, clickAt, longestTaskMs: Math.max(0, ...during.map((t) => t.duration)) };
  });
  const upload = seen.upload;
  if (!upload) throw new Error('The upload state vanished from the page.');
  const complete = /^Upload complete: ([\d,]+) files?/.exec(upload.text);
  if (!complete) {
    const failed = await page
      .getByRole('region', { name: 'Failed files' })
      .innerText()
      .catch(() => '');
    throw new AppProblem(`the upload did not complete: "${upload.text}" ${failed.slice(0, 400)}`);
  }
  if (count(complete[1] ?? '') !== options.expectedFiles) {
    throw new AppProblem(`the app uploaded ${complete[1]} files, expected ${options.expectedFiles}`);
  }
  await settleCompletion(page, options.timeout);
  return {
    ms: upload.doneAt - seen.clickAt,
    heapStartBytes: upload.heapStart,
    heapPeakBytes: upload.heapPeak,
    longestTaskMs: seen.longestTaskMs,
  };
}

/**
 * Waits (untimed) until the receiver has answered the batch's completion, so its bagging neither runs into the
 * next run's measurement nor finds its folder cleared by the bench.
 */
async function settleCompletion(page: Page, timeout: number): Promise<void> {
  const region = page.getByRole('region', { name: 'Batch completion' });
  await region.and(page.locator(':not([data-phase="completing"])')).waitFor({ timeout });
  const phase = await region.getAttribute('data-phase');
  if (phase === 'refused' || phase === 'failed') {
    throw new AppProblem(
      `the receiver did not complete the batch: ${(await region.innerText()).slice(0, 400)}`,
    );
  }
}

/**
 * Clicks Start upload, reads the `queue` measure (queue-start → queue-ready) and the long tasks overlapping it,
 * then cancels the upload.
 */
export async function queueWithApp(page: Page, timeout: number): Promise<Measured> {
  await clickReady(page, 'Start upload');
  try {
    await page.waitForFunction(
      () => performance.getEntriesByName('queue-ready', 'mark').length > 0,
      undefined,
      {
        polling: 50,
        timeout,
      },
    );
  } catch (error) {
    throw new AppProblem(`the app never marked queue-ready within ${timeout / 1000} s (${String(error)})`);
  }
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page
    .getByRole('status')
    .filter({ hasText: /^Upload (cancelled|complete|finished)/ })
    .waitFor({ timeout });
  // Long tasks are reported asynchronously.
  await page.waitForTimeout(1200);
  const measured = await page.evaluate(() => {
    const measure = performance.measure('queue', 'queue-start', 'queue-ready');
    const end = measure.startTime + measure.duration;
    const during = (window as unknown as BenchWindow).__bench.longTasks.filter(
      (t) => t.start + t.duration >= measure.startTime && t.start <= end,
    );
    return { ms: measure.duration, longestTaskMs: Math.max(0, ...during.map((t) => t.duration)) };
  });
  return measured;
}

export interface Measured {
  /** The measure's duration. */
  readonly ms: number;
  /** The longest main-thread long task overlapping the measure (0: none over 50 ms). */
  readonly longestTaskMs: number;
}

/**
 * Waits for an app measure named `name`, beyond the first `after` of them and, with `rows`, one whose detail
 * counts that many rows; then reads the last such measure and the long tasks that overlap it. `what` names the
 * step in the sentence when it does not come.
 */
export async function waitForMeasure(
  page: Page,
  name: string,
  match: { readonly after?: number; readonly rows?: number },
  timeout: number,
  what: string,
): Promise<Measured> {
  const arg = { name, after: match.after ?? 0, rows: match.rows ?? null };
  try {
    await page.waitForFunction(
      ({ name, after, rows }) =>
        performance
          .getEntriesByName(name, 'measure')
          .slice(after)
          .some((m) => rows === null || (m as PerformanceMeasure).detail?.rows === rows),
      arg,
      { polling: 250, timeout },
    );
  } catch (error) {
    throw new AppProblem(`${what} did not finish within ${timeout / 1000} s (${String(error)})`);
  }
  // Long tasks are reported asynchronously.
  await page.waitForTimeout(1200);
  return page.evaluate(({ name, after, rows }) => {
    const state = (window as unknown as BenchWindow).__bench;
    const measure = performance
      .getEntriesByName(name, 'measure')
      .slice(after)
      .filter((m) => rows === null || (m as PerformanceMeasure).detail?.rows === rows)
      .at(-1) as PerformanceMeasure;
    const end = measure.startTime + measure.duration;
    const during = state.longTasks.filter((t) => t.start + t.duration >= measure.startTime && t.start <= end);
    return { ms: measure.duration, longestTaskMs: Math.max(0, ...during.map((t) => t.duration)) };
  }, arg);
}

/** Waits for the checksums the app computes by itself after the check; returns the app's `checksums` measure. */
export async function awaitChecksums(page: Page, timeout: number): Promise<number> {
  const { ms } = await waitForMeasure(page, 'checksums', {}, timeout, 'the checksums of the folder');
  return ms;
}

/**
 * When the bench presses Start upload after the check: once the checksums the app computes in the background
 * are done (as when a curator reviews the check first), or at once, so hashing shares the transfer's time.
 */
export type StartWhen = 'reviewed' | 'at-once';

/** What each side's runs gave, in run order. */
export interface AlternatedRuns<B, A> {
  readonly raw: B[];
  readonly reviewed: A[];
  readonly atOnce: A[];
}

/** `runs` rounds of the baseline, then the app started after review, then at once; the sides alternate. */
export async function alternateStarts<B, A>(
  runs: number,
  rawRun: (run: number) => Promise<B>,
  appRun: (run: number, when: StartWhen) => Promise<A>,
): Promise<AlternatedRuns<B, A>> {
  const out: AlternatedRuns<B, A> = { raw: [], reviewed: [], atOnce: [] };
  for (let run = 1; run <= runs; run += 1) {
    out.raw.push(await rawRun(run));
    out.reviewed.push(await appRun(run, 'reviewed'));
    out.atOnce.push(await appRun(run, 'at-once'));
  }
  return out;
}

/** The median rate of some runs (see alternateStarts). */
export const medianRate = (runs: readonly { rate: number }[]): number => median(runs.map((run) => run.rate));

/** The longest main-thread task over some runs (see alternateStarts). */
export const longestOver = (runs: readonly { longestTaskMs: number }[]): number =>
  Math.max(...runs.map((run) => run.longestTaskMs));

/** Before Start upload: for a `reviewed` start, waits (untimed) for the background checksums and says how long. */
export async function waitToStart(
  page: Page,
  when: StartWhen,
  timeout: number,
  say: (text: string) => void,
): Promise<void> {
  if (when !== 'reviewed') return;
  const ms = await awaitChecksums(page, timeout);
  say(`checksums computed after the check in ${formatMs(ms)} (not timed)`);
}

/**
 * The longest main-thread long task overlapping a baseline's run on the page (0: none over 50 ms): what the same
 * machine, under the same load, does to a page that only sends, to set beside the app's.
 */
export async function longestTaskOfRaw(page: Page, put: RawPut): Promise<number> {
  // Long tasks are reported asynchronously.
  await page.waitForTimeout(1200);
  return page.evaluate(
    ({ from, until }) => {
      const state = (window as unknown as BenchWindow).__bench;
      const during = state.longTasks.filter((t) => t.start + t.duration >= from && t.start <= until);
      return Math.max(0, ...during.map((t) => t.duration));
    },
    { from: put.startedAt, until: put.startedAt + put.ms },
  );
}
