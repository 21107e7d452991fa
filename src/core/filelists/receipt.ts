/**
 * The receipt of an upload: every file that arrived, with its bytes, the checksums it was sent with, where the
 * receiver placed it, its upload address, and whether the receiver verified those checksums against the bytes
 * that arrived. It is what a curator files to prove that what arrived is what was sent.
 */
import { formulaPathWarnings, travelling } from '#core/filelists/manifest';
import {
  arrivalNotes,
  originalPathColumn,
  problemsInOrder,
  renamedNote,
  storedPathColumn,
  verifiedColumn,
} from '#core/filelists/common';
import type { BagName, BuiltList, ListContext } from '#core/filelists/types';
import { usesMd5 } from '#core/digest';
import { plural } from '#core/format';
import { safeFileName } from '#core/table';

/** `<bag>/` and, from the second completion on, which one. */
const bagLabel = (bag: BagName): string =>
  bag.version > 1 ? `${bag.bag}/ (completion ${bag.version})` : `${bag.bag}/`;

export function buildReceipt(context: ListContext): BuiltList {
  const { batch } = context;
  const md5 = usesMd5(context.profile);
  const going = travelling(context);
  // Only an arrival sets the stored path (the other lists fill in the planned one themselves).
  const arrived = going.filter((file) => file.storedPath !== undefined);
  const { bag } = context;
  const original = originalPathColumn(arrived);
  const columns = [
    'path',
    ...original.columns,
    ...(md5
      ? ['bytes', 'sha256', 'md5', 'stored_path', 'upload_url', 'verified']
      : ['bytes', 'sha256', 'stored_path', 'upload_url', 'verified']),
    // A completed batch: every row names the bag that holds it.
    ...(bag ? ['bag'] : []),
  ];
  const rows = arrived.map((file) => {
    const sums = md5 ? [file.sha256 ?? '', file.md5 ?? ''] : [file.sha256 ?? ''];
    return [
      file.path,
      ...original.cells(file),
      String(file.size),
      ...sums,
      storedPathColumn(file, batch),
      file.uploadUrl ?? '',
      verifiedColumn(file),
      ...(bag ? [bagLabel(bag)] : []),
    ];
  });
  const missing = going.length - arrived.length;
  return {
    kind: 'receipt',
    title: 'Receipt',
    fileName: safeFileName(`${batch}-receipt`, 'csv'),
    format: 'csv',
    bom: true,
    table: { columns, rows },
    problems: problemsInOrder(formulaPathWarnings(arrived)),
    notes: [
      ...(bag
        ? [
            `Batch ${batch} is complete: the receiver checked it and keeps it as the BagIt bag ${bagLabel(bag)} (Payload-Oxum ${bag.payloadOxum}).`,
          ]
        : []),
      arrived.length === 0
        ? 'Nothing has arrived yet: the receipt lists each file once the receiver has it.'
        : `${plural(arrived.length, 'file')} arrived in batch ${batch}.`,
      ...(missing > 0
        ? [
            `${plural(missing, 'file')} of the upload ${missing === 1 ? 'has' : 'have'} not arrived and ${missing === 1 ? 'is' : 'are'} not on the receipt; send ${missing === 1 ? 'it' : 'them'}, then download the receipt again.`,
          ]
        : []),
      ...renamedNote(arrived),
      ...arrivalNotes(arrived),
    ],
  };
}
