import path from 'node:path';
import { parseByteSize } from './sizes.ts';

export type Config = {
  port: number;
  host: string;
  uploadDir: string;
  token: string | undefined;
  maxFileSize: number | undefined;
  /** Web pages on other origins that may upload (CORS); undefined allows any. */
  allowedOrigins: readonly string[] | undefined;
};

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

const origin = /^https?:\/\/[^/\s?#@]+$/i;

/** Reads PORT, HOST, UPLOAD_DIR, UPLOAD_TOKEN, MAX_FILE_SIZE and ALLOWED_ORIGINS; a refusal is one sentence. */
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
  return {
    ok: true,
    config: {
      allowedOrigins,
      port,
      host: env['HOST']?.trim() || '127.0.0.1',
      uploadDir: path.resolve(cwd, env['UPLOAD_DIR']?.trim() || 'uploads'),
      token,
      maxFileSize,
    },
  };
}
