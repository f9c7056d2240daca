// WSJF on screen: the parts of an item's score, typed in or put to the team as a poker round,
// with the score; and the priorities dialog, which previews the backlog ordered by score before
// applying it as ordinary moves, beside a value/effort map of the same items.

import { isSplit } from '../protocol.js';
import { WSJF_PARTS, jobSize, movesTo, orderByWsjf, valueEffortQuadrants, wsjfScore } from '../wsjf.js';
import { $, h, replace } from './dom.js';

/** @typedef {import('../protocol.js').Item} Item */

/**
 * @param {HTMLElement} root
 * @param {Item} item
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 */
export function renderWsjf(root, item, store, actions) {
  if (isSplit(item)) {
    root.hidden = true;
    return;
  }
  root.hidden = false;
  const active = document.activeElement;
  // The person typing a value keeps it until they leave the field.
  if (active instanceof HTMLInputElement && root.contains(active) && root.dataset.itemId === item.id) {
    replace($('[data-testid=wsjf-score]', root), scoreText(item));
    return;
  }
  root.dataset.itemId = item.id;
  const wsjf = item.wsjf ?? {};
  const round = store.room?.round;
  const canStart = store.isFacilitator && round?.phase !== 'voting';
  replace(
    root,
    h('div', { class: 'title-row' }, h('span', { class: 'field-label', text: 'Priority (WSJF)' }), h('span', { class: 'wsjf-score', 'data-testid': 'wsjf-score' }, scoreText(item))),
    h(
      'div',
      { class: 'wsjf-parts' },
      ...WSJF_PARTS.map(([part, label]) =>
        h(
          'label',
          { class: 'wsjf-part' },
          h('span', { text: label }),
          h(
            'span',
            { class: 'wsjf-input' },
            h('input', {
              type: 'number',
              min: 1,
              max: 100,
              step: 1,
              inputMode: 'numeric',
              'data-testid': `wsjf-${part}`,
              value: wsjf[part] ?? '',
              placeholder: part === 'job_size' ? String(jobSize(item) ?? '—') : '—',
              title: part === 'job_size' ? 'Defaults to the estimate' : '1 to 100',
              disabled: !store.canEdit,
              onchange: (/** @type {Event} */ event) => {
                const input = /** @type {HTMLInputElement} */ (event.target);
                const value = input.value.trim() === '' ? undefined : Math.round(Number(input.value));
                if (value !== undefined && !(value >= 1 && value <= 100)) {
                  input.setCustomValidity('A whole number from 1 to 100');
                  input.reportValidity();
                  return;
                }
                input.setCustomValidity('');
                // Only this part: parts others set meanwhile stay (0 clears it).
                actions.updateItem(item.id, 'wsjf', { [part]: value ?? 0 });
              },
            }),
            canStart &&
              h('button', {
                type: 'button',
                class: 'small',
                'data-testid': `wsjf-vote-${part}`,
                'aria-label': `Estimate ${label.toLowerCase()} with the team`,
                title: 'Estimate it with the team: a poker round',
                text: '🂠',
                onclick: () => actions.startDimensionRound(item.id, part),
              }),
          ),
        ),
      ),
    ),
  );
}

/** @param {Item} item */
function scoreText(item) {
  const score = wsjfScore(item);
  return score === null ? 'Score: needs every part' : `Score ${score}`;
}

export class PrioritiesDialog {
  /**
   * @param {import('../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#priorities-dialog'));
    this.applying = false;
  }

  open() {
    this.render();
    this.dialog.showModal();
  }

  render() {
    const store = this.store;
    const current = store.orderedItems();
    const target = orderByWsjf(current);
    const moves = movesTo(
      current.map((item) => item.id),
      target.map((item) => item.id),
    );
    const position = new Map(current.map((item, index) => [item.id, index + 1]));
    const quadrants = valueEffortQuadrants(current);
    const quadrant = (/** @type {string} */ title, /** @type {string} */ hint, /** @type {Item[]} */ items, /** @type {string} */ testid) =>
      h(
        'section',
        { class: `quadrant ${testid}`, 'data-testid': testid },
        h('h4', { text: title }),
        h('small', { text: hint }),
        h('ul', {}, ...items.map((item) => h('li', { text: item.title })), items.length === 0 ? h('li', { class: 'none', text: '—' }) : null),
      );
    replace(
      this.dialog,
      h(
        'form',
        { method: 'dialog', class: 'stack' },
        h('h2', { id: 'priorities-heading', text: 'Priorities' }),
        h('h3', { text: 'Order by WSJF' }),
        h('p', { class: 'dialog-hint', text: 'Highest score first; items without a score keep their order below. Applied as ordinary moves, so moves others make meanwhile still count.' }),
        h(
          'ol',
          { class: 'wsjf-preview', 'data-testid': 'wsjf-preview' },
          ...target.map((item, index) => {
            const was = position.get(item.id) ?? 0;
            const score = wsjfScore(item);
            return h(
              'li',
              { 'data-item-id': item.id, class: was !== index + 1 ? 'moved' : '' },
              h('span', { class: 'preview-title', text: item.title }),
              h('span', { class: 'badge', text: score === null ? 'no score' : `WSJF ${score}` }),
              h('small', { class: 'preview-move', text: was === index + 1 ? '' : was > index + 1 ? `↑ from ${was}` : `↓ from ${was}` }),
            );
          }),
        ),
        h('p', { class: 'dialog-hint', 'data-testid': 'wsjf-move-count', text: moves.length === 0 ? 'The backlog is already in this order.' : moves.length === 1 ? '1 item moves.' : `${moves.length} items move.` }),
        h('h3', { text: 'Value and effort' }),
        h(
          'div',
          { class: 'quadrants', 'data-testid': 'quadrants' },
          quadrant('Quick wins', 'high value, small', quadrants.quickWins, 'quick-wins'),
          quadrant('Big bets', 'high value, large', quadrants.bigBets, 'big-bets'),
          quadrant('Fill-ins', 'low value, small', quadrants.fillIns, 'fill-ins'),
          quadrant('Time sinks', 'low value, large', quadrants.timeSinks, 'time-sinks'),
        ),
        h(
          'div',
          { class: 'dialog-buttons' },
          h('button', { value: 'close', text: 'Close' }),
          store.canEdit &&
            h('button', {
              type: 'button',
              class: 'primary',
              'data-testid': 'apply-wsjf-order',
              disabled: moves.length === 0 || this.applying,
              text: 'Apply this order',
              onclick: () => this.apply(moves),
            }),
        ),
      ),
    );
  }

  /** @param {Array<{ id: string, after: string | null, before: string | null }>} moves */
  async apply(moves) {
    this.applying = true;
    this.render();
    // One after another: each move's neighbour is where the previous moves put it.
    for (const move of moves) await this.actions.moveItem(move.id, move.after, move.before);
    this.applying = false;
    this.dialog.close();
  }
}
