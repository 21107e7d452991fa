import { describe, expect, it } from 'vitest';
import { parseJson } from './json-fault';

describe('Text that is not JSON', () => {
  it.each([
    [
      'a trailing comma',
      '{"version": 1,}',
      "The settings are not valid JSON: at line 1, column 15 there is '}', where JSON expects a name in double quotes.",
    ],
    [
      'a missing brace, on line 3',
      '{\n  "version": 1,\n  "target": "bia"\n',
      "The settings are not valid JSON: at line 4, column 1 the text ends, where JSON expects ',' or '}'.",
    ],
    [
      'single quotes',
      "{'version': 1}",
      "The settings are not valid JSON: at line 1, column 2 there is ''', where JSON expects a name in double quotes.",
    ],
    [
      'a line break inside text',
      '{"version": 1, "endpoint": "https://\nportal"}',
      'The settings are not valid JSON: at line 1, column 37 there is a line break, where JSON expects a closing " (a line break inside text is written \\n).',
    ],
    [
      'an unknown escape',
      '{"a": "\\d"}',
      "The settings are not valid JSON: at line 1, column 8 there is '\\', where JSON expects an escape such as \\n, \\\" or \\u00e9.",
    ],
    [
      'text after the object',
      '{"version": 1} {}',
      "The settings are not valid JSON: at line 1, column 16 there is '{', where JSON expects nothing more after the settings object.",
    ],
    [
      'a bare word',
      '{"version": one}',
      "The settings are not valid JSON: at line 1, column 13 there is 'o', where JSON expects a value (text in double quotes, a number, true, false, null, { or [).",
    ],
  ])('is placed and explained for %s', (_case, text, problem) => {
    expect(parseJson(text)).toEqual({ problem });
  });

  it('are refused, not crashed on, when nested very deeply', () => {
    const deep = `{"version": 1, "a": ${'['.repeat(5000)}}`;
    expect(parseJson(deep)).toEqual({
      problem: expect.stringContaining('The settings are not valid JSON: at line 1, column'),
    });
  });
});

describe('JSON text', () => {
  it('is read as JSON.parse reads it', () => {
    expect(parseJson('{"version": 1, "a": [true, null, "\\u00e9"]}')).toEqual({
      value: { version: 1, a: [true, null, '\u00e9'] },
    });
  });
});
