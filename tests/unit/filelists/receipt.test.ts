import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { buildReceipt } from '#core/filelists/receipt';
import { checkedInTransit } from '#core/filelists/common';
import { toCsv } from '../../../src/workers/table-writer';
import { contextOfFiles, listFile } from './list-files';

const SHA = (c: string) => c.repeat(64);
const MD5 = (c: string) => c.repeat(32);

describe('the receipt of a Symbiota upload', () => {
  const list = buildReceipt(
    contextOfFiles(
      'symbiota',
      [
        listFile('a/ASU0001.jpg', {
          size: 1234,
          sha256: SHA('a'),
          md5: MD5('1'),
          storedPath: 'b1/data/a/ASU0001.jpg',
          uploadUrl: 'http://r/files/1',
          verified: 'sha-256, md5',
        }),
        listFile('a/ASU0002.jpg', {
          sha256: SHA('b'),
          md5: MD5('2'),
          storedPath: 'b1/data/a/ASU0002 (2).jpg',
          uploadUrl: 'http://r/files/2',
          verified: 'sha-256',
        }),
        listFile('a/ASU0003.jpg', { sha256: SHA('c'), md5: MD5('3') }),
        listFile('=HYPERLINK("x").jpg', {
          sha256: SHA('d'),
          storedPath: 'b1/data/=HYPERLINK("x").jpg',
          uploadUrl: 'http://r/files/4',
          verified: 'sha-256',
        }),
      ],
      {
        copies: [
          {
            path: 'a/ASU0001_tn.jpg',
            size: 20,
            copyOf: 'a/ASU0001.jpg',
            role: 'thumbnail',
            sha256: SHA('e'),
            md5: MD5('5'),
            storedPath: 'b1/data/a/ASU0001_tn.jpg',
            uploadUrl: 'http://r/files/5',
            verified: 'sha-256, md5',
          },
        ],
      },
    ),
  );

  it('lists what arrived, web copies too, with MD5 for a target that keeps it', () => {
    expect(list.table.columns).toEqual([
      'path',
      'bytes',
      'sha256',
      'md5',
      'stored_path',
      'upload_url',
      'verified',
    ]);
    expect(list.table.rows).toEqual([
      ['=HYPERLINK("x").jpg', '100', SHA('d'), '', 'b1/data/=HYPERLINK("x").jpg', 'http://r/files/4', 'yes'],
      ['a/ASU0001.jpg', '1234', SHA('a'), MD5('1'), 'b1/data/a/ASU0001.jpg', 'http://r/files/1', 'yes'],
      ['a/ASU0001_tn.jpg', '20', SHA('e'), MD5('5'), 'b1/data/a/ASU0001_tn.jpg', 'http://r/files/5', 'yes'],
      // The MD5 was sent but the receiver only confirmed the SHA-256: not verified.
      [
        'a/ASU0002.jpg',
        '100',
        SHA('b'),
        MD5('2'),
        'b1/data/a/ASU0002 (2).jpg',
        'http://r/files/2',
        'not verified by the receiver',
      ],
    ]);
  });

  it('names the file that has not arrived and the one not verified', () => {
    expect(list.notes).toEqual([
      '4 files arrived in batch b1.',
      '1 file of the upload has not arrived and is not on the receipt; send it, then download the receipt again.',
      '1 file arrived without the receiver confirming its checksums (verified: not verified by the receiver): the receiver does not verify them (a plain tus server), or the file arrived before it did; the checksums travelled as tus metadata, so compare the sha256 column with the stored files to be sure.',
    ]);
  });

  it('is written safe from spreadsheet formulas and reads back through papaparse', () => {
    const csv = toCsv(list.table);
    const back = Papa.parse<string[]>(csv, { skipEmptyLines: true }).data;
    expect(back[0]).toEqual(list.table.columns);
    expect(back[1]?.[0]).toBe(`'=HYPERLINK("x").jpg`);
    expect(back.slice(2)).toEqual(list.table.rows.slice(1));
  });
});

describe('the receipt of a custom-pattern upload', () => {
  it('has no MD5 column, and says when nothing has arrived yet', () => {
    const list = buildReceipt(contextOfFiles('custom', [listFile('x.tif', { sha256: SHA('f') })]));
    expect(list.table.columns).toEqual(['path', 'bytes', 'sha256', 'stored_path', 'upload_url', 'verified']);
    expect(list.table.rows).toEqual([]);
    expect(list.notes[0]).toBe(
      'Nothing has arrived yet: the receipt lists each file once the receiver has it.',
    );
    expect(list.fileName).toBe('b1-receipt.csv');
  });
});

describe('the receipt of a completed batch', () => {
  it('names the bag on every row and in its first note', () => {
    const context = contextOfFiles('custom', [
      listFile('x.tif', {
        sha256: SHA('f'),
        storedPath: 'b1/data/x.tif',
        uploadUrl: 'http://r/files/9',
        verified: 'sha-256',
      }),
    ]);
    const list = buildReceipt({ ...context, bag: { bag: 'b1', version: 2, payloadOxum: '100.1' } });
    expect(list.table.columns.at(-1)).toBe('bag');
    expect(list.table.rows).toEqual([
      ['x.tif', '100', SHA('f'), 'b1/data/x.tif', 'http://r/files/9', 'yes', 'b1/ (completion 2)'],
    ]);
    expect(list.notes[0]).toBe(
      'Batch b1 is complete: the receiver checked it and keeps it as the BagIt bag b1/ (completion 2) (Payload-Oxum 100.1).',
    );
  });
});

describe('the receipt of an upload to a plain tus server', () => {
  it('says of every file that the receiver neither verified it nor said where it stored it, never a silent yes', () => {
    const list = buildReceipt(
      contextOfFiles('custom', [
        listFile('x.tif', {
          sha256: SHA('f'),
          storedPath: '',
          uploadUrl: 'http://tus.example/files/ab',
          verified: '',
        }),
      ]),
    );
    expect(list.table.rows).toEqual([
      [
        'x.tif',
        '100',
        SHA('f'),
        'not returned by the receiver',
        'http://tus.example/files/ab',
        'not verified by the receiver',
      ],
    ]);
    expect(list.notes).toHaveLength(3);
    expect(list.notes[2]).toMatch(/^The receiver did not say where it stored 1 file/);
  });
});

describe('the receipt of files uploaded under names from their barcodes', () => {
  const arrived = (path: string, extra: Parameters<typeof listFile>[1] = {}) =>
    listFile(path, {
      sha256: SHA('a'),
      storedPath: `b1/data/${path}`,
      uploadUrl: 'http://r/files/1',
      verified: 'sha-256',
      ...extra,
    });

  it('lists both names, the folder’s own after the uploaded one, and says why', () => {
    const list = buildReceipt(
      contextOfFiles('custom', [
        arrived('day1/1390992.jpg', { originalPath: 'day1/IMG_0001.JPG' }),
        arrived('day1/MICH-V-1.jpg'),
      ]),
    );
    expect(list.table.columns.slice(0, 3)).toEqual(['path', 'original_path', 'bytes']);
    expect(list.table.rows.map((row) => row.slice(0, 2))).toEqual([
      ['day1/1390992.jpg', 'day1/IMG_0001.JPG'],
      ['day1/MICH-V-1.jpg', ''],
    ]);
    expect(list.notes).toContain(
      '1 file is uploaded under the name its barcode gives (path); original_path is the name in the folder, which is not changed.',
    );
  });

  it('has no original_path column when nothing is renamed', () => {
    const list = buildReceipt(contextOfFiles('custom', [arrived('x.jpg')]));
    expect(list.table.columns).not.toContain('original_path');
  });
});

describe('the receipt of an upload to a tus server that checks each request (checksum extension)', () => {
  it('says the bytes were checked in transit, not the whole file, never a plain yes', () => {
    const list = buildReceipt(
      contextOfFiles('custom', [
        listFile('y.tif', {
          sha256: SHA('f'),
          storedPath: '',
          uploadUrl: 'http://tus.example/files/cd',
          verified: checkedInTransit('sha1'),
        }),
      ]),
    );
    expect(list.table.rows[0]?.at(-1)).toBe('in transit (Upload-Checksum sha1)');
    expect(list.notes).toContain(
      'The receiver checked the bytes of 1 file request by request as it arrived (tus Upload-Checksum; verified: in transit), but not the whole file: the sha256 column travelled as tus metadata, so compare it with the stored files to be sure.',
    );
    expect(list.notes.some((note) => note.includes('not verified by the receiver'))).toBe(false);
  });
});
