// Launches Debian's Chromium headless through playwright-core (no browser
// download), with the flags this closed network needs.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Starts a browser; close it with `await browser.close()` and then `cleanup()`. */
export async function launchBrowser() {
  const profile = mkdtempSync(path.join(tmpdir(), 'civicline-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser, cleanup: () => rmSync(profile, { recursive: true, force: true }) };
}
