import { describe, expect, it } from 'vitest';
import { wholeFileReader } from './whole-file-reader';

async function sliceOf(reader: ReturnType<typeof wholeFileReader>, blob: Blob, start: number, end: number) {
  const source = await reader.openFile(blob, 1024);
  return source.slice(start, end);
}

describe('wholeFileReader', () => {
  const blob = new Blob(['specimen label']);

  it('sends the whole file as the file itself, and a part as a slice of it', async () => {
    const reader = wholeFileReader();
    const whole = await sliceOf(reader, blob, 0, blob.size);
    expect(whole.value).toBe(blob);
    expect(whole.done).toBe(true);
    const part = await sliceOf(reader, blob, 0, 8);
    expect(await (part.value as Blob).text()).toBe('specimen');
    expect(part.done).toBe(false);
  });
});
