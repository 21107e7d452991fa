/**
 * Asks a tus server what it supports, once before a batch: one `OPTIONS` to the endpoint (tus 1.0's discovery).
 * A server that does not answer it readably (down, a proxy that refuses OPTIONS, CORS that hides the tus headers)
 * is treated as plain tus 1.0, and the result says why, so the page can say so once.
 */
import { PLAIN_TUS, readCapabilities, type TusCapabilities } from '#core/tus-capabilities';

export interface Discovery {
  readonly capabilities: TusCapabilities;
  /** Why plain tus 1.0 is assumed; '' when the server said what it supports. */
  readonly problem: string;
}

const DISCOVERY_TIMEOUT_MS = 10_000;

export async function discoverTus(endpoint: string): Promise<Discovery> {
  let response: Response;
  try {
    // No token and no custom header: the answer describes the endpoint, and the preflight stays as plain as can be.
    response = await fetch(endpoint, {
      method: 'OPTIONS',
      cache: 'no-store',
      credentials: 'omit',
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return plain(
      timedOut
        ? `it did not answer the app's OPTIONS request within ${DISCOVERY_TIMEOUT_MS / 1000} s`
        : "the browser got no readable answer to the app's OPTIONS request (the server is down, or its CORS answer does not allow it)",
    );
  }
  if (!response.ok) return plain(`it answered the app's OPTIONS request with ${response.status}`);
  const capabilities = readCapabilities((name) => response.headers.get(name));
  if (!capabilities) {
    return plain("its answer to the app's OPTIONS request had no Tus-Version a page may read");
  }
  return { capabilities, problem: '' };
}

/** The sentence the page shows once when a server could not be asked. */
export function plainTusNotice(endpoint: string, problem: string): string {
  return `The server at ${endpoint} did not say what it supports (${problem}), so the upload uses plain tus 1.0: each file is created first and then sent, and the receiver is not asked to verify checksums.`;
}

function plain(problem: string): Discovery {
  return { capabilities: PLAIN_TUS, problem };
}
