import { describe, expect, it } from 'vitest';
import { detectContentType, expectedContentTypes } from '#core/validation/magic';

const hex = (text: string): Uint8Array =>
  new Uint8Array(text.match(/../g)?.map((byte) => parseInt(byte, 16)) ?? []);

describe('detectContentType', () => {
  it.each([
    ['ffd8ffe000104a464946000101000001', 'jpeg'],
    ['89504e470d0a1a0a0000000d49484452', 'png'],
    ['474946383961f500f50070003121ff0b', 'gif'],
    ['474946383761', 'gif'],
    ['49492a00080000001400000104000100', 'tiff'],
    ['4d4d002a000000080010010000030000', 'tiff'],
    ['49492b0008000000ffffffffffffff80', 'bigtiff'],
    ['4d4d002b000800000000000000003010', 'bigtiff'],
    ['52494646ca0c00005745425056503820', 'webp'],
    ['255044462d312e37', 'pdf'],
    ['504b030414000600', 'zip'],
    ['5a495352415746494c45000000000000', 'czi'],
    ['00000020667479706176696600000000', 'avif'],
    ['0000001c667479706865696300000000', 'heic'],
    ['0000001c667479706d69663100000000', 'heif'],
  ])('reads %s as %s', (bytes, type) => expect(detectContentType(hex(bytes))).toBe(type));
  it.each(['202c4c6162656c2c536d696c65732c57', '0000000c6a5020200d0a870a0000001c', 'ffd8', ''])(
    'does not guess at %j',
    (bytes) => expect(detectContentType(hex(bytes))).toBeUndefined(),
  );
});

describe('expectedContentTypes', () => {
  it.each([
    ['jpg', ['jpeg']],
    ['tif', ['tiff', 'bigtiff']],
    ['lsm', ['tiff']],
    ['czi', ['czi']],
  ])('expects a .%s file to hold %j', (extension, types) =>
    expect(expectedContentTypes(extension)).toEqual(types),
  );
  it.each(['lif', 'vsi', 'csv', 'docx', ''])('does not judge .%s files', (extension) =>
    expect(expectedContentTypes(extension)).toBeUndefined(),
  );
});
