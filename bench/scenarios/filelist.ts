/**
 * filelist-100k: the app builds the BioImage Archive file list of 100,000 scanned files with a 4-column path
 * template, `{Kind}-{Folder}/{Name}-{Number}.dat`, in its folder worker (build, constant-column check, the
 * archive's own rules and the TSV text). Two of the four columns never vary (`folder`, `file`) and are left out,
 * as the product does. Reports the app's `file-list` measure (from the request to the preview on the page) and
 * the longest main-thread task while it ran.
 */
import type { Page } from '@playwright/test';
import { AppProblem, openApp, scanWithApp, settleCheck, waitForMeasure, type Measured } from '../app.ts';
import { formatMs, median, progress, step } from '../log.ts';
import { emptyTree, longestTaskSpec, RUNS, type Scenario } from '../scenario.ts';

const ROOT = 'bench-filelist-100k';
const FOLDERS = 100;
const FILES_PER_FOLDER = 1000;
const FILES = FOLDERS * FILES_PER_FOLDER;
const TEMPLATE = '{Kind}-{Folder}/{Name}-{Number}.dat';

interface ListRun extends Measured {
  readonly columns: string;
}

async function measuredList(page: Page, timeout: number): Promise<ListRun> {
  const measured = await waitForMeasure(page, 'file-list', { rows: FILES }, timeout, 'the file list');
  const header = await page
    .getByRole('table', { name: /^Preview of/ })
    .getByRole('columnheader')
    .allInnerTexts();
  return { ...measured, columns: header.join(', ') };
}

export const fileListScenario: Scenario = {
  label: 'filelist-100k',
  specs: [
    {
      name: 'filelist-100k',
      unit: 's',
      bar: { on: 'value', op: '≤', limit: 10 },
      decimals: 2,
      aggregation: `app \`file-list\` measure: BioImage Archive file list of ${FILES.toLocaleString('en-US')} files, template \`${TEMPLATE}\`, built in the folder worker; median of ${RUNS} runs`,
    },
    longestTaskSpec('filelist-100k-longest-task', 'the build'),
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
        seed: 5,
      });
      const times: number[] = [];
      const longest: number[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        await openApp(page, env.url);
        await page.getByLabel('Target').selectOption('bia');
        await step(label, `run ${run}/${RUNS}: app scan`, () => scanWithApp(page, ROOT, FILES, 240_000));
        await settleCheck(page, 240_000);
        // Typed after the check, so the measured build is the one with the template.
        await page.getByLabel('Path template').fill(TEMPLATE);
        const [list] = await step(label, `run ${run}/${RUNS}: file list`, () => measuredList(page, 240_000));
        if (list.columns !== 'Files, Folder, Number') {
          throw new AppProblem(
            `the file list has columns "${list.columns}", expected "Files, Folder, Number"`,
          );
        }
        times.push(list.ms);
        longest.push(list.longestTaskMs);
        progress(
          label,
          `run ${run}/${RUNS}: ${FILES.toLocaleString('en-US')} rows in ${formatMs(list.ms)}, longest task ${Math.round(list.longestTaskMs)} ms`,
        );
      }
      return {
        'filelist-100k': { value: median(times) / 1000, baseline: null },
        'filelist-100k-longest-task': { value: Math.max(...longest), baseline: null },
      };
    } finally {
      await close();
    }
  },
};
