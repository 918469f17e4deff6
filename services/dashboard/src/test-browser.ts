import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (which downloads no browser of its own). */
export const CHROMIUM = '/usr/bin/chromium';

/** Fails fast, before a test starts its processes, when Chromium is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install it with "apt-get install -y chromium" (.ci/run does this)`,
    );
  }
}

/** Headless Chromium for the browser tests. */
export function launchTestBrowser(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A page signed in with Basic auth; `errors` collects the page's uncaught exceptions. */
export async function openSignedInPage(
  browser: Browser,
  credentials: { username: string; password: string },
  viewport: { width: number; height: number },
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ httpCredentials: credentials, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/** Presses a control button, types the reason when given, confirms, and waits for the server's 200. */
export async function confirmControl(page: Page, button: string, reason?: string): Promise<void> {
  await page.click(button);
  if (reason !== undefined) await page.fill('#confirm-reason', reason);
  await page.click('#confirm-ok');
  await page.waitForSelector('#control-result[data-status="200"]', { timeout: 15_000 });
}
