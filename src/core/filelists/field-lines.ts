/**
 * Constant fields typed as text, one `field=value` per line (`country=United States`): how the settings keep
 * the fields every new Symbiota record gets, so they travel in a setup link like any other setting.
 */
import type { ListProblem } from '#core/filelists/types';

export interface FieldLines {
  readonly fields: readonly (readonly [string, string])[];
  readonly problems: readonly ListProblem[];
}

/** Blank lines are skipped; the first `=` splits name from value, both trimmed; a value may hold `=`. */
export function parseFieldLines(text: string, what = 'the fields for new records'): FieldLines {
  const fields: [string, string][] = [];
  const problems: ListProblem[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf('=');
    if (at === -1) {
      problems.push({
        status: 'error',
        message: `Line ${i + 1} of ${what}, '${line.trim()}', has no '='; write it as field=value, such as country=United States.`,
      });
      return;
    }
    fields.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  });
  return { fields, problems };
}
