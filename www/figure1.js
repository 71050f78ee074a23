// Figure 1 of the paper, interactive: the full-wave rectifier as a two-layer ReLU network,
// y = ReLU(x) + ReLU(−x). Drag the input up and down on the figure itself (or move the slider),
// or play a sine wave, and watch which path carries the current. Drawn by the core's chart code (wasm `drawRectifier`, src/wasm/figure1.rs) like
// every other panel; this module only owns the panel's DOM, the input and the animation.

import { drawInBudget, fitCanvas } from './panels.js';

/** Samples of the input kept for the output trace. */
const TRACE = 240;
/** One period of the sine wave (ms), and the samples per second of the trace. */
const PERIOD_MS = 4000;
const SAMPLES_PER_S = 60;

/**
 * The input a pointer at (`px`, `py`) (CSS pixels in the canvas) asks for, by the chart's geometry
 * (wasm `drawRectifier`): on the trace, the height on its axis (+1 at the top, −1 at the bottom);
 * on the network, the height between the two hidden units (at the red unit's height +1, at the
 * blue one's −1: pull the input towards the path that should carry it). Clamped to [−1, 1].
 */
export function inputAt(g, px, py) {
  const onTrace = px >= g.trace_left - 12;
  const [top, bottom] = onTrace ? [g.trace_plus, g.trace_minus] : [g.positive[1], g.negative[1]];
  if (!(bottom > top)) return 0;
  const x = 1 - (2 * (py - top)) / (bottom - top);
  return Math.max(-1, Math.min(1, Math.round(x * 100) / 100));
}

export class Figure1 {
  /** `wasm`: the main thread's wasm exports; the panel is added at the end of `#panels`. */
  constructor(wasm) {
    this.wasm = wasm;
    this.x = 0.6;
    this.trace = new Float32Array(TRACE).fill(NaN);
    this.filled = 0;
    this.playing = false;
    /** The pointer dragging the input, or null. */
    this.dragging = null;
    this.visible = false;
    this.dirty = true;
    this.phase0 = 0;
    this.lastSample = 0;
    this.geometry = null;
    this.build();
    new ResizeObserver(() => this.resize()).observe(this.canvas);
    new IntersectionObserver((entries) => {
      this.visible = entries.some((e) => e.isIntersecting);
      if (this.visible) this.redraw();
    }).observe(this.canvas);
    this.frame = this.frame.bind(this);
    requestAnimationFrame(this.frame);
  }

  build() {
    const el = (tag, props = {}, ...children) => {
      const e = Object.assign(document.createElement(tag), props);
      e.append(...children);
      return e;
    };
    this.slider = el('input', { type: 'range', id: 'fig1-x', min: '-1', max: '1', step: '0.01', value: String(this.x) });
    this.slider.setAttribute('aria-describedby', 'fig1-help');
    this.playButton = el('button', { type: 'button', id: 'fig1-play', textContent: 'Play a sine wave' });
    this.playButton.setAttribute('aria-pressed', 'false');
    this.canvas = el('canvas', { id: 'canvas-figure1' });
    this.canvas.setAttribute('role', 'img');
    const title = el('h2', { id: 'figure1-title', textContent: 'Circuits: a full-wave rectifier (figure 1)' });
    const look = el(
      'p',
      { className: 'look' },
      'A network is made of paths from its input to its output; a circuit is the part of it that carries the signal ' +
        'for a given input. This one computes y = ReLU(x) + ReLU(−x) = |x| with two hidden units: the red path ' +
        '(input weight +1) carries positive inputs, the blue path (weight −1) negative ones, and only one of them is ' +
        'active at a time. Move the input or play a sine wave and watch the current switch paths.',
    );
    const controls = el(
      'div',
      { className: 'panel-controls' },
      el('label', { htmlFor: 'fig1-x' }, 'input x ', this.slider),
      this.playButton,
    );
    const help = el('p', {
      id: 'fig1-help',
      className: 'help',
      textContent: 'The input x, from −1 to 1: drag up or down on the figure (on the network, towards the red or the blue unit; on the trace, to the height you want), or move the slider (arrow keys move it).',
    });
    this.section = el(
      'section',
      { className: 'panel wide', id: 'panel-figure1' },
      title,
      look,
      controls,
      help,
      el('div', { className: 'canvas-box figure1' }, this.canvas),
    );
    this.section.setAttribute('aria-labelledby', 'figure1-title');
    document.getElementById('panels').append(this.section);

    this.slider.addEventListener('input', () => {
      this.setPlaying(false);
      this.setX(Number(this.slider.value));
    });
    this.playButton.addEventListener('click', () => this.setPlaying(!this.playing));
    this.bindDrag();
  }

  /** Dragging on the canvas sets the input; the trace samples it at a steady rate meanwhile. */
  bindDrag() {
    const at = (event) => {
      const rect = this.canvas.getBoundingClientRect();
      return inputAt(this.geometry, event.clientX - rect.left, event.clientY - rect.top);
    };
    this.canvas.addEventListener('pointerdown', (event) => {
      if (!this.geometry || event.button !== 0) return;
      event.preventDefault();
      this.canvas.setPointerCapture?.(event.pointerId);
      this.setPlaying(false);
      this.dragging = event.pointerId;
      this.lastSample = Math.floor((performance.now() * SAMPLES_PER_S) / 1000);
      this.setX(at(event));
    });
    this.canvas.addEventListener('pointermove', (event) => {
      if (this.dragging !== event.pointerId) return;
      this.x = at(event);
      this.slider.value = String(this.x);
      this.dirty = true;
    });
    const end = (event) => {
      if (this.dragging === event.pointerId) this.dragging = null;
    };
    this.canvas.addEventListener('pointerup', end);
    this.canvas.addEventListener('pointercancel', end);
    this.canvas.addEventListener('lostpointercapture', end);
  }

  /** The input, in [-1, 1]; appended to the trace. */
  setX(x) {
    this.x = Math.max(-1, Math.min(1, x));
    this.push(this.x);
    this.slider.value = String(this.x);
    this.dirty = true;
  }

  push(x) {
    this.trace.copyWithin(0, 1);
    this.trace[TRACE - 1] = x;
    this.filled = Math.min(TRACE, this.filled + 1);
  }

  setPlaying(on) {
    if (on && !this.playing) {
      // Start the wave where the input is, and sample it from now on.
      const now = performance.now();
      this.phase0 = now - (Math.asin(this.x) / (2 * Math.PI)) * PERIOD_MS;
      this.lastSample = Math.floor(((now - this.phase0) * SAMPLES_PER_S) / 1000);
    }
    this.playing = on;
    this.playButton.textContent = on ? 'Pause the sine wave' : 'Play a sine wave';
    this.playButton.setAttribute('aria-pressed', String(on));
  }

  resize() {
    if (fitCanvas(this.canvas)) this.dirty = true;
  }

  /** Draws again at the next frame (after the projector view changed the charts' style). */
  redraw() {
    this.dirty = true;
  }

  frame(now) {
    requestAnimationFrame(this.frame);
    if (this.playing && this.visible) {
      // Sample the sine at a fixed rate, whatever the frame rate.
      const due = Math.floor(((now - this.phase0) * SAMPLES_PER_S) / 1000);
      const from = Math.max(this.lastSample + 1, due - TRACE);
      for (let i = from; i <= due; i++) this.push(Math.sin((2 * Math.PI * i * 1000) / SAMPLES_PER_S / PERIOD_MS));
      if (due > this.lastSample) {
        this.lastSample = due;
        this.x = this.trace[TRACE - 1];
        this.slider.value = String(this.x);
        this.dirty = true;
      }
    } else if (this.dragging !== null) {
      // Held input: the trace moves on at the sine's rate, so time runs as it does while playing.
      const due = Math.floor((now * SAMPLES_PER_S) / 1000);
      for (let i = Math.max(this.lastSample + 1, due - TRACE); i <= due; i++) this.push(this.x);
      if (due > this.lastSample) this.dirty = true;
      this.lastSample = due;
    }
    if (this.dirty && this.visible) drawInBudget(this, now, () => this.draw());
  }

  draw() {
    this.dirty = false;
    const rect = this.canvas.getBoundingClientRect();
    const scale = rect.width > 0 ? this.canvas.width / rect.width : 1;
    const shown = this.trace.subarray(TRACE - Math.max(2, this.filled));
    this.geometry = this.wasm.drawRectifier(this.canvas, scale, this.x, shown.map((v) => (Number.isFinite(v) ? v : 0)));
    const path = this.x > 0 ? 'the positive (red) path carries it' : this.x < 0 ? 'the negative (blue) path carries it' : 'no path carries current';
    this.canvas.setAttribute('aria-label', `Figure 1, the rectifier network: input x = ${this.x.toFixed(2)}, output y = ${Math.abs(this.x).toFixed(2)}; ${path}.`);
  }
}
