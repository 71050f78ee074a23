// The measured rates the page quotes: the results files bundled beside it (docs/results/*.jsonl,
// copied to results/ by the build), summarized by the core (wasm `summarizeResults`, the code of
// `pathscope sweep collect`). Nothing here is typed by hand: a rate, its seed count and its
// interval come from the files, with the date and commit that made them.

/** The success conditions, in the order of the core's rates. */
const CONDITIONS = ['generalized (final test accuracy > 0.95)', 'learned more than chance (> 0.5)', 'fit its training set (train accuracy 1.0)'];

const SOURCE = { pathscope: 'pathscope', pytorch: 'the PyTorch reference' };

/** A setting of a results line, in words. */
function settingText(setting) {
  if (/reset_at_switch=true|adam=fresh/.test(setting)) return 'a fresh Adam at the switch';
  if (/reset_at_switch=false|adam=kept|adam=keep/.test(setting)) return 'Adam state kept';
  return setting;
}

const pct = (x) => `${Math.round(100 * x)}%`;
const rateText = (r) => `${r.k} of ${r.n} seeds (${pct(r.k / r.n)}; 95% interval ${pct(r.low)} to ${pct(r.high)})`;

/**
 * The core's summary of `text` (results lines), computed in a worker of its own (results-worker.js)
 * so that the page stays responsive while it loads; on the main thread if no worker can start.
 */
function summarize(wasm, text) {
  let worker;
  try {
    worker = new Worker(new URL('./results-worker.js', import.meta.url), { type: 'module', name: 'pathscope results' });
  } catch {
    return wasm.summarizeResults(text);
  }
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      worker.terminate();
      if (event.data?.error) reject(new Error(event.data.error));
      else resolve(event.data.summary);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      worker.terminate();
      // A worker that cannot start (a host that serves it wrongly): the main thread does it.
      try {
        resolve(wasm.summarizeResults(text));
      } catch (e) {
        reject(e);
      }
    };
    worker.postMessage(text);
  });
}

/** Reads every bundled results file; resolves to the core's summary, or null if there is none. */
export async function loadResults(wasm) {
  try {
    const index = await fetch(new URL('results/index.json', import.meta.url));
    if (!index.ok) return null;
    const names = await index.json();
    if (!Array.isArray(names) || !names.length) return null;
    const texts = await Promise.all(
      names.filter((n) => typeof n === 'string' && /^[\w.-]+\.jsonl$/.test(n)).map(async (n) => {
        const r = await fetch(new URL(`results/${n}`, import.meta.url));
        return r.ok ? r.text() : '';
      }),
    );
    return await summarize(wasm, texts.join('\n'));
  } catch {
    return null;
  }
}

/** Sentences (plain strings) on figure 5's rates, one per source and arm. */
export function fig5Sentences(summary) {
  const rows = summary.rows.filter((r) => r.sweep === 'fig5');
  const out = [];
  for (const source of ['pathscope', 'pytorch']) {
    const mine = rows.filter((r) => r.source === source);
    if (!mine.length) continue;
    const parts = mine.map((r) => {
      const who = r.arm === 'curriculum' ? `the curriculum (${settingText(r.setting)})` : `the ${r.arm} run`;
      return `${who} ${CONDITIONS[0]} on ${rateText(r.rates[0])}, ${CONDITIONS[1]} on ${rateText(r.rates[1])}`;
    });
    out.push(`In ${SOURCE[source]}'s figure-5 runs, ${parts.join('; ')}.`);
  }
  return out;
}

/** Sentences on figure 4's clusters: how often every count class formed its own cluster. */
export function fig4Sentences(summary) {
  return summary.clusters
    .filter((c) => c.sweep.startsWith('fig4'))
    .map((c) => {
      const setting = c.sweep === 'fig4' ? "the authors' visualization settings" : "the authors' notebook setting";
      return `With ${setting} (${SOURCE[c.source] ?? c.source}), all ${c.classes} count classes formed clusters of their own at the end of the p = ${c.p} phase on ${rateText(c.rate)}.`;
    });
}

/** Where the numbers come from. */
export function provenance(summary) {
  const made = summary.made_by.map(([date, commit]) => `${date} (commit ${commit})`);
  return `Measured ${made.join(', ')}; ${summary.lines} runs in the results files (docs/results/), rates with 95% Wilson intervals.`;
}

/**
 * The class preset's rates (sweep "class", examples/sweep-class.toml) beside the PyTorch
 * reference's figure 5: one sentence, or null when the class results are not bundled.
 */
export function classSentence(summary) {
  const mine = summary.rows.filter((r) => r.sweep === 'class' && r.source === 'pathscope');
  const curriculum = mine.find((r) => r.arm === 'curriculum');
  const scratch = mine.find((r) => r.arm === 'scratch');
  if (!curriculum || !scratch) return null;
  const refs = summary.rows.filter((r) => r.sweep === 'fig5' && r.source === 'pytorch');
  const ref = (arm) => refs.find((r) => r.arm === arm && (arm === 'scratch' || /adam=fresh|reset_at_switch=true/.test(r.setting)));
  const [rc, rs] = [ref('curriculum'), ref('scratch')];
  const reference = rc && rs
    ? ` In the PyTorch reference's full figure 5, the curriculum generalized on ${rateText(rc.rates[0])} and scratch on ${rateText(rs.rates[0])}.`
    : '';
  return `Measured over seeds 0 to ${curriculum.rates[0].n - 1} of this preset: the curriculum ${CONDITIONS[0]} on ${rateText(curriculum.rates[0])}; scratch on ${rateText(scratch.rates[0])}, and fit its training set on ${rateText(scratch.rates[2])}.${reference}`;
}
