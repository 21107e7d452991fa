/** What the bench and its receiver process (bench/receiver-child.ts) say to each other over IPC. */
import type { RequestSummary } from './request-log.ts';

export interface ReceiverSettings {
  readonly uploadDir: string;
  readonly rawDir: string;
  /** The built app it serves. */
  readonly staticDir: string;
  /** More receiver settings, as environment variables (STORAGE and the S3 settings for upload-1gib-s3). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * reset: forget the requests seen and start counting CPU anew; report: {@link ReceiverReport} since the reset;
 * profile-start / profile-stop: a V8 CPU profile of the receiver process; close: stop listening.
 */
export type ReceiverCall = 'reset' | 'report' | 'profile-start' | 'profile-stop' | 'close';

export interface ParentMessage {
  readonly id: number;
  readonly call: ReceiverCall;
}

export type ChildMessage =
  | { readonly kind: 'ready'; readonly url: string }
  | { readonly kind: 'problem'; readonly line: string }
  | { readonly kind: 'answer'; readonly id: number; readonly value?: unknown; readonly error?: string };

export interface ReceiverReport {
  readonly requests: RequestSummary;
  /** CPU time (user + system) the receiver process used since the last reset. */
  readonly cpuMs: number;
}
