import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from './app-server.ts';
import { readConfig } from './config.ts';
import { PAYLOAD_DIR, TUS_PATH } from '#core/protocol';
import { describeDuration } from './durations.ts';
import { describeBytes } from './sizes.ts';

const staticDir = fileURLToPath(new URL('../dist/', import.meta.url));

const result = readConfig(process.env, process.cwd());
if (!result.ok) {
  console.error(result.message);
  process.exit(1);
}
const config = result.config;

let running: RunningServer;
try {
  running = await startServer({ ...config, staticDir });
} catch (error) {
  console.error(startupProblem(error));
  process.exit(1);
}

// Before anything is printed: whoever reads the first lines may stop the server at once. A second signal while
// closing (a supervisor repeating itself) must not kill the process halfway.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const endpoint = new URL(`${TUS_PATH}/`, running.url).href;
const { storage } = config;
const landing = storage
  ? `s3://${storage.bucket}/${storage.prefix}<batch>/${PAYLOAD_DIR}/<path>${storage.redisUrl ? ' (instances share locks through REDIS_URL)' : ''}`
  : path.join(config.uploadDir, '<batch>', PAYLOAD_DIR, '<path>');
console.log(`Specimen uploader is running at ${running.url}`);
console.log(`Upload endpoint (tus): ${endpoint}   ·   files land in ${landing}`);
console.log(`Access token: ${config.token ? 'required (UPLOAD_TOKEN is set)' : 'not required'}`);
if (config.maxFileSize) console.log(`Largest accepted file: ${describeBytes(config.maxFileSize)}`);
console.log(
  `Pages on other sites that may upload: ${config.allowedOrigins ? config.allowedOrigins.join(', ') : 'any (set ALLOWED_ORIGINS to limit them)'}`,
);
if (config.minFreeSpace) {
  console.log(
    `Uploads that would leave less than ${describeBytes(config.minFreeSpace)} free are refused (507)`,
  );
}
if (config.partialExpiry) {
  console.log(`Unfinished uploads are removed ${describeDuration(config.partialExpiry)} after they started`);
}
const { completion } = config;
console.log(
  `A completed batch becomes a BagIt bag in ${storage ? `s3://${storage.bucket}/${storage.prefix}<batch>/` : path.join(config.uploadDir, '<batch>')}${completion.sourceOrganization || completion.contactName || completion.contactEmail ? ` (contact: ${[completion.sourceOrganization, completion.contactName, completion.contactEmail].filter(Boolean).join(', ')})` : ' (set BAG_CONTACT_NAME, BAG_CONTACT_EMAIL, BAG_SOURCE_ORGANIZATION for its bag-info.txt)'}`,
);
console.log(
  `Then runs: ${completion.hook ?? 'nothing (set ON_BATCH_COMPLETE to a shell command)'}${storage && completion.hook ? ' (on whichever receiver takes the completion, with BATCH_DIR an s3:// address)' : ''}`,
);
if (completion.webhook) {
  console.log(
    `And posts its summary to ${completion.webhook} ${completion.webhookSecret ? '(signed, X-Hub-Signature-256)' : '(unsigned: set BATCH_WEBHOOK_SECRET to sign it)'}`,
  );
}
if (!existsSync(path.join(staticDir, 'index.html'))) {
  console.log(
    'The app is not built yet, so pages answer 503: run `npm run build`, or start with `npm start`.',
  );
}
if (!config.token && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
  console.log(
    `Warning: listening on ${config.host} without UPLOAD_TOKEN, so anyone who can reach it can upload.`,
  );
}

function startupProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `port ${config.port} on ${config.host}`;
  const other = config.port === 8081 ? 8082 : 8081;
  if (code === 'EADDRINUSE') {
    return `Cannot start: ${where} is already in use; pick another port, e.g. \`PORT=${other} npm start\`.`;
  }
  if (code === 'EACCES' && config.port < 1024) {
    return `Cannot start: ports below 1024 need extra rights; pick another port, e.g. \`PORT=${other} npm start\`.`;
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return `Cannot start: HOST=${config.host} is not an address of this machine; try HOST=127.0.0.1.`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Cannot start the uploader (upload folder ${config.uploadDir}): ${message}`;
}
