/**
 * The page in a real browser (Debian's Chromium, driven by playwright-core) against the running
 * service: pick a graph, change a parameter, see the image change, sign the URL in the browser
 * and check that the service accepts it. A screenshot goes to test-output/page.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../scripts/stack.ts';
import { startTestStack } from './helpers/stack.ts';

const CHROMIUM = process.env.IMGFLO_TEST_CHROMIUM ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present && process.env.IMGFLO_TEST_REQUIRE_SERVICES === '1') throw new Error(`Chromium is not installed at ${CHROMIUM}`);
const OUT = new URL('../test-output/', import.meta.url).pathname;
const KEY = 'page-test-key';
const SECRET = 'page-test-secret-0123456789';

describe.skipIf(!present)('the web page in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startTestStack({ IMGFLO_API_KEY: KEY, IMGFLO_API_SECRET: SECRET });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('builds, signs and shows a processed image as parameters change', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${stack.edgeUrl}/`);
    await page.fill('#key', KEY);
    await page.fill('#secret', SECRET);
    await page.dispatchEvent('#secret', 'change');
    await page.click('button[data-graph="crop"]');
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('#result')?.dataset.width === '10');
    // Change a parameter, and the image follows.
    await page.evaluate(() => {
      const slider = document.querySelector<HTMLInputElement>('#p-cropwidth')!;
      slider.value = '120';
      slider.dispatchEvent(new Event('change'));
    });
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('#result')?.dataset.width === '120', undefined, { timeout: 20_000 });
    await expect.poll(() => page.textContent('#status')).toMatch(/^120 × 10 · image\/jpeg · \d+ KiB · \d+ ms$/);
    const url = (await page.getAttribute('#url', 'href'))!;
    expect(url).toMatch(new RegExp(`/graph/${KEY}/[A-Za-z0-9_-]{43}/crop\\.jpg\\?input=files%2Fgrid-toastybob\\.jpg&cropwidth=120$`));
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(301);
    // Thumbnails of the catalogue are live processed images too.
    await page.waitForFunction(() => (document.querySelector<HTMLImageElement>('button[data-graph="gaussianblur"] img')?.naturalWidth ?? 0) > 0, undefined, { timeout: 30_000 });
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}page.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: `${OUT}page-phone.png` });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  it('opens a processing URL with debug=1 filled in', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.edgeUrl}/graph/${KEY}/x/gaussianblur.png?input=files%2Fgridbear.jpg&std-dev-x=7&debug=1`);
    expect(new URL(page.url()).pathname).toBe(`/debug/graph/${KEY}/x/gaussianblur.png`);
    await expect.poll(() => page.inputValue('#p-std-dev-x')).toBe('7');
    expect(await page.inputValue('#graph')).toBe('gaussianblur');
    expect(await page.inputValue('#ext')).toBe('png');
    expect(await page.inputValue('#key')).toBe(KEY);
  });
});
