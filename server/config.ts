import path from 'node:path';
import type { CompletionSettings } from './batch-complete.ts';
import type { ObjectStorage } from './object-receiver.ts';
import { parseDuration } from './durations.ts';
import { parseByteSize } from './sizes.ts';

export type Config = {
  port: number;
  host: string;
  uploadDir: string;
  token: string | undefined;
  maxFileSize: number | undefined;
  /** Web pages on other origins that may upload (CORS); undefined allows any. */
  allowedOrigins: readonly string[] | undefined;
  /** Bytes that must stay free on the upload disk; 0 disables the check. */
  minFreeSpace: number;
  /** Milliseconds after which an unfinished upload is deleted; 0 keeps them. */
  partialExpiry: number;
  /** The bag's contact fields and what runs when a batch is complete. */
  completion: CompletionSettings;
  /** Object storage instead of the upload folder; undefined keeps files on disk. */
  storage: ObjectStorage | undefined;
};

export const DEFAULT_MIN_FREE_SPACE = '256MiB';
export const DEFAULT_PARTIAL_EXPIRY = '7d';

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

const origin = /^https?:\/\/[^/\s?#@]+$/i;

/**
 * Reads PORT, HOST, UPLOAD_DIR, UPLOAD_TOKEN, MAX_FILE_SIZE, ALLOWED_ORIGINS, MIN_FREE_SPACE, PARTIAL_EXPIRY
 * the completion settings (see readCompletion) and the object storage (see readStorage); a refusal is one sentence.
 */
export function readConfig(env: Record<string, string | undefined>, cwd: string): ConfigResult {
  const portText = env['PORT']?.trim() || '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    return { ok: false, message: `PORT must be a whole number from 0 to 65535, not "${portText}".` };
  }
  const token = env['UPLOAD_TOKEN'];
  if (token !== undefined && token.length === 0) {
    return {
      ok: false,
      message: 'UPLOAD_TOKEN is set but empty: give it a value, or unset it to allow anyone.',
    };
  }
  if (token !== undefined && /\s/.test(token)) {
    return {
      ok: false,
      message: 'UPLOAD_TOKEN may not contain spaces, because it is sent as "Authorization: Bearer <token>".',
    };
  }
  const sizeText = env['MAX_FILE_SIZE']?.trim();
  const maxFileSize = sizeText ? parseByteSize(sizeText) : undefined;
  if (sizeText && maxFileSize === undefined) {
    return {
      ok: false,
      message: `MAX_FILE_SIZE must be a size such as 20GB, 500MiB or a number of bytes, not "${sizeText}".`,
    };
  }
  const originsText = env['ALLOWED_ORIGINS']?.trim();
  const allowedOrigins = originsText
    ? originsText
        .split(',')
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter((o) => o !== '')
    : undefined;
  const notOrigin = allowedOrigins?.find((o) => !origin.test(o));
  if (notOrigin !== undefined) {
    return {
      ok: false,
      message: `ALLOWED_ORIGINS must list web origins such as https://portal.example.org, separated by commas, not "${notOrigin}".`,
    };
  }
  const reserveText = env['MIN_FREE_SPACE']?.trim() || DEFAULT_MIN_FREE_SPACE;
  const minFreeSpace = /^0+$/.test(reserveText) ? 0 : parseByteSize(reserveText);
  if (minFreeSpace === undefined) {
    return {
      ok: false,
      message: `MIN_FREE_SPACE must be a size such as 256MiB, 10GB or a number of bytes, or 0 for no reserve, not "${reserveText}".`,
    };
  }
  const expiryText = env['PARTIAL_EXPIRY']?.trim() || DEFAULT_PARTIAL_EXPIRY;
  const partialExpiry = parseDuration(expiryText);
  if (partialExpiry === undefined) {
    return {
      ok: false,
      message: `PARTIAL_EXPIRY must be a duration such as 7d, 12h or 30m, or 0 to keep unfinished uploads, not "${expiryText}".`,
    };
  }
  const completion = readCompletion(env);
  if (typeof completion === 'string') return { ok: false, message: completion };
  const storage = readStorage(env);
  if (typeof storage === 'string') return { ok: false, message: storage };
  return {
    ok: true,
    config: {
      completion,
      storage,
      allowedOrigins,
      minFreeSpace,
      partialExpiry,
      port,
      host: env['HOST']?.trim() || '127.0.0.1',
      uploadDir: path.resolve(cwd, env['UPLOAD_DIR']?.trim() || 'uploads'),
      token,
      maxFileSize,
    },
  };
}

/**
 * ON_BATCH_COMPLETE (a shell command), BATCH_WEBHOOK (an http(s) address), BATCH_WEBHOOK_SECRET, and the bag's
 * BAG_CONTACT_NAME, BAG_CONTACT_EMAIL and BAG_SOURCE_ORGANIZATION; a sentence when one is unusable.
 */
function readCompletion(env: Record<string, string | undefined>): CompletionSettings | string {
  const value = (name: string) => env[name]?.trim() || undefined;
  const webhook = value('BATCH_WEBHOOK');
  if (webhook !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(webhook);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      return `BATCH_WEBHOOK must be a web address starting with https:// or http://, not "${webhook}".`;
    }
  }
  const webhookSecret = env['BATCH_WEBHOOK_SECRET'];
  if (webhookSecret !== undefined && webhook === undefined) {
    return 'BATCH_WEBHOOK_SECRET is set but BATCH_WEBHOOK is not: set the address the signed summary goes to, or unset the secret.';
  }
  if (webhookSecret !== undefined && webhookSecret.trim() === '') {
    return 'BATCH_WEBHOOK_SECRET is set but empty: give it a value, or unset it to send the webhook unsigned.';
  }
  const contactEmail = value('BAG_CONTACT_EMAIL');
  if (contactEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(contactEmail)) {
    return `BAG_CONTACT_EMAIL must be an e-mail address such as curator@museum.org, not "${contactEmail}".`;
  }
  for (const name of ['BAG_CONTACT_NAME', 'BAG_SOURCE_ORGANIZATION', 'ON_BATCH_COMPLETE']) {
    if (/[\r\n]/.test(env[name] ?? '')) return `${name} must be one line.`;
  }
  return {
    hook: value('ON_BATCH_COMPLETE'),
    webhook,
    webhookSecret,
    contactName: value('BAG_CONTACT_NAME'),
    contactEmail,
    sourceOrganization: value('BAG_SOURCE_ORGANIZATION'),
  };
}

/**
 * STORAGE (s3://bucket/prefix, or unset for the upload folder), S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE and
 * REDIS_URL; the S3 credentials come from the AWS SDK's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
 * profiles, instance roles). A sentence when one is unusable.
 */
export function readStorage(env: Record<string, string | undefined>): ObjectStorage | undefined | string {
  const value = (name: string) => env[name]?.trim() || undefined;
  const storage = value('STORAGE');
  const s3Settings = ['S3_ENDPOINT', 'S3_REGION', 'S3_FORCE_PATH_STYLE', 'REDIS_URL'].filter((n) => value(n));
  if (storage === undefined) {
    return s3Settings.length > 0
      ? `${s3Settings.join(', ')} ${s3Settings.length === 1 ? 'is' : 'are'} set but STORAGE is not: set STORAGE=s3://bucket/prefix to keep files in object storage, or unset ${s3Settings.length === 1 ? 'it' : 'them'}.`
      : undefined;
  }
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(storage);
  if (!match?.[1]) {
    return `STORAGE must be s3://bucket or s3://bucket/prefix (a bucket name of 3 to 63 lower-case letters, digits, dots and hyphens), not "${storage}".`;
  }
  const prefixText = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefixText.split('/').some((part) => part === '.' || part === '..') || /\/\//.test(prefixText)) {
    return `The prefix in STORAGE must be folder names separated by single slashes, not "${match[2] ?? ''}".`;
  }
  const endpoint = value('S3_ENDPOINT');
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/i.test(endpoint)) {
    return `S3_ENDPOINT must be a web address such as https://s3.example.org, not "${endpoint}".`;
  }
  const pathStyle = value('S3_FORCE_PATH_STYLE')?.toLowerCase();
  if (pathStyle !== undefined && !['true', 'false', '1', '0'].includes(pathStyle)) {
    return `S3_FORCE_PATH_STYLE must be true or false, not "${pathStyle}".`;
  }
  const redisUrl = value('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/i.test(redisUrl)) {
    return `REDIS_URL must be an address such as redis://127.0.0.1:6379, not "${redisUrl}".`;
  }
  return {
    bucket: match[1],
    prefix: prefixText ? `${prefixText}/` : '',
    endpoint,
    region: value('S3_REGION') ?? value('AWS_REGION') ?? 'us-east-1',
    forcePathStyle: pathStyle === 'true' || pathStyle === '1',
    redisUrl,
  };
}
