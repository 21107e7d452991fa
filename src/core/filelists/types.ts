/**
 * The tables a repository takes as metadata (file lists, field maps, manifests), built from the checked folder.
 * Every builder is a pure function of a {@link ListContext} and its own options, returning a {@link BuiltList}:
 * the table, the file name to suggest, and what the user must know before uploading it.
 */
import type { Table } from '#core/table';
import type { ProfileId, RecordLink, RecordTable, Status } from '#core/validation/types';

/** One file of the upload set, with everything the check and the later steps learned about it. */
export interface ListFile {
  /** Relative to the picked folder, '/'-separated: the name it is uploaded under. */
  readonly path: string;
  /** The file's own path when it is uploaded under another name (a name from its barcode). */
  readonly originalPath?: string;
  readonly size: number;
  /** The worst status of the file's findings (never 'skipped': skipped files are not in the set). */
  readonly status: Exclude<Status, 'skipped'>;
  /** The identifier that links the file to a record; '' when there is none. */
  readonly identifier: string;
  /** The named pieces the profile read out of the name (internal_id, number, suffix …). */
  readonly parts: Readonly<Record<string, string>>;
  readonly record: RecordLink;
  /** Lower-case hex, once computed. */
  readonly sha256?: string;
  readonly md5?: string;
  /**
   * Where the receiver placed the file, relative to its upload folder (`<batch>/<path>`, or
   * `<batch>/<name> (2).<ext>` when another file had the name), once uploaded.
   */
  readonly storedPath?: string;
  /** The tus upload URL the file was sent to, once uploaded. */
  readonly uploadUrl?: string;
  /** What the receiver said it verified of the file on arrival ('sha-256, md5'); '' when it did not say. */
  readonly verified?: string;
  /**
   * Web copies made of this file (Symbiota's thumbnail, web and large images), by role: paths relative to
   * the picked folder, as they are uploaded next to the original (`a/x_tn.jpg`).
   */
  readonly derivatives?: Derivatives;
  /** Set when the file stays home and its web copies travel in its place. */
  readonly leftHome?: true;
}

/** A web copy that travels with the upload (made by the Prepare step, not a file of the picked folder). */
export interface ListCopy {
  /** Relative to the picked folder, as uploaded: `a/x_tn.jpg`. */
  readonly path: string;
  readonly size: number;
  /** The original it was made from. */
  readonly copyOf: string;
  readonly role: keyof Derivatives | 'web-ready';
  /** Lower-case hex, once the copy has been sent (copies are hashed as they are uploaded). */
  readonly sha256?: string;
  readonly md5?: string;
  readonly storedPath?: string;
  readonly uploadUrl?: string;
  readonly verified?: string;
}

export interface Derivatives {
  readonly thumbnail?: string;
  readonly web?: string;
  readonly large?: string;
}

/** The folder as the file lists see it: the files that will be uploaded, in path order. */
export interface ListContext {
  readonly profile: ProfileId;
  /** Files the upload will send: not skipped, and not held back by errors (unless the user lets them through). */
  readonly files: readonly ListFile[];
  /**
   * Files with errors that the upload leaves out, so the lists leave them out too; kept for the lists of
   * records to create, since an image without a record is itself such an error (GUDMAP).
   */
  readonly heldBack: readonly ListFile[];
  /** The batch name: the receiver places files under `<batch>/data/`. */
  readonly batch: string;
  /** The record list the check used, if any. */
  readonly records?: RecordTable;
  /** Web copies that travel with the upload, in path order. */
  readonly copies?: readonly ListCopy[];
  /** The BagIt bag the receiver made of the batch when it was completed (the receipt names it). */
  readonly bag?: BagName;
}

/** A completed batch's bag: its folder on the receiver, which completion made it, and its Payload-Oxum. */
export interface BagName {
  readonly bag: string;
  readonly version: number;
  readonly payloadOxum: string;
}

/** One problem with a built list, found by the target's own rules before download. */
export interface ListProblem {
  readonly status: Extract<Status, 'error' | 'warning'>;
  readonly message: string;
}

export type FileListKind =
  | 'bia-file-list'
  | 'bia-annotations'
  | 'symbiota-field-map'
  | 'symbiota-skeletal'
  | 'dwc-multimedia'
  | 'gudmap-manifest'
  | 'gudmap-specimens'
  | 'deriva-plan'
  | 'manifest'
  | 'receipt';

export interface BuiltList {
  readonly kind: FileListKind;
  /** What the list is, as its download button names it: "BioImage Archive file list". */
  readonly title: string;
  /** The file name to suggest, already safe (see safeFileName). */
  readonly fileName: string;
  readonly format: 'tsv' | 'csv';
  /**
   * Start a CSV with a byte order mark, so Excel reads it as UTF-8. Off for files a program imports
   * (Symbiota's importer, Deriva's CSV reader), which may take the mark as part of the first column's name.
   */
  readonly bom: boolean;
  readonly table: Table;
  /** Broken rules, errors first; an error means the repository would refuse or mislink the list. */
  readonly problems: readonly ListProblem[];
  /** What the user should know that is not a problem: columns left out, checksums not yet computed. */
  readonly notes: readonly string[];
  /**
   * Rows without a value the repository requires (an annotation without its Source Image): the list is not
   * ready while there are any, though it can still be saved to finish by hand. Absent means none.
   */
  readonly incompleteRows?: number;
  /** The first file the list is about (an annotation set's first annotation), to show the options on. */
  readonly firstFile?: string;
}

/** The MIFA annotation types the BioImage Archive takes, exactly as written in the list. */
export const ANNOTATION_TYPES = [
  'class_labels',
  'bounding_boxes',
  'counts',
  'derived_annotations',
  'geometrical_annotations',
  'graphs',
  'point_annotations',
  'segmentation_mask',
  'tracks',
  'weak_annotations',
  'other',
] as const;

export type AnnotationType = (typeof ANNOTATION_TYPES)[number];

/**
 * How an annotation finds the one image it annotates, among the files of the submission that are not
 * annotations of the same set:
 * - 'same-name': a file with the same name apart from its extension, in another folder
 *   (`masks/img_01.png` → `images/img_01.tif`);
 * - 'suffix': the same, once one of the comma-separated suffixes is cut from the end of the annotation's name
 *   (`img_01_mask.png` with `_mask, _labels` → `img_01.tif`), in any folder;
 * - 'template': the source's path written with placeholders for parts of the annotation's path: `{dir}` (its
 *   folder), `{parent}` (that folder's parent), `{subdir}` (its folders below the set's folder, `P1/A01` for
 *   `masks/P1/A01/a.png` of `masks/`), `{subdir1}`, `{subdir2}` … (each of those), `{stem}` (its name without
 *   extension), `{base}` (that name without `.ome`/`.nii` and without the suffix it ends in, of `suffixes`) and
 *   `{ext}`, and `*` for any characters within one name (`images/{subdir}/{base}.*`).
 * Linked by name, several images of the right name are told apart by their place (see source-ranking.ts).
 */
export type AnnotationLink =
  | { readonly kind: 'same-name' }
  | { readonly kind: 'suffix'; readonly suffixes: string }
  | { readonly kind: 'template'; readonly template: string; readonly suffixes?: string };

/** One annotations file list: which files it holds, what they are, and how each finds its source image. */
export interface AnnotationSet {
  /** Names the list and its file: 'masks'. */
  readonly name: string;
  /**
   * Which files belong to the set: a folder (`masks/`, everything under it), or a pattern where `*` is any
   * characters within one name and `**` any number of folders. A pattern without `/` is matched against the
   * file name (`*_mask.png`), one with `/` against the whole path (`labels/**` + `/*.png`).
   */
  readonly select: string;
  readonly types: readonly AnnotationType[];
  readonly link: AnnotationLink;
}

export interface BiaFileListOptions {
  /**
   * Where information sits in the paths, matched against the end of each path: `{Plate}/{Well}/{Field}_{Channel}.tif`
   * makes columns Plate, Well, Field and Channel. `*` stands for any characters within one name. '' for none.
   */
  readonly template: string;
  /** A table the user supplies, keyed by path (column `Files` or `path`, else the first), merged in by path. */
  readonly extra?: RecordTable;
  /** Files listed in these annotation sets are left out of the file list. */
  readonly annotationSets?: readonly AnnotationSet[];
}

export interface SymbiotaFieldMapOptions {
  /** The web address under which the receiver's upload folder is served: `https://images.example.org/herbarium`. */
  readonly baseUrl: string;
}

export interface SkeletalOptions {
  /** Constant fields for every new record, as [Symbiota field name, value]: [['country', 'United States']]. */
  readonly fields: readonly (readonly [string, string])[];
}

export interface DwcMultimediaOptions {
  readonly baseUrl: string;
  readonly rights: string;
  readonly owner: string;
  readonly creator: string;
}

export interface DerivaPlanOptions {
  /** The bulk-upload config's JSON; '' for deriva-py's default. */
  readonly config: string;
  /** Where it came from, for the sentences. */
  readonly configName: string;
  /** The picked folder's name: paths are matched as `/<folder>/<relative path>`. */
  readonly folderName: string;
}
