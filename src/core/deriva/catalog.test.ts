import { describe, expect, it } from 'vitest';
import { annotationUrl, configSummary, refusalSentence } from '#core/deriva/catalog';
import { readDerivaConfig } from '#core/deriva/config';
import { fixtureConfig } from '../../../tests/fixtures/deriva/configs';

const tag = 'tag%3Aisrd.isi.edu%2C2019%3Abulk-upload';

describe('annotationUrl', () => {
  it.each([
    [
      'https://www.gudmap.org/ermrest/catalog/2',
      `https://www.gudmap.org/ermrest/catalog/2/annotation/${tag}`,
    ],
    [
      ' https://host.org/ermrest/catalog/1/entity/S:T ',
      `https://host.org/ermrest/catalog/1/annotation/${tag}`,
    ],
    [
      'https://host.org/chaise/recordset/#1/RNASeq:File',
      `https://host.org/ermrest/catalog/1/annotation/${tag}`,
    ],
    [
      'http://localhost:8080/deriva/ermrest/catalog/7',
      `http://localhost:8080/deriva/ermrest/catalog/7/annotation/${tag}`,
    ],
  ])('reads %j from the catalog address', (catalog, url) => expect(annotationUrl(catalog)).toEqual({ url }));

  it('says how to write an address that is not a catalog', () => {
    expect(annotationUrl('www.gudmap.org')).toEqual({
      problem:
        "'www.gudmap.org' is not the address of a Deriva catalog; write it as https://<host>/ermrest/catalog/<number>, such as https://www.gudmap.org/ermrest/catalog/2.",
    });
  });
});

describe('what the page says about a catalog', () => {
  it('names a missing annotation and a refusal apart', () => {
    expect(refusalSentence(404, 'u')).toContain('has no bulk-upload annotation at u (404)');
    expect(refusalSentence(403, 'u')).toContain('refused to give its bulk-upload annotation (403)');
    expect(refusalSentence(500, 'u')).toContain('answered 500 for u');
  });

  it('sums up a loaded config', () => {
    const reading = readDerivaConfig(fixtureConfig('rbk-upload-config.json'), 'rbk');
    expect(reading.ok && configSummary(reading.config)).toBe('1 asset mapping: mapping 0 (RNASeq:File).');
  });
});
