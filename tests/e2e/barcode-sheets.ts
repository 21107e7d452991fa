/**
 * Generated specimen sheets with known barcode labels, for the journeys and the bench: each barcode is written by
 * zxing-wasm's writer (as SVG, in Node), then drawn in the browser at a real label's size and angle onto a large
 * sheet of paper with a few dark stems on it, and the sheet encoded as a camera would (JPEG).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer';

export interface Label {
  readonly text: string;
  readonly format: 'Code128' | 'DataMatrix' | 'Code39' | 'QRCode';
  /** Where the label's centre sits, as fractions of the sheet's width and height. */
  readonly x: number;
  readonly y: number;
  /** The symbol's height in centimetres (a Data Matrix or QR code is as wide). */
  readonly cm: number;
  /** Degrees clockwise. */
  readonly angle: number;
}

export interface Sheet {
  readonly width: number;
  readonly height: number;
  /** The sheet is this many centimetres high (a herbarium sheet is about 42 cm). */
  readonly heightCm: number;
  readonly labels: readonly Label[];
  readonly seed: number;
}

let prepared: Promise<unknown> | undefined;

async function svgOf(label: Label): Promise<string> {
  prepared ??= readFile(createRequire(import.meta.url).resolve('zxing-wasm/writer/zxing_writer.wasm')).then(
    (wasm) =>
      prepareZXingModule({
        overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
        fireImmediately: true,
      }),
  );
  await prepared;
  const options = label.format === 'DataMatrix' ? 'forceSquare' : '';
  const written = await writeBarcode(label.text, { format: label.format, scale: 1, options });
  if (written.error) throw new Error(`${label.format} ${label.text}: ${written.error}`);
  return written.svg;
}

/** The sheet as JPEG bytes, drawn in `page` (any page; it asks nothing of the network). */
export async function drawSheet(page: Page, sheet: Sheet): Promise<Buffer> {
  const svgs = await Promise.all(sheet.labels.map(svgOf));
  const base64 = await page.evaluate(
    async ({ sheet, svgs }) => {
      let state = sheet.seed;
      const random = () => {
        state = (state * 1103515245 + 12345) % 2147483648;
        return state / 2147483648;
      };
      const { width, height } = sheet;
      const pxPerCm = height / sheet.heightCm;
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d', { alpha: false }) as OffscreenCanvasRenderingContext2D;
      context.fillStyle = '#eee8da';
      context.fillRect(0, 0, width, height);
      // Stems and leaves, so the reader searches a busy sheet rather than blank paper.
      context.lineCap = 'round';
      for (let i = 0; i < 60; i += 1) {
        context.strokeStyle = `rgb(${40 + random() * 40}, ${60 + random() * 50}, ${30 + random() * 30})`;
        context.lineWidth = 2 + random() * pxPerCm * 0.3;
        context.beginPath();
        context.moveTo(random() * width, random() * height);
        context.bezierCurveTo(
          random() * width,
          random() * height,
          random() * width,
          random() * height,
          random() * width,
          random() * height,
        );
        context.stroke();
      }
      for (let i = 0; i < sheet.labels.length; i += 1) {
        const label = sheet.labels[i] as (typeof sheet.labels)[number];
        const image = new Image();
        image.src = `data:image/svg+xml;base64,${btoa(svgs[i] as string)}`;
        await image.decode();
        const h = label.cm * pxPerCm;
        const w = (image.naturalWidth / image.naturalHeight) * h;
        context.save();
        context.translate(label.x * width, label.y * height);
        context.rotate((label.angle * Math.PI) / 180);
        context.fillStyle = '#fbfaf5';
        context.fillRect(-w / 2 - h * 0.4, -h / 2 - h * 0.4, w + h * 0.8, h * 1.8);
        context.imageSmoothingQuality = 'high';
        context.drawImage(image, -w / 2, -h / 2, w, h);
        context.fillStyle = '#222';
        context.font = `${Math.round(h * 0.25)}px sans-serif`;
        context.fillText(label.text, -w / 2, h / 2 + h * 0.32);
        context.restore();
      }
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      }
      return btoa(binary);
    },
    { sheet, svgs },
  );
  return Buffer.from(base64, 'base64');
}
