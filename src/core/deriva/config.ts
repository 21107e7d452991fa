/**
 * A Deriva bulk-upload configuration (the JSON of a catalog's `tag:isrd.isi.edu,2019:bulk-upload` annotation)
 * read and compiled once per check: each asset mapping's patterns translated from Python and compiled, its
 * named groups and templates gathered. A config deriva-py could not run (bad JSON, a pattern Python refuses)
 * is refused as a whole, as deriva-upload-cli would stop on it.
 */
import { translatePythonRegex } from '#core/deriva/python-regex';
import { nestedRepetition } from '#core/validation/pattern';

export const PATTERN_KEYS = ['dir_pattern', 'ext_pattern', 'file_pattern'] as const;
export type PatternKey = (typeof PATTERN_KEYS)[number];

export interface CompiledMapping {
  /** 0-based, as in `asset_mappings`. */
  readonly index: number;
  /** `schema:table` from `target_table`; '' when the path's `schema` and `table` groups give it. */
  readonly targetTable: string;
  /** "mapping 0 (RNASeq:File)". */
  readonly label: string;
  /** Patterns present, in the order deriva-py tries them: dir, ext, file. */
  readonly patterns: readonly { readonly key: PatternKey; readonly regex: RegExp }[];
  /** Named groups of all its patterns, in the order they appear (dir, ext, file), each once. */
  readonly groups: readonly string[];
  /** The group that names the file best: the file_pattern's first, else the dir_pattern's, else the ext_pattern's. */
  readonly identifierGroup: string | undefined;
  /** The mapping as written, for its templates and options. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface DerivaConfig {
  readonly mappings: readonly CompiledMapping[];
  /** `relative_path_validation`: paths are matched relative to the chosen folder. */
  readonly relativePaths: boolean;
  /** `file_ext_mappings`: extra values by the exact `file_ext`. */
  readonly extMappings: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export type ConfigReading =
  | { readonly ok: true; readonly config: DerivaConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

type Fields = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Python's truth of a JSON value, as `if config.get(…)` reads it: "False" is true. */
export function pythonTruthy(value: unknown): boolean {
  if (typeof value === 'string') return value !== '';
  if (typeof value === 'number') return value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.keys(value).length > 0;
  return value === true;
}

/** deriva-py's `stob`: "True", "yes", "1" … are true, anything else false. */
export function stob(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return ['y', 'yes', 't', 'true', 'on', '1'].includes(String(value).trim().toLowerCase());
}

function targetTableOf(raw: Fields): string {
  const target = raw['target_table'];
  if (
    Array.isArray(target) &&
    target.length === 2 &&
    target.every((t) => typeof t === 'string' && t !== '')
  ) {
    return `${target[0] as string}:${target[1] as string}`;
  }
  return '';
}

export function mappingLabel(index: number, targetTable: string): string {
  return `mapping ${index} (${targetTable === '' ? 'table from the path' : targetTable})`;
}

function compileMapping(
  raw: unknown,
  index: number,
  name: string,
): CompiledMapping | { readonly problems: string[] } {
  if (!isRecord(raw)) {
    return {
      problems: [
        `Entry ${index} of asset_mappings in ${name} is not an object ({ … }); correct the config or load the catalog's own.`,
      ],
    };
  }
  const targetTable = targetTableOf(raw);
  const label = mappingLabel(index, targetTable);
  const problems: string[] = [];
  const patterns: { key: PatternKey; regex: RegExp }[] = [];
  const groups: string[] = [];
  const firstGroups: Partial<Record<PatternKey, string>> = {};
  for (const key of PATTERN_KEYS) {
    const pattern = raw[key];
    if (pattern === undefined || pattern === '' || pattern === null) continue;
    if (typeof pattern !== 'string') {
      problems.push(`The ${key} of ${label} in ${name} is not text; write it as a quoted pattern.`);
      continue;
    }
    const translated = translatePythonRegex(pattern, { ignoreCase: key === 'ext_pattern' });
    if (!translated.ok) {
      problems.push(
        `The ${key} ${JSON.stringify(pattern)} of ${label} in ${name} uses ${translated.reason}, so this uploader cannot check files against it as deriva-py would; ask the catalog's curators to write that part another way.`,
      );
      continue;
    }
    let regex: RegExp;
    try {
      regex = new RegExp(translated.source, 'u');
    } catch (error) {
      const words = error instanceof Error ? error.message : String(error);
      problems.push(
        `The ${key} ${JSON.stringify(pattern)} of ${label} in ${name} does not compile (${words}); deriva-py would stop on it too, so correct the config.`,
      );
      continue;
    }
    if (nestedRepetition(translated.source)) {
      problems.push(
        `The ${key} ${JSON.stringify(pattern)} of ${label} in ${name} repeats a group that itself repeats, which can take forever on some paths; remove the outer repetition.`,
      );
      continue;
    }
    patterns.push({ key, regex });
    if (translated.groups[0] !== undefined) firstGroups[key] = translated.groups[0];
    for (const group of translated.groups) if (!groups.includes(group)) groups.push(group);
  }
  if (problems.length > 0) return { problems };
  const identifierGroup = firstGroups.file_pattern ?? firstGroups.dir_pattern ?? firstGroups.ext_pattern;
  return { index, targetTable, label, patterns, groups, identifierGroup, raw };
}

function readExtMappings(value: unknown): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  if (!isRecord(value)) return out;
  for (const [ext, entry] of Object.entries(value)) {
    if (!isRecord(entry)) continue;
    out[ext] = Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, String(v)]));
  }
  return out;
}

function jsonProblem(text: string, name: string): string | { readonly value: unknown } {
  if (text.trim() === '')
    return `The upload config ${name} is empty; load the JSON of the catalog's bulk-upload annotation.`;
  try {
    return { value: JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as unknown };
  } catch (error) {
    const words = error instanceof Error ? error.message : String(error);
    return `The upload config ${name} is not valid JSON (${words}); load the JSON file the catalog's bulk-upload annotation holds, unchanged.`;
  }
}

/** Reads and compiles a config; `name` says where it came from in the sentences ("rbk-config.json"). */
export function readDerivaConfig(text: string, name: string): ConfigReading {
  const parsed = jsonProblem(text, name);
  if (typeof parsed === 'string') return { ok: false, problems: [parsed] };
  const { value } = parsed;
  if (!isRecord(value)) {
    return {
      ok: false,
      problems: [
        `The upload config ${name} is not a JSON object ({ … }), so it is not a Deriva bulk-upload config.`,
      ],
    };
  }
  const list = value['asset_mappings'];
  if (!Array.isArray(list) || list.length === 0) {
    return {
      ok: false,
      problems: [
        `The upload config ${name} has no asset_mappings list, so the Deriva uploader would upload nothing from it; load the catalog's bulk-upload config.`,
      ],
    };
  }
  const problems: string[] = [];
  const mappings: CompiledMapping[] = [];
  list.forEach((raw, index) => {
    const compiled = compileMapping(raw, index, name);
    if ('problems' in compiled) problems.push(...compiled.problems);
    else mappings.push(compiled);
  });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      mappings,
      relativePaths: pythonTruthy(value['relative_path_validation']),
      extMappings: readExtMappings(value['file_ext_mappings']),
    },
  };
}
