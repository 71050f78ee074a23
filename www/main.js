// Boot: load the drawing instance of the wasm module, read the setup from the address, start.
// State and actions: app.js; DOM controls: controls.js; charts: panels.js; the training runs in
// workers (worker.js, protocol in PROTOCOL.md).

import init, * as wasm from './pkg/pathscope.js';
import { App } from './app.js';
import { Controls } from './controls.js';
import { Panels } from './panels.js';
import { classSentence, fig4Sentences, fig5Sentences, loadResults, provenance } from './results.js';
import { SeedStats } from './seeds.js';
import { loadPresets, parseHash, sameRun } from './url-state.js';

async function main() {
  // On phones the settings start folded, so the charts come first.
  if (window.matchMedia('(max-width: 999px)').matches) document.getElementById('settings-details').open = false;
  await init();
  const presets = loadPresets(wasm);
  const app = new App(wasm, presets);
  const controls = new Controls(app);
  const panels = new Panels(app);

  const fromAddress = () => {
    const { setup, messages } = parseHash(presets, location.hash, wasm.checkConfig);
    for (const m of messages) controls.notice(m, 'error');
    return setup;
  };
  app.start(fromAddress());
  // An edited address (or back/forward) opens its setup, unless it is the run on screen.
  window.addEventListener('hashchange', () => {
    const setup = fromAddress();
    if (!sameRun(setup, app.state.setup)) app.start(setup);
    else if (setup.probe !== app.state.setup.probe) app.setProbe(setup.probe);
  });
  const seeds = new SeedStats(app);
  // For the console and the end-to-end tests.
  window.pathscope = { app, panels, seeds };
  showRates(wasm);
}

/** Fills the panels' "how often" lists from the bundled results files (results.js). */
async function showRates(wasm) {
  const summary = await loadResults(wasm);
  const fill = (id, sentences, none) => {
    const items = (sentences.length ? sentences : [none]).map((text) => {
      const li = document.createElement('li');
      li.textContent = text;
      return li;
    });
    document.getElementById(id).replaceChildren(...items);
  };
  const none = 'No measured rates are bundled with this page (docs/results/ holds them; the build copies them here).';
  fill('curves-rates', summary ? fig5Sentences(summary) : [], none);
  fill('za-rates', summary ? fig4Sentences(summary) : [], none);
  document.getElementById('curves-provenance').textContent = summary ? provenance(summary) : '';
  const rate = summary && classSentence(summary);
  if (rate) document.getElementById('class-rates').textContent = rate;
  window.pathscope.rates = summary;
}

main().catch((error) => {
  const p = document.createElement('p');
  p.className = 'error';
  p.textContent = `The page could not start: ${error?.message ?? error}`;
  document.getElementById('notices').append(p);
  console.error(error);
});
