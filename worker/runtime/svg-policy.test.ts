import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cssText, MAX_ELEMENTS, screenSvg } from './svg-policy.ts';

const svg = (body: string, head = '') => `${head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">${body}</svg>`;
const nested = Buffer.from(svg('<image href="http://127.0.0.1:9/x.png" width="10" height="10"/>')).toString('base64');
/** `levels` groups, each using the one before ten times: 10^levels elements once expanded. */
const useBomb = (levels: number) => {
  let defs = '<g id="g0"><rect width="1" height="1"/></g>';
  for (let i = 1; i <= levels; i++) defs += `<g id="g${i}">${Array.from({ length: 10 }, () => `<use href="#g${i - 1}"/>`).join('')}</g>`;
  return svg(`<defs>${defs}</defs><use href="#g${levels}"/>`);
};

const refused: Array<[string, string | Buffer]> = [
  ['an external image href', svg('<image href="http://127.0.0.1:9/x.png" width="10" height="10"/>')],
  ['an external xlink:href', svg('<image xlink:href="https://example.com/x.png" width="10" height="10"/>')],
  ['a file: href', svg('<image href="file:///etc/passwd" width="10" height="10"/>')],
  ['a protocol-relative href', svg('<image href="//example.com/x.png"/>')],
  ['a relative href', svg('<image href="x.png"/>')],
  ['an external <use>', svg('<use href="http://example.com/s.svg#a"/>')],
  ['a nested SVG document as data:', svg(`<image href="data:image/svg+xml;base64,${nested}" width="10" height="10"/>`)],
  ['a data: HTML document', svg('<image href="data:text/html,&lt;b&gt;x&lt;/b&gt;"/>')],
  ['a feImage with an external href', svg('<filter id="f"><feImage href="http://example.com/x.png"/></filter>')],
  ['an iframe src in foreignObject', svg('<foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" src="http://example.com/"/></foreignObject>')],
  ['@import in <style>', svg('<style>@import url(http://example.com/x.css);</style>')],
  ['@import in CDATA', svg('<style><![CDATA[@import "http://example.com/x.css";]]></style>')],
  ['an external url() in <style>', svg('<style>rect { fill: url(http://example.com/x.svg#g) }</style><rect width="5" height="5"/>')],
  ['an external url() in a fill', svg('<rect width="5" height="5" fill="url(http://example.com/x.svg#g)"/>')],
  ['an external url() in a style attribute', svg(`<rect width="5" height="5" style="fill: url('https://example.com/p.svg#g')"/>`)],
  ['an unquoted url() with spaces', svg('<rect width="5" height="5" fill="url( //example.com/a )"/>')],
  // CSS escapes and comments, which a CSS parser resolves before it reads a keyword or a function.
  ['@import spelled with a hex escape', svg('<style>@\\69mport "http://127.0.0.1:9/x.css";</style>')],
  ['@import spelled with a hex escape and its whitespace', svg('<style>@\\000069 mport url(http://127.0.0.1:9/x.css);</style>')],
  ['@import spelled with a character escape', svg('<style>@\\import "http://127.0.0.1:9/x.css";</style>')],
  ['url() spelled with a hex escape in a style attribute', svg('<rect width="5" height="5" style="fill:u\\72l(http://127.0.0.1:9/p.svg#g)"/>')],
  ['url() spelled with escapes in a fill', svg('<rect width="5" height="5" fill="\\75\\72\\6c(http://127.0.0.1:9/p.svg#g)"/>')],
  ['url() spelled with escapes in <style>', svg('<style>rect { fill: \\55 RL(//127.0.0.1:9/p.svg#g) }</style>')],
  ['url() split by a comment', svg('<style>rect { fill: u/**/rl(http://127.0.0.1:9/p.svg#g) }</style>')],
  ['an escaped scheme inside url()', svg('<rect width="5" height="5" fill="url(\\68ttp://127.0.0.1:9/p.svg#g)"/>')],
  ['an escaped quote closing url() early', svg(`<rect width="5" height="5" style="fill: url('#a\\27 http://127.0.0.1:9/p.svg')"/>`)],
  ['an entity declaration', svg('<text>&x;</text>', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>')],
  ['a billion laughs', svg('<text>&lol2;</text>', '<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>')],
  ['an xml-stylesheet instruction', svg('', '<?xml-stylesheet href="http://example.com/x.css"?>')],
  ['a <use> reference bomb', useBomb(6)],
  ['a <use> cycle', svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>')],
  ['too many elements', svg('<rect/>'.repeat(MAX_ELEMENTS + 1))],
  ['nesting 1000 deep', svg('<g>'.repeat(1000) + '</g>'.repeat(1000))],
  ['markup that is not SVG', '<html><body>hi</body></html>'],
  ['malformed XML', '<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>'],
  ['a gzipped SVG with an external href', gzipSync(svg('<image href="http://127.0.0.1:9/x.png"/>'))],
  ['gzipped bytes that are not an SVG', gzipSync(Buffer.alloc(1000))],
];

describe('the SVG policy', () => {
  it.each(refused)('refuses %s with 415', (_what, input) => {
    const started = performance.now();
    expect(() => screenSvg(typeof input === 'string' ? Buffer.from(input) : input)).toThrow(expect.objectContaining({ status: 415, reason: 'unsupported-input' }));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['<!DOCTYPE html><html><head><title>404</title></head><body>Not found</body></html>'],
    ['\n  <!-- a page -->\n<html lang="en"><body><img src="x.jpg"></body></html>'],
    ['<!doctype HTML>\n<meta charset=utf-8><p>unclosed'],
  ])('calls a web page a web page, not broken SVG: %j', (page) => {
    expect(() => screenSvg(Buffer.from(page))).toThrow(expect.objectContaining({ status: 415, message: 'Input is not a supported image: an HTML page, not an image' }));
  });

  it('passes self-contained SVGs: fragments, gradients, raster data URIs, a few <use>', () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const ok = svg(
      `<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient><rect id="r" width="2" height="2"/></defs>` +
        `<rect width="10" height="10" fill="url(#g)" style="stroke: url( '#g' )"/><use href="#r"/><use xlink:href="#r" x="3"/>` +
        `<image href="data:image/png;base64,${png}" width="1" height="1"/><style>rect { fill: url(#g) }</style>`,
      '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
    );
    expect(Buffer.from(screenSvg(Buffer.from(ok))).toString()).toBe(ok);
    expect(Buffer.from(screenSvg(gzipSync(ok))).toString()).toBe(ok);
  });

  it('passes CSS whose escapes and comments resolve to nothing external', () => {
    const ok = svg('<style>/* a comment */ rect { fill: \\75 rl(#g); font-family: "A\\26 B" }</style><rect width="5" height="5" style="stroke: u\\72l(#g)"/>');
    expect(Buffer.from(screenSvg(Buffer.from(ok))).toString()).toBe(ok);
  });

  it('leaves raster inputs alone', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    expect(screenSvg(jpeg)).toBe(jpeg);
  });
});

describe('CSS as its parser reads it', () => {
  it.each([
    ['@\\69mport', '@import'],
    ['@\\000069 mport', '@import'],
    ['u\\72l(', 'url('],
    ['\\75\\72\\6c(', 'url('],
    ['\\u\\r\\l(', 'url('],
    ['u/* x */rl(', 'url('],
    ['a\\\nb', 'ab'],
    ['\\0 x', '\ufffdx'],
    ['\\110000', '\ufffd'],
    ['plain', 'plain'],
  ])('reads %j as %j', (raw, read) => {
    expect(cssText(raw)).toBe(read);
  });

  it('reads 100 000 backslashes and an unclosed comment in linear time', () => {
    const started = performance.now();
    cssText('\\'.repeat(100_000) + '/*'.repeat(50_000));
    expect(performance.now() - started).toBeLessThan(500);
  });
});
