/**
 * One file as deriva-py would upload it: the mapping that fits, its group values, and its templates filled with
 * what is known in the browser (groups, file facts, checksums once computed, `file_ext_mappings`,
 * `column_value_templates`). The rest stays `{name}`, each filed under where its value will come from.
 */
import type { CompiledMapping, DerivaConfig } from '#core/deriva/config';
import { findMapping, matchedPath, type MappingMatch } from '#core/deriva/match';
import { fillParsed, mappingNames, type MappingNames, type PlaceholderSource } from '#core/deriva/templates';
import { hexToBase64 } from '#core/digest';

export interface FileFacts {
  /** Relative to the picked folder. */
  readonly path: string;
  readonly size: number;
  readonly sha256?: string;
  readonly md5?: string;
}

export interface FilePlan {
  readonly match: MappingMatch;
  /** `schema:table`, '' when neither the mapping nor the path's groups give one. */
  readonly targetTable: string;
  /** `hatrac_templates.hatrac_uri` filled; undefined when the mapping has none (table rows). */
  readonly hatracUri: string | undefined;
  /** `column_map` filled, in the config's order. */
  readonly columns: readonly (readonly [string, string])[];
  /** Names still unfilled, by where their value will come from, each once. */
  readonly pending: ReadonlyMap<PlaceholderSource, readonly string[]>;
  /** Names no source can fill, with the template that uses them. */
  readonly undefinedNames: readonly { readonly name: string; readonly where: string }[];
  /** The file's `file_ext` has no entry in `file_ext_mappings`, though templates use its fields. */
  readonly extMissing: { readonly ext: string; readonly names: readonly string[] } | undefined;
}

export interface PreparedConfig {
  readonly config: DerivaConfig;
  readonly folderName: string;
  readonly names: readonly MappingNames[];
}

export function prepareConfig(config: DerivaConfig, folderName: string): PreparedConfig {
  return { config, folderName, names: config.mappings.map((m) => mappingNames(m, config.extMappings)) };
}

/** Python's `urllib.parse.quote(text, safe='')`. */
export function pythonQuote(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `''.join(PurePath(name).suffixes)`: `.R1.fastq.gz`; nothing for `.bashrc` or `name.`. */
export function pathSuffixes(name: string): string {
  if (name.endsWith('.')) return '';
  const parts = name.replace(/^\.+/, '').split('.').slice(1);
  return parts.map((part) => `.${part}`).join('');
}

function targetTableOf(
  mapping: CompiledMapping,
  groups: Readonly<Record<string, string | undefined>>,
): string {
  if (mapping.targetTable !== '') return mapping.targetTable.split(':').map(pythonQuote).join(':');
  const lower = new Map(Object.entries(groups).map(([k, v]) => [k.toLowerCase(), v]));
  const schema = lower.get('schema');
  const table = lower.get('table');
  return schema && table ? `${pythonQuote(schema)}:${pythonQuote(table)}` : '';
}

function knownValues(
  prepared: PreparedConfig,
  match: MappingMatch,
  targetTable: string,
  file: FileFacts,
): { readonly values: Map<string, string>; readonly extKey: string } {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(match.groups)) values.set(name, value ?? '');
  const fileName = file.path.slice(file.path.lastIndexOf('/') + 1);
  if (targetTable !== '') values.set('target_table', targetTable);
  values.set('file_name', fileName);
  values.set('file_size', String(file.size));
  const ext = Object.hasOwn(match.groups, 'file_ext')
    ? (values.get('file_ext') ?? '')
    : pathSuffixes(fileName);
  values.set('file_ext', ext);
  values.set('base_name', ext === '' ? fileName : (fileName.split(ext)[0] ?? ''));
  const names = prepared.names[match.mapping.index];
  for (const [type, hex] of [
    ['md5', file.md5],
    ['sha256', file.sha256],
  ] as const) {
    if (hex === undefined || names?.checksums.has(type) !== true) continue;
    values.set(type, hex);
    values.set(`${type}_base64`, hexToBase64(hex));
  }
  for (const [name, value] of Object.entries(prepared.config.extMappings[ext] ?? {})) values.set(name, value);
  return { values, extKey: ext };
}

function lookup(values: ReadonlyMap<string, string>) {
  return (name: string): string | undefined => {
    const known = values.get(name);
    if (known !== undefined || !name.endsWith('_urlencoded')) return known;
    const base = values.get(name.slice(0, -'_urlencoded'.length));
    return base === undefined ? undefined : pythonQuote(base);
  };
}

/** Every value known for the file, `column_value_templates` filled where their own values are known. */
function filledValues(prepared: PreparedConfig, file: FileFacts, match: MappingMatch) {
  const { mapping } = match;
  const names = prepared.names[mapping.index] ?? mappingNames(mapping, prepared.config.extMappings);
  const targetTable = targetTableOf(mapping, match.groups);
  const { values, extKey } = knownValues(prepared, match, targetTable, file);
  const valueOf = lookup(values);
  for (const field of names.fields) {
    if (field.stage !== 'value') continue;
    if (field.parsed.names.every((name) => valueOf(name) !== undefined)) {
      values.set(field.where.slice('column_value_templates.'.length), fillParsed(field.parsed, valueOf));
    }
  }
  return { names, targetTable, extKey, valueOf };
}

/** The file's Hatrac URI alone, as filled as the file's facts allow; undefined for table rows. */
export function planHatracUri(
  prepared: PreparedConfig,
  file: FileFacts,
  match: MappingMatch,
): string | undefined {
  const { names, valueOf } = filledValues(prepared, file, match);
  const field = names.fields.find((f) => f.where === 'hatrac_templates.hatrac_uri');
  return field === undefined ? undefined : fillParsed(field.parsed, valueOf);
}

/** The plan for one file, or undefined when no mapping fits it (the uploader skips it). */
export function planFile(
  prepared: PreparedConfig,
  file: FileFacts,
  known?: MappingMatch,
): FilePlan | undefined {
  const { config, folderName } = prepared;
  const match = known ?? findMapping(config, matchedPath(file.path, folderName, config.relativePaths));
  if (match === undefined) return undefined;
  const { names, targetTable, extKey, valueOf } = filledValues(prepared, file, match);
  const pending = new Map<PlaceholderSource, string[]>();
  const undefinedNames: { name: string; where: string }[] = [];
  const usedExt = new Set<string>();
  let hatracUri: string | undefined;
  const columns: (readonly [string, string])[] = [];
  for (const field of names.fields) {
    if (field.where === 'hatrac_templates.hatrac_uri') hatracUri = fillParsed(field.parsed, valueOf);
    if (field.where.startsWith('column_map.')) {
      columns.push([field.where.slice('column_map.'.length), fillParsed(field.parsed, valueOf)]);
    }
    for (const [i, name] of field.parsed.names.entries()) {
      const source = field.sources[i];
      if (source === 'ext') usedExt.add(name);
      if (valueOf(name) !== undefined) continue;
      if (source === undefined) {
        undefinedNames.push({ name, where: field.where });
        continue;
      }
      const list = pending.get(source) ?? [];
      if (!list.includes(name)) list.push(name);
      pending.set(source, list);
    }
  }
  const hasEntry = Object.hasOwn(config.extMappings, extKey);
  return {
    match,
    targetTable,
    hatracUri,
    columns,
    pending,
    undefinedNames,
    extMissing: usedExt.size > 0 && !hasEntry ? { ext: extKey, names: [...usedExt] } : undefined,
  };
}
