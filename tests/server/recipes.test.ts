/**
 * The README's "After the upload" recipes, run as written: each ON_BATCH_COMPLETE command line is read from the
 * README and run by the receiver on a completed batch, with stand-ins for deriva-upload-cli, rsync and lftp
 * first on the PATH that record the arguments they were given.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { completionPath, type CompletionState } from '#core/protocol';
import { makeTempDir, serveFresh, sha256, tusUpload } from './helpers.ts';

const serve = serveFresh();
const saved = { ...process.env };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  process.env = { ...saved };
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Every `ON_BATCH_COMPLETE='…'` of the README's After the upload section, in order. */
async function recipes(): Promise<string[]> {
  const readme = await readFile(path.resolve('README.md'), 'utf8');
  const section = readme.split('\n## After the upload\n')[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\s*ON_BATCH_COMPLETE='([^']*)' npm start$/gm)].map((match) => match[1] ?? '');
}

/** Stand-ins that write their arguments, one per line, to `<dir>/<tool>.args`. */
async function standIns(dir: string): Promise<string> {
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  for (const tool of ['deriva-upload-cli', 'rsync', 'lftp']) {
    const script = path.join(bin, tool);
    await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$@" > '${path.join(dir, `${tool}.args`)}'\n`);
    await chmod(script, 0o755);
  }
  return bin;
}

async function runRecipe(hook: string, tool: string): Promise<{ args: string[]; payload: string }> {
  const temp = await makeTempDir();
  cleanups.push(temp.remove);
  process.env['PATH'] = `${await standIns(temp.dir)}:${saved['PATH'] ?? ''}`;
  Object.assign(process.env, {
    DERIVA_TOKEN: 'deriva-token',
    BIA_FTP_USER: 'bsaspera_w',
    BIA_FTP_PASSWORD: 'ftp password',
    BIA_FTP_HOST: 'ftp-private.ebi.ac.uk',
    BIA_SECRET_DIR: 'a1b2c3-submitter',
  });
  const server = await serve({ completion: { hook } });
  const data = Buffer.from('an image');
  const file = 'deriva/images/K1-1.jpg';
  await tusUpload(server.endpoint, data, { relativePath: file, batch: 'kidney 1', sha256: sha256(data) });
  const resource = new URL(completionPath('kidney 1'), server.endpoint);
  const completion = await fetch(resource, {
    method: 'POST',
    body: JSON.stringify({
      completionId: 'r',
      files: [{ path: file, bytes: data.length, sha256: sha256(data) }],
    }),
  });
  expect(completion.status).toBe(200);
  for (;;) {
    const state = (await (await fetch(resource)).json()) as CompletionState;
    if (state.handoff[0]?.state === 'done') break;
    expect(state.handoff[0]?.state, state.handoff[0]?.lastError).not.toBe('failed');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const args = (await readFile(path.join(temp.dir, `${tool}.args`), 'utf8')).split('\n').slice(0, -1);
  return { args, payload: path.join(server.uploadDir, 'kidney 1', 'data') };
}

describe('the README recipes for After the upload', () => {
  it('are three, one per repository', async () => {
    expect((await recipes()).map((hook) => hook.split(' ')[0])).toEqual([
      'deriva-upload-cli',
      'rsync',
      'lftp',
    ]);
  });

  it('GUDMAP/RBK: deriva-upload-cli gets the catalog, the token, the host and the bag’s payload', async () => {
    const [hook = ''] = await recipes();
    const { args, payload } = await runRecipe(hook, 'deriva-upload-cli');
    expect(args).toEqual(['--catalog', '2', '--token', 'deriva-token', 'www.gudmap.org', payload]);
  });

  it('Symbiota: rsync copies the payload into the image processor’s source folder, one folder per batch', async () => {
    const [, hook = ''] = await recipes();
    const { args, payload } = await runRecipe(hook, 'rsync');
    expect(args).toEqual(['-a', `${payload}/`, '/var/www/symbiota/imgsource/kidney 1/']);
  });

  it('BioImage Archive: lftp mirrors the payload into the private FTP folder', async () => {
    const [, , hook = ''] = await recipes();
    const { args, payload } = await runRecipe(hook, 'lftp');
    expect(args).toEqual([
      '-u',
      'bsaspera_w,ftp password',
      '-e',
      `mirror -R "${payload}" "a1b2c3-submitter/kidney 1"; bye`,
      'ftp-private.ebi.ac.uk',
    ]);
  });
});
