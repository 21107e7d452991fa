/**
 * A small load balancer in front of several receivers, as a site puts nginx there: each request goes to the next
 * upstream in turn, bodies streamed both ways. An upstream that refuses the connection (a receiver that died) is
 * skipped for the next requests, as nginx's max_fails marks it; the request that met it gets 502, like nginx's,
 * and the client's retry goes to one that lives.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  readonly url: string;
  /** Which upstream (its index) answered each request, oldest first, with the method and path. */
  readonly routed: readonly { upstream: number; method: string; path: string }[];
  stop(): Promise<void>;
}

const DOWN_FOR_MS = 2_000;

export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  const routed: { upstream: number; method: string; path: string }[] = [];
  const downUntil = upstreams.map(() => 0);
  let next = 0;
  const pick = (): number => {
    for (let tried = 0; tried < upstreams.length; tried += 1) {
      const index = next;
      next = (next + 1) % upstreams.length;
      if ((downUntil[index] ?? 0) <= Date.now()) return index;
    }
    const index = next;
    next = (next + 1) % upstreams.length;
    return index;
  };
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const index = pick();
    const target = new URL(req.url ?? '/', upstreams[index]);
    routed.push({ upstream: index, method: req.method ?? '', path: target.pathname });
    const upstream = request(
      target,
      { method: req.method, headers: { ...req.headers, host: req.headers.host ?? target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') downUntil[index] = Date.now() + DOWN_FOR_MS;
      if (res.headersSent) res.destroy();
      else
        res
          .writeHead(502, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*' })
          .end('Bad gateway');
    });
    req.pipe(upstream);
    req.on('error', () => upstream.destroy());
  };
  const server = createServer(forward);
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    routed,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
