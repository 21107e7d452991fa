/**
 * Files and folders that operating systems create on their own. They are never data, so a scan skips and counts them.
 */

const SYSTEM_FILE_NAMES = new Map<string, string>([
  ['.ds_store', 'macOS Finder settings'],
  ['thumbs.db', 'Windows thumbnail cache'],
  ['desktop.ini', 'Windows folder settings'],
  ['ehthumbs.db', 'Windows thumbnail cache'],
  ['.localized', 'macOS folder name translation'],
]);

const SYSTEM_FOLDER_NAMES = new Map<string, string>([
  ['__macosx', 'macOS archive metadata'],
  ['.spotlight-v100', 'macOS Spotlight index'],
  ['.trashes', 'macOS trash'],
  ['.fseventsd', 'macOS file-system log'],
  ['.temporaryitems', 'macOS temporary items'],
  ['$recycle.bin', 'Windows recycle bin'],
  ['system volume information', 'Windows system folder'],
]);

/** Why a file with this name is a system file, or null when it may be data. */
export function systemFileReason(name: string): string | null {
  if (name.startsWith('._')) return 'macOS resource fork';
  return SYSTEM_FILE_NAMES.get(name.toLowerCase()) ?? null;
}

/** Why a folder with this name holds only system files, or null when it may hold data. */
export function systemFolderReason(name: string): string | null {
  return SYSTEM_FOLDER_NAMES.get(name.toLowerCase()) ?? null;
}

/**
 * Whether a file or folder is hidden (its name starts with a dot) without being one of the system names above.
 * Hidden files are tools' own state (.git, .cache, .deriva-upload-state…), not data, unless the user includes them.
 */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.') && name !== '.' && name !== '..';
}
