/**
 * Where the barcodes of a large image may be, found on a small copy of it, so that only those places are read at
 * full resolution. A barcode, printed black on a white label, is dense with sharp light–dark steps in a compact
 * patch: the copy is cut into blocks, a block is busy when many neighbouring pixels differ strongly, and busy
 * blocks in patches at least three blocks across make a region. The edge of a stem or a leaf makes a thin line
 * of busy blocks and is left out; the text of a label passes, which only costs a small extra read. Regions come
 * largest first.
 */

/** A rectangle in the small copy's pixels. */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface RegionOptions {
  /** Side of a block in pixels of the copy. */
  readonly block?: number;
  /** Two neighbouring pixels differing by more than this (0–255 luminance) make a sharp step. */
  readonly step?: number;
  /** A block is busy when at least this share of its pixel pairs are sharp steps. */
  readonly density?: number;
  /** Regions of fewer busy blocks are left out. */
  readonly minBlocks?: number;
  /** At most this many regions, the largest. */
  readonly maxRegions?: number;
  /** Blocks of margin around each region, so the quiet zone and a turned label's corners are read too. */
  readonly margin?: number;
  /**
   * A region also takes in the blocks around it busy at this looser density, up to {@link growBlocks} blocks
   * out: the edges of a code, sampled small, are less busy than its middle.
   */
  readonly growDensity?: number;
  readonly growBlocks?: number;
  /** The pixels' byte order: 'bgra' when blue comes first (a video frame's pixels copied as they are). */
  readonly order?: 'rgba' | 'bgra';
}

const DEFAULTS: Required<RegionOptions> = {
  block: 8,
  step: 48,
  density: 0.12,
  minBlocks: 3,
  maxRegions: 8,
  margin: 2,
  growDensity: 0.12,
  growBlocks: 0,
  order: 'rgba',
};

/**
 * Luminance (0–255) of row `y` of pixels read four bytes at a time (little-endian: the first byte is the low
 * one), `low` and `high` the weights of the first and third bytes (red's 77 and blue's 29 in RGBA).
 */
function luminanceRow(
  pixels: Uint32Array,
  width: number,
  y: number,
  out: Int16Array,
  low: number,
  high: number,
): void {
  for (let x = 0, at = y * width; x < width; x += 1, at += 1) {
    const p = pixels[at] as number;
    out[x] = ((p & 0xff) * low + ((p >>> 8) & 0xff) * 150 + ((p >>> 16) & 0xff) * high) >> 8;
  }
}

/**
 * Counts the sharp steps of each block, across (x) and down (y). Luminance is worked out a row at a time (this
 * row and the next), and each row is walked a block at a time: the search runs on every large image, and a
 * pass per pixel for luminance and a division per pixel for its block cost as much as the rest together.
 */
function blockSteps(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  block: number,
  step: number,
  order: 'rgba' | 'bgra',
) {
  const [low, high] = order === 'rgba' ? [77, 29] : [29, 77];
  const columns = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const steps = new Uint16Array(columns * rows);
  const aligned = rgba.byteOffset % 4 === 0 ? rgba : new Uint8Array(rgba);
  const pixels = new Uint32Array(aligned.buffer, aligned.byteOffset, width * height);
  let here = new Int16Array(width);
  let below = new Int16Array(width);
  if (height > 0) luminanceRow(pixels, width, 0, here, low, high);
  for (let y = 0; y < height; y += 1) {
    const hasBelow = y + 1 < height;
    if (hasBelow) luminanceRow(pixels, width, y + 1, below, low, high);
    const blockRow = Math.floor(y / block) * columns;
    for (let column = 0; column < columns; column += 1) {
      const end = Math.min(width, (column + 1) * block);
      let count = 0;
      for (let x = column * block; x < end; x += 1) {
        const value = here[x] as number;
        if (x + 1 < width && Math.abs(value - (here[x + 1] as number)) > step) count += 1;
        if (hasBelow && Math.abs(value - (below[x] as number)) > step) count += 1;
      }
      steps[blockRow + column] = (steps[blockRow + column] as number) + count;
    }
    [here, below] = [below, here];
  }
  return { steps, columns, rows };
}

/**
 * The busy blocks in a patch at least three blocks across: those with at least {@link THICK} busy neighbours, and
 * the busy blocks next to them. A stem or a leaf's edge makes a thin line of busy blocks, and goes.
 */
const THICK = 5;
function thick(busy: Uint8Array, columns: number, rows: number): Uint8Array {
  const core = new Uint8Array(busy.length);
  for (let y = 0; y < rows; y += 1) {
    for (let x = 0; x < columns; x += 1) {
      if (busy[y * columns + x] === 0) continue;
      let neighbours = 0;
      for (let dy = -1; dy <= 1; dy += 1) {
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = x + dx;
          const ny = y + dy;
          if ((dx !== 0 || dy !== 0) && nx >= 0 && ny >= 0 && nx < columns && ny < rows) {
            neighbours += busy[ny * columns + nx] ?? 0;
          }
        }
      }
      if (neighbours >= THICK) core[y * columns + x] = 1;
    }
  }
  const kept = new Uint8Array(busy.length);
  for (let y = 0; y < rows; y += 1) {
    for (let x = 0; x < columns; x += 1) {
      if (core[y * columns + x] === 0) continue;
      for (let dy = -1; dy <= 1; dy += 1) {
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= columns || ny >= rows) continue;
          const at = ny * columns + nx;
          if (busy[at] === 1) kept[at] = 1;
        }
      }
    }
  }
  return kept;
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
  busy: number;
}

/** Busy blocks that touch (diagonals too), as boxes in block units with how many busy blocks each holds. */
function components(busy: Uint8Array, columns: number, rows: number): Box[] {
  const seen = new Uint8Array(busy.length);
  const boxes: Box[] = [];
  const stack: number[] = [];
  for (let start = 0; start < busy.length; start += 1) {
    if (busy[start] === 0 || seen[start] === 1) continue;
    const box: Box = { left: columns, top: rows, right: -1, bottom: -1, busy: 0 };
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const at = stack.pop() as number;
      const cx = at % columns;
      const cy = (at - cx) / columns;
      box.busy += 1;
      box.left = Math.min(box.left, cx);
      box.right = Math.max(box.right, cx);
      box.top = Math.min(box.top, cy);
      box.bottom = Math.max(box.bottom, cy);
      for (let dy = -1; dy <= 1; dy += 1) {
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = cx + dx;
          const ny = cy + dy;
          if (nx < 0 || ny < 0 || nx >= columns || ny >= rows) continue;
          const next = ny * columns + nx;
          if (busy[next] === 1 && seen[next] === 0) {
            seen[next] = 1;
            stack.push(next);
          }
        }
      }
    }
    boxes.push(box);
  }
  return boxes;
}

function overlaps(a: Box, b: Box): boolean {
  return a.left <= b.right && b.left <= a.right && a.top <= b.bottom && b.top <= a.bottom;
}

/** Joins boxes whose margins overlap, so no pixel is read twice. */
function merge(boxes: Box[]): Box[] {
  const out = boxes.map((box) => ({ ...box }));
  for (let merged = true; merged;) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i += 1) {
      for (let j = i + 1; j < out.length; j += 1) {
        const a = out[i] as Box;
        const b = out[j] as Box;
        if (!overlaps(a, b)) continue;
        a.left = Math.min(a.left, b.left);
        a.top = Math.min(a.top, b.top);
        a.right = Math.max(a.right, b.right);
        a.bottom = Math.max(a.bottom, b.bottom);
        a.busy += b.busy;
        out.splice(j, 1);
        merged = true;
        break;
      }
    }
  }
  return out;
}

/** `kept` grown `times` blocks into the neighbouring blocks that are `loose`ly busy. */
function grow(kept: Uint8Array, loose: Uint8Array, columns: number, rows: number, times: number): Uint8Array {
  let current = kept;
  for (let time = 0; time < times; time += 1) {
    const next = current.slice();
    for (let y = 0; y < rows; y += 1) {
      for (let x = 0; x < columns; x += 1) {
        const at = y * columns + x;
        if (current[at] === 1 || loose[at] === 0) continue;
        let near = false;
        for (let dy = -1; dy <= 1 && !near; dy += 1) {
          for (let dx = -1; dx <= 1 && !near; dx += 1) {
            const nx = x + dx;
            const ny = y + dy;
            if (nx >= 0 && ny >= 0 && nx < columns && ny < rows && current[ny * columns + nx] === 1)
              near = true;
          }
        }
        if (near) next[at] = 1;
      }
    }
    current = next;
  }
  return current;
}

/** The places of an RGBA (or BGRA) image (`width` × `height`) where a barcode may be, largest first. */
export function labelRegions(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  options: RegionOptions = {},
): Region[] {
  const { block, step, density, minBlocks, maxRegions, margin, growDensity, growBlocks, order } = {
    ...DEFAULTS,
    ...options,
  };
  const { steps, columns, rows } = blockSteps(rgba, width, height, block, step, order);
  const needed = density * 2 * block * block;
  const busy = new Uint8Array(steps.length);
  for (let i = 0; i < steps.length; i += 1) busy[i] = (steps[i] ?? 0) >= needed ? 1 : 0;
  let kept = thick(busy, columns, rows);
  if (growBlocks > 0) {
    const looseNeeded = growDensity * 2 * block * block;
    const loose = new Uint8Array(steps.length);
    for (let i = 0; i < steps.length; i += 1) loose[i] = (steps[i] ?? 0) >= looseNeeded ? 1 : 0;
    kept = grow(kept, loose, columns, rows, growBlocks);
  }
  const found = components(kept, columns, rows)
    .filter((box) => box.busy >= minBlocks)
    .sort((a, b) => b.busy - a.busy)
    .slice(0, maxRegions)
    .map((box) => ({
      left: Math.max(0, box.left - margin),
      top: Math.max(0, box.top - margin),
      right: Math.min(columns - 1, box.right + margin),
      bottom: Math.min(rows - 1, box.bottom + margin),
      busy: box.busy,
    }));
  return merge(found)
    .sort((a, b) => b.busy - a.busy)
    .map((box) => {
      const x = box.left * block;
      const y = box.top * block;
      return {
        x,
        y,
        width: Math.min(width, (box.right + 1) * block) - x,
        height: Math.min(height, (box.bottom + 1) * block) - y,
      };
    });
}
