/**
 * `npm run bench` (after `vite build`): serves dist/ with the real receiver plus a raw PUT handler, drives the
 * app in headless Chromium through each scenario, writes bench/results.json and prints the same as a table.
 *
 * Exits 0 when every scenario produced a number, even if a bar fails (the table says which); non-zero only when
 * the harness itself broke. BENCH_ONLY=scan-100k,upload-1gib runs a subset (by scenario label); BENCH_RUNS=1 runs
 * each side once; BENCH_PROFILE=1 adds one uncounted, CPU-profiled app run to the scan and upload scenarios and prints where the page's
 * main thread and the receiver spent their time.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppProblem } from './app.ts';
import { executablePath } from '../scripts/chromium.ts';
import { openContext } from './browser.ts';
import { elapsed, formatMs, progress } from './log.ts';
import { markdownTable, toResult, writeResults, type Measurement } from './report.ts';
import { startBenchReceiver } from './receiver.ts';
import type { BenchEnv, Outcome, Scenario } from './scenario.ts';
import { barcodesScenario } from './scenarios/barcodes.ts';
import { fileListScenario } from './scenarios/filelist.ts';
import { dayScenario } from './scenarios/day.ts';
import { diskScenario } from './scenarios/disk.ts';
import { compressScenario, derivativesScenario } from './scenarios/images.ts';
import { inputScenario } from './scenarios/input.ts';
import { queueScenario } from './scenarios/queue.ts';
import { scanScenario } from './scenarios/scan.ts';
import { sha256Scenario } from './scenarios/sha256.ts';
import { uploadBigScenario } from './scenarios/upload-big.ts';
import { uploadJpegScenario, uploadManyScenario, uploadMidScenario } from './scenarios/upload-many.ts';
import { uploadS3Scenario } from './scenarios/upload-s3.ts';
import { validateScenario } from './scenarios/validate.ts';

/** Run order; the table lists the scenarios in ORDER. */
const SCENARIOS: readonly Scenario[] = [
  scanScenario,
  inputScenario,
  validateScenario,
  fileListScenario,
  queueScenario,
  uploadBigScenario,
  uploadManyScenario,
  uploadMidScenario,
  uploadJpegScenario,
  uploadS3Scenario,
  diskScenario,
  sha256Scenario,
  compressScenario,
  derivativesScenario,
  barcodesScenario,
  dayScenario,
];
const ORDER = [
  'scan-100k',
  'scan-100k-serial',
  'scan-100k-longest-task',
  'input-100k',
  'input-100k-longest-task',
  'input-100k-hand-over-task',
  'validate-100k',
  'validate-100k-longest-task',
  'filelist-100k',
  'filelist-100k-longest-task',
  'queue-10k',
  'queue-10k-longest-task',
  'upload-1gib',
  'upload-1gib-at-once',
  'upload-1gib-longest-task',
  'upload-1gib-raw-longest-task',
  'upload-1gib-s3',
  'upload-5000x10kb',
  'upload-5000x10kb-at-once',
  'upload-5000x10kb-longest-task',
  'upload-5000x10kb-raw-longest-task',
  'upload-1000x250kb',
  'upload-1000x250kb-at-once',
  'upload-1000x250kb-longest-task',
  'upload-1000x250kb-raw-longest-task',
  'upload-300x3mb',
  'upload-300x3mb-at-once',
  'upload-300x3mb-longest-task',
  'upload-300x3mb-raw-longest-task',
  'disk-20k',
  'upload-1gib-heap',
  'sha256-1gib',
  'compress-24mp',
  'derivatives-24mp',
  'barcodes-60mp',
  'day-100',
  'day-100-upload',
  'day-100-longest-task',
];

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.resolve(benchDir, '..', 'dist');
const resultsFile = path.join(benchDir, 'results.json');

async function main(): Promise<number> {
  if (!existsSync(path.join(distDir, 'index.html'))) {
    console.error(
      `No built app in ${distDir}: run \`npm run bench\` (it runs vite build first) or \`npm run build\`.`,
    );
    return 2;
  }
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const selected = SCENARIOS.filter((s) => !only || only.includes(s.label));
  if (selected.length === 0) {
    console.error(`BENCH_ONLY matched no scenario; labels: ${SCENARIOS.map((s) => s.label).join(', ')}`);
    return 2;
  }

  const scratch = await mkdtemp(path.join(tmpdir(), 'uploader-bench-'));
  const uploadDir = path.join(scratch, 'uploads');
  const rawDir = path.join(scratch, 'raw');
  const profiles = path.join(scratch, 'profiles');
  await Promise.all([mkdir(uploadDir), mkdir(rawDir), mkdir(profiles)]);
  // Others rebuild dist/ while they work; the bench serves the build it started with.
  const appDir = path.join(scratch, 'dist');
  await cp(distDir, appDir, { recursive: true });
  const receiverProblems: string[] = [];
  const receiver = await startBenchReceiver({ uploadDir, rawDir, staticDir: appDir }, (line) =>
    receiverProblems.push(line),
  );
  const cleanUp = async () => {
    await receiver.close().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    console.error('\nInterrupted; removing the bench scratch folder.');
    void cleanUp().finally(() => process.exit(130));
  });

  progress(
    'bench',
    `app at ${receiver.url} (receiver in its own process), Chromium ${executablePath ?? "(Playwright's own)"}, scratch ${scratch}`,
  );
  const env: BenchEnv = {
    url: receiver.url,
    appDir,
    uploadDir,
    rawDir,
    receiver,
    openContext: (label) => openContext(profiles, label),
    warn: (scenario, text) => {
      warnings.push(`${scenario}: ${text}`);
      progress(scenario, `APP PROBLEM: ${text}`);
    },
  };
  const warnings: string[] = [];
  const measurements = new Map<string, Measurement>();
  const durations: string[] = [];
  let harnessBroke = false;
  try {
    for (const scenario of selected) {
      const started = performance.now();
      progress(scenario.label, 'start');
      let outcomes: Record<string, Outcome> = {};
      let error: string | undefined;
      try {
        outcomes = await scenario.run(env);
      } catch (caught) {
        if (caught instanceof AppProblem) {
          error = `the app failed: ${caught.message}`;
        } else {
          harnessBroke = true;
          error = `bench error: ${caught instanceof Error ? caught.message : String(caught)}`;
          if (caught instanceof Error && caught.stack) console.error(caught.stack);
        }
        progress(scenario.label, error);
      }
      for (const spec of scenario.specs) {
        const outcome = outcomes[spec.name];
        measurements.set(spec.name, {
          ...spec,
          value: outcome?.value ?? null,
          baseline: outcome?.baseline ?? null,
          ...(outcome ? {} : { error: error ?? 'no value' }),
        });
      }
      const took = formatMs(performance.now() - started);
      durations.push(`${scenario.label}: ${took}`);
      progress(scenario.label, `finished in ${took}`);
    }
  } finally {
    await cleanUp();
  }

  // A figure missing from ORDER still gets its row, at the end.
  const names = [...ORDER, ...[...measurements.keys()].filter((name) => !ORDER.includes(name))];
  const ordered = names.map((name) => measurements.get(name)).filter((m) => m !== undefined);
  const results = ordered.map(toResult);
  await writeResults(resultsFile, results);
  const failed = results.filter((r) => r.pass === false).map((r) => r.name);
  console.log(
    `\nBench finished in ${elapsed().trim()} (${durations.join('; ')}). Results in ${path.relative(process.cwd(), resultsFile)}.\n`,
  );
  if (receiverProblems.length > 0) {
    console.log(
      `The receiver logged ${receiverProblems.length} problems, first ones:\n${receiverProblems.slice(0, 5).join('\n')}\n`,
    );
  }
  console.log(markdownTable(ordered, results));
  if (warnings.length > 0) {
    console.log(`\nApp problems seen along the way:\n${warnings.map((w) => `- ${w}`).join('\n')}`);
  }
  console.log(
    failed.length === 0
      ? '\nEvery bar passed.'
      : `\nFAILED bars (${failed.length} of ${results.length}): ${failed.join(', ')}`,
  );
  return harnessBroke ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('The bench harness failed:', error);
    process.exit(1);
  },
);
