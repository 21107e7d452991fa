/**
 * What the page knows and says about the receiver of the upload: what it supports (asked once per run), and
 * lasting sentences about what it lacks and limits met on the way, each announced once.
 */
import { formatBytes } from '#core/format';
import { transferPlan, type TusCapabilities } from '#core/tus-capabilities';
import { plainTusNotice, type Discovery } from '../../upload/tus-discovery';
import type { Announcer } from './announcer.svelte';

export class ServerNotes {
  /** What the server of the last run said it supports; null before the first. */
  #capabilities = $state.raw<TusCapabilities | null>(null);
  #list = $state.raw<readonly string[]>([]);
  readonly #byKind = new Map<string, string>();
  readonly #announcer: Announcer;

  constructor(announcer: Announcer) {
    this.#announcer = announcer;
  }

  get capabilities(): TusCapabilities | null {
    return this.#capabilities;
  }

  get list(): readonly string[] {
    return this.#list;
  }

  /** Forgets the sentences (a new folder); what the server supports is kept until it is asked again. */
  clear(): void {
    this.#byKind.clear();
    this.#list = [];
  }

  /** Says once what the server at `endpoint` lacks, or that it could not be asked. */
  learned(discovery: Discovery, endpoint: string): void {
    this.#capabilities = discovery.capabilities;
    const plan = transferPlan(discovery.capabilities);
    if (discovery.problem) {
      this.#noteOnce('plain', plainTusNotice(endpoint, discovery.problem));
    } else if (plan.chunkChecksum) {
      this.#noteOnce(
        'unverified',
        `The server at ${endpoint} checks the bytes of each request as they arrive (tus checksum extension, ${plan.chunkChecksum}), but not whole files, so the receipt and the manifest say "in transit" where they would say "yes"; it does not say where it stores each file.`,
      );
    } else if (!plan.verifies) {
      this.#noteOnce(
        'unverified',
        `The server at ${endpoint} is a plain tus server: it does not check the files' checksums, so the receipt and the manifest say "not verified by the receiver" (the checksums still travel with each file as tus metadata), and it does not say where it stores each file.`,
      );
    }
  }

  /** Requests of `refusedBytes` were refused or unanswered, so the upload now sends pieces of `chunkSize`. */
  chunkSizeLimited(endpoint: string, chunkSize: number, refusedBytes: number, refused: boolean): void {
    this.#noteOnce(
      'chunk',
      `Requests of ${formatBytes(refusedBytes)} ${refused ? 'were refused (413 Payload Too Large)' : 'got no answer while smaller ones did'} at ${endpoint}: the server, or a proxy before it, limits request bodies, so the upload now sends files in pieces of ${formatBytes(chunkSize)}.`,
    );
  }

  /** A lasting note about the server, replacing the one of the same kind, announced when it is new. */
  #noteOnce(kind: string, sentence: string): void {
    if (this.#byKind.get(kind) === sentence) return;
    const isNew = !this.#byKind.has(kind);
    this.#byKind.set(kind, sentence);
    this.#list = [...this.#byKind.values()];
    if (isNew) this.#announcer.say(sentence);
  }
}
