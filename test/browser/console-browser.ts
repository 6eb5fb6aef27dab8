import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { GATEWAY_URL, PASSWORD } from '../integration/support';

/** Debian's chromium; never a browser playwright downloads. */
export const CHROMIUM = process.env.CRM_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(
  process.env.CRM_TEST_OUTPUT_DIR ?? path.join(__dirname, '..', '..', '.local', 'test'),
  'browser',
);

export async function launch(): Promise<Browser> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root in CI there is no user namespace for chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** A laptop-sized page in the given browser language, signed in through Keycloak's login form. */
export async function signedIn(browser: Browser, user: string, locale = 'en-US', at = '/'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale });
  const page = await context.newPage();
  await page.goto(`${GATEWAY_URL}${at}`);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#kc-login').click();
  await page.getByTestId('user-name').filter({ hasText: user }).waitFor();
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
