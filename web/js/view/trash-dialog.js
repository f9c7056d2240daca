// The room's trash: what was deleted, by whom and when; the facilitator restores from it.

import { when } from '../history.js';
import { $, h, replace } from './dom.js';

export class TrashDialog {
  /**
   * @param {import('../store.js').RoomStore} store
   * @param {any} actions
   * @param {(itemId: string, title: string) => void} openHistory
   */
  constructor(store, actions, openHistory) {
    this.store = store;
    this.actions = actions;
    this.openHistory = openHistory;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#trash-dialog'));
    this.error = '';
  }

  open() {
    this.error = '';
    this.render();
    this.dialog.showModal();
  }

  /** Keeps an open trash current as items come and go. */
  refresh() {
    if (this.dialog.open) this.render();
  }

  render() {
    const store = this.store;
    const trash = [...(store.room?.trash ?? [])].reverse();
    const facilitator = store.isFacilitator;
    const now = Date.now();
    replace(
      this.dialog,
      h(
        'form',
        { method: 'dialog', class: 'stack trash-form' },
        h('h2', { id: 'trash-heading', text: 'Trash' }),
        h('p', { class: 'dialog-hint', text: facilitator ? 'Deleted items stay here for the life of the room (the latest 100). Restoring puts one back where it was.' : 'Deleted items stay here for the life of the room. The facilitator can restore them.' }),
        trash.length === 0
          ? h('p', { class: 'dialog-hint', 'data-testid': 'trash-empty', text: 'The trash is empty.' })
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
                    h('small', { class: 'dialog-hint', text: `Deleted by ${this.name(trashed.deleted_by)} · ${when(trashed.deleted_at, now)}` }),
                  ),
                  h('button', { type: 'button', class: 'small', 'data-testid': 'trash-history', text: 'History', onclick: () => this.openHistory(trashed.item_id, trashed.title) }),
                  facilitator && h('button', { type: 'button', class: 'small primary', 'data-testid': 'restore-item', text: 'Restore', onclick: () => this.restore(trashed.item_id) }),
                ),
              ),
            ),
        h('p', { class: 'form-error', role: 'alert', hidden: !this.error, text: this.error }),
        h('div', { class: 'dialog-buttons' }, h('button', { type: 'submit', text: 'Close' })),
      ),
    );
  }

  /** @param {string | null} id */
  name(id) {
    if (!id) return 'Ready Room';
    return this.store.participants.get(id)?.name ?? 'someone who left';
  }

  /** @param {string} itemId */
  async restore(itemId) {
    const reply = await this.actions.restoreItem(itemId);
    this.error = reply?.type === 'error' ? reply.message : '';
    this.render();
  }
}
