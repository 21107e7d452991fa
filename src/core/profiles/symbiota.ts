/**
 * Symbiota: images named after the catalog number, read out of the file name by the portal's pattern
 * (group 1), optionally rewritten by a replace step, and processed as JPEG.
 */
import { symbiotaPresets } from '#core/profiles/symbiota-presets';
import type { Identification, Identified, Preparation, ProfileDescriptor } from '#core/profiles/types';
import { finding } from '#core/validation/finding';
import { fileName, lastExtension, listInWords } from '#core/validation/path-parts';
import {
  compileJsPattern,
  compilePhpPattern,
  cutShort,
  groupCount,
  missingCaptureTerm,
  phpReplacement,
} from '#core/validation/pattern';
import { formatDecimalSize, MB } from '#core/validation/size';
import type { Finding, ScannedFile, SymbiotaSettings } from '#core/validation/types';

const jpegExtensions = new Set(['jpg', 'jpeg']);
const tiffExtensions = new Set(['tif', 'tiff']);
/** Images a browser can decode, so the Prepare step can make their JPEG copies. */
const webImageExtensions = new Set(['png', 'gif', 'webp', 'bmp', 'avif']);
const skeletalExtensions = new Set(['csv', 'txt', 'tab', 'dat']);
/** The legacy processor skips names holding these (anywhere but at the start), taking them for its own derivatives. */
const derivativeMark = /_(?:tn|lg)\.jpg/i;
const recommendedMaxSize = 8 * MB;

export const symbiotaDefaultSettings: SymbiotaSettings = {
  patternSyntax: 'php',
  pattern: symbiotaPresets[0]?.pattern ?? '/^(\\d+)\\D*/',
  flags: '',
  replacePattern: '',
  replacement: '',
  matchOtherCatalogNumbers: false,
  publicBaseUrl: '',
  newRecordFields: '',
  mediaRights: '',
  mediaOwner: '',
  mediaCreator: '',
  makeDerivatives: true,
  thumbnailWidth: 200,
  webWidth: 1400,
  largeWidth: 3200,
  jpegQuality: 80,
  maxFileMegabytes: 8,
  originals: 'none',
  readBarcodes: true,
};

type Rewrite = (catalogNumber: string) => string;

function compileRewrite(settings: SymbiotaSettings): Rewrite | { readonly reason: string } | undefined {
  if (settings.replacePattern.trim() === '') return undefined;
  const compiled =
    settings.patternSyntax === 'php'
      ? compilePhpPattern(settings.replacePattern, { global: true })
      : compileJsPattern(settings.replacePattern, settings.flags, { global: true });
  if (!compiled.ok) return { reason: `In the replace step: ${compiled.reason}` };
  const { regex } = compiled;
  if (settings.patternSyntax === 'javascript') return (value) => value.replace(regex, settings.replacement);
  const build = phpReplacement(settings.replacement);
  const groups = groupCount(regex);
  return (value) =>
    value.replace(regex, (...args: unknown[]) => build(args.slice(0, groups + 1) as (string | undefined)[]));
}

function problem(path: string, status: 'skipped' | 'warning' | 'error', rule: string, message: string) {
  return { problem: finding(path, status, rule, message) };
}

function identifyWith(regex: RegExp, rewrite: Rewrite | undefined, pattern: string) {
  return (path: string): Identification => {
    const name = fileName(path);
    const extension = lastExtension(name);
    if (skeletalExtensions.has(extension)) {
      return problem(
        path,
        'skipped',
        'symbiota.skeletal-file',
        `${name} is read by the portal as a skeletal data file (a table of occurrence fields with catalogNumber), not as an image, so it is not checked as one.`,
      );
    }
    if (name.search(derivativeMark) > 0) {
      return problem(
        path,
        'warning',
        'symbiota.derivative-name',
        `${name} holds _tn.jpg or _lg.jpg, which the portal's processor takes for its own thumbnail or large copy and skips; rename it if it is an original.`,
      );
    }
    const image =
      jpegExtensions.has(extension) || tiffExtensions.has(extension) || webImageExtensions.has(extension);
    if (!image) {
      return problem(
        path,
        'error',
        'symbiota.unsupported',
        `${name} is not a supported image file (the portal's processor skips it with “File skipped, not a supported image file”); convert it to JPEG or remove it from the folder.`,
      );
    }
    const match = regex.exec(name);
    const captured = match?.[1];
    if (match === null || captured === undefined || captured === '') {
      return problem(
        path,
        'error',
        'symbiota.catalog-number',
        `The pattern ${pattern} finds no catalog number in ${name}, so the portal cannot link it to a specimen; rename the file to start with its catalog number, or adjust the pattern.`,
      );
    }
    const catalogNumber = rewrite === undefined ? captured : rewrite(captured);
    const end = match.indices?.[1]?.[1] ?? match.index + match[0].length;
    const rest = name.slice(end);
    const dot = rest.lastIndexOf('.');
    const suffix = dot === -1 ? rest : rest.slice(0, dot);
    const notes = cutShort(name, end)
      ? [
          finding(
            path,
            'warning',
            'pattern.cut-short',
            `The pattern took '${captured}' from ${name}, but the next character '${name[end]}' looks like part of it, so the pattern may have cut the catalog number short; check how many characters the pattern expects.`,
            catalogNumber,
          ),
        ]
      : [];
    return { identifier: catalogNumber, parts: { catalogNumber, captured, suffix }, notes };
  };
}

function checkFile(file: ScannedFile, id: Identified | undefined): Finding[] {
  const name = fileName(file.path);
  const extension = lastExtension(name);
  const identifier = id?.identifier ?? '';
  if (tiffExtensions.has(extension)) {
    return [
      finding(
        file.path,
        'warning',
        'symbiota.tiff',
        `${name} is a TIFF, which the portal's processor skips (“TIFFs image files are not a supported”), so it needs a JPEG derivative, which the Prepare step can make.`,
        identifier,
      ),
    ];
  }
  if (webImageExtensions.has(extension)) {
    return [
      finding(
        file.path,
        'warning',
        'symbiota.format',
        `${name} is a ${extension.toUpperCase()}, which the portal's processor skips as “not a supported image file”, so it needs a JPEG derivative, which the Prepare step can make.`,
        identifier,
      ),
    ];
  }
  if (jpegExtensions.has(extension) && file.size > recommendedMaxSize) {
    return [
      finding(
        file.path,
        'warning',
        'symbiota.size',
        `${name} is ${formatDecimalSize(file.size)}, more than the 8 MB Symbiota recommends so slow connections can view it; let the Prepare step make a smaller web copy.`,
        identifier,
      ),
    ];
  }
  return [];
}

function prepare(settings: SymbiotaSettings): Preparation {
  const options = { missingGroup: missingCaptureTerm };
  const compiled =
    settings.patternSyntax === 'php'
      ? compilePhpPattern(settings.pattern, options)
      : compileJsPattern(settings.pattern, settings.flags, options);
  const rewrite = compileRewrite(settings);
  const problems: Finding[] = [];
  if (!compiled.ok) problems.push(finding('', 'error', 'symbiota.pattern', compiled.reason));
  if (rewrite !== undefined && 'reason' in rewrite) {
    problems.push(finding('', 'error', 'symbiota.replace-pattern', rewrite.reason));
  }
  if (!compiled.ok || (rewrite !== undefined && 'reason' in rewrite)) return { ok: false, problems };
  return {
    ok: true,
    profile: {
      identify: identifyWith(compiled.regex, rewrite, settings.pattern),
      checkFile,
      duplicateKey: (id) => `${id.identifier}\0${(id.parts.suffix ?? '').toLowerCase()}`,
      duplicateWording: (id) => {
        const suffix = id.parts.suffix ?? '';
        return {
          what: `catalog number and suffix (${id.identifier}, ${suffix === '' ? 'none' : `'${suffix}'`})`,
          fix: 'give each image of a specimen its own suffix, such as _a and _b',
        };
      },
      describe: (path, id) => `${fileName(path)} is an image of catalog number ${id.identifier}`,
      checkFolder: () => [],
      pathEndTrimmed: false,
      records: {
        columns: ['catalogNumber', 'otherCatalogNumbers'],
        extraColumns: settings.matchOtherCatalogNumbers ? ['otherCatalogNumbers'] : [],
        trimEnd: false,
        withoutLeadingZeros: true,
        missingStatus: 'warning',
        missingMessage: ({ name, identifier, list, caseVariant }) =>
          `${name} has catalog number '${identifier}', which is not in ${list}${caseVariant === undefined ? '' : ` (it has '${caseVariant}', which differs only in case)`}; the portal will leave the image unlinked unless it is set to make a skeletal record for it, so add the record or correct the name.`,
        noFileStatus: 'warning',
        noFileMessage: (identifier, line, list) =>
          `Catalog number ${identifier} (line ${line} of ${list}) has no image in the folder; add its image, or ignore this if it is imaged later.`,
        repeatedStatus: 'warning',
        repeatedMessage: (identifier, lines, list) =>
          `Catalog number ${identifier} appears on lines ${listInWords(lines.map(String))} of ${list}, and the portal links an image to only one of them; remove or correct the extra rows.`,
        checkTable: () => [],
      },
    },
  };
}

export const symbiota: ProfileDescriptor<'symbiota'> = {
  id: 'symbiota',
  label: 'Symbiota',
  description:
    'Specimen images for a Symbiota portal: JPEG files named after the catalog number, which a pattern reads out of the file name.',
  defaultSettings: symbiotaDefaultSettings,
  prepareSettings: [
    'publicBaseUrl',
    'newRecordFields',
    'mediaRights',
    'mediaOwner',
    'mediaCreator',
    'makeDerivatives',
    'thumbnailWidth',
    'webWidth',
    'largeWidth',
    'jpegQuality',
    'maxFileMegabytes',
    'originals',
    'readBarcodes',
  ],
  isRecordFile: () => false,
  prepare,
};
