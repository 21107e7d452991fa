/** Ends the browser run with one plain line, `e2e: N passed, N failed`, that CI logs can be read by. */
import type { Reporter, TestCase } from '@playwright/test/reporter';

export default class SummaryReporter implements Reporter {
  readonly #outcomes = new Map<string, ReturnType<TestCase['outcome']>>();

  onTestEnd(test: TestCase): void {
    this.#outcomes.set(test.id, test.outcome());
  }

  onEnd(): void {
    const all = [...this.#outcomes.values()];
    const passed = all.filter((o) => o === 'expected' || o === 'flaky').length;
    const skipped = all.filter((o) => o === 'skipped').length;
    const failed = all.length - passed - skipped;
    console.log(`e2e: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
