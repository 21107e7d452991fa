/** The sentences the check writes about a file's Deriva upload plan. */
import type { FilePlan } from '#core/deriva/plan';
import type { PlaceholderSource } from '#core/deriva/templates';
import { listInWords } from '#core/validation/path-parts';

const sourceWords: Readonly<Record<PlaceholderSource, string>> = {
  catalog: "from the catalog's metadata queries",
  record: "from the file's record in the catalog",
  upload: 'at upload (the Hatrac URL, the time, your login)',
  checksum: 'once checksums are computed',
  value: 'from column_value_templates, once their values are known',
  ext: 'from file_ext_mappings',
  computer: 'from folders above the picked one, which the browser does not see',
  group: 'from the path',
  file: 'from the file',
};

const MAX_GROUPS = 8;
const MAX_COLUMNS = 20;

function braces(names: readonly string[]): string {
  return listInWords(names.map((name) => `{${name}}`));
}

function quoted(value: string): string {
  return `'${value.length > 60 ? `${value.slice(0, 57)}…` : value}'`;
}

function groupsInWords(plan: FilePlan): string {
  const entries = Object.entries(plan.match.groups);
  if (entries.length === 0) return 'no named groups';
  const shown = entries
    .slice(0, MAX_GROUPS)
    .map(([name, value]) => `${name} ${value === undefined ? '(none)' : quoted(value)}`);
  const more = entries.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function columnsInWords(plan: FilePlan): string {
  const shown = plan.columns
    .slice(0, MAX_COLUMNS)
    .map(([column, value]) => `${column} ${value.includes('{') ? value : quoted(value)}`);
  const more = plan.columns.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function pendingInWords(plan: FilePlan): string {
  const parts = [...plan.pending].map(([source, names]) => `${sourceWords[source]}: ${braces(names)}`);
  return parts.length === 0 ? '' : `; still to fill ${parts.join('; ')}`;
}

/** Which mapping, its groups, the Hatrac URI and the column values, as one sentence. */
export function planSentence(name: string, subject: string, plan: FilePlan): string {
  const { label } = plan.match.mapping;
  const table = plan.targetTable === '' ? '' : ` into ${plan.targetTable}`;
  const uri = plan.hatracUri === undefined ? ' as table rows' : `, Hatrac URI ${plan.hatracUri}`;
  const columns = plan.columns.length === 0 ? '' : `, columns ${columnsInWords(plan)}`;
  return `${name} (matched as ${subject}) fits ${label}${table} with ${groupsInWords(plan)}${uri}${columns}${pendingInWords(plan)}.`;
}

export function undefinedNameSentence(name: string, plan: FilePlan): string {
  const { label } = plan.match.mapping;
  const list = plan.undefinedNames.map(({ name: n, where }) => `{${n}} in ${where}`);
  return `${name} fits ${label}, whose templates use ${listInWords(list)}, but none of its patterns defines such a group and neither the file, its checksums nor the catalog fills it, so the uploader would stop on this file; add the group to a pattern of the config or correct the placeholder.`;
}

export function extMissingSentence(name: string, plan: FilePlan): string {
  const missing = plan.extMissing;
  if (missing === undefined) return '';
  return `${name} fits ${plan.match.mapping.label} with file_ext '${missing.ext}', which file_ext_mappings does not list (it is looked up exactly, case included), so ${braces(missing.names)} stay unfilled for it; write the extension as the config lists it, or ask the catalog's curators to add '${missing.ext}'.`;
}

export function noMappingSentence(name: string, subject: string, mappings: number): string {
  const none =
    mappings === 1
      ? "does not fit the config's only asset mapping"
      : `fits none of the config's ${mappings} asset mappings`;
  return `${name} (matched as ${subject}) ${none}, so the Deriva uploader will skip it; move or rename it to fit one, or leave it out.`;
}
