/** What a file is, judged by its name: a short label for the table and the MIME type sent with the upload. */

export interface FileKind {
  readonly label: string;
  readonly mime: string;
}

const BY_EXTENSION: Record<string, FileKind> = {
  jpg: { label: 'JPEG', mime: 'image/jpeg' },
  jpeg: { label: 'JPEG', mime: 'image/jpeg' },
  png: { label: 'PNG', mime: 'image/png' },
  gif: { label: 'GIF', mime: 'image/gif' },
  webp: { label: 'WebP', mime: 'image/webp' },
  avif: { label: 'AVIF', mime: 'image/avif' },
  heic: { label: 'HEIC', mime: 'image/heic' },
  heif: { label: 'HEIF', mime: 'image/heif' },
  tif: { label: 'TIFF', mime: 'image/tiff' },
  tiff: { label: 'TIFF', mime: 'image/tiff' },
  'ome.tif': { label: 'OME-TIFF', mime: 'image/tiff' },
  'ome.tiff': { label: 'OME-TIFF', mime: 'image/tiff' },
  jp2: { label: 'JPEG 2000', mime: 'image/jp2' },
  czi: { label: 'CZI', mime: 'application/octet-stream' },
  lif: { label: 'LIF', mime: 'application/octet-stream' },
  lsm: { label: 'LSM', mime: 'image/tiff' },
  vsi: { label: 'VSI', mime: 'application/octet-stream' },
  nd2: { label: 'ND2', mime: 'application/octet-stream' },
  mp4: { label: 'MP4', mime: 'video/mp4' },
  avi: { label: 'AVI', mime: 'video/x-msvideo' },
  csv: { label: 'CSV', mime: 'text/csv' },
  tsv: { label: 'TSV', mime: 'text/tab-separated-values' },
  txt: { label: 'Text', mime: 'text/plain' },
  tab: { label: 'Text', mime: 'text/plain' },
  dat: { label: 'Data', mime: 'application/octet-stream' },
  json: { label: 'JSON', mime: 'application/json' },
  xml: { label: 'XML', mime: 'application/xml' },
  pdf: { label: 'PDF', mime: 'application/pdf' },
  zip: { label: 'ZIP', mime: 'application/zip' },
  xlsx: {
    label: 'Excel',
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  },
};

const UNKNOWN: FileKind = { label: 'Other', mime: 'application/octet-stream' };

export function fileKind(path: string): FileKind {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return UNKNOWN;
  const ext = name.slice(dot + 1);
  const second = name.lastIndexOf('.', dot - 1);
  if (second > 0) {
    const compound = BY_EXTENSION[name.slice(second + 1)];
    if (compound) return compound;
  }
  return BY_EXTENSION[ext] ?? { label: ext.toUpperCase(), mime: UNKNOWN.mime };
}
