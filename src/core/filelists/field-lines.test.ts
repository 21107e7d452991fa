import { describe, expect, it } from 'vitest';
import { parseFieldLines } from '#core/filelists/field-lines';

describe('parseFieldLines', () => {
  it.each([
    ['', []],
    ['country=United States', [['country', 'United States']]],
    [
      ' country = United States \n\nstateProvince=Arizona\r\n',
      [
        ['country', 'United States'],
        ['stateProvince', 'Arizona'],
      ],
    ],
    ['locality=a=b', [['locality', 'a=b']]],
    ['family=', [['family', '']]],
    ['=Arizona', [['', 'Arizona']]],
  ])('reads %j', (text, fields) => {
    const parsed = parseFieldLines(text);
    expect(parsed.fields).toEqual(fields);
    expect(parsed.problems).toEqual([]);
  });

  it('names a line without = and keeps the others', () => {
    const parsed = parseFieldLines('country=Chile\ncountry Chile\nfamily=Fabaceae');
    expect(parsed.fields).toEqual([
      ['country', 'Chile'],
      ['family', 'Fabaceae'],
    ]);
    expect(parsed.problems).toEqual([
      {
        status: 'error',
        message:
          "Line 2 of the fields for new records, 'country Chile', has no '='; write it as field=value, such as country=United States.",
      },
    ]);
  });
});
