/** Sending a batch and completing it as the page does, for the receiver on disk and on object storage. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completionPath, type CompletionRequest, type CompletionState } from '#core/protocol';
import { sha256, tusUpload } from './helpers.ts';

export const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
export type Sent = { path: string; data: Buffer };
export const file = (relativePath: string, text: string): Sent => ({
  path: relativePath,
  data: Buffer.from(text),
});

/** Sends each file as the page does, with its SHA-256 and MD5 announced, so the receiver verifies both. */
export async function send(endpoint: string, batch: string, files: readonly Sent[]): Promise<void> {
  for (const sent of files) {
    await tusUpload(endpoint, sent.data, {
      relativePath: sent.path,
      batch,
      sha256: sha256(sent.data),
      md5: md5(sent.data),
    });
  }
}

export const manifest = (files: readonly Sent[], completionId = 'c-1'): CompletionRequest => ({
  completionId,
  target: 'GUDMAP/RBK',
  files: files.map((sent) => ({
    path: sent.path,
    bytes: sent.data.length,
    sha256: sha256(sent.data),
    md5: md5(sent.data),
  })),
});

export function complete(endpoint: string, batch: string, request: CompletionRequest): Promise<Response> {
  return fetch(new URL(completionPath(batch), endpoint), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
}

export const isSettled = (state: CompletionState): boolean =>
  state.handoff.every((step) => step.state === 'done' || step.state === 'failed');

/** Asks for the completion's state until no hand-off step is pending or running. */
export async function settledState(endpoint: string, batch: string): Promise<CompletionState> {
  for (;;) {
    const response = await fetch(new URL(completionPath(batch), endpoint));
    const state = (await response.json()) as CompletionState;
    if (isSettled(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A stand-in hook: appends the batch, its completion and its payload folder to `logFile`. */
export const recordingHook = (logFile: string): string =>
  `printf '%s %s %s\\n' "$BATCH_NAME" "$BATCH_VERSION" "$BATCH_PAYLOAD" >> '${logFile}'`;

export const linesOf = async (logFile: string): Promise<string[]> =>
  (await readFile(logFile, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');

/** A stand-in for the downstream service: keeps every POST's body and signature. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  received: { body: string; signature: string | undefined }[];
  stop(): Promise<void>;
}> {
  const received: { body: string; signature: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const signature = req.headers['x-hub-signature-256'];
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: typeof signature === 'string' ? signature : undefined,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/batches`,
    received,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Polls `condition` every 200 ms until it holds. */
export async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 200));
}
