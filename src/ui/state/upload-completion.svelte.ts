/**
 * The batch's completion on the receiver, once the upload has settled: declared with the files that arrived,
 * then followed until the hand-off is done. A newer completion (or a new run) makes the older one's answers and
 * polling stop counting.
 */
import { handoffUnderway } from '#core/completion-text';
import { plural } from '#core/format';
import type { CompletionState } from '#core/protocol';
import { yieldToPage } from '../../platform/pick-folder';
import { completeBatch, completionState, type CompletionTarget } from '../../upload/batch-completion';
import { completionView, type CompletionView } from './completion-view';

/** How often the page asks where the hand-off stands, and for how long at most. */
const HANDOFF_POLL_MS = 2000;
const HANDOFF_POLL_LIMIT = 300;

export interface BatchToComplete {
  readonly target: CompletionTarget;
  /**
   * The completion's JSON (see Arrivals.manifest): the files that arrived with their checksums, for the receiver
   * to check; with how many files it lists.
   */
  readonly manifest: () => { body: Blob; files: number };
  /** Whether the server lists the batch-complete extension. */
  readonly completes: () => Promise<boolean>;
}

export class BatchCompletionState {
  /** Null before the upload has settled. */
  #view = $state.raw<CompletionView | null>(null);
  /** Bumped for each completion, so an older one's answers and polling stop counting. */
  #round = 0;

  get view(): CompletionView | null {
    return this.#view;
  }

  /** Forgets the completion: a new run or a new folder. */
  reset(): void {
    this.#round += 1;
    this.#view = null;
  }

  /** A receiver that answers something unreadable says so in the step, never as an uncaught error. */
  start(request: BatchToComplete): void {
    const round = this.#round + 1;
    this.#complete(request).catch((error: unknown) => {
      if (round !== this.#round) return;
      this.#view = {
        phase: 'failed',
        sentences: [
          `Batch ${request.target.batch} could not be completed: ${error instanceof Error ? error.message : String(error)}. Press Complete batch to try again.`,
        ],
      };
    });
  }

  async #complete({ target, manifest, completes }: BatchToComplete): Promise<void> {
    const round = ++this.#round;
    this.#view = { phase: 'completing', sentences: [`Completing batch ${target.batch}…`] };
    // The upload's end, the manifest and its request each take a task of their own: together, at 5,000 files,
    // they held the page for about 100 ms.
    await yieldToPage();
    if (round !== this.#round) return;
    const { body, files } = manifest();
    this.#view = {
      phase: 'completing',
      sentences: [`Completing batch ${target.batch}: the receiver checks ${plural(files, 'file')}…`],
    };
    await yieldToPage();
    if (round !== this.#round) return;
    const outcome = await completeBatch(target, body, await completes(), () => {
      if (round !== this.#round) return;
      this.#view = {
        phase: 'completing',
        sentences: [
          `The receiver at ${target.endpoint} does not answer; completing batch ${target.batch} is tried again, waiting a little longer each time.`,
        ],
      };
    });
    if (round !== this.#round) return;
    // Shown in the step's own live region, so the status line keeps saying how the upload ended.
    this.#view = completionView(outcome, target.endpoint);
    if (outcome.kind === 'complete') await this.#followHandoff(round, target, outcome.state);
  }

  /** Asks where the hand-off stands until every step is done or failed. */
  async #followHandoff(round: number, target: CompletionTarget, state: CompletionState): Promise<void> {
    let latest = state;
    for (let asked = 0; handoffUnderway(latest) && asked < HANDOFF_POLL_LIMIT; asked += 1) {
      await new Promise((resolve) => setTimeout(resolve, HANDOFF_POLL_MS));
      if (round !== this.#round) return;
      const next = await completionState(target);
      if (round !== this.#round) return;
      if (next?.completionId !== state.completionId) continue;
      latest = next;
      this.#view = completionView({ kind: 'complete', state: latest }, target.endpoint);
    }
  }
}
