/**
 * How every harness here launches Chromium: Debian's when present (this project's CI cannot download
 * Playwright's browsers), CHROMIUM_PATH when set, else Playwright's own.
 */
import { existsSync } from 'node:fs';

export const executablePath: string | undefined =
  process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

/** Flags this closed network needs: no sandbox as root, and no background calls to Google's hosts. */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumLaunchOptions(extraArgs: readonly string[] = []) {
  return { ...(executablePath ? { executablePath } : {}), args: [...chromiumArgs, ...extraArgs] };
}
