import { describe, expect, it } from 'vitest';
import { readConfig, readStorage } from '../../server/config.ts';
import { describeDuration, parseDuration } from '../../server/durations.ts';
import { describeBytes, parseByteSize } from '../../server/sizes.ts';

describe('parseByteSize', () => {
  it.each([
    ['1048576', 1048576],
    ['500MiB', 500 * 2 ** 20],
    ['20GB', 20e9],
    ['20 gb', 20e9],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['10kb', 10_000],
    ['2TiB', 2 * 2 ** 40],
    ['7B', 7],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'lots', '-5', '0', '20 GBs', '5 XB', '1e9', '0.1'])('cannot read %j', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });
});

describe('describeBytes', () => {
  it.each([
    [512, '512 bytes'],
    [2048, '2 KiB'],
    [1.5 * 2 ** 20, '1.5 MiB'],
    [20 * 2 ** 30, '20 GiB'],
    [20e9, '18.6 GiB'],
  ])('writes %d as %j', (bytes, text) => {
    expect(describeBytes(bytes)).toBe(text);
  });
});

describe('parseDuration', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['30m', 30 * 60_000],
    ['45s', 45_000],
    ['1.5d', 36 * 3_600_000],
    ['2 H', 2 * 3_600_000],
    ['0', 0],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '7', 'week', '7w', '-1d', '0d', '1e3s', '7 days'])('cannot read %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('describeDuration', () => {
  it.each([
    [7 * 86_400_000, '7 days'],
    [86_400_000, '1 day'],
    [36 * 3_600_000, '1.5 days'],
    [30 * 60_000, '30 minutes'],
    [2000, '2 seconds'],
  ])('writes %d ms as %j', (ms, text) => {
    expect(describeDuration(ms)).toBe(text);
  });
});

const NO_COMPLETION = {
  hook: undefined,
  webhook: undefined,
  webhookSecret: undefined,
  contactName: undefined,
  contactEmail: undefined,
  sourceOrganization: undefined,
};

describe('readConfig', () => {
  it('uses port 8080, host 127.0.0.1, ./uploads, a 256 MiB reserve and a 7-day expiry by default', () => {
    expect(readConfig({}, '/srv/app')).toEqual({
      ok: true,
      config: {
        port: 8080,
        host: '127.0.0.1',
        uploadDir: '/srv/app/uploads',
        token: undefined,
        maxFileSize: undefined,
        allowedOrigins: undefined,
        minFreeSpace: 256 * 2 ** 20,
        partialExpiry: 7 * 86_400_000,
        completion: NO_COMPLETION,
      },
    });
  });

  it('reads every variable', () => {
    const env = {
      PORT: '9000',
      HOST: '0.0.0.0',
      UPLOAD_DIR: '../data',
      UPLOAD_TOKEN: 'tok',
      MAX_FILE_SIZE: '20GB',
      ALLOWED_ORIGINS: 'https://portal.example.org, http://localhost:5173/',
      MIN_FREE_SPACE: '10GB',
      PARTIAL_EXPIRY: '12h',
      ON_BATCH_COMPLETE: 'deriva-upload-cli --catalog 2 www.gudmap.org "$BATCH_PAYLOAD"',
      BATCH_WEBHOOK: 'https://lims.example.org/hooks/batch',
      BATCH_WEBHOOK_SECRET: 's3cret',
      BAG_CONTACT_NAME: ' Ada Curator ',
      BAG_CONTACT_EMAIL: 'ada@museum.example.org',
      BAG_SOURCE_ORGANIZATION: 'Example Museum',
    };
    expect(readConfig(env, '/srv/app')).toEqual({
      ok: true,
      config: {
        port: 9000,
        host: '0.0.0.0',
        uploadDir: '/srv/data',
        token: 'tok',
        maxFileSize: 20e9,
        allowedOrigins: ['https://portal.example.org', 'http://localhost:5173'],
        minFreeSpace: 10e9,
        partialExpiry: 12 * 3_600_000,
        completion: {
          hook: 'deriva-upload-cli --catalog 2 www.gudmap.org "$BATCH_PAYLOAD"',
          webhook: 'https://lims.example.org/hooks/batch',
          webhookSecret: 's3cret',
          contactName: 'Ada Curator',
          contactEmail: 'ada@museum.example.org',
          sourceOrganization: 'Example Museum',
        },
      },
    });
  });

  it('reads 0 as no reserve and no expiry', () => {
    const result = readConfig({ MIN_FREE_SPACE: '0', PARTIAL_EXPIRY: '0' }, '/srv/app');
    expect(result).toMatchObject({ ok: true, config: { minFreeSpace: 0, partialExpiry: 0 } });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number from 0 to 65535, not "eighty".'],
    [{ PORT: '70000' }, 'PORT must be a whole number from 0 to 65535, not "70000".'],
    [{ PORT: '80.5' }, 'PORT must be a whole number from 0 to 65535, not "80.5".'],
    [
      { MAX_FILE_SIZE: 'huge' },
      'MAX_FILE_SIZE must be a size such as 20GB, 500MiB or a number of bytes, not "huge".',
    ],
    [{ UPLOAD_TOKEN: '' }, 'UPLOAD_TOKEN is set but empty: give it a value, or unset it to allow anyone.'],
    [
      { BATCH_WEBHOOK: 'lims.example.org/hook' },
      'BATCH_WEBHOOK must be a web address starting with https:// or http://, not "lims.example.org/hook".',
    ],
    [
      { BATCH_WEBHOOK_SECRET: 'x' },
      'BATCH_WEBHOOK_SECRET is set but BATCH_WEBHOOK is not: set the address the signed summary goes to, or unset the secret.',
    ],
    [
      { BAG_CONTACT_EMAIL: 'curator at museum' },
      'BAG_CONTACT_EMAIL must be an e-mail address such as curator@museum.org, not "curator at museum".',
    ],
    [
      { ALLOWED_ORIGINS: 'https://portal.example.org/images' },
      'ALLOWED_ORIGINS must list web origins such as https://portal.example.org, separated by commas, not "https://portal.example.org/images".',
    ],
    [
      { ALLOWED_ORIGINS: 'portal.example.org' },
      'ALLOWED_ORIGINS must list web origins such as https://portal.example.org, separated by commas, not "portal.example.org".',
    ],
    [
      { UPLOAD_TOKEN: 'two words' },
      'UPLOAD_TOKEN may not contain spaces, because it is sent as "Authorization: Bearer <token>".',
    ],
    [
      { MIN_FREE_SPACE: 'plenty' },
      'MIN_FREE_SPACE must be a size such as 256MiB, 10GB or a number of bytes, or 0 for no reserve, not "plenty".',
    ],
    [
      { MIN_FREE_SPACE: '-1GB' },
      'MIN_FREE_SPACE must be a size such as 256MiB, 10GB or a number of bytes, or 0 for no reserve, not "-1GB".',
    ],
    [
      { PARTIAL_EXPIRY: '2 weeks' },
      'PARTIAL_EXPIRY must be a duration such as 7d, 12h or 30m, or 0 to keep unfinished uploads, not "2 weeks".',
    ],
    [
      { PARTIAL_EXPIRY: '3600' },
      'PARTIAL_EXPIRY must be a duration such as 7d, 12h or 30m, or 0 to keep unfinished uploads, not "3600".',
    ],
  ])('refuses %j with one sentence', (env, message) => {
    expect(readConfig(env, '/srv/app')).toEqual({ ok: false, message });
  });
});

describe('readStorage', () => {
  it('keeps files on disk without STORAGE', () => {
    expect(readStorage({})).toBeUndefined();
  });

  it('reads s3://bucket/prefix and the S3 settings, the prefix ending in one slash', () => {
    expect(
      readStorage({
        STORAGE: 's3://specimens/incoming/herbarium/',
        S3_ENDPOINT: 'http://127.0.0.1:7480',
        S3_REGION: 'eu-central-1',
        S3_FORCE_PATH_STYLE: 'true',
        REDIS_URL: 'redis://10.0.0.5:6379',
      }),
    ).toEqual({
      bucket: 'specimens',
      prefix: 'incoming/herbarium/',
      endpoint: 'http://127.0.0.1:7480',
      region: 'eu-central-1',
      forcePathStyle: true,
      redisUrl: 'redis://10.0.0.5:6379',
    });
    expect(readStorage({ STORAGE: 's3://specimens' })).toMatchObject({ bucket: 'specimens', prefix: '' });
  });

  it('refuses what it cannot use with a sentence naming the setting', () => {
    expect(readStorage({ STORAGE: '/data/drop' })).toMatch(/^STORAGE must be s3:\/\/bucket/);
    expect(readStorage({ STORAGE: 's3://specimens/a/../b' })).toMatch(/^The prefix in STORAGE/);
    expect(readStorage({ STORAGE: 's3://specimens', S3_FORCE_PATH_STYLE: 'yes' })).toMatch(
      /^S3_FORCE_PATH_STYLE must be true or false/,
    );
    expect(readStorage({ S3_ENDPOINT: 'http://127.0.0.1:7480' })).toMatch(
      /^S3_ENDPOINT is set but STORAGE is not/,
    );
    expect(readConfig({ STORAGE: 'ftp://x' }, '/srv').ok).toBe(false);
  });
});
