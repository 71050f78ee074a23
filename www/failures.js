// What the page says when a run goes wrong, in the sticky bar so that it is seen wherever the
// reader has scrolled: a run that diverged (training paused; reset, or back to the last good
// snapshot), a run that crashed (its worker trapped; restart it, the other run goes on) and a
// run that is unstable (a warning; it keeps training). Everything is read from the arms' state
// (runs.js) at each status event and set with textContent; the DOM is rebuilt only when what is
// to be said changes, so the buttons keep their focus. The sticky bar must stay short (on a phone
// it is most of the screen otherwise): each message is its headline and its buttons, the
// explanation folded under "Why, and what to do"; the runs that are unstable share one warning,
// which can be dismissed (it comes back for a new run).

const $ = (id) => document.getElementById(id);

/** The core's `UNSTABLE_FACTOR` (src/train.rs): the loss rose above this many times its start. */
const UNSTABLE_FACTOR = 10;

export class Failures {
  constructor(app) {
    this.app = app;
    this.box = document.createElement('div');
    this.box.id = 'failures';
    this.box.className = 'failures';
    this.box.setAttribute('role', 'alert');
    $('bar').append(this.box);
    this.key = '';
    /** Warnings dismissed, by their text: until the next run is set up. */
    this.dismissed = new Set();
    app.on('status', () => this.render());
    app.on('setup', () => {
      this.dismissed.clear();
      this.render();
    });
  }

  /** What each arm has to say: [{ kind, arm, ... }]. */
  items() {
    return this.app.state.arms.flatMap((arm, i) => {
      if (arm.crashed) return [{ kind: 'crashed', i, name: arm.name, message: arm.crashed }];
      const sm = arm.summary;
      if (!sm) return [];
      if (sm.status.state === 'diverged') {
        const { step, epoch, message } = sm.status;
        return [{ kind: 'diverged', i, name: arm.name, step, epoch, message, every: arm.config.schedule.snapshot_every }];
      }
      if (sm.unstable_epoch !== null && sm.unstable_epoch !== undefined) {
        const phase = arm.config.schedule.phases[sm.phase];
        const lr = phase?.lr ?? arm.config.optim.lr;
        return [{ kind: 'unstable', i, name: arm.name, epoch: sm.unstable_epoch, lr }];
      }
      return [];
    });
  }

  render() {
    const items = this.items();
    const unstable = items.filter((item) => item.kind === 'unstable');
    const blocks = items.filter((item) => item.kind !== 'unstable').map((item) => [JSON.stringify(item), () => this[item.kind](item)]);
    if (unstable.length) {
      const key = JSON.stringify(unstable);
      if (!this.dismissed.has(key)) blocks.push([key, () => this.unstable(unstable, key)]);
    }
    const key = JSON.stringify(blocks.map(([k]) => k));
    if (key === this.key) return;
    this.key = key;
    this.box.replaceChildren(...blocks.map(([, make]) => make()));
  }

  diverged({ i, name, step, epoch, message, every }) {
    const back = button('Back to the last good snapshot', () => this.app.rewind(i));
    back.title = 'The parameters saved at the latest snapshot before the divergence';
    return block(
      'failure',
      `The ${name} run diverged at step ${step} (epoch ${epoch}). Training is paused.`,
      `${capital(message)}. Reset starts the run again from step 0 (same seed, same run). Going back ` +
        `to the last good snapshot (snapshots are kept every ${every || 'phase end'}${every ? ' epochs' : ''}) ` +
        'restores its parameters and drops what was recorded after it; Adam starts fresh (its ' +
        'state is not saved) and the minibatch order differs from the first time, so this is ' +
        'not the same run resumed, and the same settings may diverge again.',
      [button('Reset', () => this.app.reset()), back],
    );
  }

  crashed({ i, name, message }) {
    return block(
      'failure',
      `The ${name} run crashed and has stopped.`,
      `Its worker failed: ${message}. This is a fault in pathscope, not in the settings. ` +
        'Any other run keeps training. Restart runs this one again from step 0 in a new worker.',
      [button('Restart this run', () => this.app.restartArm(i))],
    );
  }

  /** One warning for every run that is unstable (`items`, of kind 'unstable'). */
  unstable(items, key) {
    const dismiss = button('Dismiss', () => {
      this.dismissed.add(key);
      this.render();
    });
    dismiss.title = 'Hide this warning until the next run is set up';
    if (items.length === 1) {
      const [{ name, epoch, lr }] = items;
      return block(
        'unstable',
        `The ${name} run is unstable.`,
        `At epoch ${epoch} its mean training loss rose above ${UNSTABLE_FACTOR} times its initial value ` +
          `(learning rate ${lr}). It keeps training, but steps this large make the loss jump instead of ` +
          'descend; a smaller learning rate usually avoids this.',
        [dismiss],
      );
    }
    const names = items.map((item) => item.name);
    const each = items.map(({ name, epoch, lr }) => `the ${name} run's at epoch ${epoch} (learning rate ${lr})`);
    return block(
      'unstable',
      `The ${names.slice(0, -1).join(', ')} and ${names.at(-1)} runs are unstable.`,
      `The mean training loss of each rose above ${UNSTABLE_FACTOR} times its initial value: ${each.join(', ')}. ` +
        'They keep training, but steps this large make the loss jump instead of descend; a smaller ' +
        'learning rate usually avoids this.',
      [dismiss],
    );
  }
}

function capital(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function button(text, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

/** A message: its headline and buttons, and the explanation folded (`.why`, its text `.text`). */
function block(kind, title, text, buttons) {
  const div = document.createElement('div');
  div.className = kind;
  div.dataset.kind = kind;
  const strong = document.createElement('strong');
  strong.className = 'title';
  strong.textContent = title;
  div.append(strong);
  if (buttons.length) {
    const row = document.createElement('span');
    row.className = 'actions';
    row.append(...buttons);
    div.append(' ', row);
  }
  const why = document.createElement('details');
  why.className = 'why';
  const summary = document.createElement('summary');
  summary.textContent = 'Why, and what to do';
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  why.append(summary, body);
  div.append(' ', why);
  return div;
}
