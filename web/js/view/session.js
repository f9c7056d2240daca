// The refinement session as everyone sees it: the budget, the time spent and, past the budget,
// by how much the session is over; for the facilitator, the controls to run it.

import { clock, DEFAULT_TIMEBOX, sessionBudgetSeconds, sessionProgress, spoken } from '../timebox.js';
import { $, h, replace } from './dom.js';

export class SessionPanel {
  /**
   * @param {import('../store.js').RoomStore} store
   * @param {any} actions
   * @param {() => void} openTimebox
   */
  constructor(store, actions, openTimebox) {
    this.store = store;
    this.actions = actions;
    this.openTimebox = openTimebox;
    this.element = $('#session');
    this.tick = /** @type {ReturnType<typeof setInterval> | undefined} */ (undefined);
    /** What the panel shows, so that unrelated changes (anyone's typing) leave it and its focus alone. */
    this.shown = '';
  }

  stop() {
    clearInterval(this.tick);
    this.shown = '';
    this.element.hidden = true;
  }

  render() {
    const room = this.store.room;
    // Items matter only as how many are still to refine, which the tick reads itself.
    const key = JSON.stringify([room?.session ?? null, room?.settings.timebox ?? null, this.store.isFacilitator, !!room]);
    if (key === this.shown) return;
    this.shown = key;
    clearInterval(this.tick);
    const session = room?.session ?? null;
    const facilitator = this.store.isFacilitator;
    this.element.hidden = !room || (!session && !facilitator);
    if (!room || this.element.hidden) return;
    const timebox = room.settings.timebox ?? DEFAULT_TIMEBOX;
    if (!session) {
      replace(
        this.element,
        h('h2', { class: 'session-heading', text: 'Session' }),
        h('p', { class: 'session-line', 'data-testid': 'session-budget', text: `Budget ${spoken(sessionBudgetSeconds(timebox))}: ${timebox.share_percent}% of a ${timebox.sprint_days}-day sprint over ${timebox.sessions_per_sprint} session${timebox.sessions_per_sprint === 1 ? '' : 's'}.` }),
        h(
          'div',
          { class: 'session-actions' },
          h('button', { type: 'button', class: 'small primary', 'data-testid': 'start-session', text: 'Start session', onclick: () => this.actions.startSession() }),
          h('button', { type: 'button', class: 'small', 'data-testid': 'open-timebox', 'aria-haspopup': 'dialog', text: 'Budget…', onclick: () => this.openTimebox() }),
        ),
      );
      return;
    }
    const spent = h('strong', { class: 'session-spent', 'data-testid': 'session-spent' });
    const over = h('p', { class: 'session-over', 'data-testid': 'session-over', role: 'status' });
    const share = h('p', { class: 'session-line', 'data-testid': 'session-share' });
    const meter = h('div', { class: 'session-meter', 'aria-hidden': 'true' }, h('span'));
    const update = () => {
      const progress = sessionProgress(session, timebox, this.store.orderedItems(), Date.now());
      spent.textContent = `${clock(progress.spent)} of ${spoken(progress.budget)}`;
      this.element.classList.toggle('over', progress.over > 0);
      over.hidden = progress.over === 0;
      over.textContent = `Over budget by ${clock(progress.over)}`;
      share.textContent = progress.toGo === 0 ? 'Every item is ready or split.' : `${progress.toGo} item${progress.toGo === 1 ? '' : 's'} to go · about ${spoken(progress.perItem)} each`;
      /** @type {HTMLElement} */ (meter.firstChild).style.width = `${Math.min(100, (100 * progress.spent) / Math.max(1, progress.budget))}%`;
    };
    update();
    this.tick = setInterval(update, 1000);
    replace(
      this.element,
      h('h2', { class: 'session-heading' }, 'Session ', spent),
      meter,
      over,
      share,
      facilitator &&
        h(
          'div',
          { class: 'session-actions' },
          h('button', { type: 'button', class: 'small', 'data-testid': 'end-session', text: 'End session', onclick: () => this.actions.endSession() }),
          h('button', { type: 'button', class: 'small', 'data-testid': 'open-timebox', 'aria-haspopup': 'dialog', text: 'Budget…', onclick: () => this.openTimebox() }),
        ),
    );
  }
}
