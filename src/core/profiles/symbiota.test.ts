import { describe, expect, it } from 'vitest';
import { symbiota, symbiotaDefaultSettings } from '#core/profiles/symbiota';
import { symbiotaPresets } from '#core/profiles/symbiota-presets';
import type { PreparedProfile } from '#core/profiles/types';

import { validate } from '#core/validation/validate';
import type { RecordTable, SymbiotaSettings } from '#core/validation/types';
import { readRecordList } from '../../workers/delimited-reader';

const settings = (changes: Partial<SymbiotaSettings> = {}): SymbiotaSettings => ({
  ...symbiotaDefaultSettings,
  ...changes,
});
const prepared = (changes: Partial<SymbiotaSettings> = {}): PreparedProfile => {
  const preparation = symbiota.prepare(settings(changes));
  if (!preparation.ok) throw new Error(preparation.problems.map((p) => p.message).join(' '));
  return preparation.profile;
};
const file = (path: string, size = 1000) => ({ path, size, lastModified: 0 });
/** The catalog number and suffix read from a name, or the problem as `status rule`. */
const reading = (name: string, changes: Partial<SymbiotaSettings> = {}): string => {
  const id = prepared(changes).identify(name);
  if ('problem' in id) return `${id.problem.status} ${id.problem.rule}`;
  const notes = id.notes.map((n) => ` + ${n.status} ${n.rule}`).join('');
  return `${id.identifier} | ${id.parts.suffix}${notes}`;
};
const refusal = (changes: Partial<SymbiotaSettings>): string[] => {
  const preparation = symbiota.prepare(settings(changes));
  return preparation.ok ? [] : preparation.problems.map((p) => `${p.rule}: ${p.message}`);
};
const asu = { pattern: '/^(ASU-L-\\d{7})\\D*/' };
const wis = { pattern: '/^(WIS-L-\\d{7})\\D*/' };

describe('Symbiota identify reads the catalog number from group 1', () => {
  it.each([
    ['WIS-L-0001234_a.jpg', wis, 'WIS-L-0001234 | _a'],
    ['WIS-L-0001234_b.jpeg', wis, 'WIS-L-0001234 | _b'],
    ['plates/ASU-L-0001234.JPG', asu, 'ASU-L-0001234 | '],
    ['ASU-L-00012345.jpg', asu, 'ASU-L-0001234 | 5 + warning pattern.cut-short'],
    [
      'NY01234567_lat.jpg',
      { pattern: '^([A-Z]+\\d+)', patternSyntax: 'javascript' as const },
      'NY01234567 | _lat',
    ],
    [
      '0012345.jpg',
      { pattern: '/^(\\d+)/', replacePattern: '/^/', replacement: 'barcode-' },
      'barcode-0012345 | ',
    ],
    [
      '1234567_a.jpg',
      { pattern: '/^(\\d+)/', replacePattern: '/^(\\d{2})(\\d+)$/', replacement: '$1-\\2' },
      '12-34567 | _a',
    ],
    [
      '1234567.jpg',
      {
        pattern: '^(\\d+)',
        patternSyntax: 'javascript' as const,
        replacePattern: '^(\\d{3})',
        replacement: '$1.',
      },
      '123.4567 | ',
    ],
  ])('%s with %j → %s', (name, changes, expected) => expect(reading(name, changes)).toBe(expected));
  it('refuses a name the pattern cannot read, saying so', () => {
    const id = prepared(asu).identify('scan-0001.jpg');
    expect('problem' in id && id.problem).toEqual({
      path: 'scan-0001.jpg',
      status: 'error',
      identifier: '',
      rule: 'symbiota.catalog-number',
      message:
        'The pattern /^(ASU-L-\\d{7})\\D*/ finds no catalog number in scan-0001.jpg, so the portal cannot link it to a specimen; rename the file to start with its catalog number, or adjust the pattern.',
    });
  });
  it('warns with the portal example when the pattern cuts the number short', () => {
    const id = prepared(asu).identify('ASU-L-00012345.jpg');
    expect('notes' in id && id.notes[0]?.message).toBe(
      "The pattern took 'ASU-L-0001234' from ASU-L-00012345.jpg, but the next character '5' looks like part of it, so the pattern may have cut the catalog number short; check how many characters the pattern expects.",
    );
  });
});

describe('Symbiota sorts files by what the portal’s processor does with them', () => {
  const verdicts = (path: string, size = 1000): string[] => {
    const profile = prepared(wis);
    const id = profile.identify(path);
    const problem = 'problem' in id ? [`${id.problem.status} ${id.problem.rule}`] : [];
    const checks = profile.checkFile(file(path, size), 'problem' in id ? undefined : id);
    return [...problem, ...checks.map((f) => `${f.status} ${f.rule}`)];
  };
  it.each([
    ['processes JPEG', 'WIS-L-0001234.jpg', []],
    ['needs a JPEG derivative of a TIFF', 'WIS-L-0001234.tif', ['warning symbiota.tiff']],
    ['needs a JPEG derivative of a PNG', 'WIS-L-0001234.png', ['warning symbiota.format']],
    ['cannot process a PDF', 'WIS-L-0001234.pdf', ['error symbiota.unsupported']],
    ['cannot process a camera raw file', 'WIS-L-0001234.dng', ['error symbiota.unsupported']],
    ['reads a CSV as skeletal data', 'skeletal.csv', ['skipped symbiota.skeletal-file']],
    ['reads a .tab file as skeletal data', 'batch-12.TAB', ['skipped symbiota.skeletal-file']],
    [
      'skips names it takes for its own derivatives',
      'WIS-L-0001234_tn.jpg',
      ['warning symbiota.derivative-name'],
    ],
    ['recommends at most 8 MB for a JPEG', 'WIS-L-0001234.jpg', ['warning symbiota.size'], 8_000_001],
    ['leaves a large TIFF to its derivative', 'WIS-L-0001234.tif', ['warning symbiota.tiff'], 80_000_000],
  ])('%s (%s)', (_case, path, expected, size?: number) => expect(verdicts(path, size)).toEqual(expected));
});

describe('Symbiota settings', () => {
  it.each([
    ['a pattern without delimiters', { pattern: '^(ASU-L-\\d{7})\\D*' }, 'missing forward slashes'],
    ['a pattern without a capture group', { pattern: '/^ASU-L-\\d{7}\\D*/' }, 'missing capture term'],
    ['a pattern that does not compile', { pattern: '/^(ASU-L-\\d{7}\\D*/' }, 'Unterminated group'],
    ['an unsupported flag', { pattern: '/^(ASU-L-\\d{7})/x' }, "The flag 'x'"],
    [
      'a broken replace step',
      { replacePattern: '^', replacement: 'x' },
      'In the replace step: The pattern must be',
    ],
    [
      'a JavaScript pattern without a group',
      { pattern: '^ASU', patternSyntax: 'javascript' as const },
      'missing capture term',
    ],
  ])('refuse %s', (_case, changes, words) => expect(refusal(changes).join(' ')).toContain(words));
  it('quote the portal’s reason for a missing capture term', () =>
    expect(refusal({ pattern: '/^ASU-L-\\d{7}/' })).toEqual([
      'symbiota.pattern: The pattern needs parentheses around the catalog number, like /^(ASU-L-\\d{7})\\D*/, or the portal refuses it (“Regular Expression term illegal due to missing capture term”).',
    ]));
  it('accept the defaults', () => expect(refusal({})).toEqual([]));
});

describe('symbiotaPresets', () => {
  it('are these four, in this order', () =>
    expect(symbiotaPresets.map((p) => p.id)).toEqual([
      'prefix-letter-7-digits',
      'letters-digits',
      'digits',
      'before-underscore',
    ]));
  it.each([
    ['prefix-letter-7-digits', 'ASU-L-0001234_a.jpg', 'ASU-L-0001234'],
    ['letters-digits', 'NY01234567_b.jpg', 'NY01234567'],
    ['digits', '00123456.jpg', '00123456'],
    ['before-underscore', 'MICH-V-1234567_label.jpg', 'MICH-V-1234567'],
  ])('%s reads its example %s as %s, and shows that example', (presetId, exampleFile, catalogNumber) => {
    const preset = symbiotaPresets.find((p) => p.id === presetId);
    const id = prepared({ pattern: preset?.pattern ?? '' }).identify(exampleFile);
    expect('identifier' in id && id.identifier).toBe(catalogNumber);
    expect('notes' in id && id.notes).toEqual([]);
    expect([preset?.exampleFile, preset?.exampleCatalogNumber]).toEqual([exampleFile, catalogNumber]);
  });
});

describe('Symbiota validate', () => {
  const records = [
    'catalogNumber,otherCatalogNumbers,sciname',
    'WIS-L-0001234,,Usnea florida',
    'WIS-L-0001235,,Parmelia sulcata',
    'WIS-L-0001236,OLD-77,Xanthoria parietina',
    'WIS-L-0001235,,Parmelia sulcata',
  ].join('\r\n');
  const table = readRecordList(records, 'occurrences.csv').table as RecordTable;

  it('checks a small folder against an exported record list', () => {
    const files = [
      file('WIS-L-0001234_a.jpg'),
      file('WIS-L-0001234_b.jpg'),
      file('WIS-L-0001235.tif'),
      file('WIS-L-0009999.jpg'),
      file('wis-l-0001234_A.jpg'),
      file('skeletal.csv'),
      file('Thumbs.db'),
    ];
    const result = validate(files, 'symbiota', settings(wis), { table });
    expect(result.findings).toEqual([
      {
        path: 'Thumbs.db',
        status: 'skipped',
        identifier: '',
        rule: 'common.system-file',
        message:
          'Thumbs.db is a file the operating system made, not data, so it will not be uploaded or listed.',
      },
      {
        path: 'WIS-L-0001234_a.jpg',
        status: 'warning',
        identifier: 'WIS-L-0001234',
        rule: 'common.case-clash',
        message:
          'WIS-L-0001234_a.jpg differs only in case from wis-l-0001234_A.jpg; rename one, because Windows and macOS treat such names as the same file.',
      },
      {
        path: 'WIS-L-0001234_b.jpg',
        status: 'ok',
        identifier: 'WIS-L-0001234',
        rule: 'ok',
        message:
          'WIS-L-0001234_b.jpg is an image of catalog number WIS-L-0001234, found on line 2 of occurrences.csv.',
      },
      {
        path: 'WIS-L-0001235.tif',
        status: 'warning',
        identifier: 'WIS-L-0001235',
        rule: 'symbiota.tiff',
        message:
          "WIS-L-0001235.tif is a TIFF, which the portal's processor skips (“TIFFs image files are not a supported”), so it needs a JPEG derivative, which the Prepare step can make.",
      },
      {
        path: 'WIS-L-0009999.jpg',
        status: 'warning',
        identifier: 'WIS-L-0009999',
        rule: 'records.missing',
        message:
          "WIS-L-0009999.jpg has catalog number 'WIS-L-0009999', which is not in occurrences.csv; the portal will leave the image unlinked unless it is set to make a skeletal record for it, so add the record or correct the name.",
      },
      {
        path: 'occurrences.csv',
        status: 'ok',
        identifier: '',
        rule: 'records.column',
        message: "Files were matched to occurrences.csv by its column 'catalogNumber', found by its name.",
      },
      {
        path: 'occurrences.csv',
        status: 'warning',
        identifier: 'WIS-L-0001235',
        rule: 'records.duplicate',
        message:
          'Catalog number WIS-L-0001235 appears on lines 3 and 5 of occurrences.csv, and the portal links an image to only one of them; remove or correct the extra rows.',
      },
      {
        path: 'occurrences.csv',
        status: 'warning',
        identifier: 'WIS-L-0001236',
        rule: 'records.no-image',
        message:
          'Catalog number WIS-L-0001236 (line 4 of occurrences.csv) has no image in the folder; add its image, or ignore this if it is imaged later.',
      },
      {
        path: 'skeletal.csv',
        status: 'skipped',
        identifier: '',
        rule: 'symbiota.skeletal-file',
        message:
          'skeletal.csv is read by the portal as a skeletal data file (a table of occurrence fields with catalogNumber), not as an image, so it is not checked as one.',
      },
      {
        path: 'wis-l-0001234_A.jpg',
        status: 'error',
        identifier: '',
        rule: 'symbiota.catalog-number',
        message:
          'The pattern /^(WIS-L-\\d{7})\\D*/ finds no catalog number in wis-l-0001234_A.jpg, so the portal cannot link it to a specimen; rename the file to start with its catalog number, or adjust the pattern.',
      },
      {
        path: 'wis-l-0001234_A.jpg',
        status: 'warning',
        identifier: '',
        rule: 'common.case-clash',
        message:
          'wis-l-0001234_A.jpg differs only in case from WIS-L-0001234_a.jpg; rename one, because Windows and macOS treat such names as the same file.',
      },
    ]);
    expect(result.counts).toEqual({ ok: 1, warning: 3, error: 1, skipped: 2 });
    expect(result.findingCounts).toEqual({ ok: 2, warning: 6, error: 1, skipped: 2 });
  });

  it('matches a catalog number without its leading zeros, and says so', () => {
    const digits = readRecordList('catalogNumber\n1234\n', 'export.csv').table as RecordTable;
    const result = validate([file('0001234_a.jpg')], 'symbiota', settings({ pattern: '/^(\\d+)\\D*/' }), {
      table: digits,
    });
    expect(result.findings.filter((f) => f.path === '0001234_a.jpg').map((f) => f.message)).toEqual([
      "0001234_a.jpg is an image of catalog number 0001234, found on line 2 of export.csv as '1234', without its leading zeros, as the portal also tries.",
    ]);
  });

  it('also matches otherCatalogNumbers when told to', () => {
    const files = [file('OLD-77_a.jpg')];
    const pattern = '/^([A-Z]+-\\d+)/';
    const other = validate(files, 'symbiota', settings({ pattern, matchOtherCatalogNumbers: true }), {
      table,
    });
    const plain = validate(files, 'symbiota', settings({ pattern }), { table });
    expect(other.files[0]?.status).toBe('ok');
    expect(plain.files[0]?.status).toBe('warning');
  });
});
