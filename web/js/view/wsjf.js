// WSJF on screen: the parts of an item's score, typed in or put to the team as a poker round,
// with the score; and the priorities dialog, which previews the backlog ordered by score before
// applying it as ordinary moves, beside a value/effort map of the same items.

import { formatNumber, t } from '../i18n.js';
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
    h('div', { class: 'title-row' }, h('span', { class: 'field-label', text: t('wsjf.heading') }), h('span', { class: 'wsjf-score', 'data-testid': 'wsjf-score' }, scoreText(item))),
    h(
      'div',
      { class: 'wsjf-parts' },
      ...WSJF_PARTS.map((part) =>
        h(
          'label',
          { class: 'wsjf-part' },
          h('span', { text: t(`wsjf.part.${part}`) }),
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
              placeholder: part === 'job_size' ? formatScore(jobSize(item)) : '—',
              title: t(part === 'job_size' ? 'wsjf.jobSizeTitle' : 'wsjf.range'),
              disabled: !store.canEdit,
              onchange: (/** @type {Event} */ event) => {
                const input = /** @type {HTMLInputElement} */ (event.target);
                const value = input.value.trim() === '' ? undefined : Math.round(Number(input.value));
                if (value !== undefined && !(value >= 1 && value <= 100)) {
                  input.setCustomValidity(t('wsjf.invalid'));
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
                'aria-label': t('wsjf.vote', { dimension: t(`wsjf.dimension.${part}`) }),
                title: t('wsjf.voteTitle'),
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
  return score === null ? t('wsjf.scoreMissing') : t('wsjf.score', { score: formatScore(score) });
}

/**
 * A score or size as the language writes numbers, or a dash for none.
 * @param {number | null} value
 */
function formatScore(value) {
  return value === null ? '—' : formatNumber(value);
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
        h('h2', { id: 'priorities-heading', text: t('backlog.priorities') }),
        h('h3', { text: t('priorities.order') }),
        h('p', { class: 'dialog-hint', text: t('priorities.hint') }),
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
              h('span', { class: 'badge', text: score === null ? t('priorities.noScore') : t('priorities.score', { score: formatScore(score) }) }),
              h('small', { class: 'preview-move', text: was === index + 1 ? '' : t(was > index + 1 ? 'priorities.up' : 'priorities.down', { position: was }) }),
            );
          }),
        ),
        h('p', { class: 'dialog-hint', 'data-testid': 'wsjf-move-count', text: moves.length === 0 ? t('priorities.inOrder') : t('priorities.moves', { count: moves.length }) }),
        h('h3', { text: t('priorities.valueEffort') }),
        h(
          'div',
          { class: 'quadrants', 'data-testid': 'quadrants' },
          quadrant(t('priorities.quickWins'), t('priorities.quickWinsHint'), quadrants.quickWins, 'quick-wins'),
          quadrant(t('priorities.bigBets'), t('priorities.bigBetsHint'), quadrants.bigBets, 'big-bets'),
          quadrant(t('priorities.fillIns'), t('priorities.fillInsHint'), quadrants.fillIns, 'fill-ins'),
          quadrant(t('priorities.timeSinks'), t('priorities.timeSinksHint'), quadrants.timeSinks, 'time-sinks'),
        ),
        h(
          'div',
          { class: 'dialog-buttons' },
          h('button', { value: 'close', text: t('dialog.close') }),
          store.canEdit &&
            h('button', {
              type: 'button',
              class: 'primary',
              'data-testid': 'apply-wsjf-order',
              disabled: moves.length === 0 || this.applying,
              text: t('priorities.apply'),
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
