// Save and load: the run record of a run (docs/record-format.md), every run's metrics as CSV or
// JSON, each panel's chart as PNG or SVG, and run records loaded back to continue or to compare.
// Nothing read from a file is ever put into the page as HTML: names and messages go through
// textContent only, and a record is checked by the core before anything changes.

/** Largest file read (the core's record::MAX_RECORD_BYTES): refused before it is read. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** Offers `blob` as a download named `filename`. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The panels' canvases with their titles, in page order. */
function figures() {
  return [...document.querySelectorAll('#panels .panel')]
    .map((panel) => ({ id: panel.id.replace(/^panel-/, ''), title: panel.querySelector('h2')?.textContent ?? panel.id, canvas: panel.querySelector('canvas') }))
    .filter((f) => f.canvas);
}

export class Files {
  /** `panels`: the Panels (panels.js), whose draw methods the SVG export calls. */
  constructor(app, panels) {
    this.app = app;
    this.panels = panels;
    /** Panels drawn by modules of their own (id -> a function that draws it now), for SVG. */
    this.drawers = {};
    const $ = (id) => document.getElementById(id);
    this.armSelect = $('record-arm');
    this.figureSelect = $('png-panel');
    this.status = $('files-status');
    this.figureSelect.replaceChildren(...figures().map((f) => new Option(f.title, f.id)));
    app.on('setup', () => this.listArms());
    app.on('status', () => this.listArms());
    this.listArms();

    $('save-record').addEventListener('click', () => this.saveRecord());
    $('save-csv').addEventListener('click', () => this.save(new Blob([app.metricsCsv()], { type: 'text/csv' }), 'pathscope-metrics.csv'));
    $('save-json').addEventListener('click', () => this.save(new Blob([app.metricsJson()], { type: 'application/json' }), 'pathscope-metrics.json'));
    $('save-png').addEventListener('click', () => this.savePng());
    $('save-svg').addEventListener('click', () => this.saveSvg());
    $('load-record').addEventListener('change', (event) => this.load(event.target));
  }

  /** The record menu lists the runs on screen (kept when they are the same ones). */
  listArms() {
    const names = this.app.state.arms.map((arm) => arm.name);
    const current = [...this.armSelect.options].map((o) => o.textContent);
    if (names.join('\u0000') === current.join('\u0000')) return;
    this.armSelect.replaceChildren(...names.map((name, i) => new Option(name, String(i))));
  }

  say(text) {
    this.status.textContent = text;
  }

  save(blob, filename) {
    download(blob, filename);
    this.say(`Saved ${filename}.`);
  }

  async saveRecord() {
    try {
      const { text, filename } = await this.app.exportRecord(Number(this.armSelect.value) || 0);
      this.save(new Blob([text], { type: 'application/json' }), filename);
    } catch (error) {
      this.say(`Could not save the run record: ${error.message}`);
    }
  }

  savePng() {
    const figure = figures().find((f) => f.id === this.figureSelect.value);
    if (!figure) return;
    figure.canvas.toBlob((blob) => {
      if (blob) this.save(blob, `pathscope-${figure.id}.png`);
      else this.say('The browser could not encode this chart as PNG.');
    }, 'image/png');
  }

  /**
   * The chart as SVG text (null if it has none): the panel's own drawing code runs once more with
   * the core's SVG capture on (plotters' SVG backend, the canvas's CSS size), so the file is the
   * figure on screen.
   */
  svgOf(id) {
    const canvas = this.panels.canvases[id];
    const draw = this.drawers[id] ?? (canvas && typeof this.panels[id] === 'function' ? () => this.panels[id](canvas) : null);
    if (!draw) return null;
    const wasm = this.app.wasm;
    wasm.captureSvg(true);
    try {
      draw();
    } finally {
      wasm.captureSvg(false);
    }
    return wasm.takeSvg() ?? null;
  }

  saveSvg() {
    const id = this.figureSelect.value;
    let svg;
    try {
      svg = this.svgOf(id);
    } catch (error) {
      this.say(`Could not draw this chart as SVG: ${error?.message ?? error}`);
      return;
    }
    if (svg) this.save(new Blob([svg], { type: 'image/svg+xml' }), `pathscope-${id}.svg`);
    else this.say('This chart has no SVG form.');
  }

  /** Reads the chosen files (at most two, each within the size cap) and hands them to the app. */
  async load(input) {
    const files = [...input.files];
    input.value = '';
    const big = files.find((f) => f.size > MAX_RECORD_BYTES);
    if (big) {
      this.app.notice(`${big.name} is larger than the 256 MiB a run record may be (${big.size.toLocaleString('en')} bytes); nothing was loaded.`);
      return;
    }
    try {
      const texts = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
      // Beside the live run: the live run goes on from its own record (bit for bit the same run).
      if (document.getElementById('load-beside').checked && texts.length === 1) {
        const live = await this.app.exportRecord(0);
        texts.unshift({ name: `${this.app.state.arms[0].name} (live)`, text: live.text });
      }
      if (this.app.importRecords(texts)) this.say(`Loaded ${texts.map((t) => t.name).join(' and ')}: press Play to continue.`);
    } catch (error) {
      this.app.notice(`Could not read the file: ${error.message}`);
    }
  }
}
