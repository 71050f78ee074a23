// Boot: load the drawing instance of the wasm module, read the setup from the address, start.
// State and actions: app.js; DOM controls: controls.js; charts: panels.js; the training runs in
// workers (worker.js, protocol in PROTOCOL.md).

import init, * as wasm from './pkg/pathscope.js';
import { App } from './app.js';
import { Controls } from './controls.js';
import { startEmbed } from './embed.js';
import { EmbedCode } from './embed-code.js';
import { Files } from './files.js';
import { epochTimeSentence } from './epoch-time.js';
import { Failures } from './failures.js';
import { Panels } from './panels.js';
import { classSentence, fig4Sentences, fig5Sentences, loadResults, provenance } from './results.js';
import { SeedStats } from './seeds.js';
import { loadPresets, parseHash, sameRun } from './url-state.js';
import { Figure1 } from './figure1.js';
import { Projector } from './projector.js';
import { Tour } from './tour.js';

/**
 * Lets the browser paint and handle input before the next part of the boot: each part is a task of
 * its own, so that none holds the main thread for long (the boot in one task took over 50 ms).
 */
const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

async function main() {
  // preflight.js found that the page cannot run here (a sandboxed frame, a file:// page) and says why.
  if (document.documentElement.dataset.blocked) return;
  // On phones the settings start folded, so the charts come first.
  if (window.matchMedia('(max-width: 999px)').matches) document.getElementById('settings-details').open = false;
  await init();
  const presets = loadPresets(wasm);
  const app = new App(wasm, presets);
  const controls = new Controls(app);
  const panels = new Panels(app);
  const files = new Files(app, panels);
  new Failures(app);

  const figure1 = new Figure1(wasm);
  const projector = new Projector(app, () => figure1.redraw());
  const tour = new Tour(app, projector, figure1);

  // The page flags (projector view, tour stop) are read with the setup; a tour stop sets up its
  // own run.
  const fromAddress = () => {
    const { setup, messages, flags } = parseHash(presets, location.hash, wasm.checkConfig);
    for (const m of messages) controls.notice(m, 'error');
    const problem = projector.fromFlag(flags.projector);
    if (problem) controls.notice(problem, 'error');
    return { setup, flags };
  };
  // A run whose epochs take long says so before it is played.
  app.on('setup', () => {
    const sentence = epochTimeSentence(wasm, app.config());
    if (sentence) controls.notice(sentence, 'info');
  });
  // Before any frame is drawn: the projector flag sets the charts' style. An embedded figure
  // takes its layout before the first frame too (startEmbed, below): no yield there.
  const first = fromAddress();
  if (!first.setup.embed) await yieldToPage();
  // A tour stop that sets up a run of its own starts only that one (the address's run would start
  // its workers only to stop them); embed mode keeps its order: its run, then the tour.
  const tourFirst = !first.setup.embed && tour.setsUpRun(first.flags.tour);
  if (tourFirst) tour.fromFlag(first.flags.tour);
  else app.start(first.setup);
  if (!startEmbed(app, (text) => controls.notice(text, 'error'))) new EmbedCode(app);
  if (!tourFirst) tour.fromFlag(first.flags.tour);
  // An edited address (or back/forward) opens its setup, unless it is the run on screen; the
  // notices about the previous address go.
  window.addEventListener('hashchange', () => {
    document.getElementById('notices').replaceChildren();
    const { setup, flags } = fromAddress();
    // Into or out of embed mode: that is another layout, best built from the start.
    if (setup.embed !== app.state.setup.embed) location.reload();
    else if (tour.fromFlag(flags.tour)) return;
    else if (!sameRun(setup, app.state.setup)) app.start(setup);
    else if (setup.probe !== app.state.setup.probe) app.setProbe(setup.probe);
  });
  await yieldToPage();
  const seeds = new SeedStats(app);
  files.drawers.seeds = () => seeds.draw();
  // For the console and the end-to-end tests.
  window.pathscope = { app, panels, files, tour, projector, figure1, seeds };
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
  window.pathscope.tour.ratesLoaded();
}

main().catch((error) => {
  const p = document.createElement('p');
  p.className = 'error';
  p.textContent = `The page could not start: ${error?.message ?? error}`;
  document.getElementById('notices').append(p);
  console.error(error);
});
