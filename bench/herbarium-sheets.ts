/**
 * A day's imaging for day-100: herbarium sheets of about 60 MP as a camera over a copy stand writes them, kept
 * in a cache folder on disk so reruns skip the generation (BENCH_CACHE, else ~/.cache/specimen-uploader-bench).
 * A few distinct sheets are drawn in the page (paper with grain, stems, leaves, a label, a colour chart) and
 * encoded as JPEG; the day's folder holds hard links to them under Symbiota catalog-number names, so a day of
 * 100 sheets costs the disk a few of them.
 */
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { progress, step } from './log.ts';
import { inWorker } from './opfs.ts';

export interface SheetsSpec {
  readonly sheets: number;
  readonly distinct: number;
  readonly width: number;
  readonly height: number;
  /** Aim for JPEGs of about this size (a 60-MP camera sheet is 15–30 MB). */
  readonly targetBytes: number;
}

export interface DayFolder {
  /** The folder to pick: `<dir>/<catalog number>.jpg`. */
  readonly dir: string;
  readonly files: number;
  readonly bytes: number;
}

interface Drawn {
  readonly base64: string;
  readonly bytes: number;
}

/** Draws one sheet in a worker and returns its JPEG as base64 (self-contained: see opfs.ts). */
async function drawSheetInWorker(spec: {
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly grain: number;
  readonly quality: number;
}): Promise<Drawn> {
  const { width, height } = spec;
  let x = spec.seed * 2654435761 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { alpha: false }) as OffscreenCanvasRenderingContext2D;
  const paper = context.createLinearGradient(0, 0, width, height);
  paper.addColorStop(0, '#efe9da');
  paper.addColorStop(1, '#e2dac5');
  context.fillStyle = paper;
  context.fillRect(0, 0, width, height);
  context.lineCap = 'round';
  for (let i = 0; i < 40; i += 1) {
    context.strokeStyle = `rgb(${50 + next() * 50}, ${60 + next() * 50}, ${30 + next() * 30})`;
    context.lineWidth = 4 + next() * 40;
    context.beginPath();
    context.moveTo(width * (0.2 + next() * 0.6), height * (0.15 + next() * 0.7));
    context.bezierCurveTo(
      next() * width,
      next() * height,
      next() * width,
      next() * height,
      width * (0.1 + next() * 0.8),
      height * (0.1 + next() * 0.8),
    );
    context.stroke();
  }
  for (let i = 0; i < 400; i += 1) {
    context.fillStyle = `hsl(${70 + next() * 60}, ${20 + next() * 40}%, ${18 + next() * 35}%)`;
    context.beginPath();
    context.ellipse(
      width * (0.1 + next() * 0.8),
      height * (0.1 + next() * 0.75),
      30 + next() * 220,
      12 + next() * 70,
      next() * Math.PI,
      0,
      Math.PI * 2,
    );
    context.fill();
  }
  // The label, bottom right, and a colour chart along the left edge.
  context.fillStyle = '#fbfaf4';
  context.fillRect(width * 0.55, height * 0.82, width * 0.4, height * 0.14);
  context.fillStyle = '#222';
  for (let line = 0; line < 8; line += 1) {
    context.font = `${Math.round(height * 0.011)}px serif`;
    context.fillText(
      `Herbarium sheet ${spec.seed} · line ${line + 1} · collector, locality, date`,
      width * 0.57,
      height * (0.845 + line * 0.014),
    );
  }
  for (let i = 0; i < 24; i += 1) {
    context.fillStyle = `hsl(${i * 15}, ${i % 4 === 0 ? 0 : 60}%, ${30 + (i % 6) * 10}%)`;
    context.fillRect(width * 0.015, height * (0.05 + i * 0.035), width * 0.05, height * 0.03);
  }
  // Sensor and paper grain, so the JPEG is as large as a camera's.
  const band = 128;
  for (let y = 0; y < height; y += band) {
    const rows = Math.min(band, height - y);
    const image = context.getImageData(0, y, width, rows);
    const data = image.data;
    for (let i = 0; i < data.length; i += 4) {
      const n = (next() - 0.5) * spec.grain;
      data[i] = (data[i] ?? 0) + n;
      data[i + 1] = (data[i + 1] ?? 0) + n;
      data[i + 2] = (data[i + 2] ?? 0) + n;
    }
    context.putImageData(image, 0, y);
  }
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: spec.quality });
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return { base64: btoa(binary), bytes: bytes.length };
}

const cacheRoot = () =>
  process.env.BENCH_CACHE ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'specimen-uploader-bench');

/** The day's folder in the cache, its distinct sheets drawn in `page` the first time. */
export async function daySheets(page: Page, label: string, spec: SheetsSpec): Promise<DayFolder> {
  const root = path.join(
    cacheRoot(),
    `sheets-${spec.distinct}x${spec.width}x${spec.height}-${spec.targetBytes}`,
  );
  const drawn = await drawnSheets(page, label, root, spec);
  const dir = path.join(root, `day-${spec.sheets}`);
  const marker = path.join(root, `day-${spec.sheets}.json`);
  if (existsSync(marker)) return JSON.parse(await readFile(marker, 'utf8')) as DayFolder;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  let bytes = 0;
  for (let i = 0; i < spec.sheets; i += 1) {
    const source = drawn[i % drawn.length] as string;
    await link(source, path.join(dir, `${String(20_260_001 + i).padStart(8, '0')}.jpg`));
    bytes += (await stat(source)).size;
  }
  const made: DayFolder = { dir, files: spec.sheets, bytes };
  await writeFile(marker, JSON.stringify(made));
  progress(label, `${spec.sheets} sheets (${(bytes / 1e9).toFixed(2)} GB as listed) in ${dir}`);
  return made;
}

/** The distinct sheets' files, drawn unless the cache holds them. */
async function drawnSheets(page: Page, label: string, root: string, spec: SheetsSpec): Promise<string[]> {
  const files = Array.from({ length: spec.distinct }, (_, i) => path.join(root, `sheet-${i + 1}.jpg`));
  const marker = path.join(root, 'sheets.json');
  if (existsSync(marker)) {
    progress(label, `sheets from the cache: ${root}`);
    return files;
  }
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const quality = 0.92;
  let grain = 24;
  for (const [i, file] of files.entries()) {
    let sheet: Drawn | undefined;
    // The first sheet tunes the grain to the target size; the others keep it.
    for (let attempt = 0; attempt < (i === 0 ? 4 : 1); attempt += 1) {
      [sheet] = await step(label, `draw sheet ${i + 1}/${spec.distinct} (grain ${Math.round(grain)})`, () =>
        inWorker(page, drawSheetInWorker, {
          width: spec.width,
          height: spec.height,
          seed: i + 1,
          grain,
          quality,
        }),
      );
      const ratio = sheet.bytes / spec.targetBytes;
      if (i > 0 || (ratio > 0.85 && ratio < 1.15)) break;
      grain = Math.max(2, Math.min(120, grain / ratio));
    }
    await writeFile(file, Buffer.from((sheet as Drawn).base64, 'base64'));
  }
  await writeFile(marker, JSON.stringify({ grain, quality }));
  return files;
}
