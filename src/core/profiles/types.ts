import type { DuplicateWording } from '#core/validation/group-rules';
import type {
  Finding,
  ProfileId,
  ProfileSettings,
  RecordTable,
  ScannedFile,
  Status,
} from '#core/validation/types';

/** What a profile read out of a path. */
export interface Identified {
  /** The value that links the file to a record. */
  readonly identifier: string;
  /** The named pieces of the name, e.g. internal_id, number, suffix. */
  readonly parts: Readonly<Record<string, string>>;
  /** Findings made while reading the name (a cut-short identifier, a conflicting reading applied). */
  readonly notes: readonly Finding[];
}

/** Either the identifier, or why there is none (a wrong location, a skipped kind of file). */
export type Identification = Identified | { readonly problem: Finding };

export interface MissingRecord {
  readonly path: string;
  readonly name: string;
  readonly identifier: string;
  readonly list: string;
  /** A record id that differs from `identifier` only in case, if there is one. */
  readonly caseVariant: string | undefined;
}

/** How a profile cross-checks files against its record list. */
export interface RecordRules {
  /** Identifier column names this target uses, best first (compared ignoring case, spaces, _ and -). */
  readonly columns: readonly string[];
  /** Further columns whose values also identify a record, when the list has them. */
  readonly extraColumns: readonly string[];
  /** The target trims trailing spaces from identifiers. */
  readonly trimEnd: boolean;
  /** Also try a catalog number without its leading zeros, as Symbiota does. */
  readonly withoutLeadingZeros: boolean;
  readonly missingStatus: Status;
  missingMessage(missing: MissingRecord): string;
  readonly noFileStatus: Status;
  noFileMessage(identifier: string, line: number, list: string): string;
  readonly repeatedStatus: Status;
  repeatedMessage(identifier: string, lines: readonly number[], list: string): string;
  /** Target-specific checks of the list itself (GUDMAP's Specimen_simple.csv). */
  checkTable(table: RecordTable): readonly Finding[];
}

/** A profile with its settings applied: patterns compiled, ready for 100,000 files. */
export interface PreparedProfile {
  identify(path: string): Identification;
  /** This target's own rules for one file; `identified` is undefined when identify found a problem. */
  checkFile(file: ScannedFile, identified: Identified | undefined): readonly Finding[];
  /** Where the file sits among its record's files; files with equal keys are duplicates. */
  duplicateKey(identified: Identified): string | undefined;
  /** What duplicates share and how to tell them apart; asked only when there are duplicates. */
  duplicateWording(identified: Identified): DuplicateWording;
  /** What the file is, as the start of its all-clear sentence: "x-1.tif is image 1 of specimen x". */
  describe(path: string, identified: Identified): string;
  /** Findings about the folder as a whole (path ''), over the files that are not skipped. */
  checkFolder(files: readonly ScannedFile[]): readonly Finding[];
  /** The target trims the end of a listed path, so a trailing space breaks the match. */
  readonly pathEndTrimmed: boolean;
  readonly records: RecordRules;
}

export type Preparation =
  | { readonly ok: true; readonly profile: PreparedProfile }
  | { readonly ok: false; readonly problems: readonly Finding[] };

/** What a check knows beyond the settings. */
export interface PrepareContext {
  /** The picked folder's name ('' when unknown); Deriva patterns see it as the start of every path. */
  readonly folderName: string;
}

export interface ProfileDescriptor<P extends ProfileId = ProfileId> {
  readonly id: P;
  readonly label: string;
  readonly description: string;
  readonly defaultSettings: ProfileSettings[P];
  /** Settings that shape only what the Prepare step makes (file lists, web copies), so changing them does not call for a new check. */
  readonly prepareSettings?: readonly string[];
  /** Checks the settings and compiles what they describe, once per validation run. */
  prepare(settings: ProfileSettings[P], context?: PrepareContext): Preparation;
  /** False for a target that reads no identifiers, so a record list has nothing to link (Any files). */
  readonly usesRecordList?: false;
  /** True for a record list the target keeps inside the folder (GUDMAP's Specimen_simple.csv). */
  isRecordFile(path: string): boolean;
}
