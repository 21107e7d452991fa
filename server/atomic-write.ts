import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `text` to `file` so that a crash midway leaves either the old file or the new one: a temporary file
 * beside it, flushed to disk, then renamed over it. The folder is made when missing.
 */
export async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
