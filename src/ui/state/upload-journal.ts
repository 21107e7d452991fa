/**
 * What the upload keeps of its batch for a reload (the journal in IndexedDB, when there is one), and the uploads
 * an earlier page left unfinished, which the files continue from the receiver's offset.
 */
import type { BatchJournal, BatchRecord, FileChange, FileRecord } from '../../platform/batch-journal';
import type { UploadJob } from '../../upload/upload-types';

export class UploadJournal {
  readonly #journal: BatchJournal | null;
  /** Uploads begun before a reload, by row, to continue from the receiver's offset. */
  readonly #resumeFrom = new Map<number, { readonly url: string; readonly sha256?: string }>();
  /** The records of the batch being resumed, kept as the journal's starting point. */
  #resumed: readonly FileRecord[] | null = null;

  constructor(journal: BatchJournal | null) {
    this.#journal = journal;
  }

  /** Forgets the batch being resumed, if any. */
  forget(): void {
    this.#resumeFrom.clear();
    this.#resumed = null;
  }

  /** Takes up the records of an earlier page's batch; `continueUpload` names the files to continue. */
  resume(records: readonly FileRecord[]): void {
    this.#resumeFrom.clear();
    this.#resumed = records;
  }

  /** The row continues the unfinished upload of its record. */
  continueUpload(id: number, record: FileRecord): void {
    if (!record.uploadUrl) return;
    this.#resumeFrom.set(id, {
      url: record.uploadUrl,
      ...(record.sha256 === undefined ? {} : { sha256: record.sha256 }),
    });
  }

  /** The job fields that continue the row's earlier upload, once: a later send starts anew. */
  takeResume(id: number): Pick<UploadJob, 'resumeUrl' | 'resumeSha256'> {
    // Asked for every file of a batch: most batches resume nothing.
    if (this.#resumeFrom.size === 0) return {};
    const resume = this.#resumeFrom.get(id);
    this.#resumeFrom.delete(id);
    return {
      ...(resume ? { resumeUrl: resume.url } : {}),
      ...(resume?.sha256 === undefined ? {} : { resumeSha256: resume.sha256 }),
    };
  }

  /** Starts the journal of a new batch, or goes on with the one being resumed. */
  begin(batch: BatchRecord): void {
    if (!this.#journal) return;
    const resumed = this.#resumed;
    this.#resumed = null;
    void this.#journal.begin(batch, resumed ?? []);
  }

  update(file: Pick<FileRecord, 'path' | 'size' | 'lastModified'>, change: FileChange): void {
    this.#journal?.update(file, change);
  }

  flush(): void {
    void this.#journal?.flush();
  }

  clear(): void {
    void this.#journal?.clear();
  }
}
