/**
 * User-written identifier patterns: the Symbiota portal's PHP form (`/^(ASU-L-\d{7})\D*\/`) translated to
 * JavaScript, or a plain JavaScript pattern. Every pattern is compiled once per validation run.
 */

export type CompiledPattern =
  { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly reason: string };

interface PatternOptions {
  /** Refuse a pattern with no capturing group, for this reason; omit to allow one. */
  readonly missingGroup?: string;
  /** For replace steps: replace every match, as PHP's preg_replace does. */
  readonly global?: boolean;
}

const missingSlashes =
  'The pattern must be written between forward slashes, like /^(ASU-L-\\d{7})\\D*/, or the portal refuses it (“Regular Expression term illegal due to missing forward slashes”).';
export const missingCaptureTerm =
  'The pattern needs parentheses around the catalog number, like /^(ASU-L-\\d{7})\\D*/, or the portal refuses it (“Regular Expression term illegal due to missing capture term”).';

/** Finds the closing delimiter the way PHP does: the first '/' not escaped by a backslash. */
export function splitPhpPattern(text: string): { readonly body: string; readonly flags: string } | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('/')) return undefined;
  for (let i = 1; i < trimmed.length; i += 1) {
    const c = trimmed[i];
    if (c === '\\') i += 1;
    else if (c === '/') return { body: trimmed.slice(1, i), flags: trimmed.slice(i + 1) };
  }
  return undefined;
}

const flagReasons: Readonly<Record<string, string>> = {
  x: "The flag 'x' (ignore spaces and comments) has no JavaScript equivalent; remove it and write the pattern without spaces or comments.",
  U: "The flag 'U' (ungreedy) has no JavaScript equivalent; remove it and add ? after each quantifier that should be lazy.",
  J: "The flag 'J' (repeated group names) has no JavaScript equivalent; remove it and give each named group its own name.",
  n: "The flag 'n' (no numbered groups) would leave no group 1 for the catalog number; remove it.",
};

/** PHP flags to JavaScript ones; 'u' and 'D' need nothing, because JavaScript already behaves that way. */
function translateFlags(
  flags: string,
): { readonly flags: string; readonly anchored: boolean } | { readonly reason: string } {
  let js = '';
  let anchored = false;
  for (const flag of flags) {
    if (flag === 'i' || flag === 'm' || flag === 's') js += js.includes(flag) ? '' : flag;
    else if (flag === 'A') anchored = true;
    // JavaScript strings are Unicode already; its own 'u' flag would reject escapes PCRE accepts, like \-.
    else if (flag === 'u' || flag === 'D' || flag === 'S' || flag === 'X' || /\s/.test(flag)) continue;
    else {
      const reason = flagReasons[flag];
      return {
        reason:
          reason ??
          `'${flag}' is not a PHP pattern flag, so PHP would stop with “Unknown modifier '${flag}'”; remove it.`,
      };
    }
  }
  return { flags: js, anchored };
}

/** Escapes PCRE understands that JavaScript would silently read as plain letters (one letter each). */
const pcreOnlyEscapes = new Set('AzZKGRXCQEhHeaNg');
const quantifierBraces = /^\{\d+(?:,\d*)?\}/;
const inlineFlags = /^\(\?[a-zA-Z-]+[):]/;

/** Rewrites PCRE-only syntax into JavaScript, or says which part cannot be carried over. */
export function translatePcre(
  body: string,
): { readonly source: string; readonly unicode: boolean } | { readonly reason: string } {
  let out = '';
  let inClass = false;
  let afterQuantifier = false;
  let unicode = false;
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i] ?? '';
    if (c === '\\') {
      const next = body[i + 1] ?? '';
      i += 1;
      afterQuantifier = false;
      if (!inClass && next === 'A') out += '^';
      else if (!inClass && (next === 'z' || next === 'Z')) out += '$';
      else if (pcreOnlyEscapes.has(next) || (next === 'x' && body[i + 1] === '{')) {
        return {
          reason: `The pattern uses \\${next}, which PHP understands but JavaScript reads differently; rewrite that part without it.`,
        };
      } else {
        if (next === 'p' || next === 'P') unicode = true;
        out += c + next;
      }
      continue;
    }
    if (inClass) {
      if (c === '[' && body[i + 1] === ':') {
        return {
          reason:
            'The pattern uses a POSIX class such as [:digit:], which JavaScript does not know; write [0-9] or \\d instead.',
        };
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      afterQuantifier = false;
      out += c;
      if (body[i + 1] === '^') {
        out += '^';
        i += 1;
      }
      // In PCRE a ']' right after '[' or '[^' is a literal; in JavaScript '[]' is an empty class.
      if (body[i + 1] === ']') {
        out += '\\]';
        i += 1;
      }
      continue;
    }
    if (c === '(' && body[i + 1] === '?') {
      afterQuantifier = false;
      const rest = body.slice(i);
      if (rest.startsWith('(?P<')) {
        out += '(?<';
        i += 3;
      } else if (rest.startsWith('(?P=')) {
        const close = body.indexOf(')', i);
        if (close === -1)
          return { reason: 'The pattern has a (?P= group that never closes; close it with ).' };
        out += `\\k<${body.slice(i + 4, close)}>`;
        i = close;
      } else if (rest.startsWith('(?>')) {
        return {
          reason:
            'The pattern uses an atomic group (?>…), which JavaScript does not support; write it as (?:…).',
        };
      } else if (rest.startsWith('(?|') || /^\(\?(?:R|\d|P>|&)/.test(rest)) {
        return {
          reason:
            'The pattern uses branch reset or recursion, which JavaScript does not support; rewrite it with plain groups.',
        };
      } else if (inlineFlags.test(rest)) {
        return {
          reason:
            'The pattern sets flags inside it, like (?i), which JavaScript does not support; put the flag after the closing slash instead, like /…/i.',
        };
      } else {
        out += '(?';
        i += 1;
      }
      continue;
    }
    if (c === '{') {
      const braces = quantifierBraces.exec(body.slice(i, i + 24));
      if (braces !== null) {
        out += braces[0];
        i += braces[0].length - 1;
        afterQuantifier = true;
        continue;
      }
    }
    if (c === '*' || c === '+' || c === '?') {
      if (afterQuantifier && c === '+') {
        return {
          reason:
            'The pattern uses a possessive quantifier such as ++ or *+, which JavaScript does not support; drop the second +.',
        };
      }
      // '?' after a quantifier makes it lazy and ends it.
      afterQuantifier = !(afterQuantifier && c === '?');
      out += c;
      continue;
    }
    afterQuantifier = false;
    out += c;
  }
  return { source: out, unicode };
}

/** Number of capturing groups, found by letting the pattern match the empty string. */
export function groupCount(regex: RegExp): number {
  return (new RegExp(`${regex.source}|`, regex.flags.replace(/[gy]/g, '')).exec('') ?? ['']).length - 1;
}

interface Frame {
  /** Something inside repeats without bound. */
  unbounded: boolean;
  /** Something inside must match exactly once per pass, which pins where each repetition can end. */
  bare: boolean;
}

const quantifierBracesAt = /^\{(\d+)(,?)(\d*)\}/;

/** The quantifier starting at `i`, with a trailing lazy '?', if there is one. */
function quantifierAt(
  source: string,
  i: number,
): { readonly length: number; readonly unbounded: boolean } | undefined {
  const c = source[i];
  let quantifier: { length: number; unbounded: boolean } | undefined;
  if (c === '*' || c === '+') quantifier = { length: 1, unbounded: true };
  else if (c === '?') quantifier = { length: 1, unbounded: false };
  else if (c === '{') {
    const braces = quantifierBracesAt.exec(source.slice(i, i + 24));
    if (braces !== null)
      quantifier = { length: braces[0].length, unbounded: braces[2] === ',' && braces[3] === '' };
  }
  if (quantifier !== undefined && source[i + quantifier.length] === '?') quantifier.length += 1;
  return quantifier;
}

/** Where a group's contents start: after `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>`. */
function groupBodyStart(source: string, open: number): number {
  if (source[open + 1] !== '?') return open + 1;
  const kind = source[open + 2];
  if (kind === '<' && source[open + 3] !== '=' && source[open + 3] !== '!') {
    const close = source.indexOf('>', open);
    return close === -1 ? source.length : close + 1;
  }
  return kind === '<' ? open + 4 : open + 3;
}

/**
 * True when a group that repeats without bound holds only repeated or optional parts, like (\d+)+ or
 * (\w+\s?)*: such patterns can backtrack for longer than anyone will wait on a name that almost matches.
 * A group with a part that must match once per pass, like (?:[A-Z]+-)+, is left alone. A heuristic: it
 * ignores overlapping alternatives such as (a|aa)+.
 */
export function nestedRepetition(source: string): boolean {
  const frames: Frame[] = [{ unbounded: false, bare: false }];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '(') {
      frames.push({ unbounded: false, bare: false });
      i = groupBodyStart(source, i);
      continue;
    }
    if (c === '^' || c === '$' || c === '|') {
      i += 1;
      continue;
    }
    let inner: Frame | undefined;
    let end = i + 1;
    if (c === ')') inner = frames.length > 1 ? frames.pop() : undefined;
    else if (c === '\\') end = i + 2;
    else if (c === '[') {
      for (end = i + 1; end < source.length && source[end] !== ']'; end += 1)
        if (source[end] === '\\') end += 1;
      end += 1;
    }
    const quantifier = quantifierAt(source, end);
    if (inner !== undefined && inner.unbounded && !inner.bare && quantifier?.unbounded === true) return true;
    const frame = frames[frames.length - 1] ?? { unbounded: false, bare: false };
    if (quantifier === undefined) frame.bare ||= inner === undefined || inner.bare;
    frame.unbounded ||= quantifier?.unbounded === true || inner?.unbounded === true;
    i = end + (quantifier?.length ?? 0);
  }
  return false;
}

const nestedReason =
  'The pattern repeats a group that itself repeats, like (\\d+)+, which can take forever on some names; remove the outer repetition.';

function compile(source: string, flags: string, options: PatternOptions): CompiledPattern {
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (error) {
    const words = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `The pattern does not compile (${words}); check its brackets and escapes.` };
  }
  if (nestedRepetition(source)) return { ok: false, reason: nestedReason };
  if (options.missingGroup !== undefined && groupCount(regex) === 0)
    return { ok: false, reason: options.missingGroup };
  return { ok: true, regex };
}

/** 'd' records where each group matched, which the cut-short check needs; 'g' only for replace steps. */
function runFlags(flags: string, options: PatternOptions): string {
  const kept = flags.replace(/[dgy]/g, '');
  return `${kept}d${options.global === true ? 'g' : ''}`;
}

/** Compiles the portal's `/body/flags` form. */
export function compilePhpPattern(text: string, options: PatternOptions): CompiledPattern {
  const parts = splitPhpPattern(text);
  if (parts === undefined) return { ok: false, reason: missingSlashes };
  const flags = translateFlags(parts.flags);
  if ('reason' in flags) return { ok: false, reason: flags.reason };
  const translated = translatePcre(parts.body);
  if ('reason' in translated) return { ok: false, reason: translated.reason };
  // PHP's 'A' anchors the match at the start of the name.
  const source = flags.anchored ? `^(?:${translated.source})` : translated.source;
  const jsFlags = flags.flags + (translated.unicode ? 'u' : '');
  return compile(source, runFlags(jsFlags, options), options);
}

export function compileJsPattern(source: string, flags: string, options: PatternOptions): CompiledPattern {
  if (source === '')
    return { ok: false, reason: 'The pattern is empty; write one with a group for the identifier.' };
  return compile(source, runFlags(flags, options), options);
}

/**
 * PHP replacement text (`\1`, `$1`, `${1}`; everything else literal) as a function over the groups of
 * one match, so no JavaScript `$` rule can change its meaning.
 */
export function phpReplacement(replacement: string): (groups: readonly (string | undefined)[]) => string {
  const tokens: (string | number)[] = [];
  const reference = /\\(\d{1,2})|\$(\d{1,2})|\$\{(\d{1,2})\}/g;
  let last = 0;
  for (const m of replacement.matchAll(reference)) {
    tokens.push(replacement.slice(last, m.index));
    tokens.push(Number(m[1] ?? m[2] ?? m[3]));
    last = m.index + m[0].length;
  }
  tokens.push(replacement.slice(last));
  return (groups) => tokens.map((t) => (typeof t === 'number' ? (groups[t] ?? '') : t)).join('');
}

const digit = /^[0-9]$/;
const letter = /^\p{L}$/u;

/**
 * True when the character right after the captured identifier would plausibly continue it (a digit
 * after a digit, a letter after a letter): `\d{7}` on `ASU-L-00012345` stops one digit short.
 */
export function cutShort(subject: string, end: number): boolean {
  if (end <= 0 || end >= subject.length) return false;
  const before = subject[end - 1] ?? '';
  const after = subject[end] ?? '';
  return (digit.test(before) && digit.test(after)) || (letter.test(before) && letter.test(after));
}
