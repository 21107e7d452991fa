/**
 * The contract between the page and the receiver that ships with it: the tus endpoint's path, the tus metadata
 * the page sends, and what the receiver adds to tus 1.0 (digests checked as the bytes arrive, where a file was
 * stored, and the statuses that say why a file was refused). Both sides import it, so neither spells it alone.
 * The page treats every addition as an extra a server may lack: a plain tus server ignores what it does not know.
 */

/** Where the receiver answers tus, under the origin that serves the page. */
export const TUS_PATH = '/files';

/** tus Upload-Metadata keys the page sends with every file. */
export const METADATA = {
  /** The file's path inside the picked folder, `/`-separated; where the receiver stores it under the batch. */
  relativePath: 'relativePath',
  /** The batch name; the receiver stores the batch in a folder of that name. */
  batch: 'batch',
  /** Hexadecimal SHA-256 of the whole file, when known at creation. */
  sha256: 'sha256',
  /** Hexadecimal MD5 of the whole file, when known at creation and the target uses it. */
  md5: 'md5',
} as const;

/** Request header with digests of the whole file (RFC 9530), e.g. `sha-256=:<base64>:, md5=:<base64>:`. */
export const REPR_DIGEST_HEADER = 'Repr-Digest';
/**
 * RFC 9530 §4's integrity preferences. In our receiver's OPTIONS answer: the digests it verifies, the one it would
 * rather have first, e.g. `xxh3-128=9, sha-256=5`. On a creation request: the digests the sender wants back on the
 * final response (as `Repr-Digest`), e.g. `sha-256=5, md5=5`.
 */
export const WANT_REPR_DIGEST_HEADER = 'Want-Repr-Digest';
/**
 * XXH3's 128-bit digest (not in RFC 9530's registry, so under this key): not cryptographic, but enough to prove
 * that the bytes that arrived are the bytes sent, as rsync verifies transfers, at over ten times SHA-256's speed.
 * A sender that has no SHA-256 of a file yet sends this instead and takes the receiver's SHA-256 back.
 */
export const FAST_DIGEST = 'xxh3-128';
/** What our receiver's OPTIONS answer says in {@link WANT_REPR_DIGEST_HEADER}. */
export const RECEIVER_WANTS_DIGESTS = `${FAST_DIGEST}=9, sha-256=5`;
/** What a creation's {@link WANT_REPR_DIGEST_HEADER} asks back: the SHA-256, and the MD5 where the target uses it. */
export const digestsWantedBack = (md5: boolean): string => (md5 ? 'sha-256=5, md5=5' : 'sha-256=5');
/** Response header on a finish whose digests were checked: what was checked, e.g. `sha-256, md5`. */
export const VERIFIED_HEADER = 'Upload-Verified';
/** Response header on the final upload response: where the file is stored, relative to the upload folder (`<batch>/data/<path>`, see storedPathFor), each segment URI-encoded. */
export const STORED_PATH_HEADER = 'Upload-Stored-Path';

/**
 * tus's checksum extension: each request with data may carry `Upload-Checksum: <algorithm> <base64 digest>` of its
 * body, which a server listing `checksum` in `Tus-Extension` checks before it keeps the bytes (460 on a mismatch,
 * the offset unchanged). The algorithms it takes are listed in `Tus-Checksum-Algorithm` of its OPTIONS answer.
 */
export const CHECKSUM_EXTENSION = 'checksum';
export const UPLOAD_CHECKSUM_HEADER = 'Upload-Checksum';
export const CHECKSUM_ALGORITHM_HEADER = 'Tus-Checksum-Algorithm';

/** The bytes that arrived do not match the digests sent (the status of tus's checksum extension). */
export const CHECKSUM_MISMATCH = 460;
/** HTTP 507 Insufficient Storage: the receiver's disk (or quota) cannot take the file. */
export const DISK_FULL = 507;
/**
 * HTTP 423 Locked: another request is writing to the upload now. tus clients (tus-js-client, Uppy) try again after
 * their retry delays, and the upload goes on from where that request ended.
 */
export const UPLOAD_LOCKED = 423;

/**
 * Names the receiver adds to the `Tus-Extension` list of its OPTIONS answer for what it offers beyond tus 1.0.
 * The page uses each only where the server lists it, so any plain tus server works too.
 */
export const RECEIVER_EXTENSIONS = {
  /** Whole-file digests (`sha256`/`md5` metadata, `Repr-Digest`) checked as the bytes arrive; 460 on a mismatch. */
  reprDigest: 'repr-digest',
  /** A batch can be declared complete with its manifest, checked, bagged and handed on. */
  batchComplete: 'batch-complete',
  /** Larger PATCH bodies than the page's usual chunk are welcome, up to {@link REQUEST_SIZE_HEADER}'s bytes. */
  requestSize: 'request-size',
} as const;

/**
 * OPTIONS answer header of the `request-size` extension: the PATCH body, in bytes, the server works best with. The
 * receiver on S3 answers a PATCH once its last part is on S3, so each request's end leaves S3 idle for a moment;
 * fewer, larger requests leave it idle less often.
 */
export const REQUEST_SIZE_HEADER = 'Tus-Request-Size';

/** The folder of a batch that holds its files (a BagIt bag's payload, RFC 8493): `<batch>/data/<path>`. */
export const PAYLOAD_DIR = 'data';

/** Where the receiver stores a file sent with `relativePath` in `batch`, relative to its upload folder. */
export const storedPathFor = (batch: string, relativePath: string): string =>
  `${batch}/${PAYLOAD_DIR}/${relativePath}`;

/**
 * The completion resource of a batch, relative to the tus endpoint (`<endpoint>batches/<batch>/complete`):
 * POST a {@link CompletionRequest} to declare the batch complete, GET it for the latest {@link CompletionState}.
 */
export const completionPath = (batch: string): string => `batches/${encodeURIComponent(batch)}/complete`;

/** One file the page sent, as it knows it: its relative path, bytes and the digests it computed. */
export type ManifestEntry = {
  path: string;
  /** The file's own path, when it was sent under another name (a name from its barcode). */
  originalPath?: string | undefined;
  bytes: number;
  /** Lower-case hexadecimal. */
  sha256: string;
  md5?: string | undefined;
};

/** The body of a completion: every file that arrived in the batch. */
export type CompletionRequest = {
  /**
   * Chosen by the page for this completion and sent again when it repeats the request (a lost answer, a
   * receiver restarted), so one completion is bagged and handed on once.
   */
  completionId: string;
  /** The repository the batch is for, as the page names its target (e.g. `GUDMAP/RBK`); written to bag-info.txt. */
  target?: string | undefined;
  /** Files the user gave up on; they are not in `files`. */
  leftOut?: number | undefined;
  files: ManifestEntry[];
};

/** A file of the manifest the receiver does not hold as sent. */
export type CompletionProblem = {
  path: string;
  problem: 'missing' | 'size' | 'sha256' | 'md5';
  /** One sentence naming the file, the problem and what to do. */
  message: string;
};

/** Where a hand-off (hook or webhook) of one completion stands. */
export type HandoffStep = {
  kind: 'hook' | 'webhook';
  state: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  /** The last failure, as a sentence, while it is being retried or once it has been given up. */
  lastError?: string | undefined;
};

/** The receiver's answer to a completion (200) or to a GET of the completion resource. */
export type CompletionState = {
  batch: string;
  completionId: string;
  /** 1 for the batch's first completion, 2 after files were added and it was completed again, … */
  version: number;
  /** The bag's folder relative to the upload folder (the batch's folder). */
  bag: string;
  files: number;
  bytes: number;
  /** The bag's Payload-Oxum, `<bytes>.<files>`: every file of the batch, also those of earlier completions. */
  payloadOxum: string;
  baggedAt: string;
  handoff: HandoffStep[];
};

/** The answer to a completion whose check failed (422): no bag was written, nothing was handed on. */
export type CompletionRefusal = { batch: string; message: string; problems: CompletionProblem[] };

/** Response status of a completion whose manifest does not match what the receiver holds. */
export const COMPLETION_MISMATCH = 422;

/** Request header of a webhook: `sha256=<hex>` of HMAC-SHA256 of the body with the shared secret (as GitHub signs). */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Hub-Signature-256';
/** Request header of a webhook naming the event, e.g. `batch-complete`. */
export const WEBHOOK_EVENT_HEADER = 'X-Specimen-Event';

/** The JSON body a webhook receives. */
export type WebhookPayload = {
  event: typeof RECEIVER_EXTENSIONS.batchComplete;
  batch: string;
  version: number;
  completionId: string;
  /** The bag's folder and its payload on the receiver's disk. */
  bagDir: string;
  payloadDir: string;
  files: number;
  bytes: number;
  payloadOxum: string;
  baggedAt: string;
  /** The files sent under another name (a name from a barcode): path under data/ and the file's own path. */
  originalPaths?: { path: string; originalPath: string }[] | undefined;
};

/** The Content-Type of every tus request that carries upload data. */
export const TUS_DATA_TYPE = 'application/offset+octet-stream';
