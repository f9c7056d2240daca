// The facilitator puts items up for estimation outside a live round: pre-votes before the
// meeting (with a deadline) or the relative sizing board. Both start by picking the items, the
// unestimated ones ticked, and a deck.

import { deckName, kindName } from '../../decks.js';
import { errorText, t } from '../../i18n.js';
import { candidates, defaultDeadline, toLocalInput } from '../../prevotes.js';
import { DECK_KINDS, isSplit } from '../../protocol.js';
import { $, h, replace } from '../dom.js';

/** @typedef {'prevote' | 'sizing'} Plan */

/** The most items one set of pre-votes, or one board, takes (the server's bound). */
const MAX_ITEMS = 100;

export class PlanDialog {
  /**
   * @param {import('../../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#plan-dialog'));
    /** @type {Plan} */
    this.plan = 'prevote';
    /** @type {Set<string>} */
    this.picked = new Set();
    /** `room` for the room's deck, else a preset kind. */
    this.deck = 'room';
    this.deadline = '';
    this.error = '';
  }

  /** @param {Plan} plan */
  open(plan) {
    this.plan = plan;
    const { unestimated } = candidates(this.store.orderedItems(), isSplit);
    this.picked = new Set(unestimated.slice(0, MAX_ITEMS).map((item) => item.id));
    this.deck = 'room';
    this.deadline = toLocalInput(defaultDeadline(new Date()));
    this.error = '';
    this.render();
    this.dialog.showModal();
  }

  render() {
    const { unestimated, estimated } = candidates(this.store.orderedItems(), isSplit);
    const roomDeck = this.store.room?.settings.default_deck;
    const heading = this.plan === 'prevote' ? t('plan.prevoteHeading') : t('plan.sizingHeading');
    /** @param {import('../../protocol.js').Item} item */
    const row = (item) =>
      h(
        'li',
        {},
        h(
          'label',
          { class: 'toggle' },
          h('input', {
            type: 'checkbox',
            'data-testid': 'plan-item',
            'data-item-id': item.id,
            checked: this.picked.has(item.id),
            onchange: (/** @type {Event} */ event) => {
              if (/** @type {HTMLInputElement} */ (event.target).checked) this.picked.add(item.id);
              else this.picked.delete(item.id);
              this.refreshCount();
            },
          }),
          ' ',
          h('span', { class: 'plan-title', text: item.title }),
          item.estimate != null ? h('span', { class: 'estimate-chip', text: item.estimate }) : null,
        ),
      );
    replace(
      this.dialog,
      h(
        'form',
        { class: 'stack plan-form', onsubmit: (/** @type {SubmitEvent} */ event) => this.submit(event) },
        h('h2', { id: 'plan-heading', text: heading }),
        h('p', { class: 'dialog-hint', text: this.plan === 'prevote' ? t('plan.prevoteHint') : t('plan.sizingHint') }),
        h(
          'fieldset',
          { class: 'plan-items' },
          h('legend', { text: t('plan.items') }),
          unestimated.length + estimated.length === 0 ? h('p', { class: 'dialog-hint', text: t('plan.noItems') }) : null,
          unestimated.length > 0 ? h('ul', { class: 'plan-list' }, ...unestimated.map(row)) : null,
          estimated.length > 0
            ? h('details', { class: 'plan-estimated' }, h('summary', { text: t('plan.estimated', { count: estimated.length }) }), h('ul', { class: 'plan-list' }, ...estimated.map(row)))
            : null,
        ),
        h(
          'label',
          {},
          t('plan.deck'),
          h(
            'select',
            {
              'data-testid': 'plan-deck',
              onchange: (/** @type {Event} */ event) => {
                this.deck = /** @type {HTMLSelectElement} */ (event.target).value;
              },
            },
            h('option', { value: 'room', selected: this.deck === 'room', text: t('plan.roomDeck', { deck: roomDeck ? deckName(roomDeck) : '' }) }),
            ...DECK_KINDS.filter((kind) => kind !== 'custom').map((kind) => h('option', { value: kind, selected: this.deck === kind, text: kindName(kind) })),
          ),
        ),
        this.plan === 'prevote'
          ? h(
              'label',
              {},
              t('plan.closes'),
              h('input', {
                type: 'datetime-local',
                'data-testid': 'plan-deadline',
                required: true,
                value: this.deadline,
                onchange: (/** @type {Event} */ event) => {
                  this.deadline = /** @type {HTMLInputElement} */ (event.target).value;
                },
              }),
            )
          : null,
        h('p', { class: 'form-error', role: 'alert', hidden: !this.error, text: this.error }),
        h(
          'div',
          { class: 'dialog-buttons' },
          h('button', { type: 'button', text: t('dialog.cancel'), onclick: () => this.dialog.close() }),
          h('button', { type: 'submit', class: 'primary', 'data-testid': 'plan-open', text: this.buttonText() }),
        ),
      ),
    );
  }

  buttonText() {
    const count = this.picked.size;
    return this.plan === 'prevote' ? t('plan.openPrevotes', { count }) : t('plan.openBoard', { count });
  }

  refreshCount() {
    const button = this.dialog.querySelector('[data-testid="plan-open"]');
    if (button) button.textContent = this.buttonText();
  }

  /** @returns {import('../../protocol.js').DeckChoice | undefined} */
  deckChoice() {
    return this.deck === 'room' ? undefined : { kind: this.deck, unsure: this.plan === 'prevote', coffee: this.plan === 'prevote' };
  }

  /** @param {SubmitEvent} event */
  async submit(event) {
    event.preventDefault();
    const ordered = this.store.orderedItems().map((item) => item.id);
    const itemIds = ordered.filter((id) => this.picked.has(id));
    if (itemIds.length === 0 || itemIds.length > MAX_ITEMS) {
      this.error = t('plan.pickItems', { max: MAX_ITEMS });
      this.render();
      return;
    }
    let reply;
    if (this.plan === 'prevote') {
      const closesAt = new Date(this.deadline).getTime();
      if (!Number.isFinite(closesAt) || closesAt <= Date.now()) {
        this.error = t('plan.deadlineFuture');
        this.render();
        return;
      }
      reply = await this.actions.openPrevotes(itemIds, this.deckChoice(), closesAt);
    } else {
      reply = await this.actions.openSizingBoard(itemIds, this.deckChoice());
    }
    if (reply?.type === 'error') {
      this.error = errorText(reply);
      this.render();
      return;
    }
    this.dialog.close();
  }
}
