import { describe, expect, it } from 'vitest';
import { contextOfFiles, listFile } from '../../../tests/unit/filelists/list-files';
import {
  buildDwcMultimedia,
  dwcMetaXml,
  MULTIMEDIA_ROW_TYPE,
  xmlEscape,
} from '#core/filelists/dwc-multimedia';
import type { BuiltList, DwcMultimediaOptions, ListContext, ListFile } from '#core/filelists/types';

const file = (path: string, identifier: string, extra: Partial<ListFile> = {}): ListFile =>
  listFile(path, { identifier, ...extra });
const context = (files: ListFile[], extra: Partial<ListContext> = {}): ListContext =>
  contextOfFiles('symbiota', files, extra);
const base = 'https://img.example.org/h';
const options: DwcMultimediaOptions = {
  baseUrl: base,
  rights: 'CC BY 4.0',
  owner: 'ASU Herbarium',
  creator: 'J. Doe',
};
const multimedia = (files: ListFile[], changes: Partial<DwcMultimediaOptions> = {}) =>
  buildDwcMultimedia(context(files), { ...options, ...changes });
/** One row as column → value, for readable expectations. */
const rowAsRecord = (list: BuiltList, index = 0): Record<string, string> =>
  Object.fromEntries(list.table.columns.map((column, c) => [column, list.table.rows[index]?.[c] ?? '']));
const EXTENSION_NOTE =
  'multimedia.txt is an extension, not a whole archive: add it and the <extension> element of its meta.xml to the Darwin Core Archive of your occurrence records, whose core id must be the catalog number so that coreid links each image.';

describe('buildDwcMultimedia', () => {
  it('is multimedia.txt, a TSV with the Audubon Core columns', () => {
    const list = multimedia([]);
    expect([list.kind, list.title, list.fileName, list.format, list.bom]).toEqual([
      'dwc-multimedia',
      'Darwin Core multimedia extension',
      'multimedia.txt',
      'tsv',
      false,
    ]);
    expect(list.table.columns).toEqual([
      'coreid',
      'identifier',
      'accessURI',
      'thumbnailAccessURI',
      'goodQualityAccessURI',
      'format',
      'type',
      'subtype',
      'rights',
      'Owner',
      'creator',
      'caption',
      'comments',
      'associatedSpecimenReference',
    ]);
  });

  it('keys each image by catalog number, and names the large copy as identifier and accessURI', () => {
    const list = multimedia([
      file('x.tif', 'X1', { derivatives: { large: 'x_lg.jpg', web: 'x_med.jpg', thumbnail: 'x_tn.jpg' } }),
    ]);
    expect(rowAsRecord(list)).toEqual({
      coreid: 'X1',
      identifier: `${base}/b1/data/x_lg.jpg`,
      accessURI: `${base}/b1/data/x_lg.jpg`,
      thumbnailAccessURI: `${base}/b1/data/x_tn.jpg`,
      goodQualityAccessURI: `${base}/b1/data/x_med.jpg`,
      format: 'image/jpeg',
      type: 'StillImage',
      subtype: 'Photograph',
      rights: 'CC BY 4.0',
      Owner: 'ASU Herbarium',
      creator: 'J. Doe',
      caption: '',
      comments: '',
      associatedSpecimenReference: '',
    });
    expect(list.notes).toEqual([EXTENSION_NOTE]);
  });

  it('selects images as the field map does: one row each, copies and unreadable files left out', () => {
    const list = multimedia([
      file('a_1.png', 'A', { derivatives: { thumbnail: 'a_1_tn.jpg' } }),
      file('a_1_tn.jpg', ''),
      file('a_2.jpg', 'A'),
      file('b.tif', 'B'),
      file('n.jpg', ''),
    ]);
    expect(list.table.rows.map((row) => [row[0], row[2], row[3], row[5]])).toEqual([
      ['A', `${base}/b1/data/a_1.png`, `${base}/b1/data/a_1_tn.jpg`, 'image/png'],
      ['A', `${base}/b1/data/a_2.jpg`, '', 'image/jpeg'],
    ]);
    expect(list.problems.map((p) => p.message)).toEqual([
      '1 file has no catalog number the pattern could read (n.jpg), so the multimedia file leaves it out; rename it to start with the catalog number, or adjust the pattern.',
    ]);
    expect(list.notes).toEqual([
      '1 image is in a format a browser does not show (b.tif), so the multimedia file has no row for it; let the Prepare step make its JPEG copies to map it.',
      '2 images have no web or thumbnail copy yet, so goodQualityAccessURI and thumbnailAccessURI are empty where the copy is missing; the portal then shows the original image (and may make its own copies from it), and making the copies in the Prepare step fills them.',
      EXTENSION_NOTE,
    ]);
  });

  it('writes no addresses when the base URL is unusable, and says why', () => {
    const list = multimedia([file('a.jpg', 'A')], { baseUrl: 'images.example.org' });
    expect(list.table.rows[0]?.slice(0, 5)).toEqual(['A', '', '', '', '']);
    expect(list.problems.map((p) => p.status)).toEqual(['error']);
  });

  it('refuses a value the TSV cannot hold, naming row and column', () => {
    const list = multimedia([file('a.jpg', 'A')], { creator: 'J.\tDoe' });
    expect(list.problems).toEqual([
      {
        status: 'error',
        message:
          'Row 2, column "creator" of the multimedia file holds a tab ("J.\\tDoe"), which a TSV value cannot contain.',
      },
    ]);
  });

  it('warns about rights, Owner and creator that a spreadsheet would take for a formula', () => {
    const list = multimedia([file('a.jpg', 'A')], { owner: '@Herbarium' });
    expect(list.problems).toEqual([
      {
        status: 'warning',
        message:
          "The Owner value '@Herbarium' starts with '@', so the multimedia file writes it with a leading apostrophe; remove that first character if it is not meant.",
      },
    ]);
  });

  it.each([
    [
      { rights: ' ' },
      'The rights column is empty; fill it in so that users of the images know who made and owns them and how they may be reused.',
    ],
    [
      { rights: '', owner: '', creator: '' },
      'The rights, Owner and creator columns are empty; fill them in so that users of the images know who made and owns them and how they may be reused.',
    ],
  ])('notes empty rights, Owner and creator (%j)', (changes, note) => {
    expect(multimedia([file('a.jpg', 'A')], changes).notes).toContain(note);
  });
});

describe('dwcMetaXml', () => {
  it('describes multimedia.txt as an Audubon Core extension keyed by coreid, one field per other column', () => {
    const xml = dwcMetaXml(multimedia([]));
    expect(xml).toContain(`rowType="${MULTIMEDIA_ROW_TYPE}"`);
    expect(xml).toContain('<location>multimedia.txt</location>');
    expect(xml).toContain('<coreid index="0"/>');
    expect(xml).toContain('<field index="1" term="http://purl.org/dc/terms/identifier"/>');
    expect(xml).toContain('<field index="9" term="http://ns.adobe.com/xap/1.0/rights/Owner"/>');
    expect(xml).toContain(
      '<field index="13" term="http://rs.tdwg.org/ac/terms/associatedSpecimenReference"/>',
    );
    expect(xml.match(/<field /g)).toHaveLength(13);
    expect(xml).not.toMatch(/<core[\s/>]/);
  });

  it('escapes what it interpolates', () => {
    const list = { ...multimedia([]), fileName: 'a&b<"c">.txt' };
    expect(dwcMetaXml(list)).toContain('<location>a&amp;b&lt;&quot;c&quot;&gt;.txt</location>');
  });

  it('refuses a list of another kind, which would be a mistake in the calling code', () => {
    expect(() => dwcMetaXml({ ...multimedia([]), kind: 'manifest' })).toThrow(/dwc-multimedia/);
  });
});

describe('xmlEscape', () => {
  it.each([
    ['plain', 'plain'],
    [`a & b < c > d " e ' f`, 'a &amp; b &lt; c &gt; d &quot; e &apos; f'],
    ['&amp;', '&amp;amp;'],
  ])('escapes %j', (text, escaped) => {
    expect(xmlEscape(text)).toBe(escaped);
  });
});
