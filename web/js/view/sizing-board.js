// The relative sizing board: everyone moves item cards between the deck's columns at once, by
// dragging, by picking a card and then a column (phones), or with the arrow keys. Each move is
// the server's to order; the board shows what it says, so all boards end the same.

import { errorText, locale, t } from '../i18n.js';
import { boardColumns, neighbourColumn } from '../prevotes.js';
import { caretColour } from './carets.js';
import { h, replace } from './dom.js';
import { initials } from './participants.js';

/** @typedef {import('../prevotes.js').SizingBoard} SizingBoard */

export class SizingBoardView {
  /**
   * @param {HTMLElement} root
   * @param {import('../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(root, store, actions) {
    this.root = root;
    this.store = store;
    this.actions = actions;
    /** The card picked up to be put in a column with the next click (touch screens). @type {string | null} */
    this.picked = null;
    this.error = '';
    this.shown = '';
  }

  get board() {
    return /** @type {import('../prevotes.js').EstimationSnapshot | null} */ (this.store.room)?.sizing ?? null;
  }

  /** Whether this person may move cards: voters and the facilitator. */
  get canMove() {
    return this.store.canVote || this.store.isFacilitator;
  }

  key() {
    const board = this.board;
    const store = this.store;
    return JSON.stringify([
      locale(),
      store.isFacilitator,
      this.canMove,
      board,
      board ? board.placements.map((p) => [store.items.get(p.item_id)?.title ?? '', p.by ? store.nameOf(p.by) : '']) : null,
      this.picked,
      this.error,
    ]);
  }

  render() {
    const key = this.key();
    if (key === this.shown) return;
    this.shown = key;
    const board = this.board;
    this.root.hidden = !board;
    if (!board) {
      this.picked = null;
      replace(this.root);
      return;
    }
    if (this.picked && !board.placements.some((p) => p.item_id === this.picked)) this.picked = null;
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const focusedItem = active && this.root.contains(active) ? active.getAttribute('data-item-id') : null;
    const placed = board.placements.filter((p) => p.column != null).length;
    replace(
      this.root,
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'sizing-heading', text: t('sizing.heading') }),
        h('span', { class: 'badge', 'data-testid': 'sizing-progress', text: t('sizing.progress', { placed, total: board.placements.length }) }),
      ),
      h('p', { class: 'dialog-hint', text: this.canMove ? t('sizing.hint') : t('sizing.watching') }),
      h(
        'div',
        { class: 'sizing-columns', 'data-testid': 'sizing-columns' },
        ...boardColumns(board).map(({ column, items }) => this.column(board, column, items)),
      ),
      this.error ? h('p', { class: 'form-error', role: 'alert', text: this.error }) : null,
      this.store.isFacilitator
        ? h(
            'div',
            { class: 'facilitator-controls' },
            h('button', {
              type: 'button',
              class: 'primary',
              'data-testid': 'accept-sizing',
              disabled: placed === 0,
              text: t('sizing.accept', { count: placed }),
              onclick: () => this.report(this.actions.acceptSizing()),
            }),
            h('button', {
              type: 'button',
              'data-testid': 'close-sizing',
              text: t('sizing.close'),
              onclick: () => {
                if (placed === 0 || window.confirm(t('sizing.closeConfirm'))) this.report(this.actions.closeSizingBoard());
              },
            }),
          )
        : null,
    );
    if (focusedItem) /** @type {HTMLElement | null} */ (this.root.querySelector(`[data-testid="sizing-card"][data-item-id="${CSS.escape(focusedItem)}"]`))?.focus({ preventScroll: true });
  }

  /** @param {Promise<any>} sent */
  async report(sent) {
    const reply = await sent;
    this.error = reply?.type === 'error' ? errorText(reply) : '';
    this.render();
  }

  /**
   * @param {string} itemId
   * @param {string | null} column
   */
  move(itemId, column) {
    this.picked = null;
    this.report(this.actions.placeOnBoard(itemId, column));
  }

  /**
   * @param {SizingBoard} board
   * @param {string | null} column
   * @param {import('../prevotes.js').Placement[]} items
   */
  column(board, column, items) {
    const name = column ?? t('sizing.unsized');
    const canMove = this.canMove;
    const dropTarget = canMove
      ? {
          ondragover: (/** @type {DragEvent} */ event) => {
            event.preventDefault();
            /** @type {HTMLElement} */ (event.currentTarget).classList.add('drop-here');
          },
          ondragleave: (/** @type {DragEvent} */ event) => /** @type {HTMLElement} */ (event.currentTarget).classList.remove('drop-here'),
          ondrop: (/** @type {DragEvent} */ event) => {
            event.preventDefault();
            /** @type {HTMLElement} */ (event.currentTarget).classList.remove('drop-here');
            const itemId = event.dataTransfer?.getData('text/plain');
            if (itemId && board.placements.some((p) => p.item_id === itemId)) this.move(itemId, column);
          },
        }
      : {};
    return h(
      'section',
      { class: column == null ? 'sizing-column unsized' : 'sizing-column', 'data-testid': 'sizing-column', 'data-column': column ?? '', 'aria-label': t('sizing.columnLabel', { name, count: items.length }), ...dropTarget },
      h(
        'h3',
        {},
        canMove && this.picked
          ? h('button', { type: 'button', class: 'column-target', 'data-testid': 'sizing-put-here', 'data-column': column ?? '', text: name, title: t('sizing.putHere'), onclick: () => this.picked && this.move(this.picked, column) })
          : h('span', { text: name }),
        h('span', { class: 'count', text: String(items.length) }),
      ),
      h('ul', { class: 'sizing-cards' }, ...items.map((placement) => h('li', {}, this.card(board, placement)))),
    );
  }

  /**
   * @param {SizingBoard} board
   * @param {import('../prevotes.js').Placement} placement
   */
  card(board, placement) {
    const item = this.store.items.get(placement.item_id);
    const mover = placement.by ? this.store.nameOf(placement.by) : '';
    const column = placement.column ?? null;
    const canMove = this.canMove;
    return h(
      'button',
      {
        type: 'button',
        class: this.picked === placement.item_id ? 'sizing-card picked' : 'sizing-card',
        'data-testid': 'sizing-card',
        'data-item-id': placement.item_id,
        'aria-pressed': canMove ? String(this.picked === placement.item_id) : undefined,
        'aria-disabled': canMove ? undefined : 'true',
        title: canMove ? t('sizing.cardHelp') : undefined,
        draggable: canMove,
        ondragstart: (/** @type {DragEvent} */ event) => {
          event.dataTransfer?.setData('text/plain', placement.item_id);
          if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
        },
        onclick: () => {
          if (!canMove) return;
          this.picked = this.picked === placement.item_id ? null : placement.item_id;
          this.render();
        },
        onkeydown: (/** @type {KeyboardEvent} */ event) => {
          if (!canMove) return;
          const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
          if (!step) return;
          const to = neighbourColumn(board, column, /** @type {-1 | 1} */ (step));
          if (to === undefined) return;
          event.preventDefault();
          this.move(placement.item_id, to);
        },
      },
      h('span', { class: 'sizing-card-title', text: item?.title ?? '' }),
      placement.by
        ? h('span', { class: 'avatar small', title: t('sizing.movedBy', { name: mover }), 'aria-hidden': 'true', style: { '--avatar-colour': caretColour(placement.by) } }, initials(mover))
        : null,
      placement.by ? h('span', { class: 'visually-hidden', text: t('sizing.movedBy', { name: mover }) }) : null,
    );
  }
}
