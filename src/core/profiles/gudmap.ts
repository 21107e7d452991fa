/**
 * GUDMAP/RBK: the folder layout the Deriva bulk uploader reads. The regexes are the DERIVED ones of
 * domain-rules, with `[^/]+` for the Internal_ID so files in subfolders do not match, and with the
 * `deriva/` prefix optional for a folder picked at `deriva/` itself.
 */
import { checkSpecimenTable } from '#core/profiles/gudmap-specimen';
import type { Identification, Identified, ProfileDescriptor } from '#core/profiles/types';
import { finding } from '#core/validation/finding';
import { fileName, folderOf, lastExtension, listInWords } from '#core/validation/path-parts';
import { formatDecimalSize, GB } from '#core/validation/size';
import type { Finding, GudmapSettings, ScannedFile } from '#core/validation/types';

const root = '^(?:(?:.*/)?deriva/)?';
const image2d = new RegExp(`${root}images/(?<internal_id>[^/]+)-(?<number>\\d+)\\.(?<suffix>[^/]+)$`);
const image3dTyped = new RegExp(
  `${root}image_3d/(?<internal_id>[^/]+)-(?<image_type>volume|surface)\\.(?<suffix>[^/]+)$`,
);
const image3dNumbered = new RegExp(
  `${root}image_3d/(?<internal_id>[^/]+)-(?<number>\\d+)\\.(?<suffix>[^/]+)$`,
);
const specimenFile = new RegExp(`${root}records/Gene_Expression/Specimen_simple\\.csv$`);
const imageFolder = new RegExp(`${root}(images|image_3d)$`);
const belowImageFolder = new RegExp(`${root}(images|image_3d)/`);
const imageFolderAnyCase = new RegExp(`${root}(images|image_3d)(?:/|$)`, 'i');
const imageTypeAnyCase = /-(volume|surface)\.[^/]+$/i;
const leadingZeros = /^0+(?=\d)/;

const nativeFormats = new Set([
  'czi',
  'lif',
  'lsm',
  'vsi',
  'nd2',
  'oib',
  'oif',
  'ims',
  'zvi',
  'svs',
  'ndpi',
  'scn',
]);
const tiffFormats = new Set(['tif', 'tiff', 'btf']);
const webFormats = new Set(['jpg', 'jpeg', 'png', 'gif']);
const otherAccepted = new Set(['mp4', 'avi', 'stl', 'obj', 'ply', 'wrl', 'x3d', 'glb', 'gltf']);
const sizeForClientTools = 5 * GB;

export const gudmapDefaultSettings: GudmapSettings = {
  image3dNumbered: true,
  requireImageFields: true,
  makeThumbnails: false,
  thumbnailSide: 150,
  readBarcodes: false,
};

function identified(match: RegExpExecArray, kind: string, notes: readonly Finding[] = []): Identified {
  const parts: Readonly<Record<string, string>> = { kind, ...match.groups };
  return { identifier: parts.internal_id ?? '', parts, notes };
}

/** Why a path matched no mapping: wrong folder, wrong folder case, a subfolder, or a wrong file name. */
function unreadable(path: string, settings: GudmapSettings): Finding {
  const name = fileName(path);
  const folder = folderOf(path);
  const inFolder = imageFolder.exec(folder);
  if (inFolder !== null) return badName(path, name, inFolder[1] === 'image_3d', settings);
  const error = (why: string): Finding =>
    finding(
      path,
      'error',
      'gudmap.location',
      `${path} is not in a location the Deriva uploader reads, ${why}.`,
    );
  const below = belowImageFolder.exec(folder + '/');
  if (below !== null) {
    return error(
      `because it looks only directly inside deriva/${below[1]}/, not in its subfolders; move the file up into deriva/${below[1]}/`,
    );
  }
  const anyCase = imageFolderAnyCase.exec(path);
  if (anyCase !== null) {
    const wanted = (anyCase[1] ?? '').toLowerCase();
    return error(
      `because folder names are case-sensitive and '${anyCase[1]}' is not '${wanted}'; rename the folder to ${wanted}`,
    );
  }
  return error(
    'so it would be skipped as “Invalid file type or directory location”; move 2D images into deriva/images/ and 3D images into deriva/image_3d/',
  );
}

function badName(path: string, name: string, is3d: boolean, settings: GudmapSettings): Finding {
  const fail = (message: string): Finding => finding(path, 'error', 'gudmap.name', message);
  if (!is3d) {
    const dot = name.indexOf('.');
    const example = dot > 0 ? `${name.slice(0, dot)}-1${name.slice(dot)}` : `${name}-1.tif`;
    return fail(
      `${name} in deriva/images/ is not named {internal_id}-{number}.{suffix}, so the Deriva uploader would skip it; rename it like ${example}, with the specimen's Internal_ID, a hyphen, the image number and the extension.`,
    );
  }
  const typed = imageTypeAnyCase.exec(name);
  if (typed !== null) {
    return fail(
      `${name} in deriva/image_3d/ writes the image type as '${typed[1]}', but the Deriva uploader matches it case-sensitively; rename it with '${(typed[1] ?? '').toLowerCase()}'.`,
    );
  }
  const forms = settings.image3dNumbered
    ? '{internal_id}-volume, {internal_id}-surface or {internal_id}-{number}'
    : '{internal_id}-volume or {internal_id}-surface (the newer {internal_id}-{number} form is switched off in the settings)';
  return fail(
    `${name} in deriva/image_3d/ is not named ${forms} followed by the extension, so the Deriva uploader would skip it; rename it like Abc-volume.tif.`,
  );
}

function identify(path: string, settings: GudmapSettings): Identification {
  const name = fileName(path);
  if (name.startsWith('.deriva-upload-state')) {
    return {
      problem: finding(
        path,
        'skipped',
        'gudmap.upload-state',
        `${name} is the Deriva uploader's own record of past uploads, so it is left alone.`,
      ),
    };
  }
  const match2d = image2d.exec(path);
  if (match2d !== null) return identified(match2d, '2d');
  const typed = image3dTyped.exec(path);
  if (typed !== null) return identified(typed, '3d');
  const numbered = settings.image3dNumbered ? image3dNumbered.exec(path) : null;
  if (numbered !== null) {
    const note = finding(
      path,
      'ok',
      'gudmap.image3d-number',
      `${name} was accepted under the newer GUDMAP page, which allows {internal_id}-{number} for 3D images; the older page asks for -volume or -surface, so rename it if your catalog expects those.`,
      numbered.groups?.internal_id ?? '',
    );
    return identified(numbered, '3d', [note]);
  }
  if (specimenFile.test(path)) return { identifier: '', parts: { kind: 'records' }, notes: [] };
  return { problem: unreadable(path, settings) };
}

function checkFile(file: ScannedFile, id: Identified | undefined): Finding[] {
  if (id === undefined || id.parts.kind === 'records') return [];
  const name = fileName(file.path);
  const extension = lastExtension(name);
  const findings: Finding[] = [];
  const note = (status: 'ok' | 'warning', message: string): void => {
    findings.push(finding(file.path, status, 'gudmap.format', message, id.identifier));
  };
  if (tiffFormats.has(extension)) {
    note(
      'ok',
      `${name} is a TIFF, GUDMAP's second choice after native microscope formats (CZI, LIF, LSM, VSI); upload the native file instead if you have it.`,
    );
  } else if (webFormats.has(extension)) {
    note(
      'ok',
      `${name} is a ${extension.toUpperCase()}, the least preferred format for GUDMAP; upload the native microscope file or a TIFF instead if you have one, and never a downsampled copy of an in-situ image.`,
    );
  } else if (!nativeFormats.has(extension) && !otherAccepted.has(extension)) {
    note(
      'warning',
      `${name} has the extension .${extension}, which is not among the formats GUDMAP lists (native microscope formats, OME-TIFF/TIFF, JPG/PNG/GIF, MP4/AVI); check that it belongs in ${folderOf(file.path)}/.`,
    );
  }
  if (file.size > sizeForClientTools) {
    findings.push(
      finding(
        file.path,
        'warning',
        'gudmap.size',
        `${name} is ${formatDecimalSize(file.size)}, and GUDMAP expects files over 5 GB to go through the Deriva client tools; upload it with the Deriva desktop uploader.`,
        id.identifier,
      ),
    );
  }
  return findings;
}

function describe(path: string, id: Identified): string {
  const name = fileName(path);
  const { kind, internal_id: specimen, number, image_type: imageType } = id.parts;
  if (kind === 'records') return `${name} holds the specimen records the Deriva uploader loads`;
  if (kind === '2d') return `${name} is image ${number} of specimen ${specimen}`;
  if (imageType !== undefined) return `${name} is the ${imageType} image of specimen ${specimen}`;
  return `${name} is 3D image ${number} of specimen ${specimen}`;
}

export const gudmap: ProfileDescriptor<'gudmap'> = {
  id: 'gudmap',
  label: 'GUDMAP/RBK',
  description:
    'Deriva bulk upload to the GUDMAP/RBK atlas: images in deriva/images/ and deriva/image_3d/ named after the Internal_ID of their specimen record.',
  defaultSettings: gudmapDefaultSettings,
  prepareSettings: ['makeThumbnails', 'thumbnailSide', 'readBarcodes'],
  isRecordFile: (path) => specimenFile.test(path),
  prepare: (settings) => ({
    ok: true,
    profile: {
      identify: (path) => identify(path, settings),
      checkFile,
      duplicateKey: (id) => {
        const { kind, internal_id: specimen = '', number = '', image_type: imageType } = id.parts;
        if (kind === 'records') return undefined;
        const place = imageType ?? `#${number.replace(leadingZeros, '')}`;
        return `${kind}\0${specimen}\0${place}`;
      },
      duplicateWording: (id) => {
        const { internal_id: specimen, number, image_type: imageType } = id.parts;
        return imageType === undefined
          ? {
              what: `Internal_ID and image number (${specimen}, ${number})`,
              fix: 'give each image of a specimen its own number',
            }
          : {
              what: `Internal_ID and image type (${specimen}, ${imageType})`,
              fix: 'keep one file per image type, or number the 3D images instead',
            };
      },
      describe,
      checkFolder: () => [],
      pathEndTrimmed: false,
      records: {
        columns: ['Internal_ID'],
        extraColumns: [],
        trimEnd: false,
        withoutLeadingZeros: false,
        missingStatus: 'error',
        missingMessage: ({ name, identifier, list, caseVariant }) =>
          `${name} names Internal_ID '${identifier}', which has no row in ${list}${caseVariant === undefined ? '' : ` (it has '${caseVariant}', which differs only in case)`}; the server would fail with “Metadata query did not return any results”, so add the specimen record or correct the name.`,
        noFileStatus: 'warning',
        noFileMessage: (identifier, line, list) =>
          `Specimen ${identifier} (line ${line} of ${list}) has no image in the folder; add its images, or ignore this if they come later.`,
        repeatedStatus: 'error',
        repeatedMessage: (identifier, lines, list) =>
          `Internal_ID ${identifier} appears on lines ${listInWords(lines.map(String))} of ${list}, but each Internal_ID must be unique; remove or rename the extra rows.`,
        checkTable: (table) =>
          fileName(table.name) === 'Specimen_simple.csv'
            ? checkSpecimenTable(table, settings.requireImageFields)
            : [],
      },
    },
  }),
};
