/**
 * The `{name}` templates of an asset mapping (Python `str.format`), and where deriva-py finds each name: the
 * path's groups, facts about the file, its checksums, `file_ext_mappings`, `column_value_templates`, the
 * catalog (`metadata_query_templates`, the file's record), or the upload itself.
 */
import type { CompiledMapping } from '#core/deriva/config';
import { stob } from '#core/deriva/config';

export type PlaceholderSource =
  'group' | 'file' | 'checksum' | 'ext' | 'value' | 'catalog' | 'record' | 'upload' | 'computer';

/** Names deriva-py sets from the file itself (`_initFileMetadata`). */
export const FILE_NAMES = ['file_name', 'file_size', 'file_ext', 'base_name', 'target_table'] as const;
const UPLOAD_NAMES = new Set([
  '_upload_year_',
  '_upload_month_',
  '_upload_day_',
  '_upload_time_',
  '_identity_id',
  '_identity_display_name',
  '_identity_full_name',
  '_identity_email',
]);
const CHECKSUM_SUFFIXES = ['', '_base64'];

/** Where a template is applied, which decides what is known by then. */
export type TemplateStage = 'query' | 'value' | 'hatrac' | 'columns';

export interface TemplateField {
  /** `hatrac_templates.hatrac_uri`, `column_map.File_Name`, `metadata_query_templates[0]`. */
  readonly where: string;
  readonly template: string;
  readonly stage: TemplateStage;
}

/** A template read once: literal text and `{name}` placeholders (with the text to keep when unfilled). */
export interface ParsedTemplate {
  readonly pieces: readonly (string | { readonly name: string; readonly written: string })[];
  /** Each name once, in order. */
  readonly names: readonly string[];
}

/** A template with where each of its names comes from, worked out once per mapping. */
export interface PreparedField extends TemplateField {
  readonly parsed: ParsedTemplate;
  readonly sources: readonly (PlaceholderSource | undefined)[];
}

const placeholderPattern = /\{\{|\}\}|\{([^{}]*)\}/g;

/** The field name of `{name}`, `{name:spec}`, `{name!r}`, `{name[0]}` or `{name.attr}`. */
function fieldName(inner: string): string {
  return /^[^.[!:]*/.exec(inner)?.[0] ?? inner;
}

export function parseTemplate(template: string): ParsedTemplate {
  const pieces: (string | { name: string; written: string })[] = [];
  const names: string[] = [];
  let last = 0;
  for (const match of template.matchAll(placeholderPattern)) {
    pieces.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[1] === undefined) {
      pieces.push(match[0][0] ?? '');
      continue;
    }
    const name = fieldName(match[1]);
    pieces.push({ name, written: match[0] });
    if (!names.includes(name)) names.push(name);
  }
  pieces.push(template.slice(last));
  return { pieces: pieces.filter((piece) => piece !== ''), names };
}

/** The names a template uses, each once, in order. */
export function placeholderNames(template: string): readonly string[] {
  return parseTemplate(template).names;
}

/** Fills a template; a name `valueOf` does not know is left as written (`{Accession_ID}`). */
export function fillParsed(parsed: ParsedTemplate, valueOf: (name: string) => string | undefined): string {
  let out = '';
  for (const piece of parsed.pieces)
    out += typeof piece === 'string' ? piece : (valueOf(piece.name) ?? piece.written);
  return out;
}

export function fillTemplate(template: string, valueOf: (name: string) => string | undefined): string {
  return fillParsed(parseTemplate(template), valueOf);
}

function entries(value: unknown): [string, string][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string');
}

/** Every template of a mapping, in the order deriva-py applies them. */
export function templateFields(raw: Readonly<Record<string, unknown>>): TemplateField[] {
  const fields: TemplateField[] = [];
  const queries = raw['metadata_query_templates'];
  if (Array.isArray(queries)) {
    queries.forEach((template, i) => {
      if (typeof template === 'string')
        fields.push({ where: `metadata_query_templates[${i}]`, template, stage: 'query' });
    });
  }
  for (const key of ['record_query_template', 'record_update_template']) {
    const template = raw[key];
    if (typeof template === 'string') fields.push({ where: key, template, stage: 'columns' });
  }
  for (const [group, stage] of [
    ['column_value_templates', 'value'],
    ['hatrac_templates', 'hatrac'],
    ['column_map', 'columns'],
  ] as const) {
    for (const [key, template] of entries(raw[group]))
      fields.push({ where: `${group}.${key}`, template, stage });
  }
  return fields;
}

/** The columns an ERMrest query returns (`…/Alias:=Column,Other`), or 'any' for a whole row (`/entity/…`). */
export function queryColumns(query: string): readonly string[] | 'any' {
  const path = query.split('?')[0] ?? '';
  const kind = /^\/?(attribute|attributegroup|aggregate)\//.exec(path);
  if (kind === null) return 'any';
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last
    .split(/[;,]/)
    .map((item) => {
      const alias = item.indexOf(':=');
      return alias === -1 ? item.slice(item.lastIndexOf(':') + 1) : item.slice(0, alias);
    })
    .filter((name) => name !== '');
}

/** What a mapping makes available, gathered once per check. */
export interface MappingNames {
  readonly groups: ReadonlySet<string>;
  readonly checksums: ReadonlySet<string>;
  /** Columns the metadata queries return; `any` when one returns whole rows. */
  readonly catalog: ReadonlySet<string>;
  readonly catalogAny: boolean;
  readonly ext: ReadonlySet<string>;
  readonly values: ReadonlySet<string>;
  /** The file's record is read (record_query_template) before the Hatrac upload, or only after it. */
  readonly record: 'before-upload' | 'after-upload' | 'never';
  readonly fields: readonly PreparedField[];
}

export function mappingNames(
  mapping: CompiledMapping,
  extMappings: Readonly<Record<string, Readonly<Record<string, string>>>>,
): MappingNames {
  const { raw } = mapping;
  const types = Array.isArray(raw['checksum_types'])
    ? raw['checksum_types'].map((t) => String(t).toLowerCase())
    : ['md5', 'sha256'];
  const checksums = new Set(types.flatMap((type) => CHECKSUM_SUFFIXES.map((suffix) => type + suffix)));
  const catalog = new Set<string>();
  let catalogAny = false;
  const queries = Array.isArray(raw['metadata_query_templates']) ? raw['metadata_query_templates'] : [];
  for (const query of queries) {
    const columns = queryColumns(String(query));
    if (columns === 'any') catalogAny = true;
    else for (const column of columns) catalog.add(column);
  }
  const ext = new Set(Object.values(extMappings).flatMap((entry) => Object.keys(entry)));
  const values = new Set(entries(raw['column_value_templates']).map(([key]) => key));
  const hasRecord = typeof raw['record_query_template'] === 'string';
  const record = !hasRecord
    ? 'never'
    : stob(raw['create_record_before_upload'])
      ? 'before-upload'
      : 'after-upload';
  const names: MappingNames = {
    groups: new Set(mapping.groups),
    checksums,
    catalog,
    catalogAny,
    ext,
    values,
    record,
    fields: [],
  };
  const fields = templateFields(raw).map((field) => {
    const parsed = parseTemplate(field.template);
    return { ...field, parsed, sources: parsed.names.map((name) => sourceOf(name, names, field.stage)) };
  });
  return { ...names, fields };
}

/** Where deriva-py finds `name` when it applies a template at `stage`, or undefined when nowhere. */
export function sourceOf(
  name: string,
  names: MappingNames,
  stage: TemplateStage,
): PlaceholderSource | undefined {
  const base = name.endsWith('_urlencoded') ? name.slice(0, -'_urlencoded'.length) : name;
  if (names.groups.has(base)) return 'group';
  if ((FILE_NAMES as readonly string[]).includes(base)) return 'file';
  if (base === 'base_path') return 'computer';
  if (names.checksums.has(base)) return 'checksum';
  if (UPLOAD_NAMES.has(base) || (base === 'URI' && stage === 'columns')) return 'upload';
  if (names.catalog.has(base)) return 'catalog';
  if (names.ext.has(base)) return 'ext';
  if (names.values.has(base)) return 'value';
  const recordRead =
    names.record === 'before-upload'
      ? stage === 'hatrac' || stage === 'columns'
      : names.record === 'after-upload' && stage === 'columns';
  if (names.catalogAny) return 'catalog';
  if (recordRead) return 'record';
  return undefined;
}
