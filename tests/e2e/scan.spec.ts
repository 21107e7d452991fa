import { expect, test } from './test.ts';

test('a long scan can be cancelled, and keeps what it listed so far', async ({ page, receiver }) => {
  await page.goto(receiver.url);
  const total = await page.evaluate(async () => {
    const opfs = await navigator.storage.getDirectory();
    const root = await opfs.getDirectoryHandle('big tree', { create: true });
    let made = 0;
    for (let d = 0; d < 40; d++) {
      const dir = await root.getDirectoryHandle(`plate ${String(d).padStart(2, '0')}`, { create: true });
      await Promise.all(
        Array.from({ length: 500 }, (_, f) => dir.getFileHandle(`well ${f}.tif`, { create: true })),
      );
      made += 500;
    }
    (
      window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }
    ).showDirectoryPicker = async () => root;
    return made;
  });

  await page.getByRole('button', { name: 'Choose folder' }).click();
  await page.getByRole('button', { name: 'Cancel scan' }).click();

  const folder = page.getByRole('region', { name: 'Folder' });
  await expect(folder).toContainText('scan cancelled;');
  await expect(page.getByRole('status')).toHaveText(/^Scan cancelled after [\d,]+ files?\./);
  await expect(page.getByRole('button', { name: 'Start upload' })).toBeDisabled();
  const listed = Number(
    (await page.getByRole('heading', { name: /Files/ }).textContent())?.replace(/\D/g, ''),
  );
  expect(listed).toBeLessThan(total);

  // The same folder scanned again to the end.
  await page.getByRole('button', { name: 'Choose folder' }).click();
  await expect(folder).toContainText('big tree: 20,000 files', { timeout: 60_000 });
  await expect(page.getByRole('heading', { name: 'Files (20,000)' })).toBeVisible();
});

test('dropping something other than one folder says what to drop instead', async ({ page, receiver }) => {
  await page.goto(receiver.url);
  const drop = async (names: string[]) =>
    page.getByRole('region', { name: 'Folder' }).dispatchEvent('drop', {
      dataTransfer: await page.evaluateHandle((list) => {
        const data = new DataTransfer();
        for (const name of list) data.items.add(new File(['x'], name));
        return data;
      }, names),
    });

  await drop(['a.jpg', 'b.jpg']);
  await expect(page.getByRole('alert')).toHaveText(
    'You dropped 2 items. Drop one folder that holds them all, or use Choose folder.',
  );
  await drop(['IMG_0001.JPG']);
  await expect(page.getByRole('alert')).toHaveText(
    '"IMG_0001.JPG" is a file, not a folder. Drop the folder that holds your images.',
  );
});
