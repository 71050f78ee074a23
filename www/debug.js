// The address key `debug`: a documented test hook, for the end-to-end tests of the failure paths
// (e2e/tests/failures.test.mjs) and for anyone who wants to see them. It makes one optimizer step
// of the first run (the curriculum, or the single run) fail:
//
//   #preset=quick&debug=nan@300     step 300's gradient gets a NaN: the run diverges there, as a
//                                   real divergence would (no setting the page accepts was found
//                                   to diverge by itself at lr <= 10: README, "When a run
//                                   goes wrong"); the page pauses and offers reset or the last snapshot
//   #preset=quick&debug=panic@300   step 300 panics: the worker's wasm instance traps, as a bug
//                                   would; the page names the run and offers to restart it
//
// The fault fires once, in the run the address started: Reset, a restart after a crash and any
// other run train without it. The core's side is `Trainer::debug_fault_at` (src/train.rs).

/** How the `debug` setting's text is read (url-state.js SETTINGS): '' (none) or `nan@N` / `panic@N`. */
export const DEBUG_KIND = {
  parse(s) {
    if (s === '') return '';
    const m = /^(nan|panic)@(\d{1,9})$/.exec(s);
    return m && Number(m[2]) >= 1 ? `${m[1]}@${Number(m[2])}` : undefined;
  },
  format: (v) => v,
  accepted: 'nan@STEP or panic@STEP (a test hook: that step of the first run fails), e.g. nan@300',
};

/** The worker's `debug` field for a setting value: { kind, step }, or undefined for none. */
export function debugFault(value) {
  if (!value) return undefined;
  const [kind, step] = value.split('@');
  return { kind, step: Number(step) };
}
