/**
 * sha256-1gib: the app's SHA-256 of the 1 GiB OPFS file against `sha256sum` of the same bytes on disk.
 * - app: target Custom pattern (SHA-256 alone, no MD5), the checksums the app computes by itself after the
 *   check, timed by the app's `checksums` measure (the folder worker streaming the file through hash-wasm); the
 *   digest is read back from the Manifest's preview.
 * - baseline: `sha256sum <file>` as a child process, wall clock. The file is written by one raw PUT of the OPFS
 *   File, which reads the OPFS file once as well; one untimed `sha256sum` then reads the disk file once, so both
 *   sides hash from the page cache.
 * Alternating runs; every run's digest must equal sha256sum's.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { AppProblem, awaitChecksums, openApp, scanWithApp, settleCheck } from '../app.ts';
import { formatMs, mbPerSecond, median, progress, step } from '../log.ts';
import { rawPutOne } from '../opfs.ts';
import { RAW_PREFIX } from '../raw-handler.ts';
import { BIG_FILE, bigFile, clearReceived, RUNS, type Scenario } from '../scenario.ts';

const DISK_NAME = 'sha256-1gib.bin';
const HASH_TIMEOUT = 300_000;
const HEX64 = /^[0-9a-f]{64}$/;

interface Hashed {
  readonly ms: number;
  readonly sha256: string;
}

async function sha256sum(file: string): Promise<Hashed> {
  const started = performance.now();
  const { stdout } = await promisify(execFile)('sha256sum', [file]);
  const ms = performance.now() - started;
  const sha256 = /^([0-9a-f]{64})\s/.exec(stdout)?.[1];
  if (sha256 === undefined) throw new Error(`sha256sum printed "${stdout.trim()}"`);
  return { ms, sha256 };
}

/** The SHA-256 the Manifest's preview shows for the big file, once it shows one. */
async function manifestSha256(page: Page): Promise<string> {
  const table = page
    .getByRole('region', { name: 'File lists' })
    .getByRole('table', { name: 'Preview of Manifest' });
  await table.waitFor();
  const column = (await table.getByRole('columnheader').allInnerTexts()).indexOf('sha256');
  if (column < 0) throw new AppProblem('the Manifest preview has no sha256 column');
  const cell = table
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: BIG_FILE.name, exact: true }) })
    .getByRole('cell')
    .nth(column)
    .filter({ hasText: HEX64 });
  try {
    await cell.waitFor({ timeout: 30_000 });
  } catch (error) {
    throw new AppProblem(`the Manifest preview showed no SHA-256 for ${BIG_FILE.name} (${String(error)})`);
  }
  return (await cell.innerText()).trim();
}

/** Picks the folder under Custom pattern, computes its checksums and returns the app's measure and digest. */
async function appRun(page: Page, url: string): Promise<Hashed> {
  await openApp(page, url);
  await page.getByLabel('Target').selectOption('custom');
  await scanWithApp(page, BIG_FILE.root, 1, 60_000);
  await settleCheck(page, 60_000);
  const panel = page.getByRole('region', { name: 'Checksums' });
  const said = await panel.innerText();
  if (!/SHA-256:/.test(said) || /MD5/.test(said))
    throw new AppProblem(`the Checksums panel says "${said}", expected SHA-256 alone`);
  const ms = await awaitChecksums(page, HASH_TIMEOUT);
  const done = (await panel.innerText()).trim();
  if (!/computed for all 1 files/.test(done)) throw new AppProblem(`the Checksums panel says "${done}"`);
  return { ms, sha256: await manifestSha256(page) };
}

export const sha256Scenario: Scenario = {
  label: 'sha256-1gib',
  specs: [
    {
      name: 'sha256-1gib',
      unit: 'MB/s',
      bar: { on: 'ratio', op: '≥', limit: 0.5 },
      decimals: 1,
      aggregation: `1 GiB file; app: bytes / its \`checksums\` measure (Custom pattern target, SHA-256 alone, in the folder worker, from OPFS); baseline: \`sha256sum\` of the same bytes on disk, wall clock of the child process; each file read once untimed beforehand, so both hash from the page cache; both digests must agree; MB = 10^6 bytes; median of ${RUNS} runs each, alternating`,
    },
  ],
  async run(env) {
    const label = this.label;
    const { page, close } = await env.openContext(label);
    const diskFile = path.join(env.rawDir, DISK_NAME);
    try {
      await openApp(page, env.url);
      await bigFile(page, label);
      await step(label, 'copy it to disk with one raw PUT (which reads the OPFS file once)', () =>
        page.evaluate(rawPutOne, {
          root: BIG_FILE.root,
          name: BIG_FILE.name,
          url: `${env.url}${RAW_PREFIX.slice(1)}${DISK_NAME}`,
        }),
      );
      const { size } = await stat(diskFile);
      if (size !== BIG_FILE.size)
        throw new Error(`the disk copy has ${size} bytes, expected ${BIG_FILE.size}`);
      const [reference] = await step(label, 'read the disk copy once (untimed sha256sum)', () =>
        sha256sum(diskFile),
      );
      const app: number[] = [];
      const base: number[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        const [baseline] = await step(label, `run ${run}/${RUNS}: baseline sha256sum`, () =>
          sha256sum(diskFile),
        );
        if (baseline.sha256 !== reference.sha256)
          throw new Error(`sha256sum gave ${baseline.sha256}, earlier ${reference.sha256}`);
        const [result] = await step(label, `run ${run}/${RUNS}: app checksums`, () => appRun(page, env.url));
        if (result.sha256 !== reference.sha256) {
          throw new AppProblem(
            `the app's SHA-256 of ${BIG_FILE.name} is ${result.sha256}, sha256sum's is ${reference.sha256}`,
          );
        }
        const appRate = mbPerSecond(BIG_FILE.size, result.ms);
        const baseRate = mbPerSecond(BIG_FILE.size, baseline.ms);
        app.push(appRate);
        base.push(baseRate);
        progress(
          label,
          `run ${run}/${RUNS}: app ${formatMs(result.ms)} = ${appRate.toFixed(1)} MB/s, sha256sum ${formatMs(baseline.ms)} = ${baseRate.toFixed(1)} MB/s; digests agree`,
        );
      }
      return { [label]: { value: median(app), baseline: median(base) } };
    } finally {
      await close();
      await clearReceived(env);
    }
  },
};
