// The projector view: for a class at the back of a room. The charts are drawn by the core with
// its projector theme (wasm `setProjector`: no chart text under 16 px, strokes twice as wide,
// darker text); the page hides the long explanations and gives the charts the screen (tour.css).
// On by the address flag `projector=1` or the toggle in the header.

import { setPageFlag } from './url-state.js';

export class Projector {
  /** `app`: the App (its panels are redrawn); `redraw`: also called on a change (figure 1). */
  constructor(app, redraw = () => {}) {
    this.app = app;
    this.redraw = redraw;
    this.on = false;
    this.listeners = [];
    this.button = Object.assign(document.createElement('button'), { type: 'button', id: 'projector-toggle', textContent: 'Projector view' });
    this.button.title = 'Large type, thick lines, fewer words: for a projector (address flag projector=1)';
    this.button.setAttribute('aria-pressed', 'false');
    this.button.addEventListener('click', () => this.set(!this.on));
    headerActions().append(this.button);
  }

  /**
   * Reads the address flag's raw text (undefined: absent). Returns a sentence when the value is
   * not accepted (the view is left off), else null.
   */
  fromFlag(raw) {
    if (raw === undefined) return null;
    const value = { 1: true, on: true, true: true, 0: false, off: false, false: false }[raw.toLowerCase()];
    if (value === undefined) return `projector = ${JSON.stringify(raw.slice(0, 20))} is not accepted: 1 or 0; the projector view stays off.`;
    this.set(value);
    return null;
  }

  /** Turns the view on or off: the charts' theme, the page's layout, the address. */
  set(on) {
    this.on = on;
    this.app.wasm.setProjector(on);
    document.body.classList.toggle('projector', on);
    this.button.setAttribute('aria-pressed', String(on));
    setPageFlag('projector', on ? '1' : null);
    if (this.app.state.setup) this.app.syncHash();
    this.app.panels('graph', 'heatmap', 'curves', 'za', 'barrier', 'trajectory');
    this.redraw();
    for (const fn of this.listeners) fn(on);
  }

  onChange(fn) {
    this.listeners.push(fn);
  }
}

/** The row of page-level buttons in the header (the tour's and the projector's), made once. */
export function headerActions() {
  let box = document.getElementById('page-actions');
  if (!box) {
    box = Object.assign(document.createElement('div'), { id: 'page-actions', className: 'page-actions' });
    document.querySelector('header.intro').append(box);
  }
  return box;
}
