/**
 * The completion resource of a batch (`<tus path>/batches/<batch>/complete`). A POST carries the page's manifest:
 * every file it sent, with its bytes and digests. The receiver checks each against what it placed (with the
 * digests verified on arrival; only files without one are read), and then either refuses with the files that are
 * missing or differ (422, no bag, no hand-off) or writes the batch folder's BagIt tag files, records the
 * completion and starts its hand-off. A GET answers the latest completion and where its hand-off stands.
 * Where the bag and the records are kept, and how receivers sharing them take turns, is a BagStorage: a folder
 * (disk-bags.ts) or a bucket shared by several receivers (s3-bags.ts).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sanitizeBatchName, sanitizeRelativePath } from '#core/paths';
import {
  COMPLETION_MISMATCH,
  PAYLOAD_DIR,
  TUS_PATH,
  type CompletionProblem,
  type CompletionRefusal,
  type CompletionRequest,
  type ManifestEntry,
} from '#core/protocol';
import { payloadOxum, type BagInfo, type PayloadFile } from './bagit.ts';
import { Handoff, publicState, type CompletionRecord, type HandoffSettings } from './handoff.ts';
import type { HandoffClaims, HandoffJournal } from './handoff-journal.ts';
import type { Payload } from './payload.ts';
import { describeBytes } from './sizes.ts';

export type BagContact = {
  contactName?: string | undefined;
  contactEmail?: string | undefined;
  sourceOrganization?: string | undefined;
};

export type CompletionSettings = HandoffSettings & BagContact;

/** Where a receiver keeps its bags and completion records, and how the receivers sharing them take turns. */
export interface BagStorage {
  /** The bag of `batch` as the hook and the webhook are told: a folder, or an s3:// address. */
  bagDir(batch: string): string;
  payloadDir(batch: string): string;
  /** The batch's payload as stored, with the digests verified as each file arrived. */
  payload(batch: string): Promise<Payload>;
  /** Writes the tag files, the tag manifest last; `originals` as for bagTags. */
  writeBag(
    batch: string,
    files: readonly PayloadFile[],
    info: BagInfo,
    originals: ReadonlyMap<string, string>,
  ): Promise<void>;
  readonly journal: HandoffJournal;
  readonly claims: HandoffClaims;
  /** Runs the completions of one batch one after another, whichever receiver on the storage takes them. */
  exclusive<T>(batch: string, work: () => Promise<T>): Promise<T>;
}

export type BatchCompletionOptions = {
  storage: BagStorage;
  settings: CompletionSettings;
  /** Logs one line (the receiver adds the time). */
  log: (text: string) => void;
  /** The CORS headers a response to this request carries. */
  cors: (req: IncomingMessage) => Record<string, string>;
  /** For Bag-Software-Agent; `specimen-uploader <version from package.json>` when absent. */
  software?: string | undefined;
};

export type BatchCompletion = {
  /** Answers the request when it is for a completion resource; false when it is not. */
  handles(req: IncomingMessage, res: ServerResponse): boolean;
  /** Finishes the bags and hand-offs a stopped receiver left unfinished. */
  resume(): Promise<void>;
  /** Stops the hand-off's timers once the completions being answered are done (their bags written). */
  close(): Promise<void>;
};

/** A manifest of 100,000 files with long paths stays well below this. */
const BODY_LIMIT = 64 * 1024 * 1024;
const ROUTE = new RegExp(`^${TUS_PATH}/batches/([^/]+)/complete/?$`);
const COMPLETION_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** A request the receiver refuses before any check: status and one sentence. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createBatchCompletion(options: BatchCompletionOptions): BatchCompletion {
  const { storage, settings, log } = options;
  const handoff = new Handoff(storage.journal, settings, log, storage.claims);
  const software = options.software ?? softwareAgent();
  const handOn = (record: CompletionRecord) =>
    void handoff
      .run(record)
      .catch((error: unknown) => log(`ERROR hand-off of ${record.batch}: ${describeError(error)}`));

  const bag = async (record: CompletionRecord, payload: Payload) => {
    const files = await payload.all();
    const info: BagInfo = {
      batch: record.batch,
      baggedAt: new Date(record.baggedAt),
      software,
      target: record.target,
      version: record.version,
      ...settingsContact(settings),
    };
    await storage.writeBag(record.batch, files, info, originalPathsIn(record, files));
    record.files = files.length;
    record.bytes = files.reduce((sum, file) => sum + file.bytes, 0);
    record.payloadOxum = payloadOxum(files);
    return files;
  };

  const complete = async (batch: string, request: CompletionRequest) => {
    const records = await handoff.records(batch);
    const again = records.find((record) => record.completionId === request.completionId);
    if (again?.bagged) {
      // Sent again, perhaps because the receiver that took it stopped before its hand-off was done.
      handOn(again);
      return { status: 200, body: publicState(again) };
    }
    const payload = await storage.payload(batch);
    if (payload.files.size === 0 && request.files.length === 0) {
      throw new Refused(
        COMPLETION_MISMATCH,
        `Nothing has arrived in batch ${batch} on this receiver, so there is nothing to complete.`,
      );
    }
    /** Where each listed file was found, by the path it was sent under. */
    const places = new Map<string, string>();
    if (!again) {
      const problems = await check(batch, request.files, payload, places);
      if (problems.length > 0) {
        log(
          `REFUSED completion of ${batch}: ${problems.length} of ${request.files.length} files missing or different (${problems
            .slice(0, 3)
            .map((p) => `${p.path}: ${p.problem}`)
            .join('; ')}${problems.length > 3 ? '; …' : ''}); no bag, no hand-off`,
        );
        const refusal: CompletionRefusal = {
          batch,
          message: `Batch ${batch} is not complete on the receiver: ${problems.length === 1 ? 'one file is' : `${problems.length} files are`} missing or different, so it was not bagged or handed on; send ${problems.length === 1 ? 'it' : 'them'} again, then complete the batch again.`,
          problems,
        };
        return { status: COMPLETION_MISMATCH, body: refusal };
      }
    }
    const record: CompletionRecord = again ?? {
      batch,
      completionId: request.completionId,
      version: (records.at(-1)?.version ?? 0) + 1,
      bag: batch,
      files: 0,
      bytes: 0,
      payloadOxum: '0.0',
      baggedAt: new Date().toISOString(),
      handoff: handoff.steps(),
      bagged: false,
      bagDir: storage.bagDir(batch),
      payloadDir: storage.payloadDir(batch),
      target: request.target,
      ...originalPathsOf(request.files, places, records.at(-1)),
    };
    // Recorded before the bag is written, so a bag cut short by a crash is finished when the receiver starts.
    await handoff.save(record);
    const files = await bag(record, payload);
    record.bagged = true;
    await handoff.save(record);
    log(
      `BAGGED ${batch} (completion ${record.version}): ${files.length} files, ${describeBytes(record.bytes)}, Payload-Oxum ${record.payloadOxum}; ${request.files.length} listed by the page, ${payload.hashed} read again${request.leftOut ? `, ${request.leftOut} given up by the page` : ''}`,
    );
    handOn(record);
    return { status: 200, body: publicState(record) };
  };

  /** Writes the bag of a completion cut short before its tag files were written, unless that was done since. */
  const finishBag = async (found: CompletionRecord): Promise<CompletionRecord | undefined> => {
    const records = await handoff.records(found.batch);
    const record = records.find((r) => r.version === found.version);
    if (!record || record.bagged) return record;
    // A later completion has written the bag since; only the latest may write it.
    if (records.at(-1)?.version === record.version) await bag(record, await storage.payload(record.batch));
    record.bagged = true;
    await handoff.save(record);
    log(`BAGGED ${record.batch} (completion ${record.version}), cut short when a receiver stopped`);
    return record;
  };

  const state = async (batch: string) => {
    const latest = (await handoff.records(batch)).at(-1);
    if (!latest) {
      const refusal: CompletionRefusal = {
        batch,
        message: `Batch ${batch} has not been completed on this receiver yet.`,
        problems: [],
      };
      return { status: 404, body: refusal };
    }
    return { status: 200, body: publicState(latest) };
  };

  /** Completion requests being answered, which closing waits for. */
  const inFlight = new Set<Promise<void>>();

  const answer = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown) => {
    res
      .writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        ...options.cors(req),
      })
      .end(JSON.stringify(body));
  };

  return {
    handles(req, res) {
      const match = ROUTE.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
      if (!match?.[1]) return false;
      const cors = options.cors(req);
      if (req.method === 'OPTIONS') {
        res
          .writeHead(204, {
            ...cors,
            'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
            'Access-Control-Allow-Headers': 'Authorization, Content-Type',
            'Access-Control-Max-Age': '86400',
          })
          .end();
        return true;
      }
      let batch = '';
      const work = async (): Promise<{ status: number; body: unknown }> => {
        batch = readBatch(match[1] ?? '');
        if (req.method === 'GET') return state(batch);
        if (req.method !== 'POST') {
          throw new Refused(405, 'A batch is completed with POST and its state read with GET.');
        }
        const request = readRequest(await readBody(req));
        return storage.exclusive(batch, () => complete(batch, request));
      };
      const answering = work().then(
        ({ status, body }) => answer(req, res, status, body),
        (error: unknown) => {
          if (error instanceof Refused) {
            answer(req, res, error.status, { batch, message: error.message, problems: [] });
            return;
          }
          log(`ERROR completing ${batch}: ${describeError(error)}`);
          answer(req, res, 500, {
            batch,
            message: `The receiver could not complete batch ${batch} (${describeError(error)}); try again, and see the receiver's log.`,
            problems: [],
          });
        },
      );
      answering.finally(() => inFlight.delete(answering)).catch(() => undefined);
      inFlight.add(answering);
      return true;
    },
    async resume() {
      for (const found of await handoff.unfinished()) {
        const record = found.bagged ? found : await storage.exclusive(found.batch, () => finishBag(found));
        if (record) handOn(record);
      }
    },
    async close() {
      await Promise.allSettled([...inFlight]);
      handoff.close();
    },
  };
}

/**
 * The original paths of the bag's files sent under another name (a name from a barcode), by their path under
 * `data/`: those of this completion, where each was found, over those of the batch's earlier completions.
 */
function originalPathsOf(
  files: readonly ManifestEntry[],
  places: ReadonlyMap<string, string>,
  previous: CompletionRecord | undefined,
): Pick<CompletionRecord, 'originalPaths'> {
  const originals: Record<string, string> = { ...previous?.originalPaths };
  for (const entry of files) {
    const place = places.get(entry.path);
    if (entry.originalPath !== undefined && place !== undefined) originals[place] = entry.originalPath;
  }
  return Object.keys(originals).length === 0 ? {} : { originalPaths: originals };
}

/** The record's original paths of the files in the bag. */
function originalPathsIn(record: CompletionRecord, files: readonly PayloadFile[]): Map<string, string> {
  const originals = new Map<string, string>();
  for (const file of files) {
    const original = record.originalPaths?.[file.path];
    if (original !== undefined) originals.set(file.path, original);
  }
  return originals;
}

/** Each listed file against what is stored: a problem for every one missing or different. */
async function check(
  batch: string,
  files: readonly ManifestEntry[],
  payload: Payload,
  places: Map<string, string>,
): Promise<CompletionProblem[]> {
  const problems: CompletionProblem[] = [];
  for (const entry of files) {
    const named = JSON.stringify(entry.path);
    const candidates = payload.placesOf(entry.path).filter((place) => payload.files.has(place));
    if (candidates.length === 0) {
      problems.push({
        path: entry.path,
        problem: 'missing',
        message: `${named} is not in batch ${batch} on the receiver; send it again, then complete the batch again.`,
      });
      continue;
    }
    let found: CompletionProblem | undefined;
    for (const place of candidates) {
      found = await compare(entry, place, payload);
      if (!found) {
        places.set(entry.path, place);
        break;
      }
    }
    if (found) problems.push(found);
  }
  return problems;
}

async function compare(
  entry: ManifestEntry,
  place: string,
  payload: Payload,
): Promise<CompletionProblem | undefined> {
  const named = JSON.stringify(entry.path);
  const where = `${PAYLOAD_DIR}/${place}`;
  const again = 'send it again, then complete the batch again.';
  const bytes = payload.files.get(place)?.bytes ?? 0;
  if (bytes !== entry.bytes) {
    return {
      path: entry.path,
      problem: 'size',
      message: `${named} has ${bytes} bytes on the receiver (${where}) but ${entry.bytes} were sent; ${again}`,
    };
  }
  const stored = await payload.digests(place);
  if (stored.sha256 !== entry.sha256) {
    return {
      path: entry.path,
      problem: 'sha256',
      message: `${named} on the receiver (${where}) has another SHA-256 (${stored.sha256}) than the page computed (${entry.sha256}); ${again}`,
    };
  }
  if (entry.md5 !== undefined && stored.md5 !== undefined && stored.md5 !== entry.md5) {
    return {
      path: entry.path,
      problem: 'md5',
      message: `${named} on the receiver (${where}) has another MD5 (${stored.md5}) than the page computed (${entry.md5}); ${again}`,
    };
  }
  return undefined;
}

function readBatch(encoded: string): string {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    throw new Refused(400, `The batch name in the address (${encoded}) is not properly encoded.`);
  }
  const batch = sanitizeBatchName(name);
  if (!batch.ok) throw new Refused(400, `Refused the batch name ${JSON.stringify(name)}: ${batch.reason}`);
  return batch.name;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) {
      throw new Refused(
        413,
        `The manifest is larger than ${describeBytes(BODY_LIMIT)}; complete the batch in parts.`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const HEX = (length: number) => new RegExp(`^[0-9a-f]{${length}}$`);
const SHA256 = HEX(64);
const MD5 = HEX(32);

/** The completion the page sent, or a refusal naming the first thing wrong with it. */
function readRequest(text: string): CompletionRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refused(
      400,
      'The completion is not JSON; send {"completionId": …, "files": [{"path", "bytes", "sha256"}, …]}.',
    );
  }
  const body = value as Partial<CompletionRequest> | null;
  if (typeof body?.completionId !== 'string' || !COMPLETION_ID.test(body.completionId)) {
    throw new Refused(400, 'The completion has no "completionId" (1 to 100 letters, digits, "-" or "_").');
  }
  if (!Array.isArray(body.files)) throw new Refused(400, 'The completion has no "files" list.');
  const files: ManifestEntry[] = [];
  for (const [index, raw] of (body.files as unknown[]).entries()) {
    const entry = raw as Partial<ManifestEntry> | null;
    const where = `File ${index + 1} of the completion`;
    if (typeof entry?.path !== 'string') throw new Refused(400, `${where} has no "path".`);
    const checked = sanitizeRelativePath(entry.path);
    if (!checked.ok)
      throw new Refused(400, `${where} (${JSON.stringify(entry.path)}) is refused: ${checked.reason}`);
    if (typeof entry.bytes !== 'number' || !Number.isSafeInteger(entry.bytes) || entry.bytes < 0) {
      throw new Refused(400, `${where} (${JSON.stringify(entry.path)}) has no "bytes" (a whole number).`);
    }
    if (typeof entry.sha256 !== 'string' || !SHA256.test(entry.sha256)) {
      throw new Refused(
        400,
        `${where} (${JSON.stringify(entry.path)}) has no "sha256" (64 hexadecimal digits in lower case).`,
      );
    }
    if (entry.md5 !== undefined && (typeof entry.md5 !== 'string' || !MD5.test(entry.md5))) {
      throw new Refused(
        400,
        `${where} (${JSON.stringify(entry.path)}) has an "md5" that is not 32 hexadecimal digits in lower case.`,
      );
    }
    let originalPath: string | undefined;
    if (entry.originalPath !== undefined) {
      const original =
        typeof entry.originalPath === 'string' ? sanitizeRelativePath(entry.originalPath) : undefined;
      if (!original?.ok) {
        throw new Refused(
          400,
          `${where} (${JSON.stringify(entry.path)}) has an "originalPath" that is not a relative path${original ? `: ${original.reason}` : '.'}`,
        );
      }
      originalPath = original.path;
    }
    files.push({
      path: checked.path,
      bytes: entry.bytes,
      sha256: entry.sha256,
      md5: entry.md5,
      ...(originalPath === undefined ? {} : { originalPath }),
    });
  }
  const target = typeof body.target === 'string' ? body.target.slice(0, 200) : undefined;
  const leftOut =
    typeof body.leftOut === 'number' && Number.isSafeInteger(body.leftOut) ? body.leftOut : undefined;
  return { completionId: body.completionId, files, target, leftOut };
}

function softwareAgent(): string {
  const file = new URL('../package.json', import.meta.url);
  const { name, version } = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string };
  return `${name} ${version}`;
}

function settingsContact(settings: BagContact): BagContact {
  return {
    contactName: settings.contactName,
    contactEmail: settings.contactEmail,
    sourceOrganization: settings.sourceOrganization,
  };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
