/** What the Upload step shows of the batch's completion on the receiver, from what the receiver answered. */
import { bagSentence, handoffSentence } from '#core/completion-text';
import { plural } from '#core/format';
import type { CompletionState } from '#core/protocol';
import type { CompletionOutcome } from '../../upload/batch-completion';

/** What the page knows of the batch's completion on the receiver. */
export interface CompletionView {
  readonly phase: 'completing' | 'complete' | 'refused' | 'failed' | 'unsupported';
  /** What to show, one sentence each; refusals name every file missing or different. */
  readonly sentences: readonly string[];
  readonly state?: CompletionState;
}

/** Files named one by one in a refusal; the rest are counted. */
const PROBLEMS_SHOWN = 100;

export function completionView(outcome: CompletionOutcome, endpoint: string): CompletionView {
  switch (outcome.kind) {
    case 'complete':
      return {
        phase: 'complete',
        state: outcome.state,
        sentences: [bagSentence(outcome.state), ...outcome.state.handoff.map(handoffSentence)],
      };
    case 'refused': {
      const { problems, message } = outcome.refusal;
      const more = problems.length - PROBLEMS_SHOWN;
      return {
        phase: 'refused',
        sentences: [
          message,
          ...problems.slice(0, PROBLEMS_SHOWN).map((problem) => problem.message),
          ...(more > 0 ? [`…and ${plural(more, 'more file')}.`] : []),
        ],
      };
    }
    case 'failed':
      return { phase: 'failed', sentences: [outcome.message] };
    case 'unsupported':
      return {
        phase: 'unsupported',
        sentences: [
          `The receiver at ${endpoint} does not take batch completions (it does not list batch-complete), so it keeps the files as they arrived; nothing was bagged or handed on.`,
        ],
      };
  }
}
