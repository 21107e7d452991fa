import { describe, expect, it } from 'vitest';
import { buildBiaFileList } from '#core/filelists/bia-file-list';
import type { AnnotationSet, BiaFileListOptions, ListContext, ListFile } from '#core/filelists/types';
import type { RecordTable } from '#core/validation/types';

function fileAt(path: string): ListFile {
  return { path, size: 1, status: 'ok', identifier: path, parts: {}, record: 'unchecked' };
}

function contextWith(paths: readonly string[], heldBack = 0): ListContext {
  const held = Array.from({ length: heldBack }, (_, i) => fileAt(`held/${i}.tif`));
  return { profile: 'bia', files: [...paths].sort().map(fileAt), heldBack: held, batch: 'batch-1' };
}

function extraOf(columns: readonly string[], rows: readonly (readonly string[])[]): RecordTable {
  return { name: 'extra.csv', columns, rows, lines: rows.map((_, i) => i + 2) };
}

const PLATES = [
  'study/plate1/A01/f1_c1.tif',
  'study/plate1/A01/f1_c2.tif',
  'study/plate2/B02/f1_c1.tif',
  'study/plate2/B02/f1_c2.tif',
];
const TEMPLATE = '{Plate}/{Well}/{Field}_{Channel}.tif';

function built(paths: readonly string[], options: Partial<BiaFileListOptions> = {}) {
  return buildBiaFileList(contextWith(paths), { template: '', ...options });
}

function messagesOf(list: { readonly problems: readonly { readonly message: string }[] }): string[] {
  return list.problems.map((problem) => problem.message);
}

describe('buildBiaFileList', () => {
  it('describes the list', () => {
    expect(built(PLATES)).toMatchObject({
      kind: 'bia-file-list',
      title: 'BioImage Archive file list',
      fileName: 'batch-1-file-list.tsv',
      format: 'tsv',
      bom: false,
      problems: [],
      notes: [],
    });
  });

  it('lists every path under Files, in path order, when there is no template', () => {
    expect(built(PLATES).table).toEqual({ columns: ['Files'], rows: PLATES.map((path) => [path]) });
  });

  it('reads the template’s columns out of each path and leaves out the constant ones with a note', () => {
    const list = built(PLATES, { template: TEMPLATE });
    expect(list.table).toEqual({
      columns: ['Files', 'Plate', 'Well', 'Channel'],
      rows: [
        ['study/plate1/A01/f1_c1.tif', 'plate1', 'A01', 'c1'],
        ['study/plate1/A01/f1_c2.tif', 'plate1', 'A01', 'c2'],
        ['study/plate2/B02/f1_c1.tif', 'plate2', 'B02', 'c1'],
        ['study/plate2/B02/f1_c2.tif', 'plate2', 'B02', 'c2'],
      ],
    });
    expect(list.notes).toEqual([
      "Field is 'f1' for every file, so it was left out: it belongs in the study form.",
    ]);
    expect(list.problems).toEqual([]);
  });

  it('trims spaces around the template', () => {
    expect(built(PLATES, { template: `  ${TEMPLATE} ` }).table.columns).toEqual([
      'Files',
      'Plate',
      'Well',
      'Channel',
    ]);
  });

  it('leaves the cells of files the template does not fit empty, and names those files once', () => {
    const paths = [
      ...PLATES,
      'study/a.tif',
      'study/overview/o1.tif',
      'study/overview/o2.tif',
      'x/y/z/w.tif',
      'notes.txt',
      'readme.md',
    ];
    const list = built(paths, { template: TEMPLATE });
    expect(list.table.rows.find((row) => row[0] === 'notes.txt')).toEqual(['notes.txt', '', '', '', '']);
    expect(list.problems).toEqual([
      {
        status: 'warning',
        message:
          '6 files do not match the template {Plate}/{Well}/{Field}_{Channel}.tif, so their Plate, Well, Field and Channel cells are empty (notes.txt, readme.md, study/a.tif, study/overview/o1.tif, study/overview/o2.tif and 1 more); change the template or move the files.',
      },
    ]);
  });

  it('speaks of one file in the singular', () => {
    const list = built([...PLATES, 'a.tif'], { template: '{Plate}/{Well}/{Field}_{Channel}.tif' });
    expect(messagesOf(list)).toEqual([
      '1 file does not match the template {Plate}/{Well}/{Field}_{Channel}.tif, so its Plate, Well, Field and Channel cells are empty (a.tif); change the template or move the files.',
    ]);
  });

  it('notes a column that is empty for every file', () => {
    const list = built(PLATES, {
      template: TEMPLATE,
      extra: extraOf(['Files', 'Comment'], [['study/plate1/A01/f1_c1.tif', '']]),
    });
    expect(list.notes).toContain('Comment is empty for every file, so it was left out.');
  });

  it('refuses a broken template and lists the files alone', () => {
    const list = built(PLATES, { template: '{Plate}/{Well}{Field}.tif' });
    expect(list.table.columns).toEqual(['Files']);
    expect(list.problems).toEqual([
      {
        status: 'error',
        message:
          'The template puts {Well} and {Field} side by side, so nothing says where one ends and the other begins; put a separator between them, such as {Well}_{Field}.',
      },
    ]);
  });

  it('warns about a template without columns', () => {
    expect(messagesOf(built(PLATES, { template: '*/*.tif' }))).toEqual([
      'The template */*.tif names no column in braces, so it adds none; write the parts to read out as {Name}, such as {Plate}/{Well}/{Field}.tif.',
    ]);
  });

  describe('with annotation sets', () => {
    const masks: AnnotationSet = {
      name: 'masks',
      select: 'study/masks/',
      types: ['segmentation_mask'],
      link: { kind: 'same-name' },
    };
    const labels: AnnotationSet = {
      name: 'labels',
      select: '*_lab.png',
      types: ['class_labels'],
      link: { kind: 'same-name' },
    };

    it('leaves out every file a set selects, and says how many', () => {
      const paths = [...PLATES, 'study/masks/f1_c1.png', 'study/plate1/A01/f1_lab.png'];
      const list = built(paths, { annotationSets: [masks, labels] });
      expect(list.table.rows.map((row) => row[0])).toEqual(PLATES);
      expect(list.notes).toEqual([
        '2 files selected by the annotation sets are left out of the file list, as they go in the annotations file lists.',
      ]);
    });

    it('warns when the sets take every file', () => {
      const list = built(['study/masks/a.png'], { annotationSets: [masks] });
      expect(list.table.rows).toEqual([]);
      expect(messagesOf(list)).toEqual([
        'The file list is empty, as the annotation sets select every file to upload; check their selections, since a study needs its images in a file list.',
      ]);
    });
  });

  it('warns when there is nothing to list at all', () => {
    expect(messagesOf(built([]))).toEqual([
      'The file list is empty, as there are no files to upload; pick a folder whose files pass the check.',
    ]);
  });

  describe('with an extra table', () => {
    it.each([[['Files', 'Stain']], [['path', 'Stain']], [['FileName', 'Stain']], [['Stain', ' file ']]])(
      'finds the path in the column named like a path, in %j',
      (columns) => {
        const keyFirst = columns[0] !== 'Stain';
        const row = (path: string, stain: string) => (keyFirst ? [path, stain] : [stain, path]);
        const extra = extraOf(columns, [
          row('study/plate1/A01/f1_c1.tif', 'DAPI'),
          row('study/plate2/B02/f1_c2.tif', 'GFP'),
        ]);
        const list = built(PLATES, { template: TEMPLATE, extra });
        expect(list.table.columns).toEqual(['Files', 'Plate', 'Well', 'Channel', 'Stain']);
        expect(list.table.rows.map((r) => r[4])).toEqual(['DAPI', '', '', 'GFP']);
      },
    );

    it('takes the first column as the path when none is named like one', () => {
      const extra = extraOf(['Image', 'Stain'], [['study/plate1/A01/f1_c1.tif', 'DAPI']]);
      expect(built(PLATES, { extra }).table.rows[0]).toEqual(['study/plate1/A01/f1_c1.tif', 'DAPI']);
    });

    it('warns about rows for paths the list does not have, naming at most five', () => {
      const extra = extraOf(
        ['Files', 'Stain'],
        [
          ['study/plate1/A01/f1_c1.tif', 'DAPI'],
          ...Array.from({ length: 7 }, (_, i) => [`other/x${i}.tif`, 'GFP']),
          ['', 'blank path, skipped'],
        ],
      );
      expect(messagesOf(built(PLATES, { extra }))).toEqual([
        '7 rows of extra.csv have a Files that is not in the file list (other/x0.tif, other/x1.tif, other/x2.tif, other/x3.tif, other/x4.tif and 2 more), so they were not merged; write each path exactly as the file list has it.',
      ]);
    });

    it('merges the first of repeated rows and warns about the others', () => {
      const extra = extraOf(
        ['Files', 'Stain'],
        [
          ['study/plate1/A01/f1_c1.tif', 'DAPI'],
          ['study/plate1/A01/f1_c1.tif', 'GFP'],
        ],
      );
      const list = built(PLATES, { extra });
      expect(list.table.rows[0]).toEqual(['study/plate1/A01/f1_c1.tif', 'DAPI']);
      expect(messagesOf(list)).toEqual([
        'study/plate1/A01/f1_c1.tif has more than one row in extra.csv, and only the first was merged; remove the other rows.',
      ]);
    });

    it.each([
      [
        'md5',
        "Column 'md5' of extra.csv is one of the names the BioImage Archive keeps for itself (md5, dbMd5, dbId, dbPath, dbSize and dbPublished), so it was left out of the file list; rename it.",
      ],
      [
        'Plate',
        "Column 'Plate' of extra.csv has the name of a column the file list already has, so it was left out; rename it.",
      ],
      [
        '',
        'Column 3 of extra.csv is blank, and the BioImage Archive refuses a column without a name (“Attribute name is required”), so it was left out of the file list; give it a name.',
      ],
    ])('leaves out the column %j with an error', (name, message) => {
      const extra = extraOf(
        ['Files', 'Stain', name],
        PLATES.map((path, i) => [path, `s${i}`, `v${i}`]),
      );
      const list = built(PLATES, { template: TEMPLATE, extra });
      expect(list.table.columns).toEqual(['Files', 'Plate', 'Well', 'Channel', 'Stain']);
      expect(list.problems).toEqual([{ status: 'error', message }]);
    });

    it('leaves out a second column of the same name', () => {
      const extra = extraOf(
        ['Files', 'Stain', 'Stain'],
        PLATES.map((path, i) => [path, `s${i}`, `t${i}`]),
      );
      const list = built(PLATES, { extra });
      expect(list.table.rows[1]).toEqual(['study/plate1/A01/f1_c2.tif', 's1']);
      expect(messagesOf(list)).toEqual([
        "Column 'Stain' of extra.csv has the name of a column the file list already has, so it was left out; rename it.",
      ]);
    });

    it('drops a nameless column without values quietly', () => {
      const extra = extraOf(
        ['Files', 'Stain', ''],
        PLATES.map((path, i) => [path, `s${i}`, '']),
      );
      const list = built(PLATES, { extra });
      expect(list.table.columns).toEqual(['Files', 'Stain']);
      expect(list.problems).toEqual([]);
      expect(list.notes).toEqual([]);
    });

    it('keeps a bracketed column name, with the archive’s warning', () => {
      const extra = extraOf(
        ['Files', '(Stain)'],
        PLATES.map((path, i) => [path, `s${i}`]),
      );
      const list = built(PLATES, { extra });
      expect(list.table.columns).toEqual(['Files', '(Stain)']);
      expect(list.problems).toEqual([
        {
          status: 'warning',
          message:
            "Column '(Stain)' of the file list is wrapped in ( ), which the BioImage Archive asks you to avoid in column names; rename it.",
        },
      ]);
    });

    it('warns once about values a spreadsheet would run, naming the first five, but not about plain negative numbers', () => {
      const values = ['=1', '-12.5', '+2', '@x', '-x', '-1e5', '=2'];
      const paths = values.map((_, i) => `f${i}.tif`);
      const extra = extraOf(
        ['Files', 'Dose'],
        paths.map((path, i) => [path, values[i] ?? '']),
      );
      expect(built(paths, { extra }).problems).toEqual([
        {
          status: 'warning',
          message:
            "6 values of the file list start with =, +, - or @ (Dose '=1', Dose '+2', Dose '@x', Dose '-x', Dose '-1e5' and 1 more), so the list writes them with an apostrophe in front to keep spreadsheets from running them as formulas, and the BioImage Archive will keep the apostrophe; remove the first character where it is not meant.",
        },
      ]);
    });

    it('speaks of one formula-like value in the singular', () => {
      const extra = extraOf(
        ['Files', 'Dose'],
        [
          ['a.tif', '+1'],
          ['b.tif', '2'],
        ],
      );
      expect(messagesOf(built(['a.tif', 'b.tif'], { extra }))).toEqual([
        "1 value of the file list starts with =, +, - or @ (Dose '+1'), so the list writes it with an apostrophe in front to keep spreadsheets from running it as a formula, and the BioImage Archive will keep the apostrophe; remove the first character where it is not meant.",
      ]);
    });

    it('passes a value with a line break on, for the archive’s rules to refuse', () => {
      const extra = extraOf(
        ['Files', 'Note'],
        PLATES.map((path, i) => [path, i === 0 ? 'two\nlines' : `n${i}`]),
      );
      expect(messagesOf(built(PLATES, { extra }))).toEqual([
        'Row 2, column "Note" of the file list holds a line break ("two\\nlines"), which a TSV value cannot contain.',
      ]);
    });
  });

  it('runs the archive’s rules on the paths, errors first', () => {
    const list = built(['-scan.tif', 'a b.tif', 'ok.tif']);
    expect(list.problems.map((problem) => problem.status)).toEqual(['error', 'warning']);
    expect(messagesOf(list)[0]).toMatch(/^-scan\.tif starts with '-'/);
  });

  it('notes files held back by errors', () => {
    const list = buildBiaFileList(contextWith(PLATES, 1), { template: '' });
    expect(list.notes).toEqual([
      '1 file with errors is left out, as from the upload; fix it, or tick "Upload files with errors too".',
    ]);
  });

  it('builds a list of 100,000 files with a template and an extra table', () => {
    const paths = Array.from(
      { length: 100_000 },
      (_, i) => `study/plate${i % 7}/W${i % 96}/f${i % 3}_c${i}.tif`,
    );
    const extra = extraOf(
      ['Files', 'Stain'],
      paths.map((path, i) => [path, `s${i % 5}`]),
    );
    const list = buildBiaFileList(contextWith(paths), { template: TEMPLATE, extra });
    expect(list.table.columns).toEqual(['Files', 'Plate', 'Well', 'Field', 'Channel', 'Stain']);
    expect(list.problems).toEqual([]);
  });
});
