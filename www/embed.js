// Embed mode: the address key `embed`, a list of panel ids (`#preset=fig5&embed=graph,curves`),
// shows only those panels under a compact bar (play/pause, step, reset, the runs' status and an
// "open in pathscope" link), for an iframe in someone else's page. Layout: embed.css, under
// html[data-embed] (set early by preflight.js).
//
// Messages with the embedding page (window.parent), documented in README.md, "Embedding":
//   out: { type: 'pathscope:height', height }   the document's height in CSS pixels, posted on
//        load and on every change of size, so the parent can size the iframe (embed-resize.js);
//   in:  { type: 'pathscope:request-height' }   from the parent only: post the height again.
// Nothing else is accepted: any other message is ignored, and no message's data is ever shown.

import { toHash } from './url-state.js';

/**
 * The page's panels, in page order: every `section.panel` in #panels. A panel's id is its
 * `data-panel` attribute, else its element id without `panel-` (panel-graph: graph), so a panel
 * added to index.html is embeddable at once.
 */
export function pagePanels() {
  return [...document.querySelectorAll('#panels > section.panel')].map((section) => ({
    id: section.dataset.panel ?? section.id.replace(/^panel-/, ''),
    title: section.querySelector('h2')?.textContent.trim() ?? '',
    section,
  }));
}

/** The address of `setup` on this page, with `embed` set to `panels` ('' : the full page). */
export function pageUrl(app, setup, panels) {
  const url = new URL(location.href);
  url.hash = toHash(app.presets, { ...setup, embed: panels });
  return url.href;
}

/**
 * Turns embed mode on when the setup asks for it; returns whether it did. `notice(text)` shows a
 * message on the page (unknown panel ids).
 */
export function startEmbed(app, notice) {
  const root = document.documentElement;
  const wanted = app.state.setup.embed;
  if (!wanted) {
    // preflight.js guessed from the address; the parser refused the value (and said so).
    delete root.dataset.embed;
    return false;
  }
  root.dataset.embed = wanted;
  const panels = pagePanels();
  const known = new Set(panels.map((p) => p.id));
  const ids = wanted.split(',');
  const unknown = ids.filter((id) => !known.has(id));
  let shown = ids.filter((id) => known.has(id));
  if (unknown.length) {
    const list = (xs) => xs.map((x) => `"${x}"`).join(', ');
    const none = shown.length ? '' : ' Showing every panel.';
    notice(`embed = ${wanted}: no panel ${list(unknown)} on this page; the panels are ${[...known].join(', ')}.${none}`);
  }
  if (!shown.length) shown = [...known];
  for (const p of panels) p.section.hidden = !shown.includes(p.id);

  const link = document.createElement('a');
  link.id = 'embed-open';
  link.className = 'embed-open';
  link.target = '_blank';
  link.rel = 'noopener';
  link.textContent = 'Open in pathscope ↗';
  link.title = 'The full page with this setup, in a new tab';
  document.querySelector('#bar .buttons').append(link);
  const update = () => {
    link.href = pageUrl(app, app.state.setup, '');
  };
  app.on('status', update);
  update();

  if (window.parent !== window) reportHeight();
  return true;
}

/** Posts the document's height to the parent now and whenever it changes, and when asked. */
function reportHeight() {
  let last = -1;
  const post = (force = false) => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last && !force) return;
    last = height;
    window.parent.postMessage({ type: 'pathscope:height', height }, '*');
  };
  new ResizeObserver(() => post()).observe(document.documentElement);
  window.addEventListener('message', (event) => {
    if (event.source === window.parent && isHeightRequest(event.data)) post(true);
  });
  post();
}

/** Exactly `{ type: 'pathscope:request-height' }`: a plain object with that one key. */
function isHeightRequest(data) {
  return (
    data !== null &&
    typeof data === 'object' &&
    Object.getPrototypeOf(data) === Object.prototype &&
    Object.keys(data).length === 1 &&
    data.type === 'pathscope:request-height'
  );
}
