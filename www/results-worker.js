// Summarizes the bundled results files off the main thread: the core's `summarizeResults` reads
// every line (the code of `pathscope sweep collect`), which takes the main thread tens of
// milliseconds at page load. One message in (the files' text, joined), one out: `{ summary }` or
// `{ error }`.
import init, { summarizeResults } from './pkg/pathscope.js';

self.onmessage = async (event) => {
  try {
    await init();
    self.postMessage({ summary: summarizeResults(event.data) });
  } catch (e) {
    self.postMessage({ error: String(e?.message ?? e) });
  }
};
