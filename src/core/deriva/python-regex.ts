/**
 * Python `re` patterns, as deriva-py applies them, rewritten as JavaScript patterns (flag `u`) that match the same
 * strings: named groups and their back-references, inline and scoped flags, `\A` `\Z`, Python's `$` (which also
 * matches before a final line break), `.` (which stops only at `\n`) and its Unicode `\d` `\w` `\s` `\b`.
 * Case-insensitive parts are written out (`[aA]`) rather than left to a JavaScript flag, so a scoped `(?i:…)` or
 * `(?-i:…)` works in every browser. What has no JavaScript equivalent is refused, naming the construct.
 */

export interface PythonRegexOptions {
  /** Match as with `re.IGNORECASE` (deriva-py's ext_pattern). */
  readonly ignoreCase?: boolean;
}

export type PythonRegexTranslation =
  | { readonly ok: true; readonly source: string; readonly groups: readonly string[] }
  | {
      readonly ok: false;
      /** The construct as written in the pattern: `(?>`, `*+`, `\N{…}`. */
      readonly construct: string;
      /** Completes "the pattern uses …": what the construct is and why it cannot be carried over. */
      readonly reason: string;
    };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  /** ASCII-only `\d \w \s \b` (Python's `a` flag). */
  a: boolean;
}

class Refusal extends Error {
  constructor(
    readonly construct: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const UNICODE_SETS = {
  d: '\\p{Nd}',
  w: '\\p{L}\\p{N}_',
  // What Python's str.isspace() accepts.
  s: '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000',
} as const;
const ASCII_SETS = { d: '0-9', w: 'A-Za-z0-9_', s: '\\t-\\r ' } as const;

const SYNTAX = new Set('^$\\.*+?()[]{}|/');
const CLASS_SYNTAX = new Set('\\]-[^');
const VERBOSE_SPACE = new Set(' \t\n\r\v\f');
const OCTAL = /^[0-7]$/;
const DIGIT = /^[0-9]$/;
const HEX = /^[0-9a-fA-F]$/;
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
/** Widest range written out case by case under ignore-case. */
const MAX_FOLDED_RANGE = 0x3000;
const quantifierBraces = /^\{(\d*)(?:(,)(\d*))?\}/;

function hex(code: number): string {
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

function inClass(char: string): string {
  if (CLASS_SYNTAX.has(char)) return `\\${char}`;
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? hex(code) : char;
}

/** The other cases of one character that Python's ignore-case also matches. */
function caseVariants(char: string): string[] {
  const variants = new Set([char]);
  for (const other of [char.toLowerCase(), char.toUpperCase()]) {
    if ([...other].length === 1) variants.add(other);
  }
  return [...variants];
}

/** Characters outside [lo, hi] whose case matches one inside, as class contents. */
function foldedRange(lo: number, hi: number, written: string): string {
  if (hi - lo > MAX_FOLDED_RANGE) {
    throw new Refusal(
      written,
      `the range ${written} under ignore-case, wider than the ${MAX_FOLDED_RANGE} characters this uploader writes out case by case`,
    );
  }
  const extra = new Set<number>();
  for (let code = lo; code <= hi; code += 1) {
    for (const variant of caseVariants(String.fromCodePoint(code))) {
      const other = variant.codePointAt(0) ?? code;
      if (other < lo || other > hi) extra.add(other);
    }
  }
  const sorted = [...extra].sort((a, b) => a - b);
  let out = '';
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j += 1;
    const from = String.fromCodePoint(sorted[i] ?? 0);
    const to = String.fromCodePoint(sorted[j] ?? 0);
    out += j > i ? `${inClass(from)}-${inClass(to)}` : inClass(from);
    i = j + 1;
  }
  return out;
}

/** A class item: characters to add (`pos`), or a set whose complement to add (`neg`, for \D \W \S). */
type ClassPart = { readonly pos: string } | { readonly neg: string };

class Translator {
  readonly #chars: string[];
  #at = 0;
  #flags: Flags;
  readonly #stack: Flags[] = [];
  readonly groups: string[] = [];
  /** Still where global flags like (?i) may stand: nothing but such flags came before. */
  #atStart = true;

  constructor(pattern: string, options: PythonRegexOptions) {
    this.#chars = [...pattern];
    this.#flags = { i: options.ignoreCase === true, m: false, s: false, x: false, a: false };
  }

  #peek(offset = 0): string {
    return this.#chars[this.#at + offset] ?? '';
  }

  #rest(length: number): string {
    return this.#chars.slice(this.#at, this.#at + length).join('');
  }

  translate(): string {
    let out = '';
    while (this.#at < this.#chars.length) {
      const char = this.#peek();
      if (this.#flags.x && VERBOSE_SPACE.has(char)) {
        this.#at += 1;
        continue;
      }
      if (this.#flags.x && char === '#') {
        while (this.#at < this.#chars.length && this.#peek() !== '\n') this.#at += 1;
        continue;
      }
      if (char === '(' && this.#peek(1) === '?') {
        const group = this.#extension();
        if (group === null) continue;
        this.#atStart = false;
        out += group;
        continue;
      }
      this.#atStart = false;
      if (char === '(') {
        this.#stack.push({ ...this.#flags });
        this.#at += 1;
        out += '(';
      } else if (char === ')') {
        this.#flags = this.#stack.pop() ?? this.#flags;
        this.#at += 1;
        out += ')';
      } else if (char === '[') out += this.#class();
      else if (char === '\\') out += this.#escape();
      else if (char === '*' || char === '+' || char === '?') {
        this.#at += 1;
        out += char + this.#quantifierEnd(char);
      } else if (char === '{') out += this.#brace();
      else if (char === '.') {
        this.#at += 1;
        out += this.#flags.s ? '[\\s\\S]' : '[^\\n]';
      } else if (char === '^') {
        this.#at += 1;
        out += this.#flags.m ? '(?<![^\\n])' : '^';
      } else if (char === '$') {
        this.#at += 1;
        out += this.#flags.m ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))';
      } else if (char === '|') {
        this.#at += 1;
        out += '|';
      } else {
        this.#at += 1;
        out += this.#literal(char);
      }
    }
    return out;
  }

  #literal(char: string): string {
    if (this.#flags.i) {
      const variants = caseVariants(char);
      if (variants.length > 1) return `[${variants.map(inClass).join('')}]`;
    }
    if (SYNTAX.has(char)) return `\\${char}`;
    const code = char.codePointAt(0) ?? 0;
    return code < 0x20 || code === 0x7f ? hex(code) : char;
  }

  /** After `*`, `+`, `?` or `{m,n}`: a lazy `?` is kept, a possessive `+` refused. */
  #quantifierEnd(written: string): string {
    if (this.#peek() === '?') {
      this.#at += 1;
      return '?';
    }
    if (this.#peek() === '+') {
      throw new Refusal(
        `${written}+`,
        `the possessive quantifier ${written}+ (Python 3.11), which JavaScript has no equivalent of`,
      );
    }
    return '';
  }

  #brace(): string {
    const braces = quantifierBraces.exec(this.#rest(40));
    if (braces === null || (braces[1] === '' && braces[2] === undefined)) {
      this.#at += 1;
      return '\\{';
    }
    this.#at += [...braces[0]].length;
    const min = braces[1] === '' ? '0' : (braces[1] ?? '0');
    const body = braces[2] === undefined ? min : `${min},${braces[3] ?? ''}`;
    return `{${body}}${this.#quantifierEnd(braces[0])}`;
  }

  /** `(?…`: returns the JavaScript to write, or null for what writes nothing (global flags, comments). */
  #extension(): string | null {
    const start = this.#at;
    const kind = this.#peek(2);
    const next = this.#peek(3);
    if (kind === 'P' && next === '<') {
      this.#at += 4;
      let name = '';
      while (this.#at < this.#chars.length && this.#peek() !== '>') name += this.#chars[this.#at++];
      this.#at += 1;
      this.groups.push(name);
      this.#stack.push({ ...this.#flags });
      return `(?<${name}>`;
    }
    if (kind === 'P' && next === '=') {
      this.#at += 4;
      let name = '';
      while (this.#at < this.#chars.length && this.#peek() !== ')') name += this.#chars[this.#at++];
      this.#at += 1;
      this.#backReferenceAllowed(`(?P=${name})`);
      return `\\k<${name}>`;
    }
    if (kind === '#') {
      while (this.#at < this.#chars.length && this.#peek() !== ')') this.#at += 1;
      this.#at += 1;
      return null;
    }
    if (kind === ':' || kind === '=' || kind === '!') {
      this.#at += 3;
      this.#stack.push({ ...this.#flags });
      return `(?${kind}`;
    }
    if (kind === '<' && (next === '=' || next === '!')) {
      this.#at += 4;
      this.#stack.push({ ...this.#flags });
      return `(?<${next}`;
    }
    if (kind === '>') {
      throw new Refusal('(?>', 'an atomic group (?>…) (Python 3.11), which JavaScript has no equivalent of');
    }
    if (kind === '(') {
      throw new Refusal('(?(', 'a conditional group (?(…)…|…), which JavaScript has no equivalent of');
    }
    if (kind === '<') {
      throw new Refusal(
        '(?<',
        'a named group written (?<name>…), which Python itself refuses (“unknown extension”); Python writes it (?P<name>…)',
      );
    }
    return this.#flagGroup(start);
  }

  /** `(?aiLmsux)` at the start, or `(?imsx-imsx:…)` anywhere. */
  #flagGroup(start: number): string | null {
    this.#at += 2;
    let on = '';
    let off = '';
    let turningOff = false;
    while (/^[a-zA-Z]$/.test(this.#peek()) || (this.#peek() === '-' && !turningOff)) {
      if (this.#peek() === '-') turningOff = true;
      else if (turningOff) off += this.#peek();
      else on += this.#peek();
      this.#at += 1;
    }
    const end = this.#peek();
    this.#at += 1;
    const written = `${this.#chars.slice(start, this.#at).join('')}`;
    if (end !== ')' && end !== ':') {
      throw new Refusal(written, `${written}, which Python does not know (“unknown extension”)`);
    }
    for (const flag of on + off) {
      if (flag === 'L') {
        throw new Refusal(
          written,
          `the flag L (locale) in ${written}, which Python refuses for text patterns`,
        );
      }
      if (!'aimsux'.includes(flag)) {
        throw new Refusal(written, `the unknown flag '${flag}' in ${written}, which Python refuses`);
      }
    }
    const flags = end === ')' ? this.#flags : { ...this.#flags };
    if (end === ')') {
      if (!this.#atStart || off !== '') {
        throw new Refusal(
          written,
          `the flags ${written} after the start of the pattern, which Python refuses (“global flags not at the start of the expression”); move them to the very start`,
        );
      }
    } else this.#stack.push({ ...this.#flags });
    for (const flag of on) this.#setFlag(flags, flag, true);
    for (const flag of off) this.#setFlag(flags, flag, false);
    this.#flags = flags;
    return end === ')' ? null : '(?:';
  }

  #setFlag(flags: Flags, flag: string, value: boolean): void {
    if (flag === 'i' || flag === 'm' || flag === 's' || flag === 'x' || flag === 'a') flags[flag] = value;
    else if (flag === 'u') flags.a = false;
  }

  #backReferenceAllowed(written: string): void {
    if (this.#flags.i) {
      throw new Refusal(
        written,
        `the back-reference ${written} under ignore-case, which this uploader cannot write out case by case`,
      );
    }
  }

  /** A set escape (\d \w \s and their complements) as a class part, or undefined. */
  #setEscape(letter: string): ClassPart | undefined {
    const sets = this.#flags.a ? ASCII_SETS : UNICODE_SETS;
    const lower = letter.toLowerCase();
    if (lower !== 'd' && lower !== 'w' && lower !== 's') return undefined;
    const set = sets[lower];
    return letter === lower ? { pos: set } : { neg: set };
  }

  /** A character escape (`\n`, `\x41`, `\u00e9`, `\012`, `\.`) as the code point it stands for. */
  #charEscape(letter: string): number {
    const simple = SIMPLE_ESCAPES[letter];
    if (simple !== undefined) return simple;
    const digits = { x: 2, u: 4, U: 8 }[letter as 'x' | 'u' | 'U'];
    if (digits !== undefined) {
      const text = this.#rest(digits);
      if (text.length !== digits || ![...text].every((c) => HEX.test(c))) {
        throw new Refusal(
          `\\${letter}${text}`,
          `the escape \\${letter}${text}, which Python refuses (it takes exactly ${digits} hex digits)`,
        );
      }
      this.#at += digits;
      return Number.parseInt(text, 16);
    }
    if (letter === 'N') {
      throw new Refusal('\\N{…}', 'a character named \\N{…}, which JavaScript has no equivalent of');
    }
    if (/^[a-zA-Z]$/.test(letter)) {
      throw new Refusal(`\\${letter}`, `the escape \\${letter}, which Python refuses (“bad escape”)`);
    }
    return letter.codePointAt(0) ?? 0;
  }

  /** Up to three octal digits after a backslash, the first already read. */
  #octal(first: string): number {
    let text = first;
    while (text.length < 3 && OCTAL.test(this.#peek())) text += this.#chars[this.#at++];
    return Number.parseInt(text, 8);
  }

  #escape(): string {
    const letter = this.#peek(1);
    this.#at += 2;
    if (letter === '') throw new Refusal('\\', 'a backslash at the very end, which Python refuses');
    if (letter === 'A') return '(?<![\\s\\S])';
    if (letter === 'Z') return '(?![\\s\\S])';
    if (letter === 'b' || letter === 'B') return this.#boundary(letter === 'b');
    const set = this.#setEscape(letter);
    if (set !== undefined) return 'pos' in set ? `[${set.pos}]` : `[^${set.neg}]`;
    if (letter === '0') return this.#literal(String.fromCodePoint(this.#octal('0')));
    if (DIGIT.test(letter)) {
      if (OCTAL.test(letter) && OCTAL.test(this.#peek()) && OCTAL.test(this.#peek(1))) {
        return this.#literal(String.fromCodePoint(this.#octal(letter)));
      }
      let number = letter;
      if (DIGIT.test(this.#peek())) number += this.#chars[this.#at++];
      this.#backReferenceAllowed(`\\${number}`);
      return `\\${number}(?:)`;
    }
    return this.#literal(String.fromCodePoint(this.#charEscape(letter)));
  }

  #boundary(positive: boolean): string {
    if (this.#flags.a) return positive ? '\\b' : '\\B';
    const w = `[${UNICODE_SETS.w}]`;
    return positive ? `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))` : `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`;
  }

  /** One class member as a code point, for ranges; or a set escape. */
  #classAtom(): { readonly code: number } | ClassPart {
    const char = this.#peek();
    this.#at += 1;
    if (char !== '\\') return { code: char.codePointAt(0) ?? 0 };
    const letter = this.#peek();
    this.#at += 1;
    if (letter === '') throw new Refusal('\\', 'a backslash at the very end, which Python refuses');
    const set = this.#setEscape(letter);
    if (set !== undefined) return set;
    if (letter === 'b') return { code: 8 };
    if (OCTAL.test(letter)) return { code: this.#octal(letter) };
    if (DIGIT.test(letter)) {
      throw new Refusal(`\\${letter}`, `the escape \\${letter} in a class, which Python refuses`);
    }
    return { code: this.#charEscape(letter) };
  }

  #class(): string {
    const start = this.#at;
    this.#at += 1;
    const negated = this.#peek() === '^';
    if (negated) this.#at += 1;
    let pos = '';
    const negs: string[] = [];
    let first = true;
    while (this.#at < this.#chars.length && (first || this.#peek() !== ']')) {
      first = false;
      const atom = this.#classAtom();
      if (!('code' in atom)) {
        if ('pos' in atom) pos += atom.pos;
        else if (this.#flags.a)
          pos += atom.neg === ASCII_SETS.d ? '\\D' : atom.neg === ASCII_SETS.w ? '\\W' : '\\S';
        else negs.push(atom.neg);
        continue;
      }
      let hi = atom.code;
      if (this.#peek() === '-' && this.#peek(1) !== ']' && this.#peek(1) !== '') {
        const rangeStart = this.#at - 1;
        this.#at += 1;
        const end = this.#classAtom();
        if (!('code' in end)) {
          throw new Refusal(
            this.#chars.slice(rangeStart, this.#at).join(''),
            'a range that ends in a class such as \\d, which Python refuses (“bad character range”)',
          );
        }
        hi = end.code;
        if (hi < atom.code) {
          throw new Refusal('-', 'a range whose end comes before its start, which Python refuses');
        }
      }
      const lo = String.fromCodePoint(atom.code);
      pos += hi === atom.code ? inClass(lo) : `${inClass(lo)}-${inClass(String.fromCodePoint(hi))}`;
      if (this.#flags.i) {
        const written = this.#chars.slice(start, this.#at).join('');
        pos += foldedRange(atom.code, hi, written);
      }
    }
    if (this.#peek() !== ']') {
      throw new Refusal('[', 'a class [ that never closes, which Python refuses');
    }
    this.#at += 1;
    this.#atStart = false;
    if (negs.length === 0) return `[${negated ? '^' : ''}${pos}]`;
    const any = [...(pos === '' ? [] : [`[${pos}]`]), ...negs.map((n) => `[^${n}]`)].join('|');
    return negated ? `(?:(?!${any})[\\s\\S])` : `(?:${any})`;
  }
}

export function translatePythonRegex(
  pattern: string,
  options: PythonRegexOptions = {},
): PythonRegexTranslation {
  const translator = new Translator(pattern, options);
  try {
    const source = translator.translate();
    return { ok: true, source, groups: translator.groups };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, construct: error.construct, reason: error.reason };
    throw error;
  }
}
