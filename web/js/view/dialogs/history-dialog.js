// An item's history: who changed what and when, newest first, read from the server when the
// dialog opens (the history is not part of the room everyone keeps).

import { when, whatChanged, who } from '../../history.js';
import { errorText, t } from '../../i18n.js';
import { $, h, localized, replace } from '../dom.js';

export class HistoryDialog {
  /** @param {any} actions */
  constructor(actions) {
    this.actions = actions;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#history-dialog'));
    /** Which opening an answer belongs to, so a slow answer cannot replace a newer one. */
    this.opening = 0;
  }

  /**
   * @param {string} itemId
   * @param {string} title
   */
  async open(itemId, title) {
    const opening = ++this.opening;
    this.render(title, h('p', { class: 'dialog-hint', role: 'status', text: t('historyDialog.loading') }));
    if (!this.dialog.open) this.dialog.showModal();
    try {
      const history = await this.actions.loadHistory(itemId);
      if (opening !== this.opening) return;
      const now = Date.now();
      const entries = [...history.entries].reverse();
      this.render(
        history.title,
        entries.length === 0
          ? h('p', { class: 'dialog-hint', text: t('historyDialog.empty') })
          : h(
              'ol',
              { class: 'history-list', 'data-testid': 'history-list' },
              ...entries.map((entry) =>
                h(
                  'li',
                  { 'data-testid': 'history-entry', 'data-field': entry.field },
                  h('span', { class: 'history-what' }, ...localized('historyDialog.entry', { what: whatChanged(entry) }, { who: h('strong', { text: who(entry) }) })),
                  h('time', { class: 'history-when', datetime: new Date(entry.at).toISOString(), text: when(entry.at, now) }),
                ),
              ),
            ),
        history.truncated ? h('p', { class: 'dialog-hint', text: t('historyDialog.truncated') }) : null,
      );
    } catch (error) {
      if (opening !== this.opening) return;
      this.render(title, h('p', { class: 'form-error', role: 'alert', text: t('historyDialog.failed', { reason: errorText(/** @type {any} */ (error)) }) }));
    }
  }

  /**
   * @param {string} title
   * @param {...(Node | null)} body
   */
  render(title, ...body) {
    replace(
      this.dialog,
      h(
        'form',
        { method: 'dialog', class: 'stack history-form' },
        h('h2', { id: 'history-heading' }, ...localized('historyDialog.heading', {}, { title: h('q', { text: title }) })),
        ...body,
        h('div', { class: 'dialog-buttons' }, h('button', { type: 'submit', 'data-testid': 'history-close', text: t('dialog.close') })),
      ),
    );
  }
}
