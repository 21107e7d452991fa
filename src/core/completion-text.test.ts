import { describe, expect, it } from 'vitest';
import { bagSentence, handoffSentence, handoffUnderway } from '#core/completion-text';
import type { CompletionState } from '#core/protocol';

const state = (handoff: CompletionState['handoff'], version = 1): CompletionState => ({
  batch: 'kidney',
  completionId: 'c',
  version,
  bag: 'kidney',
  files: 3,
  bytes: 2048,
  payloadOxum: '2048.3',
  baggedAt: '2026-12-06T07:00:00.000Z',
  handoff,
});

describe('the completion sentences', () => {
  it('name the bag, and which completion it is from the second on', () => {
    expect(bagSentence(state([]))).toBe(
      'Batch kidney is complete on the receiver: every file was checked, and the batch is a BagIt bag (kidney/, 3 files, 2.0 KiB).',
    );
    expect(bagSentence(state([], 2))).toContain('(kidney/, 3 files, 2.0 KiB, completion 2).');
  });

  it('say where each hand-off step stands, with the reason of a failure', () => {
    expect(handoffSentence({ kind: 'hook', state: 'pending', attempts: 0 })).toBe(
      "The receiver's hand-off command (ON_BATCH_COMPLETE) is about to run.",
    );
    expect(
      handoffSentence({ kind: 'webhook', state: 'pending', attempts: 1, lastError: 'it answered 503' }),
    ).toBe(
      "The receiver's notification (BATCH_WEBHOOK) failed (it answered 503); the receiver tries again after a pause.",
    );
    expect(handoffSentence({ kind: 'hook', state: 'failed', attempts: 3, lastError: 'exited with 2' })).toBe(
      "The receiver's hand-off command (ON_BATCH_COMPLETE) failed 3 times and is not tried again: exited with 2. Ask the receiver's administrator to run it by hand.",
    );
    expect(handoffSentence({ kind: 'hook', state: 'done', attempts: 1 })).toBe(
      "The receiver's hand-off command (ON_BATCH_COMPLETE) has run.",
    );
  });

  it('are followed while a step is pending or running', () => {
    expect(handoffUnderway(state([{ kind: 'hook', state: 'running', attempts: 1 }]))).toBe(true);
    expect(handoffUnderway(state([{ kind: 'hook', state: 'failed', attempts: 3 }]))).toBe(false);
    expect(handoffUnderway(state([]))).toBe(false);
  });
});
