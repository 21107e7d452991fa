/**
 * Handing a completed batch on: the `ON_BATCH_COMPLETE` shell command and the `BATCH_WEBHOOK` POST, each run once
 * per completion. Every completion has a record in a journal (see handoff-journal.ts) that says where each step
 * stands (pending, running, done, failed), saved at every change, so a receiver that stops between the bag and the
 * hook runs it when it (or, on shared storage, another receiver) starts again. A failing step is retried with growing
 * pauses, each failure logged; after the last pause it is failed for good.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import {
  RECEIVER_EXTENSIONS,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type CompletionState,
  type HandoffStep,
  type WebhookPayload,
} from '#core/protocol';
import { ORIGINAL_PATHS_FILE } from './bagit.ts';
import { describeDuration } from './durations.ts';
import {
  FileJournal,
  isOpen,
  LocalClaims,
  type HandoffClaims,
  type HandoffJournal,
} from './handoff-journal.ts';

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

export class Handoff {
  readonly #journal: HandoffJournal;
  readonly #claims: HandoffClaims;
  readonly #settings: HandoffSettings;
  readonly #log: (text: string) => void;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Saves of each record, one after another (the steps of one completion save it side by side). */
  readonly #writes = new Map<string, Promise<void>>();
  #closed = false;

  /** `journal` is the upload folder for the journal on disk. */
  constructor(
    journal: string | HandoffJournal,
    settings: HandoffSettings,
    log: (text: string) => void,
    claims: HandoffClaims = new LocalClaims(),
  ) {
    this.#journal = typeof journal === 'string' ? new FileJournal(journal, log) : journal;
    this.#claims = claims;
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
    const key = `${record.batch}-${record.version}`;
    const snapshot = structuredClone(record);
    const previous = this.#writes.get(key) ?? Promise.resolve();
    const write = previous.catch(() => undefined).then(() => this.#journal.save(snapshot));
    this.#writes.set(key, write);
    void write
      .finally(() => {
        if (this.#writes.get(key) === write) this.#writes.delete(key);
      })
      .catch(() => undefined);
    return write;
  }

  records(batch: string): Promise<CompletionRecord[]> {
    return this.#journal.records(batch);
  }

  unfinished(): Promise<CompletionRecord[]> {
    return this.#journal.unfinished();
  }

  /**
   * Runs the steps of the bagged completions of `record`'s batch that are not done or failed yet, oldest first, as
   * the journal has them: on shared storage another receiver may have run some since `record` was read.
   */
  run(record: CompletionRecord): Promise<void> {
    return this.#claims.claim(record.batch, async () => {
      while (!this.#closed) {
        const next = (await this.#journal.records(record.batch)).find(
          (r) => r.bagged && r.handoff.some(isOpen),
        );
        if (!next) return;
        await this.#runSteps(next);
      }
    });
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
        // In the bag's folder when it is on disk; a bag in object storage is named by BATCH_DIR only.
        ...(path.isAbsolute(record.bagDir) ? { cwd: record.bagDir } : {}),
        env: {
          ...process.env,
          BATCH_NAME: record.batch,
          BATCH_DIR: record.bagDir,
          BATCH_PAYLOAD: record.payloadDir,
          BATCH_VERSION: String(record.version),
          ...(record.originalPaths === undefined
            ? {}
            : { BATCH_ORIGINAL_PATHS: inBag(record.bagDir, ORIGINAL_PATHS_FILE) }),
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

/** A tag file of the bag: in its folder on disk, or under its s3:// address (which ends in '/'). */
function inBag(bagDir: string, name: string): string {
  return path.isAbsolute(bagDir) ? path.join(bagDir, name) : `${bagDir}${name}`;
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
