/** The upload's form: where the files go, the access token and the batch name, checked before a run starts. */
import { sanitizeBatchName } from '#core/paths';
import { defaultEndpoint, endpointProblem } from '../../platform/endpoint';
import type { CompletionTarget } from '../../upload/batch-completion';

export class UploadForm {
  endpoint = $state(defaultEndpoint());
  token = $state('');
  batch = $state('');
  #error = $state('');

  /** Why the fields cannot be used, as last checked; '' when they can. */
  get error(): string {
    return this.#error;
  }

  /** Checks the fields for a new run; returns the problem ('' for none), which the form shows until the next check. */
  check(): string {
    this.#error = this.#problem();
    return this.#error;
  }

  clearError(): void {
    this.#error = '';
  }

  /** The receiver and batch as they are now. */
  get target(): CompletionTarget {
    return { endpoint: this.endpoint, token: this.token.trim(), batch: this.batch };
  }

  #problem(): string {
    const problem = endpointProblem(this.endpoint);
    if (problem) return problem;
    const batch = sanitizeBatchName(this.batch);
    return batch.ok ? '' : `The batch name cannot be used: ${batch.reason}`;
  }
}
