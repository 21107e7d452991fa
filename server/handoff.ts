/**
 * Handing a completed batch on: the `ON_BATCH_COMPLETE` shell command and the `BATCH_WEBHOOK` POST, each run once
 * per completion. Every completion has a record on disk (`<uploadDir>/.handoff/<batch>-<n>.json`) that says
 * where each step stands (pending, running, done, failed), rewritten atomically at every change, so a receiver
 * that stops between the bag and the hook runs it when it starts again. A failing step is retried with growing
 * pauses, each failure logged; after the last pause it is failed for good.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  RECEIVER_EXTENSIONS,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type CompletionState,
  type HandoffStep,
  type WebhookPayload,
} from '#core/protocol';
import { writeAtomically } from './atomic-write.ts';
import { ORIGINAL_PATHS_FILE } from './bagit.ts';
import { describeDuration } from './durations.ts';

export type HandoffSettings = {
  /**
   * A shell command, run with BATCH_NAME, BATCH_DIR, BATCH_PAYLOAD and BATCH_VERSION in its environment, and
   * BATCH_ORIGINAL_PATHS (the bag's original-paths.tsv) when files were sent under names from their barcodes.
   */
  hook?: string | undefined;
  webhook?: string | undefined;
  webhookSecret?: string | undefined;
  /** Pauses before each retry, in milliseconds; a step fails for good once they are used up. */
  retryDelays?: readonly number[] | undefined;
};

/** 10 s, 30 s, 1 min, 5 min, 15 min, then hourly for a day: a downstream tool down for a night is caught up. */
export const DEFAULT_RETRY_DELAYS: readonly number[] = [
  10_000,
  30_000,
  60_000,
  5 * 60_000,
  15 * 60_000,
  ...Array.from({ length: 24 }, () => 60 * 60_000),
];
const WEBHOOK_TIMEOUT_MS = 30_000;
/** The end of a hook's output kept for the log line of a failure. */
const OUTPUT_KEPT = 400;

/**
 * A completion as recorded: its public state, whether its bag was finished, and the absolute folders. `bagged`
 * is false from the check until every tag file is written.
 */
export type CompletionRecord = CompletionState & {
  bagged: boolean;
  bagDir: string;
  payloadDir: string;
  target?: string | undefined;
  /** The own paths of the bag's files sent under another name (a name from a barcode), by path under data/. */
  originalPaths?: Record<string, string> | undefined;
};

const RECORD_DIR = '.handoff';

export class Handoff {
  readonly #dir: string;
  readonly #settings: HandoffSettings;
  readonly #log: (text: string) => void;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Each batch's steps run one completion after another, in order. */
  readonly #chains = new Map<string, Promise<void>>();
  /** Writes of each record file, one after another (the steps of one completion save it side by side). */
  readonly #writes = new Map<string, Promise<void>>();
  #closed = false;

  constructor(uploadDir: string, settings: HandoffSettings, log: (text: string) => void) {
    this.#dir = path.join(uploadDir, RECORD_DIR);
    this.#settings = settings;
    this.#log = log;
  }

  /** The steps a new completion gets, all pending. */
  steps(): HandoffStep[] {
    const steps: HandoffStep[] = [];
    if (this.#settings.hook) steps.push({ kind: 'hook', state: 'pending', attempts: 0 });
    if (this.#settings.webhook) steps.push({ kind: 'webhook', state: 'pending', attempts: 0 });
    return steps;
  }

  save(record: CompletionRecord): Promise<void> {
    const file = this.#file(record.batch, record.version);
    const text = `${JSON.stringify(record, null, 2)}\n`;
    const previous = this.#writes.get(file) ?? Promise.resolve();
    const write = previous.catch(() => undefined).then(() => writeAtomically(file, text));
    this.#writes.set(file, write);
    void write
      .finally(() => {
        if (this.#writes.get(file) === write) this.#writes.delete(file);
      })
      .catch(() => undefined);
    return write;
  }

  /** Every completion of `batch`, oldest first. */
  async records(batch: string): Promise<CompletionRecord[]> {
    const prefix = `${batch}-`;
    const versions = (await this.#names())
      .filter((name) => name.startsWith(prefix) && name.endsWith('.json'))
      .map((name) => Number(name.slice(prefix.length, -'.json'.length)))
      .filter((n) => Number.isInteger(n) && n > 0)
      .sort((a, b) => a - b);
    const records: CompletionRecord[] = [];
    for (const version of versions) {
      const record = await this.#read(this.#file(batch, version));
      if (record?.batch === batch) records.push(record);
    }
    return records;
  }

  /** Every completion of every batch that is not finished: its bag unwritten or a step not done or failed. */
  async unfinished(): Promise<CompletionRecord[]> {
    const records: CompletionRecord[] = [];
    for (const name of (await this.#names()).filter((n) => n.endsWith('.json')).sort()) {
      const record = await this.#read(path.join(this.#dir, name));
      if (
        record &&
        (!record.bagged || record.handoff.some((s) => s.state === 'pending' || s.state === 'running'))
      )
        records.push(record);
    }
    return records;
  }

  /** Runs the steps of a bagged completion that are not done or failed yet, after those of earlier completions. */
  run(record: CompletionRecord): Promise<void> {
    const previous = this.#chains.get(record.batch) ?? Promise.resolve();
    const next = previous.then(() => this.#runSteps(record));
    this.#chains.set(record.batch, next);
    void next.finally(() => {
      if (this.#chains.get(record.batch) === next) this.#chains.delete(record.batch);
    });
    return next;
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async #runSteps(record: CompletionRecord): Promise<void> {
    await Promise.all(
      record.handoff.map(async (step) => {
        if (step.state === 'done' || step.state === 'failed') return;
        if (step.state === 'running') {
          this.#log(
            `HANDOFF ${this.#name(record)}: the ${step.kind} was running when the receiver stopped; it runs again`,
          );
        }
        const delays = this.#settings.retryDelays ?? DEFAULT_RETRY_DELAYS;
        while (!this.#closed) {
          step.state = 'running';
          step.attempts += 1;
          await this.save(record);
          const problem = await (step.kind === 'hook' ? this.#hook(record) : this.#webhook(record));
          if (this.#closed) return;
          if (problem === undefined) {
            step.state = 'done';
            delete step.lastError;
            await this.save(record);
            this.#log(`HANDOFF ${this.#name(record)}: the ${step.kind} succeeded (attempt ${step.attempts})`);
            return;
          }
          step.lastError = problem;
          const delay = delays[step.attempts - 1];
          if (delay === undefined) {
            step.state = 'failed';
            await this.save(record);
            this.#log(
              `HANDOFF FAILED ${this.#name(record)}: the ${step.kind} failed ${step.attempts} times and is not tried again: ${problem}`,
            );
            return;
          }
          step.state = 'pending';
          await this.save(record);
          this.#log(
            `HANDOFF ${this.#name(record)}: the ${step.kind} failed (attempt ${step.attempts}): ${problem}; trying again in ${describeDuration(delay)}`,
          );
          await this.#pause(delay);
        }
      }),
    );
  }

  /** undefined on success, else a sentence saying what went wrong. */
  #hook(record: CompletionRecord): Promise<string | undefined> {
    const command = this.#settings.hook ?? '';
    return new Promise((resolve) => {
      let output = '';
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
      };
      const child = spawn('/bin/sh', ['-c', command], {
        cwd: record.bagDir,
        env: {
          ...process.env,
          BATCH_NAME: record.batch,
          BATCH_DIR: record.bagDir,
          BATCH_PAYLOAD: record.payloadDir,
          BATCH_VERSION: String(record.version),
          ...(record.originalPaths === undefined
            ? {}
            : { BATCH_ORIGINAL_PATHS: path.join(record.bagDir, ORIGINAL_PATHS_FILE) }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.once('error', (error) => resolve(`ON_BATCH_COMPLETE could not be started: ${error.message}`));
      child.once('close', (code, signal) => {
        if (code === 0) resolve(undefined);
        else {
          const how = signal ? `was ended by ${signal}` : `exited with ${code}`;
          const said = output.trim().replace(/\s+/g, ' ');
          resolve(`ON_BATCH_COMPLETE ${how}${said ? ` (its output ended: ${said})` : ''}`);
        }
      });
    });
  }

  async #webhook(record: CompletionRecord): Promise<string | undefined> {
    const url = this.#settings.webhook ?? '';
    const body = JSON.stringify(webhookPayload(record));
    const secret = this.#settings.webhookSecret;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'specimen-uploader',
          [WEBHOOK_EVENT_HEADER]: RECEIVER_EXTENSIONS.batchComplete,
          ...(secret ? { [WEBHOOK_SIGNATURE_HEADER]: signWebhook(body, secret) } : {}),
        },
        body,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return response.ok ? undefined : `BATCH_WEBHOOK ${url} answered ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return `BATCH_WEBHOOK ${url} could not be reached (${cause ?? (error instanceof Error ? error.message : String(error))})`;
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  /** The names in the record folder, which is made with the first record. */
  async #names(): Promise<string[]> {
    try {
      return await readdir(this.#dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  #file(batch: string, version: number): string {
    return path.join(this.#dir, `${batch}-${version}.json`);
  }

  async #read(file: string): Promise<CompletionRecord | undefined> {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as CompletionRecord;
    } catch (error) {
      this.#log(
        `ERROR cannot read the hand-off record ${file}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }

  #name(record: CompletionRecord): string {
    return `${record.batch} (completion ${record.version})`;
  }
}

/** `sha256=<hex>` of HMAC-SHA256 of the body, as GitHub signs its webhooks (X-Hub-Signature-256). */
export function signWebhook(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function webhookPayload(record: CompletionRecord): WebhookPayload {
  return {
    event: RECEIVER_EXTENSIONS.batchComplete,
    batch: record.batch,
    version: record.version,
    completionId: record.completionId,
    bagDir: record.bagDir,
    payloadDir: record.payloadDir,
    files: record.files,
    bytes: record.bytes,
    payloadOxum: record.payloadOxum,
    baggedAt: record.baggedAt,
    ...(record.originalPaths === undefined
      ? {}
      : {
          originalPaths: Object.entries(record.originalPaths).map(([file, originalPath]) => ({
            path: file,
            originalPath,
          })),
        }),
  };
}

/** What the page is told of a completion: the record without the receiver's own folders. */
export function publicState(record: CompletionRecord): CompletionState {
  return {
    batch: record.batch,
    completionId: record.completionId,
    version: record.version,
    bag: record.bag,
    files: record.files,
    bytes: record.bytes,
    payloadOxum: record.payloadOxum,
    baggedAt: record.baggedAt,
    handoff: record.handoff.map((step) => ({ ...step })),
  };
}
