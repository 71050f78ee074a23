// The bench page: starts www/bench-worker.js, shows its table, and exposes the result for the
// driver (e2e/bench.mjs) as `window.benchResult` (an object; `{ error }` if the run failed) and
// as <html data-bench="done|error">.

const status = document.getElementById('status');
const params = new URLSearchParams(location.search);
const budgetMs = Number(params.get('budget')) > 0 ? Number(params.get('budget')) : 2000;
document.getElementById('budget').textContent = String(budgetMs / 1000);

function engineName(ua) {
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Chrom(e|ium)\//.test(ua)) return 'chromium';
  if (/Safari\//.test(ua)) return 'safari';
  return 'browser';
}

const LABELS = {
  epoch: 'training epoch (forward, backward, Adam; 2,048 sequences)',
  eval: 'test evaluation (2,048 sequences)',
  step32: 'minibatch step (32 sequences)',
  mlp: 'MLP kernels alone (6 products of one epoch)',
  peak: 'f32x4 peak (8 accumulators, acc += x * m)',
};

function fail(message) {
  window.benchResult = { error: message };
  document.documentElement.dataset.bench = 'error';
  status.dataset.state = 'error';
  status.textContent = `The benchmark failed: ${message}`;
  console.error(message);
}

function show(result) {
  const gflops = { epoch: result.gflops, eval: result.eval_gflops, mlp: result.mlp_gflops, peak: result.peak_gflops };
  const body = document.querySelector('#table tbody');
  for (const [op, t] of Object.entries(result.ops)) {
    const row = body.insertRow();
    for (const text of [
      LABELS[op] ?? op,
      t.median_ms.toFixed(op === 'step32' ? 4 : 3),
      t.min_ms.toFixed(op === 'step32' ? 4 : 3),
      String(t.samples),
      gflops[op] === undefined ? '' : gflops[op].toFixed(2),
    ]) {
      row.insertCell().textContent = text;
    }
  }
  document.getElementById('table').hidden = false;
  const line = document.getElementById('line');
  line.textContent = result.line;
  line.hidden = false;
  document.getElementById('json').textContent = JSON.stringify(result, null, 2);
  status.textContent =
    `Done: MLP kernels at ${(100 * result.mlp_gflops / result.peak_gflops).toFixed(0)}% of the measured f32x4 peak. ` +
    `Cross-origin isolated: ${result.cross_origin_isolated ? 'yes' : 'no'}, timer resolution ${result.timer_resolution_ms.toFixed(3)} ms.`;
}

const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
worker.onerror = (event) => {
  event.preventDefault();
  fail(`worker error: ${event.message || 'the module worker did not start'}`);
};
worker.onmessage = ({ data }) => {
  if (data.type === 'progress') {
    status.textContent = `Timing ${data.op} (${data.done + 1} of ${data.of})…`;
  } else if (data.type === 'error') {
    fail(data.message);
    worker.terminate();
  } else if (data.type === 'result') {
    const r = data.result;
    r.engine = engineName(r.user_agent);
    r.line =
      `${r.engine} epoch_ms=${r.epoch_ms.toFixed(3)} eval_ms=${r.eval_ms.toFixed(3)} step32_ms=${r.step32_ms.toFixed(4)} ` +
      `gflops=${r.gflops.toFixed(2)} peak_gflops=${r.peak_gflops.toFixed(2)} mlp_gflops=${r.mlp_gflops.toFixed(2)}`;
    window.benchResult = r;
    document.documentElement.dataset.bench = 'done';
    show(r);
    worker.terminate();
  }
};
worker.postMessage({ budgetMs });
