/**
 * The page in a real browser (Debian's Chromium, driven by playwright-core) against the running
 * service, with auth off and on: every card clicked, every thumbnail loaded, edits debounced,
 * the URL and its srcset copied and accepted by the service, and not one console error.
 * Screenshots go to test-output/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../scripts/stack.ts';
import { imgfloUrl } from '../shared/client.ts';
import { tokenV2 } from '../shared/tokens.ts';
import { EXAMPLES, FIRST_GRAPH } from '../shared/graph/examples.ts';
import { startTestStack } from './helpers/stack.ts';

const CHROMIUM = process.env.IMGFLO_TEST_CHROMIUM ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present && process.env.IMGFLO_TEST_REQUIRE_SERVICES === '1') throw new Error(`Chromium is not installed at ${CHROMIUM}`);
const OUT = new URL('../test-output/', import.meta.url).pathname;
const KEY = 'page-test-key';
const SECRET = 'page-test-secret-0123456789';
const GRAPHS = Object.keys(EXAMPLES);

let browser: Browser;
/** Console errors and uncaught exceptions of every page a test opened. */
let problems: string[] = [];

/** The contexts a test opened: closed after it, so that nothing of one test loads during the next. */
let contexts: BrowserContext[] = [];

async function open(url: string, viewport = { width: 1100, height: 1400 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await page.goto(url);
  return page;
}

/**
 * Waits until the result shows `src` loaded, with its status line; without `src`, the URL the page
 * shows (once it shows one: its link starts as "#").
 */
async function resultShows(page: Page, src?: string): Promise<void> {
  try {
    await page.waitForFunction(
      (given) => {
        const img = document.querySelector<HTMLImageElement>('#result')!;
        const want = given ?? document.querySelector<HTMLAnchorElement>('#url')!.getAttribute('href');
        return want !== '#' && img.src === want && img.complete && img.naturalWidth > 0 && /^\d+ × \d+ · /.test(document.querySelector('#status')!.textContent ?? '');
      },
      src,
      { timeout: 60_000 },
    );
  } catch (e) {
    // Say what the page showed instead: its status line and the result it held.
    const shown = await page.evaluate(() => ({ status: document.querySelector('#status')?.textContent, src: document.querySelector<HTMLImageElement>('#result')?.src }));
    throw new Error(`the result did not show ${src ?? "the page's URL"}: the page said ${JSON.stringify(shown)}`, { cause: e });
  }
}

async function thumbnailsLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll<HTMLImageElement>('.card img')];
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, undefined, { timeout: 120_000 });
}

/** Processing requests the page makes (to /graph/ or /examples/) while `action` runs. */
async function requestsDuring(page: Page, action: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (r: { url(): string }) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/graph/') || path.startsWith('/examples/')) seen.push(r.url());
  };
  page.on('request', listener);
  await action();
  await page.waitForTimeout(1000);
  page.off('request', listener);
  return seen;
}

describe.skipIf(!present)('the web page in Chromium', () => {
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    const seen = problems;
    problems = [];
    expect(seen).toEqual([]);
  });

  describe('with auth off', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startTestStack();
    }, 120_000);
    afterAll(async () => {
      await stack?.stop();
    });

    it('opens on a photo resized with an effect, beside its original, with every thumbnail loaded', async () => {
      const page = await open(`${stack.edgeUrl}/`);
      // The script fills the form once it has read the catalogue.
      await expect.poll(() => page.inputValue('#graph')).toBe(FIRST_GRAPH);
      const url = await imgfloUrl({ server: stack.edgeUrl, graph: FIRST_GRAPH, ext: 'jpg', params: EXAMPLES[FIRST_GRAPH]!.params });
      await expect.poll(() => page.getAttribute('#url', 'href')).toBe(url);
      await resultShows(page, url);
      expect(await page.evaluate(() => [document.querySelector<HTMLImageElement>('#result')!.naturalWidth, document.querySelector<HTMLImageElement>('#before')!.naturalWidth])).toEqual([480, 1440]);
      await thumbnailsLoaded(page);
      expect(await page.locator('.card').count()).toBe(GRAPHS.length);
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: `${OUT}page.png`, fullPage: true });
      await page.setViewportSize({ width: 390, height: 800 });
      await page.screenshot({ path: `${OUT}page-phone.png` });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    });

    it('selects every card: its form, its URL and its processed result', async () => {
      const page = await open(`${stack.edgeUrl}/`);
      for (const name of GRAPHS) {
        await page.click(`button[data-graph="${name}"]`);
        expect(await page.inputValue('#graph')).toBe(name);
        expect(await page.getAttribute(`button[data-graph="${name}"]`, 'aria-pressed')).toBe('true');
        const example = EXAMPLES[name]!;
        await expect.poll(() => page.getAttribute('#url', 'href')).toBe(await imgfloUrl({ server: stack.edgeUrl, graph: name, ext: example.ext, params: example.params }));
        await resultShows(page, (await page.getAttribute('#url', 'href'))!);
        // The form holds the example's values.
        for (const [port, value] of example.params) {
          if (port === 'input' || !(await page.locator(`#p-${port}`).count())) continue;
          const shown = await page.inputValue(`#p-${port}`);
          expect(shown.startsWith('#') ? `${shown}ff` : shown).toBe(value);
        }
      }
    });

    it('waits for typing to pause: a 30-character input URL is one request', async () => {
      const page = await open(`${stack.edgeUrl}/`);
      await resultShows(page);
      const input = 'files/gradient-black-white.png';
      await page.locator('#p-input').selectText();
      // The page's clock stands still while the keys are typed: a machine busy enough to leave
      // 300 ms between two keys would otherwise count as a pause. Then the debounce's time passes.
      await page.clock.install();
      await page.clock.pauseAt(Date.now() + 1000);
      const requests = await requestsDuring(page, async () => {
        await page.locator('#p-input').pressSequentially(input, { delay: 30 });
        await page.clock.runFor(400);
        await page.clock.resume();
        await expect.poll(() => page.getAttribute('#url', 'href')).toContain('gradient-black-white');
        await resultShows(page, (await page.getAttribute('#url', 'href'))!);
      });
      // The check itself (one manual fetch) and the image: one URL.
      expect(new Set(requests).size).toBe(1);
      expect(requests[0]).toContain('input=files%2Fgradient-black-white.png');
      expect(await page.evaluate(() => document.querySelector<HTMLImageElement>('#before')!.naturalWidth)).toBe(600);
    });

    it('asks again after a busy answer and its Retry-After, and says so meanwhile', async () => {
      const page = await open(`${stack.edgeUrl}/`);
      await resultShows(page);
      let busy = 0;
      // The next processing request is answered 503 (as a full queue would), once.
      await page.route(/\/graph\//, async (route) => {
        if (busy++ > 0) return route.continue();
        await route.fulfill({ status: 503, headers: { 'retry-after': '1', 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'overloaded', error: 'busy' }) });
      });
      await page.fill('#p-width', '300');
      await page.dispatchEvent('#p-width', 'change');
      await expect.poll(() => page.textContent('#status')).toMatch(/^Busy \(503\): asking again in 1 s/);
      expect(await page.getAttribute('#url', 'href')).toContain('width=300');
      await resultShows(page);
      expect(busy).toBeGreaterThanOrEqual(2);
      // Chromium logs the 503 it was answered; that one line is this test's own doing.
      const logged = problems.filter((p) => /status of 503/.test(p));
      expect(logged).toHaveLength(1);
      problems = problems.filter((p) => !logged.includes(p));
      expect(await page.evaluate(() => document.querySelector<HTMLImageElement>('#result')!.naturalWidth)).toBe(300);
    });

    it('plays a video result in a <video>, offers a <video> snippet, and goes back to an image', async () => {
      const page = await open(`${stack.edgeUrl}/`);
      await resultShows(page);
      await page.selectOption('#graph', 'customgrey');
      await page.fill('#p-input', 'files/video-3dpmic.mp4');
      await page.dispatchEvent('#p-input', 'change');
      await page.selectOption('#ext', 'mp4');
      await page.waitForFunction(() => document.querySelector<HTMLVideoElement>('#result-video')?.dataset.width === '400', undefined, { timeout: 30_000 }).catch(async (e) => {
        throw new Error(`${(e as Error).message}; the page showed: ${await page.textContent('#status')}; video src ${await page.getAttribute('#result-video', 'src')}; error ${await page.evaluate(() => document.querySelector<HTMLVideoElement>('#result-video')!.error?.message)}`);
      });
      // customgrey's example scales its input to 400 px wide: every frame is.
      expect(await page.evaluate(() => [document.querySelector<HTMLImageElement>('#result')!.hidden, document.querySelector<HTMLVideoElement>('#result-video')!.videoHeight])).toEqual([true, 226]);
      expect(await page.textContent('#status')).toMatch(/^400 × 226 · mp4 · \d+ ms$/);
      expect(await page.textContent('#snippet')).toMatch(/^<video src="http:\/\/[^"]+\/graph\/customgrey\.mp4\?input=files%2Fvideo-3dpmic\.mp4&width=400" controls muted loop playsinline><\/video>$/);
      // And back to an image: the <video> is emptied and hidden.
      await page.fill('#p-input', 'files/gridbear.jpg');
      await page.dispatchEvent('#p-input', 'change');
      await page.selectOption('#ext', 'png');
      await expect.poll(() => page.textContent('#status'), { timeout: 30_000 }).toMatch(/^400 × 400 · png · \d+ ms$/);
      expect(await page.evaluate(() => [document.querySelector<HTMLVideoElement>('#result-video')!.hidden, document.querySelector<HTMLVideoElement>('#result-video')!.getAttribute('src')])).toEqual([true, null]);
    });

    it('copies the URL and an <img srcset> the service answers', async () => {
      const page = await open(`${stack.edgeUrl}/`);
      await resultShows(page);
      await page.click('#copy-url');
      await expect.poll(() => page.textContent('#copied')).toBe('Copied.');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied).toBe(await page.getAttribute('#url', 'href'));
      await page.click('#copy-html');
      const html = await page.evaluate(() => navigator.clipboard.readText());
      const srcset = /srcset="([^"]+)"/.exec(html)![1]!;
      const candidates = srcset.split(', ').map((c) => c.split(' ') as [string, string]);
      expect(candidates.map(([, w]) => w)).toEqual(['480w', '960w']);
      for (const [url, w] of candidates) {
        const res = await fetch(url, { redirect: 'manual' });
        expect(res.status).toBe(301);
        const image = await fetch(res.headers.get('location')!);
        const { default: sharp } = await import('sharp');
        expect((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).width).toBe(parseInt(w, 10));
      }
    });

    it('offers a srcset only where its w descriptors are the real widths, for every graph', async () => {
      const { default: sharp } = await import('sharp');
      const page = await open(`${stack.edgeUrl}/`);
      const offered: string[] = [];
      for (const name of GRAPHS) {
        await page.click(`button[data-graph="${name}"]`);
        await expect.poll(() => page.getAttribute('#url', 'href')).toBe(await imgfloUrl({ server: stack.edgeUrl, graph: name, ext: EXAMPLES[name]!.ext, params: EXAMPLES[name]!.params }));
        await expect.poll(() => page.textContent('#snippet')).toContain((await page.getAttribute('#url', 'href'))!);
        const srcset = /srcset="([^"]+)"/.exec((await page.textContent('#snippet'))!)?.[1];
        if (!srcset) continue;
        offered.push(name);
        for (const [url, w] of srcset.split(', ').map((c) => c.split(' ') as [string, string])) {
          const res = await fetch(url, { redirect: 'manual' });
          expect(res.status, `${name} ${w}`).toBe(301);
          const image = Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer());
          expect((await sharp(image).metadata()).width, `${name}: the candidate ${w}`).toBe(parseInt(w, 10));
        }
      }
      // Where width pre-scales an input the graph then crops or boxes, no srcset is offered.
      expect(offered).toEqual(expect.arrayContaining(['passthrough', 'gaussianblur', 'resize']));
      expect(offered).not.toContain('crop');
      expect(offered).not.toContain('thumbnail');
      expect(offered).not.toContain('croprotate');
    }, 180_000);

    it('keeps the form within the first screen of a 390-px phone, nothing wider than the screen', async () => {
      const page = await open(`${stack.edgeUrl}/`, { width: 390, height: 844 });
      await resultShows(page);
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        formTop: document.querySelector('#editor')!.getBoundingClientRect().top,
        cardsScroll: getComputedStyle(document.querySelector('#catalogue')!).overflowX,
      }));
      expect(layout.scrollWidth).toBeLessThanOrEqual(390);
      expect(layout.formTop).toBeLessThan(844 / 2);
      expect(layout.cardsScroll).toBe('auto');
      // Every card can still be reached and chosen.
      await page.click(`button[data-graph="${GRAPHS.at(-1)}"]`);
      expect(await page.inputValue('#graph')).toBe(GRAPHS.at(-1));
      await page.screenshot({ path: `${OUT}page-phone.png` });
    });
  });

  describe('with auth on', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startTestStack({ IMGFLO_API_KEY: KEY, IMGFLO_API_SECRET: SECRET });
    }, 120_000);
    afterAll(async () => {
      await stack?.stop();
    });

    it('shows every example without a key, says why other parameters need one, and never asks for them unsigned', async () => {
      const page = await open(`${stack.edgeUrl}/`);
      await resultShows(page, `${stack.edgeUrl}/examples/${FIRST_GRAPH}`);
      expect(await page.isVisible('#auth-notice')).toBe(true);
      // Said first, above the cards; and no URL that would answer 403 is offered or copied.
      const tops = await page.evaluate(() => ['#auth-notice', '#catalogue'].map((id) => document.querySelector(id)!.getBoundingClientRect().top));
      expect(tops[0]).toBeLessThan(tops[1]!);
      expect(await page.getAttribute('#url', 'href')).toBeNull();
      expect(await page.textContent('#url')).toMatch(/Signed URLs only/);
      expect([await page.isDisabled('#copy-url'), await page.isDisabled('#copy-html')]).toEqual([true, true]);
      expect(await page.textContent('#snippet')).toMatch(/^<!-- This service answers signed URLs only[\s\S]*imgflo sign /);
      expect(await page.textContent('#snippet')).not.toMatch(/\/graph\//);
      await thumbnailsLoaded(page);
      for (const name of GRAPHS) {
        await page.click(`button[data-graph="${name}"]`);
        await resultShows(page, `${stack.edgeUrl}/examples/${name}`);
      }
      await page.click(`button[data-graph="crop"]`);
      await resultShows(page, `${stack.edgeUrl}/examples/crop`);
      const requests = await requestsDuring(page, async () => {
        await page.fill('#p-cropwidth', '120');
        await page.dispatchEvent('#p-cropwidth', 'change');
        await expect.poll(() => page.textContent('#status')).toMatch(/key and secret/);
      });
      expect(requests).toEqual([]);
      expect(await page.getAttribute('#result', 'src')).toBeNull();
      // No broken image where the result would be.
      expect(await page.isHidden('#result')).toBe(true);
      await page.screenshot({ path: `${OUT}page-auth.png`, fullPage: true });
    });

    it('signs with the key and secret given, through the JS client, and the service accepts it', async () => {
      const page = await open(`${stack.edgeUrl}/`);
      await page.click(`button[data-graph="crop"]`);
      await page.fill('#key', KEY);
      await page.fill('#secret', SECRET);
      await page.dispatchEvent('#secret', 'change');
      await page.fill('#p-cropwidth', '120');
      await page.dispatchEvent('#p-cropwidth', 'change');
      await page.waitForFunction(() => document.querySelector<HTMLImageElement>('#result')?.dataset.width === '120', undefined, { timeout: 30_000 });
      expect(await page.isVisible('#auth-notice')).toBe(false);
      const url = (await page.getAttribute('#url', 'href'))!;
      expect(url).toMatch(new RegExp(`/graph/${KEY}/[A-Za-z0-9_-]{43}/crop\\.jpg\\?input=files%2Fmountains\\.png&x=120&y=240&cropheight=380&cropwidth=120$`));
      expect((await fetch(url, { redirect: 'manual' })).status).toBe(301);
      // The client module a page of any origin can import signs the same way.
      // (A string: the test's own transform would rewrite a dynamic import in a function.)
      const inBrowser = await page.evaluate(
        `import('/client.js').then((m) => m.imgfloUrl({ graph: 'crop', params: { input: 'files/gridbear.jpg', x: -5 }, key: '${KEY}', secret: '${SECRET}' }))`,
      );
      expect(inBrowser).toBe(await imgfloUrl({ graph: 'crop', params: { input: 'files/gridbear.jpg', x: -5 }, key: KEY, secret: SECRET }));
    });

    it('answers only the fixed examples without a token', async () => {
      const plain = await fetch(`${stack.edgeUrl}/examples/crop`, { redirect: 'manual' });
      expect(plain.status).toBe(301);
      const withQuery = await fetch(`${stack.edgeUrl}/examples/crop?x=5&cropwidth=4000`, { redirect: 'manual' });
      expect(withQuery.headers.get('location')).toBe(plain.headers.get('location'));
      expect((await fetch(`${stack.edgeUrl}/graph/crop.jpg?input=files%2Fmountains.png&x=5`, { redirect: 'manual' })).status).toBe(403);
      expect((await fetch(`${stack.edgeUrl}/examples/nope`)).status).toBe(404);
      expect((await fetch(`${stack.edgeUrl}/examples/crop`, { method: 'POST' })).status).toBe(404);
    });

    it('opens a signed processing URL with debug=1 filled in, and refuses a forged one', async () => {
      const search = '?input=files%2Fgridbear.jpg&std-dev-x=7&debug=1';
      const token = await tokenV2(SECRET, 'gaussianblur.png', search);
      // The debug view is for whoever may use the URL: its token is checked first.
      expect((await fetch(`${stack.edgeUrl}/graph/${KEY}/${'A'.repeat(43)}/gaussianblur.png${search}`, { redirect: 'manual' })).status).toBe(403);
      const page = await open(`${stack.edgeUrl}/graph/${KEY}/${token}/gaussianblur.png${search}`);
      expect(new URL(page.url()).pathname).toBe(`/debug/graph/${KEY}/${token}/gaussianblur.png`);
      await expect.poll(() => page.inputValue('#p-std-dev-x')).toBe('7');
      expect(await page.inputValue('#graph')).toBe('gaussianblur');
      expect(await page.inputValue('#ext')).toBe('png');
      expect(await page.inputValue('#key')).toBe(KEY);
      await expect.poll(() => page.textContent('#status')).toMatch(/key and secret/);
    });
  });
});
