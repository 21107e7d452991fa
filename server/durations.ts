/** Largest first, so that describeDuration picks the largest unit that fits. */
const UNITS = [
  { letter: 'd', name: 'day', ms: 86_400_000 },
  { letter: 'h', name: 'hour', ms: 3_600_000 },
  { letter: 'm', name: 'minute', ms: 60_000 },
  { letter: 's', name: 'second', ms: 1000 },
] as const;

/** `7d`, `12h`, `30m`, `45s`, `1.5d` → milliseconds; `0` → 0; undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  if (/^\s*0\s*$/.test(text)) return 0;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  const unit = UNITS.find((u) => u.letter === match?.[2]?.toLowerCase());
  if (!match || !unit) return undefined;
  const ms = Math.round(Number(match[1]) * unit.ms);
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** Milliseconds in the largest unit that fits, for messages: `7 days`, `1.5 hours`, `30 minutes`. */
export function describeDuration(ms: number): string {
  const unit = UNITS.find((u) => ms >= u.ms) ?? UNITS[3];
  const value = Number((ms / unit.ms).toFixed(1));
  return `${value} ${unit.name}${value === 1 ? '' : 's'}`;
}
