import { describe, expect, it } from 'vitest';
import { annotatedPaths, buildBiaAnnotations, setSelector } from '#core/filelists/bia-annotations';
import type { AnnotationLink, AnnotationSet, BuiltList, ListContext, ListFile } from '#core/filelists/types';

function fileAt(path: string): ListFile {
  return { path, size: 1, status: 'ok', identifier: path, parts: {}, record: 'unchecked' };
}

function contextWith(paths: readonly string[], heldBack = 0): ListContext {
  const held = Array.from({ length: heldBack }, (_, i) => fileAt(`held/${i}.tif`));
  return { profile: 'bia', files: [...paths].sort().map(fileAt), heldBack: held, batch: 'batch-1' };
}

function setOf(overrides: Partial<AnnotationSet> = {}): AnnotationSet {
  return {
    name: 'masks',
    select: 'masks/',
    types: ['segmentation_mask'],
    link: { kind: 'same-name' },
    ...overrides,
  };
}

/** Each annotation with its source image, as the list's rows hold them. */
function sourcesOf(list: BuiltList): [string, string][] {
  return list.table.rows.map((row) => [row[0] ?? '', row[2] ?? '']);
}

/** The sentence that counts the rows without a source and names the first. */
function incomplete(count: string, named: string): string {
  return `${count} no Source Image (${named}), which the BioImage Archive requires of every row, so it would refuse the list as it is; fix what is said here, or fill in each source by hand in the downloaded file.`;
}

function messagesOf(list: BuiltList): string[] {
  return list.problems.map((problem) => problem.message);
}

describe('setSelector', () => {
  it.each([
    ['masks/', 'masks/a.png', true],
    ['masks/', 'images/a.tif', false],
    ['*_mask.png', 'images/a_mask.png', true],
    ['labels/**/*.png', 'labels/x/a.png', true],
    ['  masks/  ', 'masks/a.png', true],
    ['', 'masks/a.png', false],
    ['   ', 'a.png', false],
  ])('%j selects %s: %s', (select, path, selected) => {
    expect(setSelector(setOf({ select }))(path)).toBe(selected);
  });
});

describe('annotatedPaths', () => {
  it('holds the paths any set selects', () => {
    const files = contextWith(['images/a.tif', 'masks/a.png', 'labels/a_lab.png']).files;
    const sets = [setOf(), setOf({ name: 'labels', select: '*_lab.png' })];
    expect([...annotatedPaths(files, sets)].sort()).toEqual(['labels/a_lab.png', 'masks/a.png']);
    expect(annotatedPaths(files, []).size).toBe(0);
  });
});

describe('buildBiaAnnotations', () => {
  it('describes the list and writes the set types comma-separated, without spaces or repeats', () => {
    const list = buildBiaAnnotations(
      contextWith(['images/a.tif', 'masks/a.png']),
      setOf({ types: ['segmentation_mask', 'class_labels', 'segmentation_mask'] }),
    );
    expect(list).toMatchObject({
      kind: 'bia-annotations',
      title: 'BioImage Archive annotations file list (masks)',
      fileName: 'batch-1-annotations-masks.tsv',
      format: 'tsv',
      bom: false,
      problems: [],
      notes: [],
    });
    expect(list.table).toEqual({
      columns: ['Files', 'Annotation Type', 'Source Image'],
      rows: [['masks/a.png', 'segmentation_mask,class_labels', 'images/a.tif']],
    });
  });

  describe('linking by the same name', () => {
    const context = contextWith([
      'images/a.tif',
      'images/b.tif',
      'raw/b.tif',
      'masks/a.png',
      'masks/b.png',
      'masks/c.png',
      'masks/d.png',
      'masks/d.tif',
      'images/e.ome.tif',
      'masks/e.png',
    ]);
    const list = buildBiaAnnotations(context, setOf());

    it('takes the one file of that name in another folder, ignoring other annotations of the set', () => {
      expect(sourcesOf(list)).toEqual([
        ['masks/a.png', 'images/a.tif'],
        ['masks/b.png', ''],
        ['masks/c.png', ''],
        ['masks/d.png', ''],
        ['masks/d.tif', ''],
        ['masks/e.png', 'images/e.ome.tif'],
      ]);
    });

    it('names the candidates when there are several, and says where it looked when there is none', () => {
      expect(messagesOf(list)).toEqual([
        incomplete('4 of 6 rows have', 'masks/b.png, masks/c.png, masks/d.png and 1 more'),
        'masks/b.png could come from images/b.tif or raw/b.tif; rename all but one, or find sources by the path template images/{stem}.tif, which takes images/b.tif.',
        'masks/c.png has no source image: no file named c.* outside masks/; add the image, or change how annotations find their source.',
        'masks/d.png has no source image: no file named d.* outside masks/; add the image, or change how annotations find their source.',
        'masks/d.tif has no source image: no file named d.* outside masks/; add the image, or change how annotations find their source.',
      ]);
      expect(list.problems.every((problem) => problem.status === 'error')).toBe(true);
    });

    it('does not take a file in the annotation’s own folder', () => {
      const same = buildBiaAnnotations(
        contextWith(['masks/a.png', 'masks/a.tif']),
        setOf({ select: '*.png' }),
      );
      expect(sourcesOf(same)).toEqual([['masks/a.png', '']]);
    });

    it('speaks of the top folder for an annotation at the top', () => {
      const top = buildBiaAnnotations(contextWith(['a.png']), setOf({ select: '*.png' }));
      expect(messagesOf(top)).toEqual([
        incomplete('1 of 1 row has', 'a.png'),
        'a.png has no source image: no file named a.* outside the top folder; add the image, or change how annotations find their source.',
      ]);
    });
  });

  describe('linking by a suffix', () => {
    const link: AnnotationLink = { kind: 'suffix', suffixes: '_mask, _mask_2' };
    const context = contextWith([
      'images/a.tif',
      'images/a_mask.png',
      'images/b.tif',
      'labels/b_mask_2.png',
      'labels/c_mask.png',
      'labels/_mask.png',
      'labels/d_seg.png',
    ]);
    const list = buildBiaAnnotations(context, setOf({ select: '*_*.png', link }));

    it('cuts the longest suffix that fits and looks in every folder, its own included', () => {
      expect(sourcesOf(list)).toEqual([
        ['images/a_mask.png', 'images/a.tif'],
        ['labels/_mask.png', ''],
        ['labels/b_mask_2.png', 'images/b.tif'],
        ['labels/c_mask.png', ''],
        ['labels/d_seg.png', ''],
      ]);
    });

    it('says which suffixes a name lacks, or which name it looked for', () => {
      expect(messagesOf(list)).toEqual([
        incomplete('3 of 5 rows have', 'labels/_mask.png, labels/c_mask.png and labels/d_seg.png'),
        "labels/_mask.png has no source image: its name does not end in _mask_2 or _mask, so no suffix can be cut to find the image's name; rename it, or change the suffixes.",
        'labels/c_mask.png has no source image: no file named c.* (its name without _mask); add the image, or change how annotations find their source.',
        "labels/d_seg.png has no source image: its name does not end in _mask_2 or _mask, so no suffix can be cut to find the image's name; rename it, or change the suffixes.",
      ]);
    });

    it('refuses a set without suffixes and links nothing', () => {
      const none = buildBiaAnnotations(
        context,
        setOf({ select: '*_mask.png', link: { kind: 'suffix', suffixes: ' , ' } }),
      );
      expect(messagesOf(none)).toEqual([
        "Annotation set 'masks' finds sources by cutting a suffix, but no suffix is given; enter the endings to cut from annotation names, such as _mask, _labels.",
        incomplete('3 of 3 rows have', 'images/a_mask.png, labels/_mask.png and labels/c_mask.png'),
      ]);
      expect(none.incompleteRows).toBe(3);
      expect(sourcesOf(none).every(([, source]) => source === '')).toBe(true);
    });
  });

  describe('linking by a template', () => {
    it.each([
      ['{parent}/raw/{stem}.*', 'study/masks/a.png', 'study/raw/a.tif'],
      ['{dir}/../raw/{stem}.tif', 'study/masks/a.png', undefined],
      ['{parent}/raw/{stem}_*.{ext}', 'study/masks/b.png', 'study/raw/b_1.png'],
      ['images/{stem}.tif', 'study/masks/a.png', 'images/a.tif'],
      ['*/{stem}.tif', 'study/masks/a.png', 'images/a.tif'],
      ['{parent}/*/{stem}.tif', 'study/masks/a.png', 'study/raw/a.tif'],
      ['{parent}/raw/*', 'study/masks/a.png', undefined],
      ['{parent}/raw/{stem}.tif', 'top.png', 'raw/top.tif'],
      ['{dir}/{stem}.tif', 'top.png', 'top.tif'],
    ])('with %s finds the source of %s: %s', (template, annotation, source) => {
      const context = contextWith([
        'images/a.tif',
        'raw/top.tif',
        'top.tif',
        'top.png',
        'study/raw/a.tif',
        'study/raw/b_1.png',
        'study/raw/b_2.tif',
        'study/masks/a.png',
        'study/masks/b.png',
      ]);
      const list = buildBiaAnnotations(
        context,
        setOf({ select: annotation, link: { kind: 'template', template } }),
      );
      expect(sourcesOf(list)).toEqual([[annotation, source ?? '']]);
    });

    it('takes a * in a placeholder value literally', () => {
      const context = contextWith(['m/a*.png', 'raw/a*.tif', 'raw/ab.tif']);
      const list = buildBiaAnnotations(
        context,
        setOf({ select: 'm/', link: { kind: 'template', template: 'raw/{stem}.tif' } }),
      );
      expect(sourcesOf(list)).toEqual([['m/a*.png', 'raw/a*.tif']]);
    });

    it('names the path it looked for, and the candidates when several match', () => {
      const context = contextWith(['m/a.png', 'm/b.png', 'raw/b.tif', 'raw/b.jpg']);
      const list = buildBiaAnnotations(
        context,
        setOf({ select: 'm/', link: { kind: 'template', template: 'raw/{stem}.*' } }),
      );
      expect(messagesOf(list)).toEqual([
        incomplete('2 of 2 rows have', 'm/a.png and m/b.png'),
        'm/a.png has no source image: no file matches raw/a.*; add the image, or change how annotations find their source.',
        'm/b.png could come from raw/b.jpg or raw/b.tif; rename all but one, or find sources by the path template raw/{stem}.jpg, which takes raw/b.jpg.',
      ]);
    });

    it('refuses a template with an unknown placeholder and links nothing', () => {
      const context = contextWith(['m/a.png', 'raw/a.tif']);
      const list = buildBiaAnnotations(
        context,
        setOf({ select: 'm/', link: { kind: 'template', template: 'raw/{name}.tif' } }),
      );
      expect(messagesOf(list)).toEqual([
        "The source template of annotation set 'masks' uses {name}, which is not one of {dir}, {parent}, {subdir}, {subdir1}, {subdir2} …, {stem}, {base} and {ext}; write the source's path with those, such as images/{subdir}/{base}.*.",
        incomplete('1 of 1 row has', 'm/a.png'),
      ]);
      expect(sourcesOf(list)).toEqual([['m/a.png', '']]);
    });
  });

  describe('problems with the set itself', () => {
    const context = contextWith(['study/images/a.tif', 'study/masks/a.png']);

    it.each([
      [
        { name: ' ' },
        'An annotation set has no name; give it one, such as masks, as it names the list and its file.',
      ],
      [
        { types: [] },
        "Annotation set 'masks' has no annotation type; choose at least one, such as segmentation_mask.",
      ],
      [
        { types: ['segmentation_mask', 'masks'] as unknown as AnnotationSet['types'] },
        "Annotation set 'masks' has the type 'masks', which is not one of the BioImage Archive's annotation types (class_labels, bounding_boxes, counts, derived_annotations, geometrical_annotations, graphs, point_annotations, segmentation_mask, tracks, weak_annotations and other); choose one of those.",
      ],
      [
        { select: '' },
        "Annotation set 'masks' selects nothing; enter a folder, such as masks/, or a pattern, such as *_mask.png.",
      ],
      [
        { select: 'masks/' },
        "Annotation set 'masks' selects no file with 'masks/'; paths start at the picked folder, so write study/masks/ to select that folder.",
      ],
      [
        { select: 'labels' },
        "Annotation set 'masks' selects no file with 'labels'; to select a folder, end it with /, as in labels/.",
      ],
      [
        { select: '*.tiff' },
        "Annotation set 'masks' selects no file with '*.tiff'; enter a folder, such as masks/, or a pattern, such as *_mask.png, that names some of the files.",
      ],
    ])('refuses %j', (overrides, message) => {
      expect(buildBiaAnnotations(context, setOf(overrides)).problems).toContainEqual({
        status: 'error',
        message,
      });
    });

    it('counts every row incomplete when the set has no type, as each lacks its Annotation Type', () => {
      const list = buildBiaAnnotations(context, setOf({ select: 'study/masks/', types: [] }));
      expect(sourcesOf(list)).toEqual([['study/masks/a.png', 'study/images/a.tif']]);
      expect(list.incompleteRows).toBe(1);
      expect(buildBiaAnnotations(context, setOf({ select: 'study/masks/' })).incompleteRows).toBe(0);
    });

    it('calls a set without a name so in other sentences', () => {
      expect(
        messagesOf(buildBiaAnnotations(context, setOf({ name: '', types: [], select: 'study/masks/' }))),
      ).toContain(
        'The annotation set without a name has no annotation type; choose at least one, such as segmentation_mask.',
      );
    });
  });

  it('runs the archive’s own rules on the list', () => {
    const link: AnnotationLink = { kind: 'template', template: '{stem}.tif' };
    const list = buildBiaAnnotations(contextWith(['-a.png', '-a.tif']), setOf({ select: '*.png', link }));
    expect(sourcesOf(list)).toEqual([['-a.png', '-a.tif']]);
    expect(messagesOf(list)).toEqual([
      "-a.png starts with '-', so the annotations file list (masks) writes it with an apostrophe in front ('-a.png) to keep spreadsheets from running it as a formula, and the BioImage Archive would not find the file; rename it to start with a letter or digit.",
      "-a.tif starts with '-', so the Source Image column of the annotations file list (masks) writes it with an apostrophe in front ('-a.tif) to keep spreadsheets from running it as a formula, and the BioImage Archive would not find the file; rename it to start with a letter or digit.",
    ]);
  });

  it('lists twenty annotations without a source, then counts the rest', () => {
    const paths = Array.from({ length: 25 }, (_, i) => `masks/m${String(i).padStart(2, '0')}.png`);
    const list = buildBiaAnnotations(contextWith(paths), setOf());
    expect(list.problems).toHaveLength(22);
    expect(list.problems[0]?.message).toBe(
      incomplete('25 of 25 rows have', 'masks/m00.png, masks/m01.png, masks/m02.png and 22 more'),
    );
    expect(list.incompleteRows).toBe(25);
    expect(list.problems.at(-1)?.message).toBe(
      '5 more errors like these are not listed; fix the ones above and look again.',
    );
  });

  it('notes files held back by errors', () => {
    const list = buildBiaAnnotations(contextWith(['images/a.tif', 'masks/a.png'], 2), setOf());
    expect(list.notes).toEqual([
      '2 files with errors are left out, as from the upload; fix them, or tick "Upload files with errors too".',
    ]);
  });

  it.each<[string, AnnotationLink]>([
    ['the same name', { kind: 'same-name' }],
    ['a suffix', { kind: 'suffix', suffixes: '_mask' }],
    ['a template', { kind: 'template', template: '{parent}/images/{stem}.*' }],
    ['a template with wildcard folders', { kind: 'template', template: '*/*/{stem}.tif' }],
  ])('links 50,000 annotations by %s', (_, link) => {
    const count = 50_000;
    const paths: string[] = [];
    for (let i = 0; i < count; i += 1) {
      paths.push(`s/images/i${i}.tif`, `s/masks/i${i}${link.kind === 'suffix' ? '_mask' : ''}.png`);
    }
    const list = buildBiaAnnotations(contextWith(paths), setOf({ select: 's/masks/', link }));
    expect(list.problems).toEqual([]);
    expect(list.table.rows[7]?.[2]).toMatch(/^s\/images\/i\d+\.tif$/);
  });
});

/** Two plates of two wells, each imaged in two channels: every well name and file name repeats on each plate. */
function platesOf(top: string, name: (well: string, channel: string) => string): string[] {
  const paths: string[] = [];
  for (const plate of ['P1', 'P2'])
    for (const well of ['A01', 'B02'])
      for (const channel of ['DAPI', 'GFP']) paths.push(`${top}/${plate}/${well}/${name(well, channel)}`);
  return paths;
}

const image = (well: string, channel: string): string => `${well}_${channel}.tif`;
/** DAPI masks end in _mask, GFP labels in _labels: one set holds both. */
const mask = (well: string, channel: string): string =>
  `${well}_${channel}_${channel === 'DAPI' ? 'mask' : 'labels'}.png`;

describe('buildBiaAnnotations over a tree that mirrors the images', () => {
  const twoSuffixes: AnnotationLink = { kind: 'suffix', suffixes: '_mask, _labels' };

  it.each<[string, string[], Partial<AnnotationSet>]>([
    [
      'masks/ with two suffixes',
      [...platesOf('images', image), ...platesOf('masks', mask)],
      { link: twoSuffixes },
    ],
    [
      'a study folder, masks by the same name',
      [...platesOf('study/images', image), ...platesOf('study/masks', (w, c) => `${w}_${c}.png`)],
      { select: 'study/masks/', link: { kind: 'same-name' } },
    ],
    [
      'masks selected by a name pattern',
      [...platesOf('images', image), ...platesOf('masks', mask)],
      { select: '*_*_*.png', link: twoSuffixes },
    ],
    [
      'a template',
      [...platesOf('images', image), ...platesOf('masks', mask)],
      { link: { kind: 'template', template: 'images/{subdir}/{base}.tif', suffixes: '_mask, _labels' } },
    ],
  ])('links each annotation to the image at its place, with %s', (_, paths, set) => {
    const list = buildBiaAnnotations(contextWith(paths), setOf(set));
    expect(list.problems).toEqual([]);
    expect(list.incompleteRows).toBe(0);
    const sources = sourcesOf(list);
    expect(sources).toHaveLength(8);
    for (const [annotation, source] of sources) {
      const [, plate, well, name] = /([^/]+)\/([^/]+)\/([^/_]+_[^/_.]+)[^/]*$/.exec(annotation) ?? [];
      expect(source, annotation).toMatch(new RegExp(`images/${plate}/${well}/${name}\\.tif$`));
    }
  });

  it('names the images a mask could come from when its folders do not say, and which template takes one', () => {
    const paths = [...platesOf('images', image), 'masks/A01_DAPI_mask.png', 'masks/B02_GFP_labels.png'];
    const list = buildBiaAnnotations(contextWith(paths), setOf({ link: twoSuffixes }));
    expect(messagesOf(list)).toEqual([
      incomplete('2 of 2 rows have', 'masks/A01_DAPI_mask.png and masks/B02_GFP_labels.png'),
      'masks/A01_DAPI_mask.png could come from images/P1/A01/A01_DAPI.tif or images/P2/A01/A01_DAPI.tif; rename all but one, or find sources by the path template images/P1/A01/{base}.tif, which takes images/P1/A01/A01_DAPI.tif.',
      'masks/B02_GFP_labels.png could come from images/P1/B02/B02_GFP.tif or images/P2/B02/B02_GFP.tif; rename all but one, or find sources by the path template images/P1/B02/{base}.tif, which takes images/P1/B02/B02_GFP.tif.',
    ]);
  });

  it('links a flat masks/ folder to a flat images/ folder', () => {
    const paths = [
      'images/A01_DAPI.tif',
      'images/A01_GFP.tif',
      'masks/A01_DAPI_mask.png',
      'masks/A01_GFP_labels.png',
    ];
    const list = buildBiaAnnotations(contextWith(paths), setOf({ link: twoSuffixes }));
    expect(sourcesOf(list)).toEqual([
      ['masks/A01_DAPI_mask.png', 'images/A01_DAPI.tif'],
      ['masks/A01_GFP_labels.png', 'images/A01_GFP.tif'],
    ]);
    expect(list.problems).toEqual([]);
  });
});

describe('buildBiaAnnotations with a template per layout', () => {
  it.each<[string, string[], string, string, [string, string][]]>([
    [
      'a mirrored tree',
      [
        'images/P1/A01/A01_DAPI.tif',
        'images/P2/A01/A01_DAPI.tif',
        'masks/P1/A01/A01_DAPI_mask.png',
        'masks/P2/A01/A01_DAPI_mask.png',
      ],
      'masks/',
      'images/{subdir}/{base}.tif',
      [
        ['masks/P1/A01/A01_DAPI_mask.png', 'images/P1/A01/A01_DAPI.tif'],
        ['masks/P2/A01/A01_DAPI_mask.png', 'images/P2/A01/A01_DAPI.tif'],
      ],
    ],
    [
      'a mirrored tree in a study',
      [
        's/images/P1/a.ome.tif',
        's/images/P2/a.ome.tif',
        's/masks/P1/a_labels.png',
        's/masks/P2/a_labels.png',
      ],
      's/masks/',
      's/images/{subdir}/{base}.ome.tif',
      [
        ['s/masks/P1/a_labels.png', 's/images/P1/a.ome.tif'],
        ['s/masks/P2/a_labels.png', 's/images/P2/a.ome.tif'],
      ],
    ],
    [
      'a tree with plate and well the other way round',
      ['images/A01/P1/x.tif', 'images/A01/P2/x.tif', 'masks/P1/A01/x_mask.png', 'masks/P2/A01/x_mask.png'],
      'masks/',
      'images/{subdir2}/{subdir1}/{base}.tif',
      [
        ['masks/P1/A01/x_mask.png', 'images/A01/P1/x.tif'],
        ['masks/P2/A01/x_mask.png', 'images/A01/P2/x.tif'],
      ],
    ],
    [
      'a flat masks/ folder',
      ['images/a.tif', 'images/b.tif', 'masks/a_mask.png', 'masks/b_mask.png'],
      'masks/',
      'images/{base}.*',
      [
        ['masks/a_mask.png', 'images/a.tif'],
        ['masks/b_mask.png', 'images/b.tif'],
      ],
    ],
    [
      'masks in a folder inside each well',
      ['P1/A01/x.tif', 'P1/A01/masks/x_mask.png', 'P2/A01/x.tif', 'P2/A01/masks/x_mask.png'],
      '**/masks/*.png',
      '{parent}/{base}.tif',
      [
        ['P1/A01/masks/x_mask.png', 'P1/A01/x.tif'],
        ['P2/A01/masks/x_mask.png', 'P2/A01/x.tif'],
      ],
    ],
    [
      'masks beside their image, with the same extension',
      ['a/x.png', 'a/x_mask.png', 'b/x.png', 'b/x_mask.png'],
      '*_mask.png',
      '{dir}/{base}.{ext}',
      [
        ['a/x_mask.png', 'a/x.png'],
        ['b/x_mask.png', 'b/x.png'],
      ],
    ],
  ])('finds the sources of %s', (_, paths, select, template, expected) => {
    const link: AnnotationLink = { kind: 'template', template, suffixes: '_mask, _labels' };
    const list = buildBiaAnnotations(contextWith(paths), setOf({ select, link }));
    expect(sourcesOf(list)).toEqual(expected);
    expect(list.problems).toEqual([]);
  });
});

describe('buildBiaAnnotations suggesting a template', () => {
  const paths = [
    ...platesOf('images', image),
    'raw/A01_DAPI.tif',
    'masks/A01_DAPI_mask.png',
    'masks/P1/B02/B02_GFP_seg.png',
    'masks/P2/A01/A01_GFP.png',
    'masks/P9/zz_mask.png',
  ];
  const links: AnnotationLink[] = [
    { kind: 'same-name' },
    { kind: 'suffix', suffixes: '_mask' },
    { kind: 'template', template: 'raw/{subdir}/{base}.tif', suffixes: '_mask' },
  ];

  it.each(links)('every suggestion of a $kind link finds the source it names', (link) => {
    const list = buildBiaAnnotations(contextWith(paths), setOf({ link }));
    const suggestions = messagesOf(list).flatMap((message) => {
      const found =
        /^(\S+) .*path template (\S+)(?: with (\S+) among the suffixes)?, which takes (\S+)\.$/.exec(message);
      return found ? [found.slice(1)] : [];
    });
    expect(suggestions).toHaveLength(2);
    for (const [annotation = '', template = '', suffix, source] of suggestions) {
      const suffixes = [link.kind === 'same-name' ? '' : (link.suffixes ?? ''), suffix ?? ''].join(',');
      const applied = buildBiaAnnotations(
        contextWith(paths),
        setOf({ link: { kind: 'template', template, suffixes } }),
      );
      expect(sourcesOf(applied), template).toContainEqual([annotation, source]);
    }
  });

  it('says nothing of a template when no image has a name like the annotation’s', () => {
    const list = buildBiaAnnotations(
      contextWith(paths),
      setOf({ link: { kind: 'suffix', suffixes: '_mask' } }),
    );
    expect(messagesOf(list)).toContain(
      'masks/P9/zz_mask.png has no source image: no file named zz.* (its name without _mask); add the image, or change how annotations find their source.',
    );
  });
});
