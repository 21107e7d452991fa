/**
 * The Deriva upload plan: for each file of the upload, the asset mapping of the catalog's bulk-upload config
 * it fits (as deriva-upload-cli would choose it), the value of every named group, and its Hatrac URI filled with
 * what is known here; what only the catalog knows stays `{name}`.
 */
import { readDerivaConfig } from '#core/deriva/config';
import { DERIVA_DEFAULT_CONFIG } from '#core/deriva/default-config';
import { planFile, prepareConfig, type FilePlan } from '#core/deriva/plan';
import { checksumNote, heldBackNote, problemsInOrder } from '#core/filelists/common';
import { formulaPathWarnings } from '#core/filelists/manifest';
import type { BuiltList, DerivaPlanOptions, ListContext, ListFile } from '#core/filelists/types';
import { plural } from '#core/format';
import { safeFileName } from '#core/table';
import { namePaths } from '#core/validation/path-parts';

const LEADING = ['path', 'mapping', 'target_table'] as const;
const TRAILING = ['hatrac_uri', 'md5', 'sha256'] as const;
const TITLE = 'Deriva upload plan';

/** A group's column header: its name, unless a fixed column has that name. */
function groupHeader(name: string): string {
  return (LEADING as readonly string[]).includes(name) || (TRAILING as readonly string[]).includes(name)
    ? `${name} (group)`
    : name;
}

function row(file: ListFile, plan: FilePlan | undefined, groups: readonly string[]): string[] {
  const checksums = [file.md5 ?? '', file.sha256 ?? ''];
  if (plan === undefined) return [file.path, '', '', ...groups.map(() => ''), '', ...checksums];
  return [
    file.path,
    String(plan.match.mapping.index),
    plan.targetTable,
    ...groups.map((group) => plan.match.groups[group] ?? ''),
    plan.hatracUri ?? '',
    ...checksums,
  ];
}

export function buildDerivaPlan(context: ListContext, options: DerivaPlanOptions): BuiltList {
  const fileName = safeFileName(`${context.batch}-deriva-upload-plan`, 'csv');
  const fallback = options.config.trim() === '';
  const reading = readDerivaConfig(fallback ? DERIVA_DEFAULT_CONFIG : options.config, options.configName);
  const base = { kind: 'deriva-plan', title: TITLE, fileName, format: 'csv', bom: true } as const;
  if (!reading.ok) {
    return {
      ...base,
      table: { columns: [...LEADING, ...TRAILING], rows: [] },
      problems: reading.problems.map((message) => ({ status: 'error', message })),
      notes: [],
    };
  }
  const prepared = prepareConfig(reading.config, options.folderName);
  const groups = [...new Set(reading.config.mappings.flatMap((m) => m.groups))];
  const plans = context.files.map((file) => planFile(prepared, file));
  const unmatched = context.files.filter((_file, i) => plans[i] === undefined).map((file) => file.path);
  const pending = plans.some((plan) => plan?.hatracUri?.includes('{') === true);
  return {
    ...base,
    table: {
      columns: [...LEADING, ...groups.map(groupHeader), ...TRAILING],
      rows: context.files.map((file, i) => row(file, plans[i], groups)),
    },
    problems: problemsInOrder([
      ...(unmatched.length === 0
        ? []
        : [
            {
              status: 'warning' as const,
              message: `${plural(unmatched.length, 'file')} (${namePaths(unmatched)}) ${unmatched.length === 1 ? 'fits' : 'fit'} no asset mapping, so the Deriva uploader will skip ${unmatched.length === 1 ? 'it' : 'them'}; ${unmatched.length === 1 ? 'its' : 'their'} mapping column is empty.`,
            },
          ]),
      ...formulaPathWarnings(context.files),
    ]),
    notes: [
      ...(fallback
        ? [
            "No upload config is loaded, so the plan follows deriva-py's default config (table rows from records/<schema>/<table>.csv or .json).",
          ]
        : []),
      ...(pending
        ? [
            'hatrac_uri keeps {name} where only the catalog or the upload fills the value (metadata queries, the file record, the time of upload).',
          ]
        : []),
      ...heldBackNote(context),
      ...checksumNote(context, 'md5', 'md5'),
      ...checksumNote(context, 'sha256', 'sha256'),
    ],
  };
}
