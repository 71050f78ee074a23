// For a page that embeds pathscope in iframes (README: Embedding): sizes each pathscope iframe to
// the height its page reports. Load it from the pathscope site, with one line:
//
//   <script src="https://<where pathscope is>/embed-resize.js" async></script>
//
// It accepts only { type: 'pathscope:height', height } from an iframe of this page whose origin is
// the origin this script came from, and sets that iframe's height; everything else is ignored.
// A classic script (no module), for pages whose own CSP allows script files from that site.
{
  const origin = new URL(document.currentScript.src).origin;
  const ours = () => [...document.querySelectorAll('iframe')].filter((frame) => {
    try {
      return new URL(frame.src, location.href).origin === origin;
    } catch {
      return false;
    }
  });
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (event.origin !== origin || data === null || typeof data !== 'object' || data.type !== 'pathscope:height') return;
    const height = data.height;
    if (typeof height !== 'number' || !(height > 0 && height < 100000)) return;
    const frame = ours().find((f) => f.contentWindow === event.source);
    if (frame) frame.style.height = `${Math.ceil(height)}px`;
  });
  // Frames that loaded before this script ran have reported already: ask them again.
  // (To any origin: a frame still loading is about:blank, and a message aimed at another origin
  // would be an error in the console. The request carries nothing.)
  for (const frame of ours()) frame.contentWindow?.postMessage({ type: 'pathscope:request-height' }, '*');
}
