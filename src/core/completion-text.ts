/** The sentences the Upload step shows about a batch's completion: its bag, and where its hand-off stands. */
import { formatBytes, plural } from '#core/format';
import type { CompletionState, HandoffStep } from '#core/protocol';

const STEP_NAMES: Record<HandoffStep['kind'], string> = {
  hook: 'hand-off command (ON_BATCH_COMPLETE)',
  webhook: 'notification (BATCH_WEBHOOK)',
};

export function bagSentence(state: CompletionState): string {
  const again = state.version > 1 ? `, completion ${state.version}` : '';
  return `Batch ${state.batch} is complete on the receiver: every file was checked, and the batch is a BagIt bag (${state.bag}/, ${plural(state.files, 'file')}, ${formatBytes(state.bytes)}${again}).`;
}

export function handoffSentence(step: HandoffStep): string {
  const name = `The receiver's ${STEP_NAMES[step.kind]}`;
  switch (step.state) {
    case 'done':
      return `${name} has run.`;
    case 'running':
      return `${name} is running${step.attempts > 1 ? ` (try ${step.attempts})` : ''}.`;
    case 'failed':
      return `${name} failed ${plural(step.attempts, 'time')} and is not tried again: ${step.lastError ?? 'no reason given'}. Ask the receiver's administrator to run it by hand.`;
    case 'pending':
      return step.attempts === 0
        ? `${name} is about to run.`
        : `${name} failed (${step.lastError ?? 'no reason given'}); the receiver tries again after a pause.`;
  }
}

/** True while a step may still change. */
export function handoffUnderway(state: CompletionState): boolean {
  return state.handoff.some((step) => step.state === 'pending' || step.state === 'running');
}
