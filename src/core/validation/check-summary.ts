/**
 * What the page needs from a validation run, small enough to send from the worker at 100,000 files: counts, the
 * rules that fired, and each file's worst status in scan order (one byte per file).
 */
import { nameCharacterProblem } from '#core/paths';
import type { Finding, ProfileId, Status, StatusCounts, ValidationResult } from '#core/validation/types';

export const STATUS_CODES: readonly Status[] = ['ok', 'warning', 'error', 'skipped'];
const ERROR_CODE = STATUS_CODES.indexOf('error');

/**
 * Whether the upload takes a file the check gave `statusCode` (undefined: not checked, a web copy): errors keep
 * it out unless `allowErrors`, and a name the receiver would place elsewhere or refuse (a backslash, a control
 * character in its own path) always does.
 */
export function admits(path: string, statusCode: number | undefined, allowErrors: boolean): boolean {
  if (nameCharacterProblem(path)) return false;
  return allowErrors || statusCode !== ERROR_CODE;
}

/** How many of the scanned files the upload takes, whatever they show on the page (sent, skipped). */
export interface Admitted {
  /** With files with errors kept out. */
  readonly withoutErrors: number;
  /** With files with errors let in (Upload files with errors too). */
  readonly withErrors: number;
}

export interface RuleCount {
  readonly rule: string;
  /** The worst status this rule gave. */
  readonly status: Status;
  readonly count: number;
}

export interface CheckSummary {
  readonly profile: ProfileId;
  /** Files by their worst status. */
  readonly counts: StatusCounts;
  readonly findingCount: number;
  /** Every rule that fired, worst and most frequent first. */
  readonly rules: readonly RuleCount[];
  readonly recordColumn: string | null;
  /** Sentences about the target's settings when they keep files from being checked. */
  readonly settingsProblems: readonly string[];
  /** Each scanned file's worst status as an index into STATUS_CODES, in scan order. */
  readonly fileStatus: Uint8Array;
  /** Counted where the check runs, so the page need not pass over 100,000 rows to say what will go. */
  readonly admitted: Admitted;
}

const RANK: Readonly<Record<Status, number>> = { error: 0, warning: 1, ok: 2, skipped: 3 };

/**
 * `scanOrder` holds the paths the files were checked under (their upload names); `ownPaths` their paths in the
 * folder, in the same order, which decide whether a name can be sent (see admits).
 */
export function summarise(
  result: ValidationResult,
  scanOrder: readonly string[],
  ownPaths: readonly string[] = scanOrder,
): CheckSummary {
  const statusOf = new Map<string, Status>();
  for (const file of result.files) statusOf.set(file.path, file.status);
  const fileStatus = new Uint8Array(scanOrder.length);
  scanOrder.forEach((path, i) => {
    fileStatus[i] = STATUS_CODES.indexOf(statusOf.get(path) ?? 'skipped');
  });

  const rules = new Map<string, { status: Status; count: number }>();
  for (const f of result.findings) {
    const seen = rules.get(f.rule);
    if (!seen) rules.set(f.rule, { status: f.status, count: 1 });
    else {
      seen.count += 1;
      if (RANK[f.status] < RANK[seen.status]) seen.status = f.status;
    }
  }
  const notChecked = result.findings.some((f) => f.rule === 'settings.invalid');
  return {
    profile: result.profile,
    counts: result.counts,
    findingCount: result.findings.length,
    rules: [...rules]
      .map(([rule, { status, count }]) => ({ rule, status, count }))
      .sort((a, b) => RANK[a.status] - RANK[b.status] || b.count - a.count || (a.rule < b.rule ? -1 : 1)),
    recordColumn: result.recordColumn,
    settingsProblems: notChecked ? folderErrors(result.findings) : [],
    fileStatus,
    admitted: countAdmitted(ownPaths, fileStatus),
  };
}

function countAdmitted(paths: readonly string[], fileStatus: Uint8Array): Admitted {
  let withoutErrors = 0;
  let withErrors = 0;
  paths.forEach((path, i) => {
    if (admits(path, fileStatus[i], false)) withoutErrors += 1;
    if (admits(path, fileStatus[i], true)) withErrors += 1;
  });
  return { withoutErrors, withErrors };
}

function folderErrors(findings: readonly Finding[]): string[] {
  return findings.filter((f) => f.path === '' && f.status === 'error').map((f) => f.message);
}
