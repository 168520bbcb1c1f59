/**
 * What an SVG input may be before librsvg sees it: a document that references nothing outside
 * itself and stays small when its `<use>` references are expanded. Gzip (svgz) is decompressed
 * first, with a cap. Parsed once with a streaming XML parser (linear in the input):
 *  - no DOCTYPE with an internal subset (entity declarations), no `xml-stylesheet`;
 *  - every `href` (any namespace) is `#fragment` or a `data:` URI of a raster image;
 *  - every `url(…)`, in attributes and `<style>`, is `#fragment`; no `@import` — judged as a CSS
 *    parser reads them: comments removed, escapes (`\69`, `\72 `, `\i`) resolved first;
 *  - at most MAX_ELEMENTS elements nested at most MAX_DEPTH deep, and at most MAX_EXPANDED once
 *    every `<use>` is expanded.
 * Anything else is 415 `unsupported-input`.
 */
import { gunzipSync } from 'node:zlib';
import { SaxesParser } from 'saxes';
import { isImgfloError, unsupportedInput } from '../../shared/errors.ts';

export const MAX_SVG_BYTES = 16 * 1024 * 1024;
export const MAX_ELEMENTS = 50_000;
export const MAX_EXPANDED = 200_000;
/** Nesting, of elements and of `<use>` chains. */
export const MAX_DEPTH = 256;

const RASTER_DATA = /^data:image\/(png|jpeg|jpg|gif|webp);/i;
const URL_REF = /url\(\s*(['"]?)([^)'"]*)\1\s*\)/gi;

const refused = (why: string) => unsupportedInput(`SVG ${why}`);

const isGzip = (b: Uint8Array) => b[0] === 0x1f && b[1] === 0x8b;

/** Whether the bytes are markup (after an optional BOM and whitespace): SVG or other XML. */
function isMarkup(b: Uint8Array): boolean {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && i < 4096 && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  return b[i] === 0x3c; // '<'
}

/**
 * The input as the decoder may see it: unchanged when it is not markup; an SVG that passed every
 * check (decompressed when it came gzipped); otherwise a typed refusal.
 */
export function screenSvg(input: Uint8Array): Uint8Array {
  let bytes = input;
  if (isGzip(input)) {
    try {
      bytes = gunzipSync(input, { maxOutputLength: MAX_SVG_BYTES });
    } catch {
      throw unsupportedInput('compressed input that does not unpack within the limit');
    }
    if (!isMarkup(bytes)) throw unsupportedInput('compressed input that is not an SVG');
  } else if (!isMarkup(input)) {
    return input;
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // A web page where an image was meant (a link to an image's page, an error page): said as such.
  if (/^\s*(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html[\s>])/i.test(text.slice(0, 4096).replace(/^\uFEFF/, ''))) throw unsupportedInput('an HTML page, not an image');
  checkSvgText(text);
  return bytes;
}

/**
 * CSS as its parser reads it (CSS Syntax §4.3.7): comments gone, each escape — a backslash and
 * 1–6 hex digits with one optional whitespace after, or a backslash and any other character —
 * replaced by what it stands for; an escaped newline is a continuation, nothing.
 */
export function cssText(value: string): string {
  if (!value.includes('\\') && !value.includes('/*')) return value;
  return value.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, '').replace(/\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|([\s\S]))/g, (_m, hex: string | undefined, char: string | undefined) => {
    if (hex === undefined) return char === '\n' ? '' : char!;
    const code = parseInt(hex, 16);
    return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\ufffd' : String.fromCodePoint(code);
  });
}

interface Node {
  children: Node[];
  /** The `#id` a `<use>` points at. */
  use: string | null;
}

function checkSvgText(text: string): void {
  const parser = new SaxesParser({ xmlns: false });
  const ids = new Map<string, Node>();
  const root: Node = { children: [], use: null };
  const stack: Node[] = [root];
  let elements = 0;
  let inStyle = false;
  let sawSvg = false;

  const checkUrls = (raw: string) => {
    const value = cssText(raw);
    if (/@import/i.test(value)) throw refused('with @import');
    for (const m of value.matchAll(URL_REF)) {
      if (!m[2]!.trim().startsWith('#')) throw refused('with an external url()');
    }
    if (/url\(/i.test(value.replace(URL_REF, ''))) throw refused('with an unreadable url()');
  };

  parser.on('doctype', (doctype) => {
    if (doctype.includes('[') || /<!ENTITY/i.test(doctype)) throw refused('with entity declarations');
  });
  parser.on('processinginstruction', (pi) => {
    if (pi.target.toLowerCase() !== 'xml') throw refused(`with a processing instruction (${pi.target.slice(0, 32)})`);
  });
  parser.on('opentag', (tag) => {
    if (++elements > MAX_ELEMENTS) throw refused(`with more than ${MAX_ELEMENTS} elements`);
    if (stack.length > MAX_DEPTH) throw refused(`nested deeper than ${MAX_DEPTH}`);
    const name = tag.name.toLowerCase().replace(/^.*:/, '');
    if (name === 'svg') sawSvg = true;
    const node: Node = { children: [], use: null };
    for (const [attr, value] of Object.entries(tag.attributes)) {
      const local = attr.toLowerCase().replace(/^.*:/, '');
      if (local === 'href' || local === 'src') {
        const ref = value.trim();
        if (ref.startsWith('#')) {
          if (name === 'use') node.use = ref.slice(1);
        } else if (ref !== '' && !RASTER_DATA.test(ref)) {
          throw refused('with an external or nested document reference');
        }
      } else if (local === 'id') {
        ids.set(value, node);
      }
      checkUrls(value);
    }
    stack[stack.length - 1]!.children.push(node);
    stack.push(node);
    inStyle = name === 'style';
  });
  parser.on('closetag', () => {
    stack.pop();
    inStyle = false;
  });
  parser.on('text', (t) => {
    if (inStyle) checkUrls(t);
  });
  parser.on('cdata', (t) => {
    if (inStyle) checkUrls(t);
  });

  try {
    parser.write(text).close();
  } catch (e) {
    if (isImgfloError(e)) throw e;
    throw unsupportedInput('SVG that is not well-formed XML');
  }
  if (!sawSvg) throw unsupportedInput('markup that is not an SVG');
  if (expandedSize(root, ids) > MAX_EXPANDED) throw refused(`whose <use> references expand to more than ${MAX_EXPANDED} elements`);
}

/**
 * Elements once every `<use>` is replaced by what it references; a cycle, or references chained
 * deeper than MAX_DEPTH, count as too many.
 */
function expandedSize(root: Node, ids: ReadonlyMap<string, Node>): number {
  const memo = new Map<Node, number>();
  const visiting = new Set<Node>();
  const size = (node: Node, depth: number): number => {
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (visiting.has(node) || depth > 4 * MAX_DEPTH) return Infinity;
    visiting.add(node);
    let total = 1;
    for (const child of node.children) {
      total += size(child, depth + 1);
      if (total > MAX_EXPANDED) break;
    }
    const target = node.use !== null ? ids.get(node.use) : undefined;
    if (target && total <= MAX_EXPANDED) total += size(target, depth + 1);
    visiting.delete(node);
    memo.set(node, total);
    return total;
  };
  return size(root, 0);
}
