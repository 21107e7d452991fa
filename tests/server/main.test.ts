import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from './helpers.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const tsx = path.join(repo, 'node_modules', '.bin', 'tsx');
const main = path.join(repo, 'server', 'main.ts');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Runs `tsx server/main.ts`; `until` ends the wait early (then the process gets SIGTERM). */
function runMain(env: Record<string, string>, until?: RegExp) {
  const child = spawn(tsx, [main], { cwd: repo, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (until?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function uploadDir() {
  const temp = await makeTempDir();
  cleanups.push(temp.remove);
  return temp.dir;
}

describe('npm start (server/main.ts)', () => {
  it('prints where it runs and where files land, then exits cleanly on SIGTERM', async () => {
    const dir = await uploadDir();
    const result = await runMain({ PORT: '0', UPLOAD_DIR: dir, UPLOAD_TOKEN: 'tok' }, /Access token: .*\n/);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Specimen uploader is running at http:\/\/127\.0\.0\.1:\d+\/$/);
    const port = /:(\d+)\/$/.exec(lines[0] ?? '')?.[1];
    expect(lines[1]).toBe(
      `Upload endpoint (tus): http://127.0.0.1:${port}/files/   ·   files land in ${dir}/<batch>/data/<path>`,
    );
    expect(lines[2]).toBe('Access token: required (UPLOAD_TOKEN is set)');
  });

  it('says in one sentence that PORT is not a number and exits with 1', async () => {
    const result = await runMain({ PORT: 'abc', UPLOAD_DIR: await uploadDir() });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe('PORT must be a whole number from 0 to 65535, not "abc".\n');
  });

  it('says the port is in use and how to pick another', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;
    const result = await runMain({ PORT: String(port), UPLOAD_DIR: await uploadDir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Cannot start: port ${port} on 127.0.0.1 is already in use; pick another port, e.g. \`PORT=8081 npm start\`.\n`,
    );
  });
});
