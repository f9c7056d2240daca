// The backlog column: items in rank order, badges, selection, and reordering by pointer (mouse
// and touch) and keyboard. Moves made by others animate into place.

import { formatList, formatNumber, has, t } from '../i18n.js';
import { isSplit, openQuestions } from '../protocol.js';
import { countsAsReady } from '../readiness.js';
import { readinessBadge } from './checklist.js';
import { moveBelowDependencies } from './dependencies.js';
import { $, animateMoves, h, measure, replace } from './dom.js';

export class Backlog {
  /**
   * @param {import('../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.list = /** @type {HTMLOListElement} */ ($('#backlog'));
    /** The item being dragged, while a drag is under way. @type {null | { id: string, element: HTMLElement, pointerId: number, startY: number, moved: boolean }} */
    this.drag = null;
    this.setUpNewItem();
    this.list.addEventListener('pointerdown', (event) => this.onPointerDown(event));
    this.list.addEventListener('pointermove', (event) => this.onPointerMove(event));
    this.list.addEventListener('pointerup', (event) => this.onPointerUp(event));
    this.list.addEventListener('pointercancel', () => this.endDrag());
    this.list.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.list.addEventListener('click', (event) => {
      const row = /** @type {HTMLElement} */ (event.target).closest('[data-testid=backlog-item]');
      if (row instanceof HTMLElement && row.dataset.itemId) this.store.select(row.dataset.itemId);
    });
  }

  setUpNewItem() {
    const form = /** @type {HTMLFormElement} */ ($('#new-item-form'));
    const input = /** @type {HTMLInputElement} */ ($('#new-item-title'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const title = input.value.trim();
      if (!title) return;
      // The command is on its way (or queued until the connection is back, then sent by
      // itself): the field is free for the next item at once. A refusal gives the title back.
      input.value = '';
      const reply = await this.actions.createItem(title);
      if (reply?.type === 'error' && !input.value) input.value = title;
    });
  }

  render() {
    const store = this.store;
    if (this.drag) return; // re-rendering mid-drag would pull the item out of the person's hand
    const rows = /** @type {HTMLElement[]} */ ([...this.list.children]);
    const before = measure(rows);
    const focusedId = /** @type {HTMLElement | null} */ (document.activeElement)?.closest?.('[data-testid=backlog-item]')?.getAttribute('data-item-id');
    const items = store.visibleItems();
    const current = store.room?.current_item;
    // Also while the connection is down: what people do then is queued and sent once it is back.
    const canEdit = store.canEdit;
    const votingOn = store.room?.round?.phase === 'voting' ? store.room.round.item_id : null;
    // What each item waits for (dependencies not ready yet) and what waits for it.
    /** @type {Map<string, string[]>} */
    const waitingOn = new Map();
    for (const item of store.items.values()) {
      for (const id of item.dependencies) {
        const dependency = store.items.get(id);
        if (!dependency || countsAsReady(id, store.items)) continue;
        waitingOn.set(id, [...(waitingOn.get(id) ?? []), item.title]);
      }
    }
    const blockers = (/** @type {import('../protocol.js').Item} */ item) =>
      item.dependencies.filter((id) => !countsAsReady(id, store.items)).map((id) => store.items.get(id)?.title ?? t('item.anItem'));
    const ordered = store.orderedItems();
    replace(
      this.list,
      ...items.map((item, index) =>
        h(
          'li',
          {
            class: 'backlog-item',
            'data-testid': 'backlog-item',
            'data-item-id': item.id,
            'data-key': item.id,
            'data-current': item.id === current ? 'true' : null,
            'data-split': isSplit(item) ? 'true' : null,
            'aria-current': item.id === store.selected ? 'true' : null,
            tabIndex: 0,
            'aria-label': t('backlog.itemLabel', { position: index + 1, title: item.title }),
          },
          canEdit && h('span', { class: 'drag-handle', 'data-testid': 'drag-handle', 'aria-hidden': 'true', title: t('backlog.drag'), text: '⠿' }),
          h(
            'span',
            { class: 'item-line' },
            h('span', { class: 'item-title', 'data-testid': 'item-title', text: item.title }),
            h(
              'span',
              { class: 'item-badges' },
              item.id === current && h('span', { class: 'badge current', text: t('backlog.now') }),
              item.id === votingOn && h('span', { class: 'badge voting', text: t('backlog.voting') }),
              isSplit(item)
                ? h('span', { class: 'badge split', 'data-testid': 'split-badge', text: t('backlog.splitInto', { count: item.split_into?.length ?? 0 }) })
                : h('span', { class: `badge status-${item.status}`, 'data-testid': 'status-badge', text: has(`status.${item.status}`) ? t(`status.${item.status}`) : item.status }),
              !isSplit(item) && item.status !== 'ready' && readinessBadge(item, store),
              openQuestionsBadge(item),
              ...item.labels.slice(0, 3).map((label) => h('span', { class: 'badge label', text: label })),
              item.estimate && h('span', { class: 'badge estimate', 'data-testid': 'estimate-badge', title: t('item.estimateField'), text: item.estimate }),
              dependencyBadge('waits', blockers(item)),
              dependencyBadge('blocks', waitingOn.get(item.id) ?? []),
              canEdit && orderWarning(item, ordered, this.actions),
            ),
          ),
        ),
      ),
    );
    if (items.length === 0) {
      this.list.append(h('li', { class: 'empty', text: t(store.items.size ? 'backlog.noMatch' : 'backlog.empty') }));
    }
    // The count is of the active backlog; split items are there only on request.
    const splitCount = [...store.items.values()].filter(isSplit).length;
    $('#backlog-count').textContent = formatNumber(store.items.size - splitCount);
    $('#filter-split-row').hidden = splitCount === 0;
    $('#split-count').textContent = t('backlog.splitCount', { count: splitCount });
    /** @type {HTMLInputElement} */ ($('#new-item-title')).disabled = !canEdit;
    /** @type {HTMLButtonElement} */ ($('[data-testid=add-item]')).disabled = !canEdit;
    animateMoves(before, /** @type {HTMLElement[]} */ ([...this.list.children]));
    if (focusedId) /** @type {HTMLElement | null} */ (this.list.querySelector(`[data-item-id="${focusedId}"]`))?.focus();
  }

  /** @param {PointerEvent} event */
  onPointerDown(event) {
    const handle = /** @type {HTMLElement} */ (event.target).closest('[data-testid=drag-handle]');
    if (!handle || event.button !== 0) return;
    const element = /** @type {HTMLElement} */ (handle.closest('[data-testid=backlog-item]'));
    if (!element?.dataset.itemId) return;
    event.preventDefault();
    element.setPointerCapture(event.pointerId);
    element.classList.add('dragging');
    this.drag = { id: element.dataset.itemId, element, pointerId: event.pointerId, startY: event.clientY, moved: false };
  }

  /** @param {PointerEvent} event */
  onPointerMove(event) {
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointerId) return;
    drag.moved = true;
    drag.element.style.transform = `translateY(${event.clientY - drag.startY}px)`;
    const target = this.dropTarget(event.clientY);
    for (const row of this.rows()) row.classList.toggle('drop-before', row === target.before && row !== drag.element);
    this.list.classList.toggle('drop-at-end', !target.before);
  }

  /** @param {PointerEvent} event */
  onPointerUp(event) {
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointerId) return;
    const target = this.dropTarget(event.clientY);
    this.endDrag();
    if (!drag.moved) return;
    const rows = this.rows().filter((row) => row !== drag.element);
    const beforeRow = target.before && target.before !== drag.element ? target.before : null;
    const index = beforeRow ? rows.indexOf(beforeRow) : rows.length;
    const after = rows[index - 1]?.dataset.itemId ?? null;
    const before = beforeRow?.dataset.itemId ?? null;
    this.move(drag.id, after, before);
  }

  endDrag() {
    if (!this.drag) return;
    this.drag.element.classList.remove('dragging');
    this.drag.element.style.transform = '';
    for (const row of this.rows()) row.classList.remove('drop-before');
    this.list.classList.remove('drop-at-end');
    this.drag = null;
    this.render();
  }

  /**
   * The row the dragged item would land in front of (null: at the end).
   * @param {number} y
   */
  dropTarget(y) {
    for (const row of this.rows()) {
      if (row === this.drag?.element) continue;
      const box = row.getBoundingClientRect();
      if (y < box.top + box.height / 2) return { before: row };
    }
    return { before: null };
  }

  /** @returns {HTMLElement[]} */
  rows() {
    return /** @type {HTMLElement[]} */ ([...this.list.querySelectorAll('[data-testid=backlog-item]')]);
  }

  /** @param {KeyboardEvent} event */
  onKeyDown(event) {
    const row = /** @type {HTMLElement} */ (event.target).closest('[data-testid=backlog-item]');
    if (!(row instanceof HTMLElement) || !row.dataset.itemId) return;
    if (event.key === 'Enter' || event.key === ' ') {
      this.store.select(row.dataset.itemId);
      event.preventDefault();
      return;
    }
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    if (!this.store.canEdit) return;
    // Moves are relative to the whole backlog, not just the filtered view.
    const ids = this.store.orderedItems().map((item) => item.id);
    const at = ids.indexOf(row.dataset.itemId);
    if (event.key === 'ArrowUp' && at > 0) this.move(row.dataset.itemId, ids[at - 2] ?? null, ids[at - 1]);
    if (event.key === 'ArrowDown' && at < ids.length - 1) this.move(row.dataset.itemId, ids[at + 1], ids[at + 2] ?? null);
  }

  /**
   * @param {string} id
   * @param {string | null} after
   * @param {string | null} before
   */
  move(id, after, before) {
    // A refusal is reported by the app like any other; the order simply stays as the server has it.
    this.actions.moveItem(id, after, before);
  }
}

/**
 * A badge naming what an item waits for (its dependencies not ready yet) or what waits for it.
 * @param {'waits' | 'blocks'} kind
 * @param {string[]} titles
 */
function dependencyBadge(kind, titles) {
  if (titles.length === 0) return null;
  const text = titles.length === 1 ? t(`backlog.${kind}.one`, { title: titles[0] }) : t(`backlog.${kind}.many`, { count: titles.length });
  return h('span', { class: `badge dependency ${kind}`, 'data-testid': `${kind}-badge`, title: t(`backlog.${kind}.title`, { titles: formatList(titles) }), text });
}


/**
 * An item ranked above something it waits for: a button that moves it right below.
 * @param {import('../protocol.js').Item} item
 * @param {import('../protocol.js').Item[]} ordered
 * @param {any} actions
 */
function orderWarning(item, ordered, actions) {
  const move = moveBelowDependencies(item, ordered);
  if (!move) return null;
  return h('button', {
    type: 'button',
    class: 'badge order-warning',
    'data-testid': 'order-warning-badge',
    title: t('backlog.orderWarningTitle', { title: move.below.title }),
    text: t('backlog.orderWarning', { title: move.below.title }),
    onclick: (/** @type {MouseEvent} */ event) => {
      event.stopPropagation();
      actions.moveItem(item.id, move.after, move.before);
    },
  });
}

/**
 * Questions on an item nobody has answered yet.
 * @param {import('../protocol.js').Item} item
 */
function openQuestionsBadge(item) {
  const open = openQuestions(item);
  if (open === 0) return null;
  return h('span', { class: 'badge open-questions', 'data-testid': 'questions-badge', title: t('questions.title'), text: t('questions.open', { count: open }) });
}
