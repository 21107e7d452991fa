import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { validateBag } from '../server/bagit-validator.ts';
import { DATA_FILES } from './fixture-tree.ts';
import { expect, seedPickerWithFixture, test } from './test.ts';
import { expectBatchArrived, scanForUpload, uploadAll } from './upload-journey.ts';

// A stand-in for deriva-upload-cli and the like: it notes the batch, its completion and its payload folder.
const HOOK = `printf '%s %s %s\\n' "$BATCH_NAME" "$BATCH_VERSION" "$BATCH_PAYLOAD" >> "$BATCH_DIR/../hook.log"`;

test.use({
  receiverOptions: {
    completion: { hook: HOOK, contactName: 'Ada Curator', sourceOrganization: 'Example Museum' },
  },
});

test('a batch uploaded in the browser is completed, bagged as valid BagIt 1.0 and handed on once', async ({
  page,
  receiver,
}) => {
  await page.goto(receiver.url);
  await seedPickerWithFixture(page);
  await scanForUpload(page);
  await uploadAll(page);
  await expectBatchArrived(page, receiver);
  const batch = await page.getByLabel('Batch name').inputValue();

  const completion = page.getByRole('region', { name: 'Batch completion' });
  await expect(completion).toContainText(
    `Batch ${batch} is complete on the receiver: every file was checked, and the batch is a BagIt bag (${batch}/, 7 files,`,
  );
  await expect(completion).toContainText("The receiver's hand-off command (ON_BATCH_COMPLETE) has run.", {
    timeout: 30_000,
  });

  const bag = path.join(receiver.uploadDir, batch);
  expect(await validateBag(bag)).toEqual([]);
  const bytes = DATA_FILES.reduce((sum, f) => sum + f.size, 0);
  const info = await readFile(path.join(bag, 'bag-info.txt'), 'utf8');
  expect(info).toContain(`External-Identifier: ${batch}\nBagging-Date: `);
  expect(info).toContain(`Payload-Oxum: ${bytes}.${DATA_FILES.length}\n`);
  expect(info).toContain('Source-Organization: Example Museum\nContact-Name: Ada Curator\n');
  expect(info).toContain('Upload-Target: Custom pattern\n');
  // The page's SHA-256s were verified as the files arrived, so completing read none of them again.
  expect(
    receiver.log.some((line) => line.includes(`${DATA_FILES.length} listed by the page, 0 read again`)),
  ).toBe(true);
  expect(await readFile(path.join(receiver.uploadDir, 'hook.log'), 'utf8')).toBe(
    `${batch} 1 ${path.join(bag, 'data')}\n`,
  );

  // One changed byte in the payload and the bag is no longer valid.
  const changed = path.join(bag, 'data', 'README.txt');
  const bytesOf = await readFile(changed);
  bytesOf[0] = (bytesOf[0] ?? 0) ^ 1;
  await writeFile(changed, bytesOf);
  expect(await validateBag(bag)).toEqual([
    expect.stringMatching(/^data\/README\.txt has sha256 [0-9a-f]{64}, but manifest-sha256\.txt says/),
  ]);
});
