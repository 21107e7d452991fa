import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NOT_BUILT, startServer } from '../../server/app-server.ts';
import { createUpload, makeTempDir, startTestServer } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function builtApp(): Promise<string> {
  const temp = await makeTempDir();
  cleanups.push(temp.remove);
  await mkdir(path.join(temp.dir, 'assets'));
  await writeFile(path.join(temp.dir, 'index.html'), '<!doctype html><title>Uploader</title>');
  await writeFile(path.join(temp.dir, 'assets', 'app.js'), 'console.log(1);');
  return temp.dir;
}

async function serve(options: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(options);
  cleanups.push(server.stop);
  return server;
}

describe('the app server', () => {
  it('listens on a free port when given port 0 and reports its URL', async () => {
    const server = await serve();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('serves index.html at / and the built assets from staticDir', async () => {
    const server = await serve({ staticDir: await builtApp() });
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toBe('<!doctype html><title>Uploader</title>');
    const script = await fetch(new URL('assets/app.js', server.url));
    expect(await script.text()).toBe('console.log(1);');
  });

  it('answers 404 with a sentence for a file that is not there', async () => {
    const server = await serve({ staticDir: await builtApp() });
    const response = await fetch(new URL('nope.js', server.url));
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('There is nothing at /nope.js.');
  });

  it('answers 503 saying to run npm run build when staticDir has no index.html', async () => {
    const empty = await makeTempDir();
    cleanups.push(empty.remove);
    const server = await serve({ staticDir: empty.dir });
    const response = await fetch(server.url);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe(NOT_BUILT);
    expect(NOT_BUILT).toContain('npm run build');
  });

  it('starts serving the app once it has been built, without a restart', async () => {
    const dir = await makeTempDir();
    cleanups.push(dir.remove);
    const server = await serve({ staticDir: dir.dir });
    expect((await fetch(server.url)).status).toBe(503);
    await writeFile(path.join(dir.dir, 'index.html'), 'built');
    expect(await (await fetch(server.url)).text()).toBe('built');
  });

  it('answers 503 without any staticDir', async () => {
    const server = await serve();
    expect((await fetch(server.url)).status).toBe(503);
  });

  it('refuses methods other than GET and HEAD outside /files with 405', async () => {
    const server = await serve({ staticDir: await builtApp() });
    const response = await fetch(server.url, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('routes /files and /files/... to the tus receiver', async () => {
    const server = await serve({ staticDir: await builtApp() });
    for (const url of [new URL('files', server.url), new URL('files/', server.url)]) {
      const response = await fetch(url, { method: 'OPTIONS' });
      expect(response.status).toBe(204);
      expect(response.headers.get('tus-version')).toBe('1.0.0');
    }
    expect((await fetch(new URL('filesystem', server.url))).status).toBe(404);
  });

  it('gives extraHandler the first chance, even for /files', async () => {
    const seen: string[] = [];
    const server = await serve({
      staticDir: await builtApp(),
      extraHandler: (req, res) => {
        seen.push(`${req.method} ${req.url}`);
        if (!req.url?.startsWith('/bench/') && req.url !== '/files/intercepted') return false;
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`extra ${req.method}`);
        return true;
      },
    });
    expect(await (await fetch(new URL('bench/put', server.url), { method: 'PUT', body: 'x' })).text()).toBe(
      'extra PUT',
    );
    expect(await (await fetch(new URL('files/intercepted', server.url))).text()).toBe('extra GET');
    expect((await fetch(server.url)).status).toBe(200);
    expect((await fetch(new URL('files/', server.url), { method: 'OPTIONS' })).status).toBe(204);
    expect(seen).toEqual(['PUT /bench/put', 'GET /files/intercepted', 'GET /', 'OPTIONS /files/']);
  });

  it('closes promptly even while an upload is still sending its body', async () => {
    const temp = await makeTempDir();
    cleanups.push(temp.remove);
    const server = await startServer({ uploadDir: temp.dir, port: 0, log: () => undefined });
    const created = await createUpload(
      new URL('files/', server.url).href,
      { batch: 'b', relativePath: 'x' },
      {
        length: 1000,
      },
    );
    const patch = request(new URL(created.headers.get('location') ?? '', server.url), {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': '1000',
      },
    });
    const aborted = new Promise((resolve) => patch.on('error', resolve));
    let answered = false;
    patch.on('response', () => (answered = true));
    patch.write(Buffer.alloc(100));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The body is never finished, so a close that waited for this request would never resolve.
    await server.close();
    expect(await aborted).toMatchObject({ code: 'ECONNRESET' });
    expect(answered).toBe(false);
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('rejects with EADDRINUSE when the port is taken', async () => {
    const first = await serve();
    const temp = await makeTempDir();
    cleanups.push(temp.remove);
    await expect(startServer({ uploadDir: temp.dir, port: first.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});
