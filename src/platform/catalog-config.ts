/**
 * Reads a Deriva catalog's bulk-upload config from its annotation: one GET of that one address, made only when
 * the user asks, without cookies. What the catalog or the browser refuses becomes a sentence.
 */
import { annotationUrl, refusalSentence, unreadableSentence } from '#core/deriva/catalog';

export type CatalogConfig = { readonly text: string; readonly source: string } | { readonly problem: string };

export async function fetchCatalogConfig(catalog: string): Promise<CatalogConfig> {
  const address = annotationUrl(catalog);
  if ('problem' in address) return address;
  const { url } = address;
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'omit' });
  } catch {
    return { problem: unreadableSentence(url) };
  }
  if (!response.ok) return { problem: refusalSentence(response.status, url) };
  try {
    return { text: await response.text(), source: url };
  } catch {
    return { problem: unreadableSentence(url) };
  }
}
