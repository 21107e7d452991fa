/**
 * Whether a tus server offers an extension: its OPTIONS answer lists it in `Tus-Extension`. A minimal probe of
 * its own, behind one function, so a fuller capability probe can take its place.
 */

/** Answers per endpoint, so a batch asks once. A failed probe is not kept, so it is asked again next time. */
const answers = new Map<string, Promise<readonly string[]>>();

/** True when the tus server at `endpoint` lists `extension` in its `Tus-Extension` header. */
export async function serverLists(endpoint: string, extension: string): Promise<boolean> {
  let listed = answers.get(endpoint);
  if (!listed) {
    listed = probe(endpoint);
    answers.set(endpoint, listed);
    listed.catch(() => answers.delete(endpoint));
  }
  return (await listed).includes(extension.toLowerCase());
}

async function probe(endpoint: string): Promise<readonly string[]> {
  const response = await fetch(endpoint, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0' } });
  const header = response.headers.get('Tus-Extension') ?? '';
  return header
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}
