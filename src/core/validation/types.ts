import type { OriginalsPolicy } from '#core/images/types';

/** How a file (or a record, or the whole folder) fares against the target's rules, worst last. */
export type Status = 'ok' | 'warning' | 'error' | 'skipped';

export type ProfileId = 'any' | 'gudmap' | 'symbiota' | 'bia' | 'custom' | 'deriva';

/** One file as the folder scan reports it. */
export interface ScannedFile {
  /** Relative to the picked folder, '/'-separated. */
  readonly path: string;
  readonly size: number;
  readonly lastModified: number;
  /** The first 16 bytes, when they were read. */
  readonly magic?: Uint8Array;
}

/**
 * One problem (or one all-clear) about one file, record or folder.
 * `path` is '' for findings about the folder or settings as a whole, and the record list's name for
 * findings about its rows.
 */
export interface Finding {
  readonly path: string;
  readonly status: Status;
  /** The identifier that links the file to a record; '' when there is none. */
  readonly identifier: string;
  /** Stable id such as 'gudmap.location'. */
  readonly rule: string;
  /** One sentence saying what is wrong and how to fix it, naming the file. */
  readonly message: string;
}

export interface GudmapSettings {
  /** CONFLICT in the GUDMAP pages: also accept `{internal_id}-{number}` in `deriva/image_3d/`. */
  readonly image3dNumbered: boolean;
  /** Specimens carry image data, so Preparation, Embedding and Fixation are required too. */
  readonly requireImageFields: boolean;
  /** Web copies: make a JPEG thumbnail of each image (GUDMAP asks for PNG or JPEG, 150 × 150 px). */
  readonly makeThumbnails: boolean;
  /** Web copies: the thumbnail fits in a square this many pixels wide and high. */
  readonly thumbnailSide: number;
  /** Prepare: read each image's barcode and compare it with the name (on by default for Symbiota only). */
  readonly readBarcodes: boolean;
}

export interface SymbiotaSettings {
  /** 'php' is the portal's own form, `/…/flags`; 'javascript' is a bare pattern plus `flags`. */
  readonly patternSyntax: 'php' | 'javascript';
  /** Group 1 captures the catalog number. */
  readonly pattern: string;
  /** JavaScript flags, used only when `patternSyntax` is 'javascript'. */
  readonly flags: string;
  /** Optional rewrite of the catalog number, in the same syntax as `pattern`; '' for none. */
  readonly replacePattern: string;
  /** PHP-style replacement (`$1`, `\1`, `${1}`) or JavaScript-style (`$1`, `$<name>`). */
  readonly replacement: string;
  /** Also match the record list's `otherCatalogNumbers` column. */
  readonly matchOtherCatalogNumbers: boolean;
  /** File lists: the web address under which the uploaded files are served. */
  readonly publicBaseUrl: string;
  /** File lists: constant fields of new (skeletal) records, one `field=value` per line. */
  readonly newRecordFields: string;
  /** File lists: Audubon Core rights, Owner and creator of every image in the multimedia extension. */
  readonly mediaRights: string;
  readonly mediaOwner: string;
  readonly mediaCreator: string;
  /** Web copies: make the thumbnail, web and large JPEG derivatives of each image. */
  readonly makeDerivatives: boolean;
  /** Web copies: the widths in pixels of the thumbnail (`_tn`), web (`_med`) and large (`_lg`) images. */
  readonly thumbnailWidth: number;
  readonly webWidth: number;
  readonly largeWidth: number;
  /** Web copies: JPEG quality in percent, 1–100. */
  readonly jpegQuality: number;
  /** Web copies: each copy is at most this many megabytes (1 MB = 1,000,000 bytes). */
  readonly maxFileMegabytes: number;
  /** What travels of the originals: nothing (their derivatives go instead), the files as they are, or web-ready JPEGs. */
  readonly originals: OriginalsPolicy;
  /** Prepare: read each image's barcode and compare it with the name (on by default for Symbiota only). */
  readonly readBarcodes: boolean;
}

/** The BioImage Archive's naming rules are fixed; only its file list has a setting. */
export interface BiaSettings {
  /** File lists: where information sits in the paths, `{Plate}/{Well}/{Field}.tif`; '' for none. */
  readonly pathTemplate: string;
  /** Web copies: JPEG thumbnails beside the originals, which always travel unchanged. */
  readonly makeThumbnails: boolean;
  readonly thumbnailSide: number;
}

export interface CustomSettings {
  /** A JavaScript pattern; the `id` named group, or else group 1, is the identifier. */
  readonly pattern: string;
  readonly flags: string;
  /** Match the file name only, or the whole relative path. */
  readonly matchAgainst: 'name' | 'path';
  /** Prepare: read each image's barcode and compare it with the name (on by default for Symbiota only). */
  readonly readBarcodes: boolean;
}

/** A Deriva catalog's own bulk-upload config, applied as deriva-upload-cli applies it. */
export interface DerivaSettings {
  /** The config's JSON, as loaded (the `tag:isrd.isi.edu,2019:bulk-upload` annotation); '' for none. */
  readonly config: string;
  /** Where the config came from: a file name or the catalog's address. */
  readonly configSource: string;
  /** The catalog to read the annotation from, `https://host/ermrest/catalog/2`; '' for none. */
  readonly catalogUrl: string;
}
/** Any files has no settings of its own. */
export type AnySettings = Readonly<Record<string, never>>;

export interface ProfileSettings {
  readonly any: AnySettings;
  readonly gudmap: GudmapSettings;
  readonly symbiota: SymbiotaSettings;
  readonly bia: BiaSettings;
  readonly custom: CustomSettings;
  readonly deriva: DerivaSettings;
}

/** A CSV or TSV as read (by papaparse, in the folder worker), before it is taken as a record list. */
export interface DelimitedText {
  readonly rows: readonly (readonly string[])[];
  /** The line on which each row starts, 1-based. */
  readonly lines: readonly number[];
  /** The line of a quote that never closes, if there is one. */
  readonly unclosedQuoteLine: number | undefined;
}

/** A parsed record list: the header row and the rows under it. */
export interface RecordTable {
  /** File name or path the list came from; findings about its rows carry it as their path. */
  readonly name: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** The line of the text on which each row starts (1-based; the header is line 1). */
  readonly lines: readonly number[];
}

export interface RecordListInput {
  readonly table: RecordTable;
  /** The identifier column chosen by the user; detected when omitted. */
  readonly column?: string;
}

/** Whether a file's identifier was found in the record list: 'unchecked' without a list or an identifier. */
export type RecordLink = 'linked' | 'missing' | 'unchecked';

export interface FileSummary {
  readonly path: string;
  /** The worst status among the file's findings. */
  readonly status: Status;
  readonly identifier: string;
  /** The named pieces the profile read out of the name (internal_id, number, suffix …); empty when none. */
  readonly parts: Readonly<Record<string, string>>;
  readonly record: RecordLink;
}

export type StatusCounts = Readonly<Record<Status, number>>;

export interface ValidationResult {
  readonly profile: ProfileId;
  /** Findings in path order; within a file, in the order the rules ran. */
  readonly findings: readonly Finding[];
  /** One entry per scanned file, in path order. */
  readonly files: readonly FileSummary[];
  /** Files counted by their worst status. */
  readonly counts: StatusCounts;
  /** Findings counted by status, including those about records and the folder. */
  readonly findingCounts: StatusCounts;
  /** The record list's identifier column that was used, or null without a usable list. */
  readonly recordColumn: string | null;
}
