import type { IncomingMessage } from 'node:http';

/**
 * Whether a request's body still moves, asked now and then while it holds its upload's lock: true when bytes came
 * off its connection since the last call, or when the receiver is the one behind (bytes wait in the request's
 * buffer, or all of them arrived and are being stored). False only when its sender has sent nothing since: a client
 * gone silently, or a connection half open.
 */
export function bodyMoving(req: IncomingMessage): () => boolean {
  let seen = req.socket.bytesRead;
  return () => {
    const read = req.socket.bytesRead;
    const moved = read !== seen;
    seen = read;
    return moved || req.complete || req.readableLength > 0;
  };
}

/** The Node request behind the web request tus hands its options (srvx's NodeRequest), when there is one. */
export function nodeRequestOf(request: Request): IncomingMessage | undefined {
  return (request as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
}
