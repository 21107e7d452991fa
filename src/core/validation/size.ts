/**
 * Sizes in decimal units, because the limits the repositories publish (5 GB, 8 MB, 20 GB, 50 GB) are
 * decimal: a message then compares like with like.
 */
export function formatDecimalSize(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

export const KB = 1000;
export const MB = 1000 * KB;
export const GB = 1000 * MB;
