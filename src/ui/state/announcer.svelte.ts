/** The text of the page's polite live region: scan and upload states, said once each, not on every tick. */
export class Announcer {
  message = $state('');

  say(text: string): void {
    this.message = text;
  }
}
