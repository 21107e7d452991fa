/**
 * Which file lists each target takes, what each is for, and the one entry point that builds any of them.
 */
import { buildBiaAnnotations } from '#core/filelists/bia-annotations';
import { buildBiaFileList } from '#core/filelists/bia-file-list';
import { buildDerivaPlan } from '#core/filelists/deriva-plan';
import { buildDwcMultimedia } from '#core/filelists/dwc-multimedia';
import { buildGudmapManifest } from '#core/filelists/gudmap-manifest';
import { buildGudmapSpecimens } from '#core/filelists/gudmap-specimens';
import { buildManifest } from '#core/filelists/manifest';
import { buildReceipt } from '#core/filelists/receipt';
import { buildSymbiotaFieldMap } from '#core/filelists/symbiota-field-map';
import { buildSymbiotaSkeletal } from '#core/filelists/symbiota-skeletal';
import type {
  AnnotationSet,
  BiaFileListOptions,
  BuiltList,
  DerivaPlanOptions,
  DwcMultimediaOptions,
  FileListKind,
  ListContext,
  SkeletalOptions,
  SymbiotaFieldMapOptions,
} from '#core/filelists/types';
import type { ProfileId } from '#core/validation/types';

export type ListRequest =
  | { readonly kind: 'bia-file-list'; readonly options: BiaFileListOptions }
  | { readonly kind: 'bia-annotations'; readonly options: AnnotationSet }
  | { readonly kind: 'symbiota-field-map'; readonly options: SymbiotaFieldMapOptions }
  | { readonly kind: 'symbiota-skeletal'; readonly options: SkeletalOptions }
  | { readonly kind: 'dwc-multimedia'; readonly options: DwcMultimediaOptions }
  | { readonly kind: 'deriva-plan'; readonly options: DerivaPlanOptions }
  | { readonly kind: 'gudmap-manifest' | 'gudmap-specimens' | 'manifest' | 'receipt' };

export interface ListKindInfo {
  readonly kind: FileListKind;
  /** The download button's name: "BioImage Archive file list". */
  readonly label: string;
  /** One sentence: what the repository does with it. */
  readonly purpose: string;
}

const manifest: ListKindInfo = {
  kind: 'manifest',
  label: 'Manifest',
  purpose:
    'Every file of the upload with its size, SHA-256, where the receiver places it and its upload address: a record of what was sent.',
};

const receipt: ListKindInfo = {
  kind: 'receipt',
  label: 'Receipt',
  purpose:
    'After the upload: every file that arrived, with its bytes, checksums, stored path and upload address, and whether the receiver verified its checksums.',
};

const listsByProfile: Readonly<Record<ProfileId, readonly ListKindInfo[]>> = {
  bia: [
    {
      kind: 'bia-file-list',
      label: 'BioImage Archive file list',
      purpose:
        'The TSV the submission tool asks for: one row per file, with the information held in folder and file names as columns.',
    },
    {
      kind: 'bia-annotations',
      label: 'BioImage Archive annotations file list',
      purpose:
        'One TSV per annotation set: each annotation file with its annotation type and the one image it annotates.',
    },
    manifest,
    receipt,
  ],
  symbiota: [
    {
      kind: 'symbiota-field-map',
      label: 'Symbiota image field map',
      purpose:
        "The CSV the portal's URL mapping import reads: each image's catalog number and the addresses of its original, web and thumbnail copies.",
    },
    {
      kind: 'symbiota-skeletal',
      label: 'Symbiota skeletal file',
      purpose:
        'A CSV with one row per catalog number that has images but no record, so the portal creates unprocessed records for them.',
    },
    {
      kind: 'dwc-multimedia',
      label: 'Darwin Core multimedia extension',
      purpose:
        'multimedia.txt with Audubon Core terms and its meta.xml, zipped, to add beside the occurrence core of a Darwin Core Archive.',
    },
    manifest,
    receipt,
  ],
  gudmap: [
    {
      kind: 'gudmap-manifest',
      label: 'GUDMAP upload manifest',
      purpose:
        'Every file with the Internal_ID, number or image type and suffix read from its name, its size and checksums.',
    },
    {
      kind: 'gudmap-specimens',
      label: 'Specimen_simple.csv (new specimens)',
      purpose:
        "One row per Internal_ID that has images but no specimen record, in the template's column order, for you to fill in.",
    },
    manifest,
    receipt,
  ],
  custom: [manifest, receipt],
  deriva: [
    {
      kind: 'deriva-plan',
      label: 'Deriva upload plan',
      purpose:
        "Every file with the asset mapping of the catalog's upload config it fits, the catalog table it goes to, the values of the mapping's groups and its Hatrac URI, as deriva-upload-cli would upload it.",
    },
    manifest,
    receipt,
  ],
  any: [manifest, receipt],
};

/** The lists a target takes, the most specific first. */
export function listsFor(profile: ProfileId): readonly ListKindInfo[] {
  return listsByProfile[profile];
}

export function buildList(context: ListContext, request: ListRequest): BuiltList {
  switch (request.kind) {
    case 'bia-file-list':
      return buildBiaFileList(context, request.options);
    case 'bia-annotations':
      return buildBiaAnnotations(context, request.options);
    case 'symbiota-field-map':
      return buildSymbiotaFieldMap(context, request.options);
    case 'symbiota-skeletal':
      return buildSymbiotaSkeletal(context, request.options);
    case 'dwc-multimedia':
      return buildDwcMultimedia(context, request.options);
    case 'deriva-plan':
      return buildDerivaPlan(context, request.options);
    case 'gudmap-manifest':
      return buildGudmapManifest(context);
    case 'gudmap-specimens':
      return buildGudmapSpecimens(context);
    case 'manifest':
      return buildManifest(context);
    case 'receipt':
      return buildReceipt(context);
  }
}
