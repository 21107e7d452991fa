import { describe, expect, it } from 'vitest';
import { gudmapDefaultSettings } from '#core/profiles/gudmap';
import { symbiotaDefaultSettings } from '#core/profiles/symbiota';

import type { BarcodeReading } from '#core/barcodes/types';
import { validate } from '#core/validation/validate';
import type { RecordTable, ScannedFile } from '#core/validation/types';
import { readRecordList } from '../../workers/delimited-reader';

const file = (path: string, size = 1000, magic?: number[]): ScannedFile => ({
  path,
  size,
  lastModified: 0,
  ...(magic === undefined ? {} : { magic: new Uint8Array(magic) }),
});
const wis = { ...symbiotaDefaultSettings, pattern: '/^(WIS-L-\\d{7})\\D*/' };
const table = (text: string, name: string): RecordTable => readRecordList(text, name).table as RecordTable;

describe('validate', () => {
  it('returns findings in path order, whatever order the scan found the files in', () => {
    const files = ['WIS-L-0000003.jpg', 'b/WIS-L-0000002.jpg', 'WIS-L-0000001.jpg'].map((p) => file(p));
    const result = validate(files, 'symbiota', wis);
    expect(result.findings.map((f) => f.path)).toEqual([
      'WIS-L-0000001.jpg',
      'WIS-L-0000003.jpg',
      'b/WIS-L-0000002.jpg',
    ]);
    expect(result.files.map((f) => f.path)).toEqual([
      'WIS-L-0000001.jpg',
      'WIS-L-0000003.jpg',
      'b/WIS-L-0000002.jpg',
    ]);
  });

  it('gives a file with no problems exactly one all-clear carrying its identifier', () =>
    expect(validate([file('WIS-L-0000001_a.jpg')], 'symbiota', wis).findings).toEqual([
      {
        path: 'WIS-L-0000001_a.jpg',
        status: 'ok',
        identifier: 'WIS-L-0000001',
        rule: 'ok',
        message: 'WIS-L-0000001_a.jpg is an image of catalog number WIS-L-0000001.',
      },
    ]));

  it('runs the common rules on every file it does not skip, and summarises each file by its worst finding', () => {
    const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52];
    const files = [
      file('WIS-L-0000001.jpg', 0),
      file('WIS-L-0000002.jpg', 1000, png),
      file('Cafe\u0301/WIS-L-0000003.jpg'),
      file('scans /WIS-L-0000004.jpg'),
      file(`${'x'.repeat(256)}/WIS-L-0000005.jpg`),
      file('unreadable.jpg', 0),
    ];
    const result = validate(files, 'symbiota', wis);
    expect(result.findings.map((f) => [f.path.slice(0, 24), f.status, f.rule, f.identifier])).toEqual([
      ['Cafe\u0301/WIS-L-0000003.jpg', 'warning', 'common.unicode', 'WIS-L-0000003'],
      ['WIS-L-0000001.jpg', 'error', 'common.empty', 'WIS-L-0000001'],
      ['WIS-L-0000002.jpg', 'warning', 'common.content-type', 'WIS-L-0000002'],
      ['scans /WIS-L-0000004.jpg', 'warning', 'common.edge-space', 'WIS-L-0000004'],
      ['unreadable.jpg', 'error', 'symbiota.catalog-number', ''],
      ['unreadable.jpg', 'error', 'common.empty', ''],
      ['xxxxxxxxxxxxxxxxxxxxxxxx', 'error', 'common.name-length', 'WIS-L-0000005'],
    ]);
    expect(result.files.map((f) => f.status)).toEqual([
      'warning',
      'error',
      'warning',
      'warning',
      'error',
      'error',
    ]);
    expect(result.counts).toEqual({ ok: 0, warning: 3, error: 3, skipped: 0 });
  });

  it('merges findings about a record list into the file of the same path', () => {
    const list = 'deriva/records/Gene_Expression/Specimen_simple.csv';
    const records = table('Internal_ID,Title\nA,x\n', list);
    const result = validate(
      [file('deriva/images/A-1.czi'), file(list)],
      'gudmap',
      { ...gudmapDefaultSettings, image3dNumbered: true, requireImageFields: true },
      { table: records },
    );
    expect(result.findings.map((f) => [f.path, f.status, f.rule])).toEqual([
      ['deriva/images/A-1.czi', 'ok', 'ok'],
      [list, 'ok', 'ok'],
      [list, 'error', 'gudmap.specimen-columns'],
      [list, 'ok', 'records.column'],
    ]);
    expect(result.files.map((f) => [f.path, f.status])).toEqual([
      ['deriva/images/A-1.czi', 'ok'],
      [list, 'error'],
    ]);
  });

  it('reports a chosen identifier column the list does not have, and matches nothing', () => {
    const records = table('catalogNumber\nWIS-L-0000001\n', 'r.csv');
    const result = validate([file('WIS-L-0000001.jpg')], 'symbiota', wis, {
      table: records,
      column: 'barcode',
    });
    expect(result.findings.map((f) => [f.path, f.status, f.rule])).toEqual([
      ['WIS-L-0000001.jpg', 'ok', 'ok'],
      ['r.csv', 'error', 'records.column'],
    ]);
    expect(result.recordColumn).toBeNull();
  });

  it('detects the identifier column by its values when the profile names none', () => {
    const records = table('title,barcode\nLichen,X1\nMoss,X2\n', 'r.csv');
    const result = validate(
      [file('X1_a.jpg')],
      'custom',
      { pattern: '^(?<id>[^_.]+)', flags: '', matchAgainst: 'name', readBarcodes: false },
      {
        table: records,
      },
    );
    expect(result.recordColumn).toBe('barcode');
    expect(result.findings.map((f) => [f.path, f.rule, f.identifier])).toEqual([
      ['X1_a.jpg', 'ok', 'X1'],
      ['r.csv', 'records.column', ''],
      ['r.csv', 'records.no-image', 'X2'],
    ]);
  });

  it('checks 100,000 files against 100,000 records', () => {
    const n = 100_000;
    const id = (i: number): string => `WIS-L-${String(i).padStart(7, '0')}`;
    const files: ScannedFile[] = [];
    for (let i = 0; i < n; i += 1)
      files.push(file(`batch-${i % 7}/${id(i)}_a.jpg`, i % 10_000 === 5_000 ? 0 : 1000));
    const rows = ['catalogNumber,sciname'];
    for (let i = 1_000; i < n + 1_000; i += 1) rows.push(`${id(i)},Usnea`);
    const records = table(rows.join('\n'), 'occurrences.csv');

    const result = validate(files, 'symbiota', wis, { table: records });

    expect(result.files).toHaveLength(n);
    // Files 0–999 have no record; ten files are empty; records 100,000–100,999 have no image.
    expect(result.counts).toEqual({ ok: n - 1_010, warning: 1_000, error: 10, skipped: 0 });
    expect(result.findingCounts).toEqual({ ok: n - 1_010 + 1, warning: 2_000, error: 10, skipped: 0 });
  });
});

describe('validate with barcodes', () => {
  const mich = { ...symbiotaDefaultSettings, pattern: '/^(MICH-V-\\d+)\\D*/' };
  const read = (...texts: string[]) => ({ found: texts.map((text) => ({ text, format: 'Code39' })) });

  it('compares each image with the barcodes read off it, through the target pattern', () => {
    const files = ['MICH-V-1390992.jpg', 'MICH-V-1450812.jpg', 'MICH-V-1.jpg', 'IMG_0001.JPG', 'x.jpg'];
    const barcodes = new Map<string, BarcodeReading>([
      ['MICH-V-1390992.jpg', read('1390992')],
      ['MICH-V-1450812.jpg', read('1390992')],
      ['MICH-V-1.jpg', read()],
      ['IMG_0001.JPG', read('MICH-V-7')],
      ['x.jpg', { problem: 'The barcodes of x.jpg were not read: it is empty.' }],
    ]);
    const result = validate(
      files.map((p) => file(p)),
      'symbiota',
      mich,
      undefined,
      { barcodes },
    );
    const rules = (path: string) =>
      result.findings.filter((f) => f.path === path).map((f) => `${f.status} ${f.rule} ${f.identifier}`);
    expect(rules('MICH-V-1390992.jpg')).toEqual(['ok barcode.match MICH-V-1390992', 'ok ok MICH-V-1390992']);
    expect(rules('MICH-V-1450812.jpg')).toEqual(['error barcode.mismatch MICH-V-1450812']);
    expect(rules('MICH-V-1.jpg')).toEqual(['ok barcode.none MICH-V-1', 'ok ok MICH-V-1']);
    expect(rules('IMG_0001.JPG')).toEqual([
      'error symbiota.catalog-number ',
      'warning barcode.suggested MICH-V-7',
    ]);
    expect(rules('x.jpg')).toEqual(['error symbiota.catalog-number ', 'ok barcode.unread ']);
  });

  it('leaves the findings as they were without barcodes', () => {
    const files = [file('MICH-V-1390992.jpg')];
    expect(validate(files, 'symbiota', mich, undefined, { barcodes: new Map() }).findings).toEqual(
      validate(files, 'symbiota', mich).findings,
    );
  });
});
