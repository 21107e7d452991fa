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
/** Response header on a finish whose digests were checked: what was checked, e.g. `sha-256, md5`. */
export const VERIFIED_HEADER = 'Upload-Verified';
/** Response header on the final upload response: the stored `<batch>/<path>`, each segment URI-encoded. */
export const STORED_PATH_HEADER = 'Upload-Stored-Path';

/** The bytes that arrived do not match the digests sent (the status of tus's checksum extension). */
export const CHECKSUM_MISMATCH = 460;
/** HTTP 507 Insufficient Storage: the receiver's disk (or quota) cannot take the file. */
export const DISK_FULL = 507;

/**
 * Names the receiver adds to the `Tus-Extension` list of its OPTIONS answer for what it offers beyond tus 1.0.
 * The page uses each only where the server lists it, so any plain tus server works too.
 */
export const RECEIVER_EXTENSIONS = {
  /** Whole-file digests (`sha256`/`md5` metadata, `Repr-Digest`) checked as the bytes arrive; 460 on a mismatch. */
  reprDigest: 'repr-digest',
  /** A batch can be declared complete with its manifest, checked, bagged and handed on. */
  batchComplete: 'batch-complete',
} as const;
