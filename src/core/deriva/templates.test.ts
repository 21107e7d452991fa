import { describe, expect, it } from 'vitest';
import { readDerivaConfig } from '#core/deriva/config';
import { fillTemplate, mappingNames, placeholderNames, queryColumns, sourceOf } from '#core/deriva/templates';

describe('placeholders', () => {
  it('reads names as Python str.format does, with {{ }} as braces and specs cut off', () => {
    expect(placeholderNames('/x/{a}/{b:>3}/{{c}}/{d!r}{a}')).toEqual(['a', 'b', 'd']);
    const values: Record<string, string> = { a: '1', b: '2' };
    expect(fillTemplate('/x/{a}/{b:>3}/{{c}}/{Accession_ID}.{a}', (n) => values[n])).toBe(
      '/x/1/2/{c}/{Accession_ID}.1',
    );
  });

  it('reads the columns an ERMrest attribute query returns, and a whole row for an entity query', () => {
    expect(
      queryColumns(
        '/attribute/RNASeq:Sample/Internal_ID={x}/Sample_Accession_ID:=Accession_ID,Study_Accession_ID,S:Species',
      ),
    ).toEqual(['Sample_Accession_ID', 'Study_Accession_ID', 'Species']);
    expect(queryColumns('/entity/S:T/RID={rid}')).toBe('any');
  });
});

describe('sourceOf', () => {
  const reading = readDerivaConfig(
    JSON.stringify({
      asset_mappings: [
        {
          file_pattern: '/(?P<id>[^/]+)[.]tif$',
          target_table: ['S', 'T'],
          checksum_types: ['md5'],
          metadata_query_templates: ['/attribute/S:Sample/ID={id}/Species'],
          column_value_templates: { caption: '{Species} {id}' },
          record_query_template: '/entity/{target_table}/MD5={md5}',
          hatrac_templates: { hatrac_uri: '/hatrac/{id}/{RID}' },
        },
      ],
      file_ext_mappings: { tif: { file_type: 'TIFF' } },
    }),
    'test.json',
  );
  if (!reading.ok) throw new Error(reading.problems.join(' '));
  const [mapping] = reading.config.mappings;
  if (mapping === undefined) throw new Error('no mapping');
  const names = mappingNames(mapping, reading.config.extMappings);

  it.each([
    ['id', 'hatrac', 'group'],
    ['id_urlencoded', 'hatrac', 'group'],
    ['file_name', 'hatrac', 'file'],
    ['md5', 'hatrac', 'checksum'],
    ['sha256', 'hatrac', undefined],
    ['Species', 'value', 'catalog'],
    ['file_type', 'columns', 'ext'],
    ['caption', 'columns', 'value'],
    ['URI', 'columns', 'upload'],
    ['URI', 'hatrac', undefined],
    ['RID', 'columns', 'record'],
    ['RID', 'hatrac', undefined],
    ['_upload_year_', 'hatrac', 'upload'],
    ['base_path', 'hatrac', 'computer'],
  ] as const)('{%s} at the %s stage comes from %s', (name, stage, source) => {
    expect(sourceOf(name, names, stage)).toBe(source);
  });
});
