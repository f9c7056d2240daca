// The refinement session as everyone sees it: the budget, the time spent and, past the budget,
// by how much the session is over; for the facilitator, the controls to run it.

import { formatPercent, locale, t } from '../i18n.js';
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
    const key = JSON.stringify([locale(), room?.session ?? null, room?.settings.timebox ?? null, this.store.isFacilitator, !!room]);
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
        h('h2', { class: 'session-heading', text: t('session.heading') }),
        h('p', { class: 'session-line', 'data-testid': 'session-budget', text: t('session.budgetLine', { budget: spoken(sessionBudgetSeconds(timebox)), percent: formatPercent(timebox.share_percent / 100), days: timebox.sprint_days, count: timebox.sessions_per_sprint }) }),
        h(
          'div',
          { class: 'session-actions' },
          h('button', { type: 'button', class: 'small primary', 'data-testid': 'start-session', text: t('session.start'), onclick: () => this.actions.startSession() }),
          h('button', { type: 'button', class: 'small', 'data-testid': 'open-timebox', 'aria-haspopup': 'dialog', text: t('session.budget'), onclick: () => this.openTimebox() }),
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
      spent.textContent = t('session.spent', { spent: clock(progress.spent), budget: spoken(progress.budget) });
      this.element.classList.toggle('over', progress.over > 0);
      over.hidden = progress.over === 0;
      over.textContent = t('session.over', { time: clock(progress.over) });
      share.textContent = progress.toGo === 0 ? t('session.done') : t('session.toGo', { count: progress.toGo, each: spoken(progress.perItem) });
      /** @type {HTMLElement} */ (meter.firstChild).style.width = `${Math.min(100, (100 * progress.spent) / Math.max(1, progress.budget))}%`;
    };
    update();
    this.tick = setInterval(update, 1000);
    replace(
      this.element,
      h('h2', { class: 'session-heading' }, t('session.heading'), ' ', spent),
      meter,
      over,
      share,
      facilitator &&
        h(
          'div',
          { class: 'session-actions' },
          h('button', { type: 'button', class: 'small', 'data-testid': 'end-session', text: t('session.end'), onclick: () => this.actions.endSession() }),
          h('button', { type: 'button', class: 'small', 'data-testid': 'open-timebox', 'aria-haspopup': 'dialog', text: t('session.budget'), onclick: () => this.openTimebox() }),
        ),
    );
  }
}
