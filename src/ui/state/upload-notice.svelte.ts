/**
 * Why the transfer is waiting, when it is: the browser is offline, or the receiver does not answer or asks the
 * upload to slow down. '' otherwise. Each new sentence is announced.
 */
import type { Announcer } from './announcer.svelte';

export class TransferNotice {
  #text = $state('');
  readonly #announcer: Announcer;

  constructor(announcer: Announcer) {
    this.#announcer = announcer;
  }

  get text(): string {
    return this.#text;
  }

  clear(): void {
    this.#text = '';
  }

  /** A file arrived: whatever held the transfer up is over, unless the browser is still offline. */
  arrived(): void {
    if (this.#text && navigator.onLine) this.#text = '';
  }

  offline(): void {
    this.#text =
      'You are offline: the upload waits, and goes on by itself from where it stopped when the connection is back.';
    this.#announcer.say(this.#text);
  }

  online(): void {
    if (!this.#text) return;
    this.#text = '';
    this.#announcer.say('Back online: the upload goes on.');
  }

  /** A request to the receiver at `endpoint` failed with `status` (0: no answer) and will be tried again. */
  retrying(status: number, endpoint: string): void {
    const why =
      status === 0
        ? `The receiver at ${endpoint} does not answer`
        : status === 429
          ? 'The receiver asks the upload to slow down (429 Too Many Requests)'
          : `The receiver answered with an error (${status})`;
    const notice = `${why}; the upload tries again, waiting a little longer each time, and goes on when it answers.`;
    if (notice === this.#text) return;
    this.#text = notice;
    this.#announcer.say(notice);
  }
}
