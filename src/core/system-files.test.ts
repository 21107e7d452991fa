import { describe, expect, it } from 'vitest';
import { systemFileReason, systemFolderReason } from '#core/system-files';

describe('systemFileReason', () => {
  it.each(['.DS_Store', '._IMG_0001.JPG', 'Thumbs.db', 'thumbs.db', 'desktop.ini', 'Desktop.ini'])(
    'skips %s as a system file',
    (name) => expect(systemFileReason(name)).not.toBeNull(),
  );
  it.each(['IMG_0001.JPG', '.deriva-upload-state.json', 'DS_Store.jpg', 'my_Thumbs.db', '.hidden-notes.txt'])(
    'keeps %s as possible data',
    (name) => expect(systemFileReason(name)).toBeNull(),
  );
});

describe('systemFolderReason', () => {
  it.each(['.Spotlight-V100', '.Trashes', '$RECYCLE.BIN', 'System Volume Information'])(
    'skips the %s folder',
    (name) => expect(systemFolderReason(name)).not.toBeNull(),
  );
  it.each(['images', 'Trashes', 'deriva'])('walks into %s', (name) =>
    expect(systemFolderReason(name)).toBeNull(),
  );
});
