/**
 * Chromium for the bench: Debian's (or CHROMIUM_PATH), else Playwright's own, with the flags this closed network
 * needs. Each scenario gets a fresh persistent context with its own profile folder, so its origin-private file
 * system starts empty and lives on disk like a real folder would (an incognito context keeps OPFS in memory);
 * deleting the profile afterwards deletes that OPFS data too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../scripts/chromium.ts';

/** What the init script keeps on `window` for the bench to read. */
export interface BenchState {
  longTasks: { start: number; duration: number }[];
  /** performance.now() of the last click on each button, by its text. */
  clicks: Record<string, number>;
  /** What the live region said, as it changed (recorded while a scan runs). */
  statuses: { at: number; text: string }[];
  upload?: {
    doneAt: number;
    text: string;
    heapStart: number;
    heapPeak: number;
    timer: number;
  };
}
export type BenchWindow = Window & { __bench: BenchState };

export interface BenchContext {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Closes the browser and deletes its profile, and with it everything the scenario put in OPFS. */
  close(): Promise<void>;
}

export async function openContext(profileParent: string, label: string): Promise<BenchContext> {
  const profile = await mkdtemp(path.join(profileParent, `${label}-`));
  const context = await chromium.launchPersistentContext(profile, {
    headless: true,
    viewport: { width: 1280, height: 900 },
    // Precise heap readings for upload-1gib-heap.
    ...chromiumLaunchOptions(['--enable-precise-memory-info']),
  });
  await context.addInitScript(() => {
    // tsx wraps inner named functions of page-side code in __name(); make it the identity on the page.
    (globalThis as unknown as { __name: (f: unknown) => unknown }).__name = (f) => f;
    const state: BenchState = { longTasks: [], clicks: {}, statuses: [] };
    (window as unknown as BenchWindow).__bench = state;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        state.longTasks.push({ start: entry.startTime, duration: entry.duration });
      }
    }).observe({ type: 'longtask', buffered: true });
    document.addEventListener(
      'click',
      (event) => {
        const button = (event.target as Element | null)?.closest?.('button');
        if (button) state.clicks[(button.textContent ?? '').trim()] = performance.now();
      },
      true,
    );
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(120_000);
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
