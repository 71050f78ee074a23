// A bad value in the settings form is marked on its own field (aria-invalid, styled in
// style.css) and explained right under it, not only in the summary at the bottom of the form,
// which is off-screen when the field is at the top. Text only (textContent).

/** The form field of a core config path (ConfigError.field), or null when it is no one field. */
export function fieldIdOf(path) {
  const phase = /^schedule\.phases\[(\d+)\]\.(p|epochs|lr)$/.exec(path);
  if (phase) return `phase-${phase[1]}-${phase[2]}`;
  if (path === 'schedule.phases') return 'phases';
  const ids = {
    'data.seed': 'seed',
    'model.seq_len': 'T',
    'data.k': 'k',
    'data.n': 'n',
    'model.vocab': 'V',
    'model.dim': 'd',
    'model.hidden': 'h',
    'optim.lr': 'lr',
    'schedule.batch_size': 'B',
    'schedule.eval_every': 'eval',
    'schedule.snapshot_every': 'snap',
  };
  return ids[path] ?? null;
}

/**
 * Shows `errors` ([{ id, text }]: the field's element id and the sentence) in `form`, removing
 * the ones shown before. A list (the phases) gets the sentence but no aria-invalid.
 */
export function showFieldErrors(form, errors) {
  for (const p of form.querySelectorAll('.field-error')) {
    const field = document.getElementById(p.dataset.for);
    if (field) {
      const rest = (field.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== p.id);
      if (rest.length) field.setAttribute('aria-describedby', rest.join(' '));
      else field.removeAttribute('aria-describedby');
    }
    p.remove();
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const { id, text } of errors) {
    const field = document.getElementById(id);
    if (!field || !form.contains(field)) continue;
    const p = document.createElement('p');
    p.className = 'field-error';
    p.id = `${id}-error`;
    p.dataset.for = id;
    p.textContent = text;
    if (field.tagName === 'INPUT' || field.tagName === 'SELECT') {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', [field.getAttribute('aria-describedby'), p.id].filter(Boolean).join(' '));
    }
    // In a phase row, at the end of the row; elsewhere right after the field.
    const row = field.closest('li');
    if (row) row.append(p);
    else field.after(p);
  }
}
