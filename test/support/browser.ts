import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (npm test installs it when missing); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** This machine has no outside network: nothing in the browser may try to reach it. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh profile, removed again on close. */
export async function launchBrowser(locale: string): Promise<BrowserContext & { dispose(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'helpdesk-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    locale,
    viewport: { width: 480, height: 860 },
  });
  return Object.assign(context, {
    async dispose() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  });
}

/** Screenshots and other files a test leaves for people to look at. */
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
