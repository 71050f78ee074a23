// Runs first, in <head>, before anything is drawn. A classic script, not a module: it runs even
// where module scripts cannot load (an opaque origin), which is where it is needed.
//
// 1. Embed mode (embed.js) is decided from the address here already, so that an embedded view
//    never shows the full page for the moment the WebAssembly takes to load. embed.js confirms
//    it (or takes it back, for an `embed` value that is not a list of panel ids).
// 2. An opaque origin ("null"): a sandboxed iframe without allow-same-origin, or a file:// page.
//    Module scripts are fetched with CORS and module workers must be same-origin, neither of which
//    an opaque origin can satisfy, so the page cannot start: it says why and what to change,
//    instead of showing a form that does nothing. main.js does not start when this is set.
{
  const root = document.documentElement;
  if (/(^#|&)embed=[^&]/.test(location.hash)) root.dataset.embed = '';
  if (self.origin === 'null') {
    const file = location.protocol === 'file:';
    root.dataset.blocked = file ? 'file' : 'sandbox';
    const show = () => {
      const text = document.getElementById('frame-message-text');
      const link = document.getElementById('frame-message-link');
      if (!text || !link) return;
      text.textContent = file
        ? 'pathscope cannot start from a file: its scripts and workers need a web server. Serve this folder, ' +
          'for example with "python3 -m http.server" in it, and open the address it prints.'
        : 'pathscope cannot start in this frame: it is sandboxed without allow-same-origin, and its module ' +
          'scripts, workers and WebAssembly need the page\'s own origin. The iframe needs ' +
          'sandbox="allow-scripts allow-same-origin" (and allow-popups allow-popups-to-escape-sandbox for ' +
          'the "open in pathscope" link).';
      // The full page with the same setup, without `embed`.
      const url = new URL(location.href);
      url.hash = url.hash.replace(/(^#|&)embed=[^&]*/, '$1').replace(/&&/, '&').replace(/[#&]$/, '');
      link.href = url.href;
      link.hidden = file;
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show);
    else show();
  }
}
