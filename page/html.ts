/**
 * The page's HTML: the catalogue, the form, the URL with its srcset, and the result beside its
 * input. Styles inline; behaviour in /app.js (page/app.ts), no inline handlers (the CSP allows
 * scripts from the page's origin only). `{{AUTH}}` is "required" when the edge wants tokens.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>imgflo</title>
<link rel="icon" href="data:,">
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2327; background: #f6f7f7; }
  body { margin: 0 auto; max-width: 72rem; padding: 1rem; }
  h1 { margin: 0 0 .25rem; }
  .catalogue { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .5rem; list-style: none; padding: 0; }
  .card { display: flex; flex-direction: column; align-items: center; gap: .25rem; width: 100%; padding: .4rem; border: 1px solid #c3c4c7; border-radius: .4rem; background: #fff; cursor: pointer; font: inherit; }
  .card:focus-visible, .card:hover { outline: 3px solid #2271b1; }
  .card[aria-pressed=true] { border-color: #2271b1; box-shadow: inset 0 0 0 2px #2271b1; }
  .card img { width: 100%; height: 6rem; object-fit: contain; background: #eee; }
  main { display: grid; grid-template-columns: minmax(16rem, 1fr) 2fr; gap: 1rem; align-items: start; }
  @media (max-width: 44rem) {
    main { grid-template-columns: 1fr; }
    /* One row of cards to scroll sideways: the form stays within the first screen. */
    .catalogue { grid-auto-flow: column; grid-template-columns: none; grid-auto-columns: 7rem; overflow-x: auto; overscroll-behavior-x: contain; }
    .card img { height: 4.5rem; }
  }
  fieldset { border: 1px solid #c3c4c7; border-radius: .4rem; background: #fff; min-width: 0; }
  .field { display: grid; grid-template-columns: 8rem minmax(0, 1fr) auto; gap: .25rem .5rem; align-items: center; margin: .4rem 0; }
  .field small { grid-column: 1 / -1; color: #50575e; }
  .field input[type=text], .field input[type=number], .field select { width: 100%; box-sizing: border-box; }
  .notice { border-left: 4px solid #dba617; background: #fcf9e8; padding: .5rem .75rem; }
  .notice[hidden] { display: none; }
  code, #url { word-break: break-all; font-family: ui-monospace, monospace; font-size: .85rem; }
  .compare { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; }
  .compare figure { margin: 0; min-width: 0; }
  .compare figure[hidden] { display: none; }
  .compare img { max-width: 100%; background: repeating-conic-gradient(#ddd 0 25%, #fff 0 50%) 0 0 / 16px 16px; }
  pre { white-space: pre-wrap; word-break: break-all; background: #fff; border: 1px solid #c3c4c7; padding: .5rem; }
  label { font-weight: 600; }
</style>
</head>
<body data-auth="{{AUTH}}">
<header>
  <h1>imgflo</h1>
  <p>Image processing graphs behind a URL. Pick one, change its parameters, and put the URL in your HTML.</p>
</header>
<p id="auth-notice" class="notice" hidden>This service answers <strong>signed URLs only</strong>. The previews are each
  graph's example. To make URLs, enter an app key and secret under <a href="#signing-title">Signing</a> (they stay in this
  page, or in this browser if you tick remember), or sign them with the command line: <code>imgflo sign GRAPH --input …</code>.</p>
<section aria-labelledby="catalogue-title">
  <h2 id="catalogue-title">Graphs</h2>
  <ul id="catalogue" class="catalogue"></ul>
</section>
<main>
  <form id="editor">
    <fieldset>
      <legend>Graph</legend>
      <div class="field"><label for="graph">graph</label><select id="graph" name="graph"></select></div>
      <p id="description"></p>
      <div class="field"><label for="ext">output</label><select id="ext" name="ext"></select></div>
    </fieldset>
    <fieldset id="params"><legend>Parameters</legend></fieldset>
    <fieldset>
      <legend id="signing-title">Signing</legend>
      <div class="field"><label for="key">API key</label><input id="key" name="key" type="text" autocomplete="off"></div>
      <div class="field"><label for="secret">secret</label><input id="secret" name="secret" type="password" autocomplete="off"></div>
      <div class="field"><label for="remember">remember</label><input id="remember" type="checkbox"><small>Keeps the key and secret in this browser; otherwise they never leave the page.</small></div>
    </fieldset>
    <datalist id="examples"></datalist>
  </form>
  <section aria-labelledby="result-title">
    <h2 id="result-title">Result</h2>
    <p><a id="url" href="#"></a></p>
    <p><button id="copy-url" type="button">Copy URL</button> <button id="copy-html" type="button">Copy &lt;img&gt; HTML</button> <span id="copied" role="status"></span></p>
    <p id="status" role="status" aria-live="polite"></p>
    <div class="compare">
      <figure id="before-figure"><img id="before" alt="The input image"><figcaption>Input</figcaption></figure>
      <figure><img id="result" alt="The processed image"><video id="result-video" controls muted loop playsinline hidden></video><figcaption>Result</figcaption></figure>
    </div>
    <h3>In your HTML</h3>
    <pre><code id="snippet"></code></pre>
  </section>
</main>
<script type="module" src="/app.js"></script>
</body>
</html>`;
