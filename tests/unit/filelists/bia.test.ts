import { describe, expect, it } from 'vitest';
import { buildBiaAnnotations } from '#core/filelists/bia-annotations';
import { buildBiaFileList } from '#core/filelists/bia-file-list';
import type { AnnotationSet, ListContext } from '#core/filelists/types';
import { bia } from '#core/profiles/bia';
import { readRecordList } from '../../../src/workers/delimited-reader';
import { biaExtraCsv, biaFolder } from '../../fixtures/filelists/bia-folder';
import { biaMirroredFolder, biaMirroredWithStray } from '../../fixtures/filelists/bia-mirrored-folder';
import { contextOf, expectGolden } from './golden';

const TEMPLATE = '{Plate}/{Well}/{Field}_{Channel}.tif';

const masks: AnnotationSet = {
  name: 'masks',
  select: 'study/masks/',
  types: ['segmentation_mask'],
  link: { kind: 'same-name' },
};

const labels: AnnotationSet = {
  name: 'labels',
  select: '*_mask.png',
  types: ['segmentation_mask', 'class_labels'],
  link: { kind: 'suffix', suffixes: ' _labels , _mask' },
};

const checked = (includeErrors = false): ListContext =>
  contextOf(biaFolder, { profile: 'bia', settings: bia.defaultSettings, includeErrors });

function extraTable() {
  const read = readRecordList(biaExtraCsv, 'extra.csv');
  if (!read.table) throw new Error(read.problems.map((p) => p.message).join(' '));
  return read.table;
}

const heldBack =
  '1 file with errors is left out, as from the upload; fix it, or tick "Upload files with errors too".';

describe('the BioImage Archive fixture folder', () => {
  it('holds back only the file with a character the archive refuses', () => {
    const context = checked();
    expect(context.heldBack.map((file) => file.path)).toEqual(['study/plate2/C03/f1_c#4.tif']);
    expect(context.files.map((file) => file.path)).not.toContain('study/plate2/C03/f1_c#4.tif');
  });
});

describe('BioImage Archive file list', () => {
  const list = buildBiaFileList(checked(), {
    template: TEMPLATE,
    extra: extraTable(),
    annotationSets: [masks, labels],
  });

  it('matches bia-file-list.tsv', () => expectGolden(list, 'bia-file-list.tsv'));

  it('is named after the batch', () => {
    expect(list.fileName).toBe('batch-1-file-list.tsv');
  });

  it('refuses the reserved column and warns about unmerged rows, formula-like values and the space', () => {
    expect(list.problems).toEqual([
      {
        status: 'error',
        message:
          "Column 'md5' of extra.csv is one of the names the BioImage Archive keeps for itself (md5, dbMd5, dbId, dbPath, dbSize and dbPublished), so it was left out of the file list; rename it.",
      },
      {
        status: 'warning',
        message:
          '2 rows of extra.csv have a Files that is not in the file list (study/masks/f1_gfp.png and study/plate9/Z99/f1_c1.tif), so they were not merged; write each path exactly as the file list has it.',
      },
      {
        status: 'warning',
        message:
          "5 values of the file list start with =, +, - or @ (Notes '=HYPERLINK(\"x\")', Notes '@SUM(1)', Dose '+1', Dose '+1' and Dose '-2.5e1'), so the list writes them with an apostrophe in front to keep spreadsheets from running them as formulas, and the BioImage Archive will keep the apostrophe; remove the first character where it is not meant.",
      },
      {
        status: 'warning',
        message:
          "study/plate2/C03/f1_c 3.tif contains a space, which the BioImage Archive's help page does not list as allowed (its server accepts it); replace spaces with _ to be safe.",
      },
    ]);
  });

  it('says what it left out: the file held back, the annotations, and the columns that do not vary', () => {
    expect(list.notes).toEqual([
      heldBack,
      '5 files selected by the annotation sets are left out of the file list, as they go in the annotations file lists.',
      "Field is 'f1' for every file, so it was left out: it belongs in the study form.",
      "Objective is '63x' for every file, so it was left out: it belongs in the study form.",
    ]);
  });

  it('lists the file with the refused character, with an error, when files with errors are let through', () => {
    const withErrors = buildBiaFileList(checked(true), {
      template: TEMPLATE,
      annotationSets: [masks, labels],
    });
    expect(withErrors.table.rows.map((row) => row[0])).toContain('study/plate2/C03/f1_c#4.tif');
    expect(withErrors.problems[0]).toEqual({
      status: 'error',
      message:
        "study/plate2/C03/f1_c#4.tif contains '#', which the BioImage Archive does not allow in file or folder names; rename it using only letters, digits and ! - _ . * ' ( ).",
    });
  });
});

describe('BioImage Archive annotations file list, found by name', () => {
  const list = buildBiaAnnotations(checked(), masks);

  it('matches bia-annotations-masks.tsv', () => expectGolden(list, 'bia-annotations-masks.tsv'));

  it('is named after the batch and the set', () => {
    expect(list.title).toBe('BioImage Archive annotations file list (masks)');
    expect(list.fileName).toBe('batch-1-annotations-masks.tsv');
  });

  it('counts the rows without a source, names the two wells a mask could come from, and the mask without an image', () => {
    expect(list.incompleteRows).toBe(2);
    expect(list.problems).toEqual([
      {
        status: 'error',
        message:
          '2 of 3 rows have no Source Image (study/masks/f1_c1.png and study/masks/f1_rfp.png), which the BioImage Archive requires of every row, so it would refuse the list as it is; fix what is said here, or fill in each source by hand in the downloaded file.',
      },
      {
        status: 'error',
        message:
          'study/masks/f1_c1.png could come from study/plate1/A01/f1_c1.tif or study/plate1/B02/f1_c1.tif; rename all but one, or find sources by the path template {parent}/plate1/A01/{stem}.tif, which takes study/plate1/A01/f1_c1.tif.',
      },
      {
        status: 'error',
        message:
          'study/masks/f1_rfp.png has no source image: no file named f1_rfp.* outside study/masks/; add the image, or change how annotations find their source.',
      },
    ]);
    expect(list.notes).toEqual([heldBack]);
  });
});

describe('BioImage Archive annotations file list, found by suffix', () => {
  const list = buildBiaAnnotations(checked(), labels);

  it('matches bia-annotations-labels.tsv', () => expectGolden(list, 'bia-annotations-labels.tsv'));

  it('refuses the label whose name starts like a formula and has no image', () => {
    expect(list.problems).toEqual([
      {
        status: 'error',
        message:
          '1 of 2 rows has no Source Image (-f1_c2_mask.png), which the BioImage Archive requires of every row, so it would refuse the list as it is; fix what is said here, or fill in each source by hand in the downloaded file.',
      },
      {
        status: 'error',
        message:
          '-f1_c2_mask.png has no source image: no file named -f1_c2.* (its name without _mask); add the image, or change how annotations find their source.',
      },
      {
        status: 'error',
        message:
          "-f1_c2_mask.png starts with '-', so the annotations file list (labels) writes it with an apostrophe in front ('-f1_c2_mask.png) to keep spreadsheets from running it as a formula, and the BioImage Archive would not find the file; rename it to start with a letter or digit.",
      },
    ]);
  });
});

describe('BioImage Archive annotations file list, masks in a tree that mirrors the images', () => {
  const mirrored = (folder = biaMirroredFolder): ListContext =>
    contextOf(folder, { profile: 'bia', settings: bia.defaultSettings });
  const set = (link: AnnotationSet['link']): AnnotationSet => ({
    name: 'masks',
    select: 'masks/',
    types: ['segmentation_mask'],
    link,
  });

  it.each<[string, AnnotationSet['link']]>([
    ['cutting _mask or _labels', { kind: 'suffix', suffixes: '_mask, _labels' }],
    [
      'the path template images/{subdir}/{base}.tif',
      { kind: 'template', template: 'images/{subdir}/{base}.tif', suffixes: '_mask, _labels' },
    ],
  ])(
    'links every mask to the image at its place by %s, and matches bia-annotations-mirrored.tsv',
    (_, link) => {
      const list = buildBiaAnnotations(mirrored(), set(link));
      expect(list.problems).toEqual([]);
      expect(list.incompleteRows).toBe(0);
      expectGolden(list, 'bia-annotations-mirrored.tsv');
    },
  );

  it('counts and names the mask of a well no plate has, and says which template would find the others', () => {
    const list = buildBiaAnnotations(
      mirrored(biaMirroredWithStray),
      set({ kind: 'suffix', suffixes: '_mask' }),
    );
    expect(list.incompleteRows).toBe(5);
    expect(list.problems.map((problem) => problem.message)).toEqual([
      '5 of 9 rows have no Source Image (masks/P1/A01/A01_GFP_labels.png, masks/P1/B02/B02_GFP_labels.png, masks/P2/A01/A01_GFP_labels.png and 2 more), which the BioImage Archive requires of every row, so it would refuse the list as it is; fix what is said here, or fill in each source by hand in the downloaded file.',
      "masks/P1/A01/A01_GFP_labels.png has no source image: its name does not end in _mask, so no suffix can be cut to find the image's name; rename it, or find sources by the path template images/{subdir}/{base}.tif with _labels among the suffixes, which takes images/P1/A01/A01_GFP.tif.",
      "masks/P1/B02/B02_GFP_labels.png has no source image: its name does not end in _mask, so no suffix can be cut to find the image's name; rename it, or find sources by the path template images/{subdir}/{base}.tif with _labels among the suffixes, which takes images/P1/B02/B02_GFP.tif.",
      "masks/P2/A01/A01_GFP_labels.png has no source image: its name does not end in _mask, so no suffix can be cut to find the image's name; rename it, or find sources by the path template images/{subdir}/{base}.tif with _labels among the suffixes, which takes images/P2/A01/A01_GFP.tif.",
      "masks/P2/B02/B02_GFP_labels.png has no source image: its name does not end in _mask, so no suffix can be cut to find the image's name; rename it, or find sources by the path template images/{subdir}/{base}.tif with _labels among the suffixes, which takes images/P2/B02/B02_GFP.tif.",
      'masks/P2/C03/C03_DAPI_mask.png has no source image: no file named C03_DAPI.* (its name without _mask); add the image, or change how annotations find their source.',
    ]);
  });
});
