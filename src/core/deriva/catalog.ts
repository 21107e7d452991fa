/**
 * Reading a catalog's bulk-upload config: where its annotation lives, and what to say when the catalog or the
 * browser refuses it. The request itself is made by the page (src/platform/catalog-config.ts).
 */
import type { DerivaConfig } from '#core/deriva/config';
import { listInWords } from '#core/validation/path-parts';

export const BULK_UPLOAD_TAG = 'tag:isrd.isi.edu,2019:bulk-upload';

const ermrestCatalog = /^(https?:\/\/[^/?#\s]+(?:\/[^?#\s]*?)?)\/ermrest\/catalog\/([^/?#\s]+)/i;
const chaiseCatalog = /^(https?:\/\/[^/?#\s]+)\/chaise\/[^#\s]*#([^/?#\s]+)/i;

/**
 * The address of the catalog's bulk-upload annotation, from the catalog's ERMrest address
 * (`https://host/ermrest/catalog/2`) or a Chaise page of it (`https://host/chaise/recordset/#2/…`).
 */
export function annotationUrl(catalog: string): { readonly url: string } | { readonly problem: string } {
  const text = catalog.trim();
  const found = ermrestCatalog.exec(text) ?? chaiseCatalog.exec(text);
  if (found === null) {
    return {
      problem: `'${text}' is not the address of a Deriva catalog; write it as https://<host>/ermrest/catalog/<number>, such as https://www.gudmap.org/ermrest/catalog/2.`,
    };
  }
  const [, base = '', id = ''] = found;
  return { url: `${base}/ermrest/catalog/${id}/annotation/${encodeURIComponent(BULK_UPLOAD_TAG)}` };
}

const afterwards =
  'open that address in a new tab while logged in, save what it shows as a .json file, and choose it as the Upload config';

/** Why the catalog's answer holds no config, for an HTTP status other than 200. */
export function refusalSentence(status: number, url: string): string {
  if (status === 404) {
    return `The catalog has no bulk-upload annotation at ${url} (404), so deriva-upload-cli would use its default config; ask the catalog's curators for the config file, or check the catalog number.`;
  }
  if (status === 401 || status === 403) {
    return `The catalog refused to give its bulk-upload annotation (${status}): it wants a login this page does not send; ${afterwards}.`;
  }
  return `The catalog answered ${status} for ${url}, not the annotation; try again later, or ${afterwards}.`;
}

/** The request never got an answer the page may read: CORS, a network fault or a bad certificate. */
export function unreadableSentence(url: string): string {
  return `The browser could not read ${url}: the catalog does not allow pages of other sites to read it (CORS), or it cannot be reached from here; ${afterwards}.`;
}

/** One line saying what a loaded config holds: "1 asset mapping: mapping 0 (RNASeq:File)". */
export function configSummary(config: DerivaConfig): string {
  const count = config.mappings.length;
  const labels = config.mappings.slice(0, 6).map((m) => m.label);
  const more = count > labels.length ? ` and ${count - labels.length} more` : '';
  return `${count === 1 ? '1 asset mapping' : `${count} asset mappings`}: ${listInWords(labels)}${more}${config.relativePaths ? '; paths are matched relative to the picked folder' : ''}.`;
}
