// The facilitator's timebox: how long the sprint is, its share for refinement and how many
// sessions share it, with the budget each session gets worked out as they type.

import { errorText, formatPercent, t } from '../../i18n.js';
import { TIMEBOX } from '../../protocol.js';
import { DEFAULT_TIMEBOX, sessionBudgetSeconds, spoken } from '../../timebox.js';
import { $, h, replace } from '../dom.js';

/** @typedef {import('../../protocol.js').RefinementTimebox} RefinementTimebox */

/** The bounds the server holds each part to. */
const BOUNDS = { sprint_days: TIMEBOX.sprint_days, share_percent: TIMEBOX.share_percent, sessions_per_sprint: TIMEBOX.sessions_per_sprint };

export class TimeboxDialog {
  /**
   * @param {import('../../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#timebox-dialog'));
    /** @type {RefinementTimebox} */
    this.draft = { ...DEFAULT_TIMEBOX };
    this.error = '';
  }

  open() {
    this.draft = { ...(this.store.room?.settings.timebox ?? DEFAULT_TIMEBOX) };
    this.error = '';
    this.render();
    this.dialog.showModal();
  }

  render() {
    const budget = h('p', { class: 'timebox-budget', 'data-testid': 'timebox-budget', role: 'status' });
    const showBudget = () => {
      const valid = Object.entries(BOUNDS).every(([key, max]) => {
        const value = this.draft[/** @type {keyof RefinementTimebox} */ (key)];
        return Number.isInteger(value) && value >= 1 && value <= max;
      });
      budget.textContent = t('timebox.each', { budget: valid ? spoken(sessionBudgetSeconds(this.draft)) : '—' });
    };
    /**
     * @param {keyof RefinementTimebox} key
     * @param {string} label
     * @param {string} hint
     */
    const field = (key, label, hint) =>
      h(
        'label',
        {},
        label,
        h('input', {
          type: 'number',
          inputmode: 'numeric',
          min: 1,
          max: BOUNDS[key],
          step: 1,
          required: true,
          value: this.draft[key],
          'data-testid': `timebox-${key.replaceAll('_', '-')}`,
          oninput: (/** @type {Event} */ event) => {
            this.draft[key] = Number(/** @type {HTMLInputElement} */ (event.target).value);
            showBudget();
          },
        }),
        h('small', { class: 'dialog-hint', text: hint }),
      );
    showBudget();
    replace(
      this.dialog,
      h(
        'form',
        { class: 'stack timebox-form', onsubmit: (/** @type {SubmitEvent} */ event) => this.save(event) },
        h('h2', { id: 'timebox-heading', text: t('timebox.heading') }),
        h('p', { class: 'dialog-hint', text: t('timebox.hint', { low: formatPercent(0.05), high: formatPercent(0.1), hours: TIMEBOX.hoursPerDay }) }),
        field('sprint_days', t('timebox.sprintDays'), t('timebox.sprintDaysHint')),
        field('share_percent', t('timebox.share'), t('timebox.shareHint')),
        field('sessions_per_sprint', t('timebox.sessions'), t('timebox.sessionsHint')),
        budget,
        h('p', { class: 'form-error', role: 'alert', hidden: !this.error, text: this.error }),
        h(
          'div',
          { class: 'dialog-buttons' },
          h('button', { type: 'button', text: t('dialog.cancel'), onclick: () => this.dialog.close() }),
          h('button', { type: 'submit', class: 'primary', 'data-testid': 'timebox-save', text: t('dialog.save') }),
        ),
      ),
    );
  }

  /** @param {SubmitEvent} event */
  async save(event) {
    event.preventDefault();
    const reply = await this.actions.setTimebox({ ...this.draft });
    if (reply?.type === 'error') {
      this.error = errorText(reply);
      this.render();
      return;
    }
    this.dialog.close();
  }
}
