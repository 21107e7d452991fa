import { describe, expect, it } from 'vitest';
import { gudmap, gudmapDefaultSettings } from '#core/profiles/gudmap';
import type { PreparedProfile } from '#core/profiles/types';

import { validate } from '#core/validation/validate';
import type { GudmapSettings, RecordTable } from '#core/validation/types';
import { readRecordList } from '../../workers/delimited-reader';

const prepared = (settings: GudmapSettings = gudmapDefaultSettings): PreparedProfile => {
  const preparation = gudmap.prepare(settings);
  if (!preparation.ok) throw new Error('GUDMAP settings refused');
  return preparation.profile;
};
const profile = prepared();
const file = (path: string, size = 1000) => ({ path, size, lastModified: 0 });
/** What identify read, as `internal_id | number-or-type | suffix`, or the problem as `status rule`. */
const reading = (path: string, settings?: GudmapSettings): string => {
  const id = prepared(settings).identify(path);
  if ('problem' in id) return `${id.problem.status} ${id.problem.rule}`;
  const { internal_id: internalId, number, image_type: imageType, suffix } = id.parts;
  return `${internalId} | ${number ?? imageType} | ${suffix}`;
};
const message = (path: string): string => {
  const id = profile.identify(path);
  return 'problem' in id ? id.problem.message : '';
};

describe('GUDMAP identify reads the Internal_ID, splitting on the last hyphen', () => {
  it.each([
    ['deriva/images/x-1.ome.tif', 'x | 1 | ome.tif'],
    ['deriva/images/Abc-1-2.ome.tif', 'Abc-1 | 2 | ome.tif'],
    ['project/deriva/images/E13.5-kidney-01.czi', 'E13.5-kidney | 01 | czi'],
    ['images/Abc-1.TIF', 'Abc | 1 | TIF'],
    ['deriva/image_3d/Abc-2-volume.ims', 'Abc-2 | volume | ims'],
    ['deriva/image_3d/Abc-surface.stl', 'Abc | surface | stl'],
    ['deriva/image_3d/Abc-3.tif', 'Abc | 3 | tif'],
  ])('%s → %s', (path, expected) => expect(reading(path)).toBe(expected));
});

describe('GUDMAP identify refuses', () => {
  it.each([
    ['a file nested below images/', 'deriva/images/sub/x-1.tif', 'error gudmap.location'],
    ['a file nested below image_3d/', 'deriva/image_3d/a/b/x-volume.tif', 'error gudmap.location'],
    ['a folder named in the wrong case', 'deriva/Images/x-1.tif', 'error gudmap.location'],
    ['a file outside deriva/', 'scans/x-1.tif', 'error gudmap.location'],
    ['a file beside images/', 'deriva/x-1.tif', 'error gudmap.location'],
    [
      'a record file other than Specimen_simple.csv',
      'deriva/records/Gene_Expression/Other.csv',
      'error gudmap.location',
    ],
    ['a name without a number', 'deriva/images/x.tif', 'error gudmap.name'],
    ['a name without a suffix', 'deriva/images/x-1', 'error gudmap.name'],
    ['a 3D image type in the wrong case', 'deriva/image_3d/x-Volume.tif', 'error gudmap.name'],
    ['a 3D name that is neither type nor number', 'deriva/image_3d/x-front.tif', 'error gudmap.name'],
  ])('%s (%s)', (_case, path, expected) => expect(reading(path)).toBe(expected));

  it('a numbered 3D image when the newer page’s reading is switched off', () =>
    expect(reading('deriva/image_3d/x-1.tif', { ...gudmapDefaultSettings, image3dNumbered: false })).toBe(
      'error gudmap.name',
    ));
});

describe('GUDMAP identify explains each refusal with its fix', () => {
  it.each([
    [
      'deriva/images/sub/x-1.tif',
      'deriva/images/sub/x-1.tif is not in a location the Deriva uploader reads, because it looks only directly inside deriva/images/, not in its subfolders; move the file up into deriva/images/.',
    ],
    [
      'deriva/Images/x-1.tif',
      "deriva/Images/x-1.tif is not in a location the Deriva uploader reads, because folder names are case-sensitive and 'Images' is not 'images'; rename the folder to images.",
    ],
    [
      'scans/x-1.tif',
      'scans/x-1.tif is not in a location the Deriva uploader reads, so it would be skipped as “Invalid file type or directory location”; move 2D images into deriva/images/ and 3D images into deriva/image_3d/.',
    ],
    [
      'deriva/images/Abc.ome.tif',
      "Abc.ome.tif in deriva/images/ is not named {internal_id}-{number}.{suffix}, so the Deriva uploader would skip it; rename it like Abc-1.ome.tif, with the specimen's Internal_ID, a hyphen, the image number and the extension.",
    ],
    [
      'deriva/image_3d/x-Volume.tif',
      "x-Volume.tif in deriva/image_3d/ writes the image type as 'Volume', but the Deriva uploader matches it case-sensitively; rename it with 'volume'.",
    ],
  ])('%s', (path, expected) => expect(message(path)).toBe(expected));
});

describe('GUDMAP identify', () => {
  it('skips the uploader’s own state files', () =>
    expect(reading('deriva/images/.deriva-upload-state-gudmap.json')).toBe('skipped gudmap.upload-state'));
  it('says when it applied the newer page’s reading to a numbered 3D image', () => {
    const id = profile.identify('deriva/image_3d/Abc-3.tif');
    expect('notes' in id && id.notes.map((n) => `${n.status} ${n.rule}`)).toEqual([
      'ok gudmap.image3d-number',
    ]);
    expect('notes' in id && id.notes[0]?.message).toContain('accepted under the newer GUDMAP page');
  });
  it('recognises the specimen record file, which carries no identifier', () => {
    expect(gudmap.isRecordFile('deriva/records/Gene_Expression/Specimen_simple.csv')).toBe(true);
    expect(profile.identify('deriva/records/Gene_Expression/Specimen_simple.csv')).toEqual({
      identifier: '',
      parts: { kind: 'records' },
      notes: [],
    });
  });
});

describe('GUDMAP checkFile ranks formats', () => {
  const verdicts = (path: string, size = 1000): string[] => {
    const id = profile.identify(path);
    return profile
      .checkFile(file(path, size), 'problem' in id ? undefined : id)
      .map((f) => `${f.status} ${f.rule}`);
  };
  it.each([
    ['a native microscope format', 'deriva/images/x-1.czi', []],
    ['another native format, in capitals', 'deriva/images/x-1.LIF', []],
    ['OME-TIFF, the second choice', 'deriva/images/x-1.ome.tif', ['ok gudmap.format']],
    ['JPG, the last choice', 'deriva/images/x-1.jpg', ['ok gudmap.format']],
    ['a video', 'deriva/image_3d/x-1.mp4', []],
    ['a file no GUDMAP page lists', 'deriva/images/x-1.docx', ['warning gudmap.format']],
  ])('%s: %s → %j', (_case, path, expected) => expect(verdicts(path)).toEqual(expected));
  it('warns that files over 5 GB belong to the client tools', () =>
    expect(verdicts('deriva/images/x-1.czi', 5_000_000_001)).toEqual(['warning gudmap.size']));
});

describe('GUDMAP duplicateKey', () => {
  const key = (path: string): string | undefined => {
    const id = profile.identify(path);
    return 'problem' in id ? 'problem' : profile.duplicateKey(id);
  };
  it.each([
    ['deriva/images/x-1.tif', 'deriva/images/x-01.jpg'],
    ['deriva/image_3d/x-volume.tif', 'deriva/image_3d/x-volume.ims'],
  ])('puts %s and %s in the same slot', (a, b) => expect(key(a)).toBe(key(b)));
  it.each([
    ['deriva/images/x-1.tif', 'deriva/images/x-2.tif'],
    ['deriva/images/x-1.tif', 'deriva/image_3d/x-1.tif'],
    ['deriva/image_3d/x-volume.tif', 'deriva/image_3d/x-surface.tif'],
  ])('keeps %s and %s apart', (a, b) => expect(key(a)).not.toBe(key(b)));
});

describe('GUDMAP validate', () => {
  const specimens = [
    'Internal_ID,Title,Species,Consortium,Principal_Investigator,Assay_Type,Preparation,Stage_ID,Sex,Stage_Detail,Embedding,Fixation,Upload_Notes',
    'Abc-1,Kidney E15.5,Mus musculus,GUDMAP,Doe,ISH,section,,Male,,Paraffin,PFA,',
    'K2,Ureter,Mus musculus,GUDMAP,Doe,IHC,wholemount,,Female,,OCT,PFA,',
    'K3,Bladder,mus musculus,RBK,Doe,ISH,section,,Unknown,,Agarose,PFA,',
  ].join('\n');
  const listPath = 'deriva/records/Gene_Expression/Specimen_simple.csv';
  const table = readRecordList(specimens, listPath).table as RecordTable;

  it('checks a small folder against Specimen_simple.csv', () => {
    const files = [
      file('deriva/images/Abc-1-2.czi'),
      file('deriva/images/K2-1.jpg'),
      file('deriva/images/k2-2.tif'),
      file('deriva/images/Abc-1-02.lif'),
      file('deriva/images/sub/K2-3.tif'),
      file('deriva/images/.deriva-upload-state-atlas.json'),
      file(listPath),
    ];
    const result = validate(files, 'gudmap', gudmapDefaultSettings, { table });
    expect(result.findings).toEqual([
      {
        path: 'deriva/images/.deriva-upload-state-atlas.json',
        status: 'skipped',
        identifier: '',
        rule: 'gudmap.upload-state',
        message:
          ".deriva-upload-state-atlas.json is the Deriva uploader's own record of past uploads, so it is left alone.",
      },
      {
        path: 'deriva/images/Abc-1-02.lif',
        status: 'warning',
        identifier: 'Abc-1',
        rule: 'common.duplicate',
        message:
          'deriva/images/Abc-1-02.lif has the same Internal_ID and image number (Abc-1, 02) as deriva/images/Abc-1-2.czi; give each image of a specimen its own number.',
      },
      {
        path: 'deriva/images/Abc-1-2.czi',
        status: 'warning',
        identifier: 'Abc-1',
        rule: 'common.duplicate',
        message:
          'deriva/images/Abc-1-2.czi has the same Internal_ID and image number (Abc-1, 2) as deriva/images/Abc-1-02.lif; give each image of a specimen its own number.',
      },
      {
        path: 'deriva/images/K2-1.jpg',
        status: 'ok',
        identifier: 'K2',
        rule: 'gudmap.format',
        message:
          'K2-1.jpg is a JPG, the least preferred format for GUDMAP; upload the native microscope file or a TIFF instead if you have one, and never a downsampled copy of an in-situ image.',
      },
      {
        path: 'deriva/images/K2-1.jpg',
        status: 'ok',
        identifier: 'K2',
        rule: 'ok',
        message: 'K2-1.jpg is image 1 of specimen K2, found on line 3 of Specimen_simple.csv.',
      },
      {
        path: 'deriva/images/k2-2.tif',
        status: 'ok',
        identifier: 'k2',
        rule: 'gudmap.format',
        message:
          "k2-2.tif is a TIFF, GUDMAP's second choice after native microscope formats (CZI, LIF, LSM, VSI); upload the native file instead if you have it.",
      },
      {
        path: 'deriva/images/k2-2.tif',
        status: 'error',
        identifier: 'k2',
        rule: 'records.missing',
        message:
          "k2-2.tif names Internal_ID 'k2', which has no row in Specimen_simple.csv (it has 'K2', which differs only in case); the server would fail with “Metadata query did not return any results”, so add the specimen record or correct the name.",
      },
      {
        path: 'deriva/images/sub/K2-3.tif',
        status: 'error',
        identifier: '',
        rule: 'gudmap.location',
        message:
          'deriva/images/sub/K2-3.tif is not in a location the Deriva uploader reads, because it looks only directly inside deriva/images/, not in its subfolders; move the file up into deriva/images/.',
      },
      {
        path: listPath,
        status: 'ok',
        identifier: '',
        rule: 'ok',
        message: 'Specimen_simple.csv holds the specimen records the Deriva uploader loads.',
      },
      {
        path: listPath,
        status: 'error',
        identifier: 'K3',
        rule: 'gudmap.specimen-vocabulary',
        message:
          "Line 4 of Specimen_simple.csv (Internal_ID K3) has Species 'mus musculus', which is not an allowed value; write it as 'Mus musculus' (the case matters).",
      },
      {
        path: listPath,
        status: 'ok',
        identifier: '',
        rule: 'records.column',
        message: "Files were matched to Specimen_simple.csv by its column 'Internal_ID', found by its name.",
      },
      {
        path: listPath,
        status: 'warning',
        identifier: 'K3',
        rule: 'records.no-image',
        message:
          'Specimen K3 (line 4 of Specimen_simple.csv) has no image in the folder; add its images, or ignore this if they come later.',
      },
    ]);
    expect(
      result.files.map(({ path, status, identifier, record }) => ({ path, status, identifier, record })),
    ).toEqual([
      {
        path: 'deriva/images/.deriva-upload-state-atlas.json',
        status: 'skipped',
        identifier: '',
        record: 'unchecked',
      },
      { path: 'deriva/images/Abc-1-02.lif', status: 'warning', identifier: 'Abc-1', record: 'linked' },
      { path: 'deriva/images/Abc-1-2.czi', status: 'warning', identifier: 'Abc-1', record: 'linked' },
      { path: 'deriva/images/K2-1.jpg', status: 'ok', identifier: 'K2', record: 'linked' },
      { path: 'deriva/images/k2-2.tif', status: 'error', identifier: 'k2', record: 'missing' },
      { path: 'deriva/images/sub/K2-3.tif', status: 'error', identifier: '', record: 'unchecked' },
      { path: listPath, status: 'error', identifier: '', record: 'unchecked' },
    ]);
    expect(result.files[3]?.parts).toEqual({ internal_id: 'K2', kind: '2d', number: '1', suffix: 'jpg' });
    expect(result.counts).toEqual({ ok: 1, warning: 2, error: 3, skipped: 1 });
    expect(result.recordColumn).toBe('Internal_ID');
  });
});
