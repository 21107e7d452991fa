/**
 * JSON.parse with a located problem: engines word (and place) their errors differently, so where the text stops
 * being JSON is found here, and said as a line, a column and what JSON expects there.
 */

const maxJsonDepth = 200;

export function parseJson(text: string): { readonly value: unknown } | { readonly problem: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { problem: jsonProblem(text, error) };
  }
}

interface JsonFault {
  readonly at: number;
  readonly expected: string;
}

/** The offset after a JSON value, or where the text stops being JSON. */
type Scan = number | JsonFault;

const space = /[ \t\n\r]*/y;
/** Any code unit from U+0020 up but " and \, or an escape: JSON text holds no raw control characters. */
const stringBody = /(?:[\u0020\u0021\u0023-\u005b\u005d-\uffff]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;
const scalar = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

function stickyEnd(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : -1;
}

function skipSpace(text: string, at: number): number {
  return stickyEnd(space, text, at);
}

function jsonProblem(text: string, error: unknown): string {
  const fault = findJsonFault(text);
  if (fault === undefined) {
    return `The settings are not valid JSON (${error instanceof Error ? error.message : String(error)}).`;
  }
  const before = text.slice(0, fault.at);
  const line = before.split('\n').length;
  const column = fault.at - before.lastIndexOf('\n');
  const found = fault.at >= text.length ? 'the text ends' : `there is ${showChar(text[fault.at] ?? '')}`;
  return `The settings are not valid JSON: at line ${line}, column ${column} ${found}, where JSON expects ${fault.expected}.`;
}

function showChar(char: string): string {
  if (char === '\n' || char === '\r') return 'a line break';
  if (char === '\t') return 'a tab';
  const code = char.charCodeAt(0);
  return code < 0x20 ? `the control character U+${code.toString(16).padStart(4, '0')}` : `'${char}'`;
}

function findJsonFault(text: string): JsonFault | undefined {
  const end = scanValue(text, skipSpace(text, 0), 0);
  if (typeof end !== 'number') return end;
  const rest = skipSpace(text, end);
  return rest < text.length ? { at: rest, expected: 'nothing more after the settings object' } : undefined;
}

function scanValue(text: string, at: number, depth: number): Scan {
  if (depth > maxJsonDepth) return { at, expected: `at most ${maxJsonDepth} levels of nesting` };
  const char = text[at];
  if (char === '{') return scanObject(text, skipSpace(text, at + 1), depth + 1);
  if (char === '[') return scanArray(text, skipSpace(text, at + 1), depth + 1);
  if (char === '"') return scanString(text, at);
  const end = stickyEnd(scalar, text, at);
  return end === -1
    ? { at, expected: 'a value (text in double quotes, a number, true, false, null, { or [)' }
    : end;
}

function scanString(text: string, at: number): Scan {
  const end = stickyEnd(stringBody, text, at + 1);
  const char = text[end];
  if (char === '"') return end + 1;
  if (char === '\\') return { at: end, expected: 'an escape such as \\n, \\" or \\u00e9' };
  if (char === undefined) return { at: end, expected: 'a closing "' };
  return { at: end, expected: 'a closing " (a line break inside text is written \\n)' };
}

function scanObject(text: string, start: number, depth: number): Scan {
  if (text[start] === '}') return start + 1;
  let at = start;
  for (;;) {
    if (text[at] !== '"') return { at, expected: 'a name in double quotes' };
    const name = scanString(text, at);
    if (typeof name !== 'number') return name;
    at = skipSpace(text, name);
    if (text[at] !== ':') return { at, expected: "':'" };
    const value = scanValue(text, skipSpace(text, at + 1), depth);
    if (typeof value !== 'number') return value;
    at = skipSpace(text, value);
    if (text[at] === '}') return at + 1;
    if (text[at] !== ',') return { at, expected: "',' or '}'" };
    at = skipSpace(text, at + 1);
  }
}

function scanArray(text: string, start: number, depth: number): Scan {
  if (text[start] === ']') return start + 1;
  let at = start;
  for (;;) {
    const value = scanValue(text, at, depth);
    if (typeof value !== 'number') return value;
    at = skipSpace(text, value);
    if (text[at] === ']') return at + 1;
    if (text[at] !== ',') return { at, expected: "',' or ']'" };
    at = skipSpace(text, at + 1);
  }
}
