// "Embed in a page" (the full page's side column): tick panels, copy an iframe of the current
// setup in embed mode (embed.js) and the one line that sizes it (embed-resize.js). The snippet is
// text in a <textarea>, never HTML on this page.

import { pagePanels, pageUrl } from './embed.js';

const $ = (id) => document.getElementById(id);

/** Panels ticked when the page opens. */
const DEFAULT_PANELS = ['graph', 'curves'];
/**
 * The sandbox of the snippet's iframe: scripts, and the page's own origin for its module workers
 * and WebAssembly (README: Embedding); popups for the "open in pathscope" link, outside the sandbox.
 */
export const SANDBOX = 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox';

/** Text for an HTML attribute value in double quotes. */
const attr = (text) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The snippet: an iframe of `url` and the resize script beside the page. `height` is the iframe's
 * height until the page reports its own (or for good, where the blog allows no script).
 */
export function embedSnippet(url, title, height) {
  const script = new URL('embed-resize.js', url).href;
  return (
    `<iframe src="${attr(url)}" title="${attr(title)}" width="100%" height="${height}" style="border: 0"` +
    ` sandbox="${SANDBOX}" loading="lazy"></iframe>\n` +
    `<script src="${attr(script)}" async></script>`
  );
}

export class EmbedCode {
  constructor(app) {
    this.app = app;
    this.panels = pagePanels();
    const box = $('embed-panels');
    this.boxes = this.panels.map((p) => {
      const label = document.createElement('label');
      label.className = 'check';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.value = p.id;
      input.checked = DEFAULT_PANELS.includes(p.id);
      input.addEventListener('change', () => this.render());
      const text = document.createElement('span');
      const id = document.createElement('code');
      id.textContent = p.id;
      text.append(`${p.title} `, id);
      label.append(input, text);
      box.append(label);
      return input;
    });
    $('embed-copy').addEventListener('click', () => this.copy());
    app.on('status', () => this.render());
    this.render();
  }

  chosen() {
    return this.panels.filter((_, i) => this.boxes[i].checked);
  }

  render() {
    const chosen = this.chosen();
    $('embed-copy').disabled = !chosen.length;
    const snippet = $('embed-snippet');
    if (!chosen.length) {
      snippet.value = '';
      snippet.placeholder = 'Tick at least one panel.';
      return;
    }
    const url = pageUrl(this.app, this.app.state.setup, chosen.map((p) => p.id).join(','));
    const title = `pathscope: ${chosen.map((p) => p.title.replace(/^\d+\.\s*/, '')).join('; ')}`;
    // Until the page reports its height: the bar, and each panel's title and chart.
    const height = 140 + chosen.reduce((sum, p) => sum + 50 + (p.section.querySelector('canvas')?.offsetHeight || 400), 0);
    const text = embedSnippet(url, title, height);
    if (snippet.value !== text) snippet.value = text;
  }

  async copy() {
    const text = $('embed-snippet').value;
    const said = $('embed-copied');
    try {
      await navigator.clipboard.writeText(text);
      said.textContent = 'Copied.';
    } catch {
      // No clipboard access (an insecure origin, a denied permission): select it for Ctrl+C.
      $('embed-snippet').select();
      said.textContent = 'Selected: press Ctrl+C (or Cmd+C) to copy.';
    }
  }
}
