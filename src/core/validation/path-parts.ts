/** The last segment of a '/'-separated path. */
export function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Everything before the last '/', or '' at the top of the folder. */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** The last extension, lower-cased, without the dot: `x-1.OME.TIF` → `tif`; '' when there is none. */
export function lastExtension(path: string): string {
  const dot = path.lastIndexOf('.');
  const nameStart = path.lastIndexOf('/') + 1;
  return dot <= nameStart ? '' : path.slice(dot + 1).toLowerCase();
}

/** The file name without its last extension: `WIS-L-0001234_a.jpg` → `WIS-L-0001234_a`. */
export function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? name : name.slice(0, dot);
}

/** Joins words as prose: `a`, `a and b`, `a, b and c` (or `a, b or c`). */
export function listInWords(items: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

/** Names up to `limit` paths, then says how many more there are. */
export function namePaths(paths: readonly string[], limit = 3): string {
  if (paths.length <= limit) return listInWords(paths);
  return `${paths.slice(0, limit).join(', ')} and ${paths.length - limit} more`;
}

/** Printable ASCII needs no Unicode normalisation: a fast path for the usual name. */
export function isPlainAscii(text: string): boolean {
  return plainAscii.test(text);
}

const plainAscii = /^[ -~]*$/;
