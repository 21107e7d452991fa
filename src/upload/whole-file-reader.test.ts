import { describe, expect, it } from 'vitest';
import { BytesBody } from './upload-http-stack';
import { wholeFileReader } from './whole-file-reader';

async function sliceOf(reader: ReturnType<typeof wholeFileReader>, blob: Blob, start: number, end: number) {
  const source = await reader.openFile(blob, 1024);
  return source.slice(start, end);
}

describe('wholeFileReader', () => {
  const blob = new Blob(['specimen label']);

  it('sends the whole file as the file itself, and a part as a slice of it', async () => {
    const reader = wholeFileReader(() => undefined);
    const whole = await sliceOf(reader, blob, 0, blob.size);
    expect(whole.value).toBe(blob);
    expect(whole.done).toBe(true);
    const part = await sliceOf(reader, blob, 0, 8);
    expect(await (part.value as Blob).text()).toBe('specimen');
    expect(part.done).toBe(false);
  });

  it('sends the bytes read for its checksums instead, once they are there', async () => {
    const bytes = new TextEncoder().encode('specimen label');
    let give: (b: Uint8Array<ArrayBuffer>) => void = () => undefined;
    const read = new Promise<Uint8Array<ArrayBuffer>>((resolve) => (give = resolve));
    const reader = wholeFileReader((file) => (file === blob ? read : undefined));
    const slicing = sliceOf(reader, blob, 0, blob.size);
    give(bytes);
    const whole = await slicing;
    expect(whole.value).toBeInstanceOf(BytesBody);
    expect((whole.value as BytesBody).bytes).toBe(bytes);
    expect((whole.value as BytesBody).size).toBe(blob.size);
    const rest = await sliceOf(reader, blob, 9, blob.size);
    expect(new TextDecoder().decode((rest.value as BytesBody).bytes)).toBe('label');
  });

  it('reads the file when that read gave no bytes', async () => {
    const reader = wholeFileReader(() => Promise.resolve(null));
    expect((await sliceOf(reader, blob, 0, blob.size)).value).toBe(blob);
  });
});
