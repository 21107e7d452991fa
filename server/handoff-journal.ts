/**
 * Where the completions of batches are recorded, and who runs their hand-off. On disk the journal is
 * `<uploadDir>/.handoff/<batch>-<n>.json`, rewritten atomically at every change, and one process runs every
 * hand-off; on object storage both live elsewhere (see s3-bags.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HandoffStep } from '#core/protocol';
import { writeAtomically } from './atomic-write.ts';
import type { CompletionRecord } from './handoff.ts';

export interface HandoffJournal {
  /** Called for one record at a time: the next save of a record waits for the last. */
  save(record: CompletionRecord): Promise<void>;
  /** Every completion of `batch`, oldest first. */
  records(batch: string): Promise<CompletionRecord[]>;
  /** Every completion of every batch that is not finished: its bag unwritten or a step pending or running. */
  unfinished(): Promise<CompletionRecord[]>;
}

/**
 * Runs the hand-off work of one batch at a time. `work` is skipped (not queued) when another receiver on the same
 * storage runs that batch's hand-off already: it finds the new completion in the journal when it is done.
 */
export interface HandoffClaims {
  claim(batch: string, work: () => Promise<void>): Promise<void>;
}

export function isUnfinished(record: CompletionRecord): boolean {
  return !record.bagged || record.handoff.some(isOpen);
}

export const isOpen = (step: HandoffStep): boolean => step.state === 'pending' || step.state === 'running';

const RECORD_DIR = '.handoff';

/** The journal as files in the upload folder. */
export class FileJournal implements HandoffJournal {
  readonly #dir: string;
  readonly #log: (text: string) => void;

  constructor(uploadDir: string, log: (text: string) => void) {
    this.#dir = path.join(uploadDir, RECORD_DIR);
    this.#log = log;
  }

  save(record: CompletionRecord): Promise<void> {
    return writeAtomically(this.#file(record.batch, record.version), `${JSON.stringify(record, null, 2)}\n`);
  }

  async records(batch: string): Promise<CompletionRecord[]> {
    const records: CompletionRecord[] = [];
    for (const version of versionsOf(batch, await this.#names())) {
      const record = await this.#read(this.#file(batch, version));
      if (record?.batch === batch) records.push(record);
    }
    return records;
  }

  async unfinished(): Promise<CompletionRecord[]> {
    const records: CompletionRecord[] = [];
    for (const name of (await this.#names()).filter((n) => n.endsWith('.json')).sort()) {
      const record = await this.#read(path.join(this.#dir, name));
      if (record && isUnfinished(record)) records.push(record);
    }
    return records;
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
    return path.join(this.#dir, recordName(batch, version));
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
}

export const recordName = (batch: string, version: number): string => `${batch}-${version}.json`;

/** The completion numbers of `batch` among record names, in order. */
export function versionsOf(batch: string, names: readonly string[]): number[] {
  const prefix = `${batch}-`;
  return names
    .filter((name) => name.startsWith(prefix) && name.endsWith('.json'))
    .map((name) => Number(name.slice(prefix.length, -'.json'.length)))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
}

/** One process: the work on a batch (its hand-offs, or its completions) runs one after another, in order. */
export class LocalClaims implements HandoffClaims {
  readonly #chains = new Map<string, Promise<unknown>>();

  claim<T>(batch: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(batch) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.#chains.set(batch, next);
    void next
      .finally(() => {
        if (this.#chains.get(batch) === next) this.#chains.delete(batch);
      })
      .catch(() => undefined);
    return next;
  }
}
