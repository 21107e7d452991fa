import { describe, expect, it } from 'vitest';
import type { Arrival } from '#core/filelists/context';
import { buildManifest } from '#core/filelists/manifest';
import { customDefaultSettings } from '#core/profiles/custom';
import { gudmapDefaultSettings } from '#core/profiles/gudmap';
import { gudmapFolder, specimenListPath } from '../../fixtures/filelists/gudmap-folder';
import { contextOf, expectGolden } from './golden';

/** Two files arrived, one of them renamed by the receiver because the name was taken. */
const arrivals = new Map<string, Arrival>([
  [
    'deriva/images/K2-1.jpg',
    {
      storedPath: 'batch-1/data/deriva/images/K2-1.jpg',
      uploadUrl: 'https://receiver.example/files/7f3a',
      verified: 'sha-256, md5',
    },
  ],
  [
    'deriva/images/K2-2.jpg',
    {
      storedPath: 'batch-1/data/deriva/images/K2-2 (2).jpg',
      uploadUrl: 'https://receiver.example/files/91c0',
      verified: 'sha-256, md5',
    },
  ],
]);

const formulaPath = {
  status: 'warning',
  message:
    "-notes.txt starts with '-', so the list writes it with an apostrophe in front ('-notes.txt) to keep spreadsheets from running it as a formula, and the listed path no longer matches the file; rename the file so it starts with a letter or digit.",
};

describe('manifest of a GUDMAP upload, part of it arrived', () => {
  const list = buildManifest(
    contextOf(gudmapFolder, {
      profile: 'gudmap',
      settings: gudmapDefaultSettings,
      recordListPath: specimenListPath,
      includeErrors: true,
      arrivals,
    }),
  );

  it('matches manifest-gudmap.csv', () => expectGolden(list, 'manifest-gudmap.csv'));

  it('warns about the path that starts like a formula', () => expect(list.problems).toEqual([formulaPath]));

  it('says the other stored paths are planned and their upload URLs still empty', () => {
    expect(list.notes).toEqual([
      'The stored_path of 7 files not uploaded yet is where the receiver will place them, under batch-1/data/; once uploaded, it is where each file was actually placed, which differs when another file already had the name.',
      'The upload_url column is empty for 7 files not uploaded yet; it is filled once they are uploaded.',
    ]);
  });
});

describe('manifest of a custom-pattern upload with its checksums, as the page computes them after the check', () => {
  const list = buildManifest(
    contextOf(gudmapFolder, { profile: 'custom', settings: customDefaultSettings, batch: 'kidney-2024' }),
  );

  it('matches manifest-custom-checksums.csv', () => expectGolden(list, 'manifest-custom-checksums.csv'));
});

describe('manifest of a custom-pattern upload before checksums', () => {
  const list = buildManifest(
    contextOf(gudmapFolder, {
      profile: 'custom',
      settings: customDefaultSettings,
      batch: 'kidney-2024',
      withChecksums: false,
    }),
  );

  it('matches manifest-custom.csv', () => expectGolden(list, 'manifest-custom.csv'));

  it('warns about the path that starts like a formula', () => expect(list.problems).toEqual([formulaPath]));

  it('says the checksums are not computed and nothing is uploaded yet', () => {
    expect(list.notes).toEqual([
      'The sha256 column is empty for 9 files whose checksums are not computed yet; compute checksums first to fill it.',
      'The stored_path of 9 files not uploaded yet is where the receiver will place them, under kidney-2024/data/; once uploaded, it is where each file was actually placed, which differs when another file already had the name.',
      'The upload_url column is empty for 9 files not uploaded yet; it is filled once they are uploaded.',
    ]);
  });
});
