// The room's trash: what was deleted, by whom and when; the facilitator restores from it.

import { doer, when } from '../../history.js';
import { errorText, locale, t } from '../../i18n.js';
import { $, h, replace } from '../dom.js';

export class TrashDialog {
  /**
   * @param {import('../../store.js').RoomStore} store
   * @param {any} actions
   * @param {(itemId: string, title: string) => void} openHistory
   */
  constructor(store, actions, openHistory) {
    this.store = store;
    this.actions = actions;
    this.openHistory = openHistory;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#trash-dialog'));
    this.error = '';
    /** What the open dialog shows, so that unrelated changes leave it alone. */
    this.shown = '';
  }

  open() {
    this.error = '';
    this.render();
    this.dialog.showModal();
  }

  /** Keeps an open trash current as items come and go (and leaves it, and its focus, alone otherwise). */
  refresh() {
    if (this.dialog.open && this.key() !== this.shown) this.render();
  }

  /** What the dialog shows depends on: the role and what is in the trash. */
  key() {
    return JSON.stringify([locale(), this.store.isFacilitator, (this.store.room?.trash ?? []).map((trashed) => trashed.item_id)]);
  }

  render() {
    const store = this.store;
    this.shown = this.key();
    const trash = [...(store.room?.trash ?? [])].reverse();
    const facilitator = store.isFacilitator;
    const now = Date.now();
    replace(
      this.dialog,
      h(
        'form',
        { method: 'dialog', class: 'stack trash-form' },
        h('h2', { id: 'trash-heading', text: t('backlog.trash') }),
        h('p', { class: 'dialog-hint', text: t(facilitator ? 'trash.hint' : 'trash.hintOthers', { max: 100 }) }),
        trash.length === 0
          ? h('p', { class: 'dialog-hint', 'data-testid': 'trash-empty', text: t('trash.empty') })
          : h(
              'ul',
              { class: 'trash-list', 'data-testid': 'trash-list' },
              ...trash.map((trashed) =>
                h(
                  'li',
                  { 'data-testid': 'trash-entry', 'data-item-id': trashed.item_id },
                  h(
                    'div',
                    { class: 'trash-what' },
                    h('span', { class: 'trash-title', text: trashed.title }),
                    h('small', { class: 'dialog-hint', text: t('trash.deletedBy', { who: doer(trashed.deleted_by, trashed.deleted_by ? store.participants.get(trashed.deleted_by)?.name : null, false), when: when(trashed.deleted_at, now) }) }),
                  ),
                  h('button', { type: 'button', class: 'small', 'data-testid': 'trash-history', text: t('item.history'), onclick: () => this.openHistory(trashed.item_id, trashed.title) }),
                  facilitator && h('button', { type: 'button', class: 'small primary', 'data-testid': 'restore-item', text: t('trash.restore'), onclick: () => this.restore(trashed.item_id) }),
                ),
              ),
            ),
        h('p', { class: 'form-error', role: 'alert', hidden: !this.error, text: this.error }),
        h('div', { class: 'dialog-buttons' }, h('button', { type: 'submit', text: t('dialog.close') })),
      ),
    );
  }

  /** @param {string} itemId */
  async restore(itemId) {
    const reply = await this.actions.restoreItem(itemId);
    this.error = reply?.type === 'error' ? errorText(reply) : '';
    this.render();
  }
}
