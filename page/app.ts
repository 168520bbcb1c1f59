/**
 * The page's script (bundled by esbuild into /app.js): reads the catalogue from /graphs, shows
 * each graph's example, builds a form from the typed inports and, as you edit (debounced), the
 * processing URL — signed in the browser by the JS client when a key and secret are given — the
 * result beside its input, and an `<img srcset>` snippet for the current settings.
 */
import { imgfloSrcset, imgfloUrl, type UrlOptions } from '../shared/client.ts';
import { exampleOf, FIRST_GRAPH, type GraphExample } from '../shared/graph/examples.ts';
import { exampleFileName } from '../shared/input-ref.ts';
import type { PublicGraph, PublicInport } from '../shared/graph/catalogue.ts';

const DEBOUNCE_MS = 300;
const BUSY_RETRIES = 5;
const INPUT_FILES = ['files/mountains.png', 'files/gridbear.jpg', 'files/cmyk-color.jpg', 'files/grid-toastybob.jpg', 'files/gradient-black-white.png', 'files/time.gif', 'files/happy-kitten.svg'];
const CREDENTIALS = 'imgflo-credentials';

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page lacks #${id}`);
  return el as T;
}

const authRequired = document.body.dataset.auth === 'required';
const state = {
  graphs: {} as Record<string, PublicGraph>,
  graph: '',
  /** The form still holds the graph's example: it may be shown without a token. */
  pristine: true,
  controller: null as AbortController | null,
  timer: 0,
};

const credentials = () => ({ key: $<HTMLInputElement>('key').value.trim(), secret: $<HTMLInputElement>('secret').value });
const signed = () => Boolean(credentials().key && credentials().secret);
const hasInput = (g: PublicGraph) => 'input' in g.inports;
const exampleFor = (name: string): GraphExample => exampleOf(name, hasInput(state.graphs[name]!));

function renderCatalogue(): void {
  const list = $('catalogue');
  list.textContent = '';
  for (const name of Object.keys(state.graphs)) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'card';
    button.dataset.graph = name;
    button.setAttribute('aria-pressed', 'false');
    button.setAttribute('aria-label', `Use the graph ${name}`);
    const img = document.createElement('img');
    img.alt = `${name} on its example image`;
    img.loading = 'lazy';
    img.src = `/examples/${encodeURIComponent(name)}`;
    const title = document.createElement('span');
    title.textContent = name;
    button.append(img, title);
    button.addEventListener('click', () => selectGraph(name));
    const li = document.createElement('li');
    li.append(button);
    list.append(li);
  }
}

function control(port: string, info: PublicInport, value: string | undefined): { row: HTMLElement; input: HTMLInputElement | HTMLSelectElement } {
  const id = `p-${port}`;
  const row = document.createElement('div');
  row.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = port;
  const help = document.createElement('small');
  help.id = `${id}-help`;
  help.textContent = info.description;
  const current = value ?? (info.default === null ? '' : String(info.default));
  let input: HTMLInputElement | HTMLSelectElement;
  let output: HTMLOutputElement | null = null;
  if (info.type === 'enum') {
    const select = document.createElement('select');
    for (const v of info.values ?? []) select.append(new Option(v, v, false, current === v));
    input = select;
  } else {
    const el = document.createElement('input');
    input = el;
    if (info.type === 'boolean') {
      el.type = 'checkbox';
      el.checked = current === 'true';
    } else if (info.type === 'color') {
      el.type = 'color';
      el.value = (current || '#000000').slice(0, 7);
    } else if ((info.type === 'number' || info.type === 'int') && info.minimum !== undefined && info.maximum !== undefined && info.default !== null && info.maximum - info.minimum <= 10_000) {
      el.type = 'range';
      el.min = String(info.minimum);
      el.max = String(info.maximum);
      el.step = info.type === 'int' ? '1' : 'any';
      el.value = current;
      output = document.createElement('output');
      output.htmlFor.add(id);
      output.textContent = el.value;
      const shown = output;
      el.addEventListener('input', () => (shown.textContent = el.value));
    } else if (info.type === 'number' || info.type === 'int') {
      el.type = 'number';
      if (info.minimum !== undefined) el.min = String(info.minimum);
      if (info.maximum !== undefined) el.max = String(info.maximum);
      el.step = info.type === 'int' ? '1' : 'any';
      el.value = current;
    } else {
      el.type = 'text';
      el.value = current;
      if (info.type === 'uri' || info.type === 'image') el.setAttribute('list', 'examples');
    }
  }
  input.id = id;
  input.name = port;
  input.setAttribute('aria-describedby', help.id);
  row.append(label, input);
  if (output) row.append(output);
  row.append(help);
  return { row, input };
}

/** The form's values as the query, in inport order, leaving out blanks and defaults. */
function formPairs(): Array<[string, string]> {
  const g = state.graphs[state.graph]!;
  const pairs: Array<[string, string]> = [];
  for (const [port, info] of Object.entries(g.inports)) {
    const el = document.getElementById(`p-${port}`) as HTMLInputElement | HTMLSelectElement | null;
    if (!el) continue;
    let v = el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value;
    if (info.type === 'color') v += 'ff';
    if (v === '' || (port !== 'input' && info.default !== null && String(info.default) === v)) continue;
    pairs.push([port, v]);
  }
  return pairs;
}

function selectGraph(name: string, given?: { ext?: string; values: Record<string, string> }): void {
  const g = state.graphs[name];
  if (!g) return;
  state.graph = name;
  state.pristine = !given;
  const example = exampleFor(name);
  const values = given?.values ?? Object.fromEntries(example.params);
  $<HTMLSelectElement>('graph').value = name;
  $('description').textContent = g.description;
  for (const card of document.querySelectorAll<HTMLElement>('.card')) card.setAttribute('aria-pressed', String(card.dataset.graph === name));
  const ext = $<HTMLSelectElement>('ext');
  ext.textContent = '';
  const types = name === 'noop' ? ['', ...g.formats] : [...g.formats, 'auto'];
  for (const t of types) ext.append(new Option(t || '(as the input)', t));
  ext.value = given?.ext ?? example.ext;
  const form = $('params');
  form.replaceChildren(Object.assign(document.createElement('legend'), { textContent: 'Parameters' }));
  for (const [port, info] of Object.entries(g.inports)) {
    const { row, input } = control(port, info, values[port]);
    const edited = () => {
      state.pristine = false;
      schedule();
    };
    input.addEventListener('change', edited);
    if (input instanceof HTMLInputElement && input.type !== 'range' && input.type !== 'checkbox') input.addEventListener('input', edited);
    form.append(row);
  }
  void update();
}

/** Processing waits until the edits pause: typing a URL is one request, not one per key. */
function schedule(): void {
  clearTimeout(state.timer);
  state.timer = window.setTimeout(() => void update(), DEBOUNCE_MS);
}

function show(status: string): void {
  $('status').textContent = status;
}

function showBefore(input: string | undefined): void {
  const figure = $('before-figure');
  const img = $<HTMLImageElement>('before');
  const usable = input && (exampleFileName(input) !== null || /^https?:\/\//.test(input));
  figure.hidden = !usable;
  if (!usable) img.removeAttribute('src');
  else if (img.getAttribute('src') !== (input.startsWith('files/') ? `/${input}` : input)) img.src = input.startsWith('files/') ? `/${input}` : input;
}

async function update(): Promise<void> {
  const name = state.graph;
  if (!name) return;
  state.controller?.abort();
  const controller = (state.controller = new AbortController());
  const ext = $<HTMLSelectElement>('ext').value;
  // Untouched, the form stands for the example as it is written (the same URL as its thumbnail).
  const pairs = state.pristine ? exampleFor(name).params.map(([k, v]): [string, string] => [k, v]) : formPairs();
  const { key, secret } = credentials();
  const options: UrlOptions = { server: location.origin, graph: name, ext: ext || undefined, params: pairs, key: key || undefined, secret: secret || undefined };
  const url = await imgfloUrl(options);
  // A srcset only where its `w` descriptors hold: where the result is as wide as `width`.
  const hasWidth = state.graphs[name]!.resultWidth && 'width' in state.graphs[name]!.inports;
  const width = Number(pairs.find(([k]) => k === 'width')?.[1]) || 400;
  const srcset = hasWidth ? await imgfloSrcset(options, [width, width * 2]) : '';
  if (controller.signal.aborted) return;
  const link = $<HTMLAnchorElement>('url');
  const video = ext === 'mp4';
  const needsToken = authRequired && !signed();
  $('auth-notice').hidden = !needsToken;
  // An unsigned URL would answer 403 here: never offered, not even the example's.
  $<HTMLButtonElement>('copy-url').disabled = $<HTMLButtonElement>('copy-html').disabled = needsToken;
  if (needsToken) {
    link.removeAttribute('href');
    link.textContent = 'Signed URLs only: enter an app key and secret under Signing, or make the URL with imgflo sign.';
    $('snippet').textContent = `<!-- This service answers signed URLs only. Enter an app key and secret on this page, or run:
     imgflo sign ${name}${ext ? `.${ext}` : ''} ${pairs.map(([k, v]) => `--${k} '${v.replaceAll("'", "'\\''")}'`).join(' ')} -->`;
  } else {
    link.href = link.textContent = url;
    $('snippet').textContent = video
      ? `<video src="${url}" controls muted loop playsinline></video>`
      : srcset
        ? `<img src="${url}" srcset="${srcset}" sizes="(max-width: ${width}px) 100vw, ${width}px" alt="">`
        : `<img src="${url}" alt="">`;
  }
  showBefore(pairs.find(([k]) => k === 'input')?.[1]);

  const image = $<HTMLImageElement>('result');
  const player = $<HTMLVideoElement>('result-video');
  // A video result plays in a <video>, an image shows in the <img>; the other is emptied.
  const result = video ? player : image;
  const other = video ? image : player;
  other.hidden = true;
  other.removeAttribute('src');
  result.hidden = false;
  if (needsToken && !state.pristine) {
    result.removeAttribute('src');
    result.hidden = true;
    show('Signed URLs only: enter an app key and secret to process these parameters.');
    return;
  }
  // The example is answered without a token; anything else through its own URL.
  const target = needsToken ? `/examples/${encodeURIComponent(name)}` : url;
  const started = performance.now();
  show('Processing…');
  try {
    // Not following the redirect: the storage need not allow this origin to read it.
    let res = await fetch(target, { redirect: 'manual', signal: controller.signal });
    // A busy service (503, 429) says when to come back: the page waits and asks again.
    for (let attempt = 1; (res.status === 503 || res.status === 429) && attempt <= BUSY_RETRIES; attempt++) {
      const wait = Math.min(Number(res.headers.get('retry-after')) || 1, 10);
      show(`Busy (${res.status}): asking again in ${wait} s…`);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      if (controller.signal.aborted) return;
      res = await fetch(target, { redirect: 'manual', signal: controller.signal });
    }
    if (res.type !== 'opaqueredirect' && !res.ok) {
      const body = (await res.json().catch(() => ({}))) as { reason?: string; error?: string };
      result.removeAttribute('src');
      result.hidden = true;
      show(`${res.status} ${body.reason ?? ''}: ${body.error ?? res.statusText}`);
      return;
    }
  } catch (e) {
    if (controller.signal.aborted) return;
    show(`The service did not answer: ${(e as Error).message}`);
    return;
  }
  const loaded = (w: number, h: number) => {
    if (controller.signal.aborted) return;
    const type = ext && ext !== 'auto' ? ext : 'image';
    show(`${w} × ${h} · ${type} · ${Math.round(performance.now() - started)} ms`);
    result.dataset.width = String(w);
  };
  image.onload = () => loaded(image.naturalWidth, image.naturalHeight);
  player.onloadeddata = () => loaded(player.videoWidth, player.videoHeight);
  result.onerror = () => {
    if (!controller.signal.aborted) show(`The result did not load: the storage did not answer it as ${video ? 'a video' : 'an image'}.`);
  };
  result.src = target;
}

async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    $('copied').textContent = 'Copied.';
  } catch {
    $('copied').textContent = 'Select the text and copy it (this browser does not allow the page to).';
  }
}

/** /debug/graph/...: the form filled in from a processing URL. */
function fromDebugUrl(): { graph: string; ext?: string; values: Record<string, string> } | null {
  const m = /^\/debug\/graph\/(?:([^/]+)\/([^/]+)\/)?([^/?]+)/.exec(location.pathname);
  if (!m) return null;
  const spec = m[3]!;
  const dot = spec.lastIndexOf('.');
  const values: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(location.search)) if (k !== 'debug') values[k] = v;
  if (m[1]) $<HTMLInputElement>('key').value = decodeURIComponent(m[1]);
  return { graph: dot > 0 ? spec.slice(0, dot) : spec, ...(dot > 0 && { ext: spec.slice(dot + 1) }), values };
}

function rememberCredentials(): void {
  try {
    const remembered = JSON.parse(localStorage.getItem(CREDENTIALS) ?? 'null') as { key: string; secret: string } | null;
    if (remembered) {
      $<HTMLInputElement>('key').value = remembered.key;
      $<HTMLInputElement>('secret').value = remembered.secret;
      $<HTMLInputElement>('remember').checked = true;
    }
  } catch {
    localStorage.removeItem(CREDENTIALS);
  }
  for (const id of ['key', 'secret', 'remember']) {
    $(id).addEventListener('change', () => {
      if ($<HTMLInputElement>('remember').checked) localStorage.setItem(CREDENTIALS, JSON.stringify(credentials()));
      else localStorage.removeItem(CREDENTIALS);
      schedule();
    });
  }
}

async function main(): Promise<void> {
  $('editor').addEventListener('submit', (e) => e.preventDefault());
  $('copy-url').addEventListener('click', () => void copy($('url').textContent ?? ''));
  $('copy-html').addEventListener('click', () => void copy($('snippet').textContent ?? ''));
  rememberCredentials();
  for (const f of INPUT_FILES) $('examples').append(new Option(f));
  const res = await fetch('/graphs');
  state.graphs = ((await res.json()) as { graphs: Record<string, PublicGraph> }).graphs;
  const select = $<HTMLSelectElement>('graph');
  for (const name of Object.keys(state.graphs)) select.append(new Option(name, name));
  select.addEventListener('change', () => selectGraph(select.value));
  $('ext').addEventListener('change', () => {
    state.pristine = false;
    schedule();
  });
  renderCatalogue();
  const debug = fromDebugUrl();
  if (debug && state.graphs[debug.graph]) selectGraph(debug.graph, debug);
  else selectGraph(state.graphs[FIRST_GRAPH] ? FIRST_GRAPH : Object.keys(state.graphs)[0]!);
}

void main();
