/** The page's HTML: the catalogue, the form, the URL and the result. Styles inline, script /app.js. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>imgflo</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2327; background: #f6f7f7; }
  body { margin: 0 auto; max-width: 72rem; padding: 1rem; }
  h1 { margin: 0 0 .25rem; }
  .catalogue { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .5rem; list-style: none; padding: 0; }
  .card { display: flex; flex-direction: column; align-items: center; gap: .25rem; width: 100%; padding: .4rem; border: 1px solid #c3c4c7; border-radius: .4rem; background: #fff; cursor: pointer; font: inherit; }
  .card:focus-visible, .card:hover { outline: 3px solid #2271b1; }
  .card img { width: 100%; height: 6rem; object-fit: contain; background: #eee; }
  main { display: grid; grid-template-columns: minmax(16rem, 1fr) 2fr; gap: 1rem; align-items: start; }
  @media (max-width: 44rem) { main { grid-template-columns: 1fr; } }
  fieldset { border: 1px solid #c3c4c7; border-radius: .4rem; background: #fff; }
  .field { display: grid; grid-template-columns: 8rem 1fr auto; gap: .25rem .5rem; align-items: center; margin: .4rem 0; }
  .field small { grid-column: 1 / -1; color: #50575e; }
  .field input[type=text], .field input[type=number], .field select { width: 100%; box-sizing: border-box; }
  #url { word-break: break-all; font-family: ui-monospace, monospace; font-size: .85rem; }
  #result { max-width: 100%; background: repeating-conic-gradient(#ddd 0 25%, #fff 0 50%) 0 0 / 16px 16px; }
  label { font-weight: 600; }
</style>
</head>
<body>
<header>
  <h1>imgflo</h1>
  <p>Image processing graphs. Pick one, change its parameters, and use the URL in your HTML.</p>
</header>
<section aria-labelledby="catalogue-title">
  <h2 id="catalogue-title">Graphs</h2>
  <ul id="catalogue" class="catalogue"></ul>
</section>
<main>
  <form id="editor" onsubmit="return false">
    <fieldset>
      <legend>Graph</legend>
      <div class="field"><label for="graph">graph</label><select id="graph" name="graph"></select></div>
      <p id="description"></p>
      <div class="field"><label for="ext">output</label><select id="ext" name="ext"></select></div>
    </fieldset>
    <fieldset id="params"><legend>Parameters</legend></fieldset>
    <fieldset>
      <legend>Signing (optional)</legend>
      <div class="field"><label for="key">API key</label><input id="key" name="key" type="text" autocomplete="off"></div>
      <div class="field"><label for="secret">secret</label><input id="secret" name="secret" type="password" autocomplete="off"></div>
      <div class="field"><label for="remember">remember</label><input id="remember" type="checkbox"><small>Keeps the key and secret in this browser; otherwise they never leave the page.</small></div>
    </fieldset>
    <datalist id="examples"></datalist>
  </form>
  <section aria-labelledby="result-title">
    <h2 id="result-title">Result</h2>
    <p><a id="url" href="#"></a></p>
    <p id="status" role="status" aria-live="polite"></p>
    <img id="result" alt="The processed image">
  </section>
</main>
<script type="module" src="/app.js"></script>
</body>
</html>`;
