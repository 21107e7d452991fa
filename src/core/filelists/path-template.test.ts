import { describe, expect, it } from 'vitest';
import {
  ANY_FOLDERS,
  escapeRegExp,
  globLiteral,
  globFolderDepth,
  globMatcher,
  globMatches,
  globText,
  literalStart,
  parseGlob,
  parsePathTemplate,
  STAR,
  type PathTemplate,
} from '#core/filelists/path-template';

function compiled(text: string): PathTemplate {
  const parsed = parsePathTemplate(text);
  if (!parsed.ok) throw new Error(parsed.problems.join(' '));
  return parsed.template;
}

function problemsOf(text: string): readonly string[] {
  const parsed = parsePathTemplate(text);
  return parsed.ok ? [] : parsed.problems;
}

describe('parsePathTemplate', () => {
  it('names the columns in the order the template writes them', () => {
    expect(compiled('{Plate}/{Well}/{Field}_{Channel}.tif').columns).toEqual([
      'Plate',
      'Well',
      'Field',
      'Channel',
    ]);
  });

  it.each([
    ['{Plate}/{Well}/{Field}_{Channel}.tif', 'study/plate1/A01/f1_c2.tif', ['plate1', 'A01', 'f1', 'c2']],
    ['{Well}/{Field}.tif', 'study/plate1/A01/f1.tif', ['A01', 'f1']],
    ['{Well}/{Field}.tif', 'A01/f1.tif', ['A01', 'f1']],
    ['{Field}_{Channel}.tif', 'a/f1_c2_x.tif', ['f1', 'c2_x']],
    ['*/{Well}/*.tif', 'p/A01/x.tif', ['A01']],
    ['x*_{A}.tif', 'x_1.tif', ['1']],
    ['x*_{A}.tif', 'xa_b_1.tif', ['b_1']],
    ['{A}(1).tif', 'a/x(1).tif', ['x']],
    ['{A}.tif', 'a/b.c.tif', ['b.c']],
    ['plate_{N}/{W}.tif', 'plate_7/B2.tif', ['7', 'B2']],
    ['{Name} scan.tif', 'a/b c scan.tif', ['b c']],
  ])('reads %s out of %s', (template, path, values) => {
    expect(compiled(template).match(path)).toEqual(values);
  });

  it.each([
    ['{A}/{B}.tif', 'x.tif', 'a path with fewer folders than the template'],
    ['A01/{F}.tif', 'xA01/f.tif', 'a folder that only ends like the template'],
    ['{A}.tif', 'a/bXtif', 'a dot that is not there'],
    ['{A}_{B}.tif', 'a/_b.tif', 'an empty part'],
    ['{A}.tif', 'a/b.tiff', 'a different ending'],
    ['{A}/{B}.tif', 'a/b.tif/c', 'a match that is not at the end'],
    ['{A}.TIF', 'a/b.tif', 'an ending in another case'],
  ])('does not match %s against %s (%s)', (template, path) => {
    expect(compiled(template).match(path)).toBeUndefined();
  });

  it.each([
    [
      '',
      'The template is empty; write where the information sits in the paths, such as {Plate}/{Well}/{Field}.tif.',
    ],
    [
      '{Plate/{Well}.tif',
      "The template opens a brace at character 1 ('{Plate/{Well…') and never closes it; close it with }.",
    ],
    ['{Plate', "The template opens a brace at character 1 ('{Plate') and never closes it; close it with }."],
    [
      'Plate}.tif',
      'The template has a } at character 6 with no { before it; remove it, or add the { that opens the name.',
    ],
    [
      '{}.tif',
      'The template has empty braces {}; write a column name inside them, such as {Plate}, or * to skip that part.',
    ],
    [
      '{A}/{A}.tif',
      'The template names {A} more than once; give each part its own name, or write * for a part to skip.',
    ],
    [
      '/{A}.tif',
      'The template starts with /, but it is matched against the end of each path; remove the leading /.',
    ],
    [
      '{A}/',
      'The template ends with /, so it can match no file; end it with the file name, such as {Field}.tif.',
    ],
    ['{A}//{B}.tif', 'The template holds //, an empty folder name no path has; write one / between names.'],
    [
      '{A}{B}.tif',
      'The template puts {A} and {B} side by side, so nothing says where one ends and the other begins; put a separator between them, such as {A}_{B}.',
    ],
    [
      '{A}*.tif',
      'The template puts {A} and * side by side, so nothing says where one ends and the other begins; put a separator between them, such as {A}_*.',
    ],
    [
      '*{A}.tif',
      'The template puts * and {A} side by side, so nothing says where one ends and the other begins; put a separator between them, such as *_{A}.',
    ],
    [
      '{a/b}.tif',
      "The template's {a/b} holds a /, but a name in braces stands for part of one folder or file name; write one name per part, such as {a}/{b}.",
    ],
    [
      '{md5}.tif',
      "The template's column {md5} is one of the names the BioImage Archive keeps for itself (md5, dbMd5, dbId, dbPath, dbSize and dbPublished); choose another name.",
    ],
    [
      '{DBPATH}.tif',
      "The template's column {DBPATH} is one of the names the BioImage Archive keeps for itself (md5, dbMd5, dbId, dbPath, dbSize and dbPublished); choose another name.",
    ],
    [
      '{Files}.tif',
      "The template's column {Files} is the name of the first column, which holds the paths, and may not name another one; choose another name.",
    ],
    [
      '{(Plate)}.tif',
      "The template's column {(Plate)} is wrapped in ( ), which the BioImage Archive asks you to avoid in column names; choose another name.",
    ],
    [
      '{<Plate>}.tif',
      "The template's column {<Plate>} is wrapped in < >, which the BioImage Archive asks you to avoid in column names; choose another name.",
    ],
    [
      '{ Plate}.tif',
      "The template's column { Plate} starts or ends with a space, which the BioImage Archive trims; choose another name.",
    ],
  ])('refuses %j', (template, problem) => {
    expect(problemsOf(template)).toContain(problem);
  });

  it('reports every problem of a template at once', () => {
    expect(problemsOf('/{md5}{md5}')).toEqual([
      'The template starts with /, but it is matched against the end of each path; remove the leading /.',
      "The template's column {md5} is one of the names the BioImage Archive keeps for itself (md5, dbMd5, dbId, dbPath, dbSize and dbPublished); choose another name.",
      'The template names {md5} more than once; give each part its own name, or write * for a part to skip.',
      'The template puts {md5} and {md5} side by side, so nothing says where one ends and the other begins; put a separator between them, such as {md5}_{md5}.',
    ]);
  });

  it('treats ** like * within a name', () => {
    expect(compiled('**_{A}.tif').match('a/x_y.tif')).toEqual(['y']);
  });

  it('matches a long name that almost fits a template with many parts', () => {
    const template = compiled('{A}_{B}_{C}_{D}.tif');
    expect(template.match(`a/${'_'.repeat(250)}.tif`)).toEqual(['_', '_', '_', '_'.repeat(244)]);
    expect(compiled('{A}_{B}_{C}x{D}.tif').match(`a/${'_'.repeat(250)}.tif`)).toBeUndefined();
    expect(template.match(`a/${'x_'.repeat(120)}.tiff`)).toBeUndefined();
    expect(template.match(`a/${'x_'.repeat(120)}.tif/b`)).toBeUndefined();
  });

  it('matches 100,000 paths', () => {
    const template = compiled('{Plate}/{Well}/{Field}_{Channel}.tif');
    const paths = Array.from(
      { length: 100_000 },
      (_, i) => `study/plate${i % 7}/W${i % 96}/f${i}_c${i % 4}.tif`,
    );
    const matched = paths.filter((path) => template.match(path) !== undefined).length;
    expect(matched).toBe(100_000);
  });
});

describe('globMatcher', () => {
  it.each([
    ['*_mask.png', 'a/b/x_mask.png', true],
    ['*_mask.png', 'x_mask.png', true],
    ['*_mask.png', 'a/x_mask.png.bak', false],
    ['*_mask.png', 'a_mask/x.png', false],
    ['masks/', 'masks/a.png', true],
    ['masks/', 'masks/sub/b.png', true],
    ['masks/', 'study/masks/a.png', false],
    ['masks/', 'masksx/a.png', false],
    ['study/masks/', 'study/masks/a.png', true],
    ['labels/**/*.png', 'labels/a.png', true],
    ['labels/**/*.png', 'labels/x/y/a.png', true],
    ['labels/**/*.png', 'labels/a.tif', false],
    ['labels/**/*.png', 'other/labels/a.png', false],
    ['**/masks/*.png', 'masks/a.png', true],
    ['**/masks/*.png', 'a/b/masks/c.png', true],
    ['**/masks/*.png', 'a/masks/b/c.png', false],
    ['study/*/a.tif', 'study/x/a.tif', true],
    ['study/*/a.tif', 'study/x/y/a.tif', false],
    ['labels/**', 'labels/x/y.png', true],
    ['labels/**', 'labels', false],
    ['a(1).png', 'f/a(1).png', true],
    ['a(1).png', 'f/a1.png', false],
    ['a.png', 'f/aXpng', false],
    ['A.png', 'f/a.png', false],
    ['a.png', 'f/a.png', true],
  ])('%s selects %s: %s', (pattern, path, selected) => {
    expect(globMatcher(pattern)(path)).toBe(selected);
  });
});

describe('glob parts', () => {
  it('splits a glob into names, wildcards and any folders', () => {
    expect(parseGlob('a/**/x*_y**.png')).toEqual([['a'], ANY_FOLDERS, ['x', STAR, '_y', STAR, '.png']]);
  });

  it.each([
    ['a/b.tif', 'a/b.tif'],
    ['a/*.tif', undefined],
    ['**/b.tif', undefined],
  ])('gives the literal path of %s as %s', (pattern, literal) => {
    expect(globLiteral(parseGlob(pattern))).toBe(literal);
  });

  it.each([
    ['img_*.tif', 'img_'],
    ['*.tif', ''],
    ['img.tif', 'img.tif'],
    ['**', ''],
  ])('says %s starts with %j', (name, start) => {
    const [segment] = parseGlob(name);
    expect(segment === undefined ? undefined : literalStart(segment)).toBe(start);
  });

  it('writes a glob back as text', () => {
    expect(globText(parseGlob('a/**/x*.png'))).toBe('a/**/x*.png');
  });

  it.each([
    ['a/*.png', 'x/a/b.png', false],
    ['a/*.png', 'a/b.png/c', false],
    ['a/*.png', 'a/.png', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
    ['*a*', 'bab', true],
    ['*', 'anything', true],
    ['x/**/**/y', 'x/y', true],
    ['x/**/y/**/z', 'x/1/y/2/3/z', true],
    ['x/**/y/**/z', 'x/1/z/2/y', false],
  ])('matches %s against the whole of %s: %s', (pattern, path, matches) => {
    expect(globMatches(parseGlob(pattern), path)).toBe(matches);
  });

  it('folds ** next to ** into one', () => {
    expect(parseGlob('**/**/a')).toEqual([ANY_FOLDERS, ['a']]);
  });

  it('escapes every character a regular expression gives a meaning', () => {
    const special = '.*+?^${}()|[]\\/';
    expect(new RegExp(`^${escapeRegExp(special)}$`).test(special)).toBe(true);
  });
});

describe('globFolderDepth', () => {
  it.each([
    ['masks/', 1],
    ['study/masks/', 2],
    ['masks/*.png', 1],
    ['plates/*/masks/', 3],
    ['labels/**/*.png', 1],
    ['**/masks/', 0],
    ['masks/**', 1],
    ['*_mask.png', 0],
    ['a/b/c.png', 2],
  ])('%s names %i folders', (pattern, depth) => {
    expect(globFolderDepth(pattern)).toBe(depth);
  });
});
