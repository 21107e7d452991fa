/**
 * The Deriva upload config target's own journeys: reading a catalog's bulk-upload annotation from a real
 * catalog-like server on another origin (one that allows the page, one that does not, one without the
 * annotation), GUDMAP/RBK's one click to the catalog's config, and the config travelling in a setup link.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BULK_UPLOAD_TAG } from '../../src/core/deriva/catalog.ts';
import { fixtureConfig } from '../fixtures/deriva/configs.ts';
import { expect, test } from './test.ts';

interface Catalog {
  readonly url: string;
  readonly requests: string[];
  readonly server: Server;
}

/** Catalog 1 allows any page to read its annotation, catalog 2 sends no CORS header, catalog 3 has none. */
async function startCatalog(): Promise<Catalog> {
  const requests: string[] = [];
  const annotation = `/annotation/${encodeURIComponent(BULK_UPLOAD_TAG)}`;
  const server = createServer((request, response) => {
    requests.push(`${request.method ?? ''} ${request.url ?? ''}`);
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (request.url === `/ermrest/catalog/1${annotation}`) {
      response.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
      response.end(fixtureConfig('deriva-qt-default-config.json'));
    } else if (request.url === `/ermrest/catalog/2${annotation}`) {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(fixtureConfig('rbk-upload-config.json'));
    } else {
      response.writeHead(404, cors);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

test("reads the catalog's annotation when the user asks, and says why when the catalog or the browser refuses", async ({
  page,
  receiver,
}) => {
  const catalog = await startCatalog();
  try {
    await page.goto(receiver.url);
    await page.getByLabel('Target').selectOption({ label: 'Deriva upload config' });
    const address = page.getByLabel(/^Catalog/);
    const read = page.getByRole('button', { name: 'Read from catalog' });

    await address.fill(`${catalog.url}/ermrest/catalog/2`);
    await read.click();
    await expect(page.getByRole('alert')).toContainText(
      'does not allow pages of other sites to read it (CORS), or it cannot be reached from here;',
    );

    await address.fill(`${catalog.url}/ermrest/catalog/3`);
    await read.click();
    await expect(page.getByRole('alert')).toContainText('The catalog has no bulk-upload annotation at');

    await address.fill(`${catalog.url}/chaise/recordset/#1/isa:dataset`);
    await read.click();
    await expect(page.getByTestId('deriva-config-summary')).toHaveText(
      '1 asset mapping: mapping 0 (table from the path).',
    );
    await expect(page.getByTestId('deriva-config-source')).toHaveText(
      `${catalog.url}/ermrest/catalog/1/annotation/${encodeURIComponent(BULK_UPLOAD_TAG)}`,
    );
    const annotation = encodeURIComponent(BULK_UPLOAD_TAG);
    expect(catalog.requests).toEqual([
      `GET /ermrest/catalog/2/annotation/${annotation}`,
      `GET /ermrest/catalog/3/annotation/${annotation}`,
      `GET /ermrest/catalog/1/annotation/${annotation}`,
    ]);
  } finally {
    catalog.server.close();
  }
});

test("GUDMAP/RBK switches to the catalog's own upload config in one click, and a setup link carries it", async ({
  page,
  browser,
  receiver,
}) => {
  await page.goto(receiver.url);
  await page.getByLabel('Target').selectOption({ label: 'GUDMAP/RBK' });
  await page.getByRole('button', { name: "Use the catalog's upload config" }).click();
  await expect(page.getByLabel('Target')).toHaveValue('deriva');
  await expect(page.getByTestId('deriva-config-summary')).toHaveText(
    '1 asset mapping: mapping 0 (RNASeq:File).',
  );
  await expect(page.getByTestId('deriva-config-source')).toContainText('the RBK upload config (bundled');

  await page.getByText('Settings: share or save this setup').click();
  await page.getByRole('button', { name: 'Copy setup link' }).click();
  const link = await page.getByLabel(/Setup link|Copied to the clipboard/).inputValue();
  expect(link).toContain('target=deriva');

  const colleague = await browser.newPage();
  await colleague.goto(link);
  await expect(colleague.getByLabel('Target')).toHaveValue('deriva');
  await expect(colleague.getByTestId('deriva-config-summary')).toHaveText(
    '1 asset mapping: mapping 0 (RNASeq:File).',
  );
  await colleague.close();
});
