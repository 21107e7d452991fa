/**
 * The addresses of a run's unfinished tus uploads, which the page keeps (IndexedDB) so an upload can go on after
 * a reload: noted as they appear, dropped when the receiver no longer has the upload, and checked before one
 * from before a reload is continued.
 */
import type { RunDigests } from './run-digests';
import type { UploadJob, UploadListener } from './upload-types';

export class ResumeAddresses {
  readonly #listener: UploadListener;
  readonly #urls = new Map<number, string>();

  constructor(listener: UploadListener) {
    this.#listener = listener;
  }

  /** A file's upload has `url` as it sends; only a file larger than its chunk can be resumed from it. */
  note(id: number, url: string | undefined, size: number, chunk: number): void {
    if (url && this.#urls.get(id) !== url && size > chunk) {
      this.#urls.set(id, url);
      this.#listener.onUploadUrl?.(id, url);
    }
  }

  /** Files that continue an upload from before a reload. */
  keep(resumes: ReadonlyMap<number, string>): void {
    for (const [id, url] of resumes) this.#urls.set(id, url);
  }

  /** The receiver dropped the file's upload: a resume after a reload must not look for it. */
  drop(id: number): void {
    this.#listener.onUploadUrl?.(id, null);
  }

  /** The file left the window. */
  forget(id: number): void {
    this.#urls.delete(id);
  }

  /**
   * The uploads from before a reload that may go on: the file's size and date were checked when it was opened;
   * its SHA-256, when it was known then, must be the same now, or the file starts anew.
   */
  async resumable(jobs: readonly UploadJob[], digests: RunDigests): Promise<Map<number, string>> {
    const resumes = new Map<number, string>();
    await Promise.all(
      jobs.map(async (job) => {
        if (!job.resumeUrl) return;
        if (job.resumeSha256) {
          const now = await digests.settled(job.id);
          if (now?.sha256 !== job.resumeSha256) {
            this.drop(job.id);
            return;
          }
        }
        resumes.set(job.id, job.resumeUrl);
      }),
    );
    return resumes;
  }
}
