/**
 * The page's script, served as /app.js: plain browser JavaScript, no build step. It reads the
 * catalogue from /graphs, builds a form from the typed inports, builds (and, with a key and a
 * secret, signs in the browser with Web Crypto) the processing URL as you edit, and shows the
 * result with its size, type and time.
 */
export const PAGE_SCRIPT = String.raw`
const $ = (sel) => document.querySelector(sel);
const EXAMPLES = ['files/grid-toastybob.jpg', 'files/mountains.png', 'files/gridbear.jpg', 'files/gradient-black-white.png', 'files/time.gif', 'files/happy-kitten.svg', 'files/cmyk-color.jpg'];
const state = { graphs: {}, graph: null, values: {}, ext: 'jpg' };
const enc = new TextEncoder();

function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function tokenV2(secret, message) {
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return b64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(message))));
}

function query(pairs) {
  return pairs.length ? '?' + pairs.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&') : '';
}

async function buildUrl(graph, ext, pairs) {
  const graphspec = ext ? graph + '.' + ext : graph;
  const search = query(pairs);
  const key = $('#key').value.trim();
  const secret = $('#secret').value;
  if (key && secret) return '/graph/' + encodeURIComponent(key) + '/' + (await tokenV2(secret, graphspec + search)) + '/' + graphspec + search;
  return '/graph/' + graphspec + search;
}

function defaultInput(name) {
  const g = state.graphs[name];
  return g.inports.input ? (name === 'noop' ? 'files/gridbear.jpg' : 'files/grid-toastybob.jpg') : null;
}

function renderCatalogue() {
  const list = $('#catalogue');
  list.textContent = '';
  for (const [name, g] of Object.entries(state.graphs)) {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'card';
    button.dataset.graph = name;
    button.setAttribute('aria-label', 'Use the graph ' + name);
    const img = document.createElement('img');
    img.alt = name + ' on an example image';
    img.loading = 'lazy';
    const input = defaultInput(name);
    const pairs = input ? [['input', input]] : [];
    if (g.inports.width && g.inports.input) pairs.push(['width', '150']);
    else if (g.inports.width) pairs.push(['width', '150'], ['height', '100']);
    buildUrl(name, name === 'noop' ? '' : 'jpg', pairs).then((u) => (img.src = u));
    const title = document.createElement('span');
    title.textContent = name;
    button.append(img, title);
    button.addEventListener('click', () => selectGraph(name, {}));
    li.append(button);
    list.append(li);
  }
}

function field(port, info, value) {
  const id = 'p-' + port;
  const row = document.createElement('div');
  row.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = port;
  const help = document.createElement('small');
  help.textContent = info.description;
  help.id = id + '-help';
  let control;
  if (info.type === 'enum') {
    control = document.createElement('select');
    for (const v of info.values) control.append(new Option(v, v, false, String(value) === v));
  } else if (info.type === 'boolean') {
    control = document.createElement('input');
    control.type = 'checkbox';
    control.checked = value === true || value === 'true';
  } else if (info.type === 'color') {
    control = document.createElement('input');
    control.type = 'color';
    control.value = String(value || '#000000').slice(0, 7);
  } else if ((info.type === 'number' || info.type === 'int') && info.minimum !== undefined && info.default !== null && info.maximum - info.minimum <= 10000) {
    control = document.createElement('input');
    control.type = 'range';
    control.min = info.minimum;
    control.max = info.maximum;
    control.step = info.type === 'int' ? 1 : 'any';
    control.value = value ?? info.default ?? info.minimum;
    const out = document.createElement('output');
    out.htmlFor = id;
    out.textContent = control.value;
    control.addEventListener('input', () => (out.textContent = control.value));
    row.append(label, control, out, help);
  } else if (info.type === 'number' || info.type === 'int') {
    control = document.createElement('input');
    control.type = 'number';
    if (info.minimum !== undefined) control.min = info.minimum;
    if (info.maximum !== undefined) control.max = info.maximum;
    control.value = value ?? info.default ?? '';
  } else {
    control = document.createElement('input');
    control.type = 'text';
    control.value = value ?? info.default ?? '';
    if (info.type === 'uri') control.setAttribute('list', 'examples');
  }
  control.id = id;
  control.name = port;
  control.setAttribute('aria-describedby', help.id);
  control.addEventListener('change', update);
  if (control.type !== 'range') control.addEventListener('input', update);
  if (!row.contains(control)) row.append(label, control, help);
  return row;
}

function selectGraph(name, given) {
  state.graph = name;
  const g = state.graphs[name];
  $('#graph').value = name;
  $('#description').textContent = g.description;
  const ext = $('#ext');
  ext.textContent = '';
  const types = name === 'noop' ? ['', ...g.formats] : [...g.formats, 'auto'];
  for (const t of types) ext.append(new Option(t || '(as the input)', t));
  ext.value = given.ext ?? (name === 'noop' ? '' : 'jpg');
  const form = $('#params');
  form.textContent = '';
  for (const [port, info] of Object.entries(g.inports)) {
    const value = port in given.values ? given.values[port] : port === 'input' ? defaultInput(name) : info.default;
    form.append(field(port, info, value));
  }
  update();
}

let pending = 0;
async function update() {
  const name = state.graph;
  if (!name) return;
  const g = state.graphs[name];
  const pairs = [];
  for (const [port, info] of Object.entries(g.inports)) {
    const el = document.getElementById('p-' + port);
    if (!el) continue;
    let v = el.type === 'checkbox' ? String(el.checked) : el.value;
    if (info.type === 'color') v = v + 'ff';
    const isDefault = info.default !== null && String(info.default) === v;
    if (v === '' || (isDefault && port !== 'input')) continue;
    pairs.push([port, v]);
  }
  const url = await buildUrl(name, $('#ext').value, pairs);
  const link = $('#url');
  link.href = link.textContent = location.origin + url;
  const ticket = ++pending;
  const started = performance.now();
  $('#status').textContent = 'Processing…';
  try {
    const res = await fetch(url);
    if (ticket !== pending) return;
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      $('#status').textContent = res.status + ' ' + (body.reason || '') + ': ' + (body.error || res.statusText);
      $('#result').removeAttribute('src');
      return;
    }
    const blob = await res.blob();
    const img = $('#result');
    img.onload = () => {
      if (ticket !== pending) return;
      const ms = Math.round(performance.now() - started);
      $('#status').textContent = img.naturalWidth + ' × ' + img.naturalHeight + ' · ' + (blob.type || 'image') + ' · ' + Math.round(blob.size / 1024) + ' KiB · ' + ms + ' ms';
      img.dataset.width = String(img.naturalWidth);
    };
    img.src = URL.createObjectURL(blob);
  } catch (e) {
    // The storage may not allow reading across origins: show the image without its details.
    if (ticket !== pending) return;
    const img = $('#result');
    img.onload = () => {
      $('#status').textContent = img.naturalWidth + ' × ' + img.naturalHeight + ' · ' + Math.round(performance.now() - started) + ' ms';
      img.dataset.width = String(img.naturalWidth);
    };
    img.src = url;
  }
}

function fromDebugUrl() {
  const m = /^\/debug\/graph\/(?:([^/]+)\/([^/]+)\/)?([^/?]+)/.exec(location.pathname);
  if (!m) return null;
  const spec = m[3];
  const dot = spec.lastIndexOf('.');
  const values = {};
  for (const [k, v] of new URLSearchParams(location.search)) if (k !== 'debug') values[k] = v;
  if (m[1]) $('#key').value = decodeURIComponent(m[1]);
  return { graph: dot > 0 ? spec.slice(0, dot) : spec, ext: dot > 0 ? spec.slice(dot + 1) : undefined, values };
}

async function main() {
  const remembered = JSON.parse(localStorage.getItem('imgflo-credentials') || 'null');
  if (remembered) {
    $('#key').value = remembered.key;
    $('#secret').value = remembered.secret;
    $('#remember').checked = true;
  }
  for (const id of ['#key', '#secret', '#remember']) {
    $(id).addEventListener('change', () => {
      if ($('#remember').checked) localStorage.setItem('imgflo-credentials', JSON.stringify({ key: $('#key').value, secret: $('#secret').value }));
      else localStorage.removeItem('imgflo-credentials');
      renderCatalogue();
      update();
    });
  }
  const list = $('#examples');
  for (const e of EXAMPLES) list.append(new Option(e));
  state.graphs = (await (await fetch('/graphs')).json()).graphs;
  const select = $('#graph');
  for (const name of Object.keys(state.graphs)) select.append(new Option(name, name));
  select.addEventListener('change', () => selectGraph(select.value, { values: {} }));
  $('#ext').addEventListener('change', update);
  renderCatalogue();
  const debug = fromDebugUrl();
  if (debug && state.graphs[debug.graph]) selectGraph(debug.graph, debug);
  else selectGraph(state.graphs.crop ? 'crop' : Object.keys(state.graphs)[0], { values: {} });
}

main();
`;
