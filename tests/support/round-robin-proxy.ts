/**
 * A small load balancer in front of several receivers, as a site puts nginx there: each request goes to the next
 * upstream in turn, bodies streamed both ways. A request whose upstream refuses the connection (a receiver that
 * died) goes to the next one, and the dead one is skipped for a while, as nginx does (proxy_next_upstream error,
 * max_fails, fail_timeout); a request cut off in the middle gets what nginx gives: a 502 or a dropped connection.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  readonly url: string;
  /** Which upstream (its index) took each request, oldest first, with the method, path and query ('' or '?…'). */
  readonly routed: readonly Routed[];
  stop(): Promise<void>;
}

type Routed = { upstream: number; method: string; path: string; query: string };

/** As nginx's fail_timeout. */
const DOWN_FOR_MS = 10_000;

export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  const routed: Routed[] = [];
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
  /** Sends `req` to the next live upstream; one that refuses the connection is marked down and the next tried. */
  const forward = (req: IncomingMessage, res: ServerResponse, tried = 0) => {
    const index = pick();
    const target = new URL(req.url ?? '/', upstreams[index]);
    const upstream = request(
      target,
      // A connection of its own, so that the body is streamed only once the upstream has taken it.
      { method: req.method, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    let connected = false;
    upstream.on('socket', (socket) =>
      socket.once('connect', () => {
        connected = true;
        routed.push({
          upstream: index,
          method: req.method ?? '',
          path: target.pathname,
          query: target.search,
        });
        req.pipe(upstream);
      }),
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected && error.code === 'ECONNREFUSED') {
        downUntil[index] = Date.now() + DOWN_FOR_MS;
        // Nothing of the request was sent: nginx passes it to the next server, so does this.
        if (tried + 1 < upstreams.length) {
          forward(req, res, tried + 1);
          return;
        }
      }
      if (res.headersSent) res.destroy();
      else
        res
          .writeHead(502, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*' })
          .end('Bad gateway');
    });
    req.on('error', () => upstream.destroy());
  };
  const server = createServer((req, res) => forward(req, res));
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
