// The facilitator's deck: a preset or the team's own cards, with or without "?" and "☕", for
// the room or for the next round only.

import { kindName, parseCards } from '../../decks.js';
import { errorText, t } from '../../i18n.js';
import { DECK_KINDS, deckCards } from '../../protocol.js';
import { $, h, replace } from '../dom.js';

/** @typedef {import('../../protocol.js').DeckChoice} DeckChoice */

/**
 * Cards in a row, small, as a deck is previewed.
 * @param {string[]} cards
 */
function preview(cards) {
  return h('span', { class: 'deck-preview', 'aria-hidden': 'true' }, ...cards.map((card) => h('span', { class: 'mini-card', text: card })));
}

export class DeckDialog {
  /**
   * @param {import('../../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#deck-dialog'));
    this.kind = 'fibonacci';
    this.customText = '';
    this.unsure = true;
    this.coffee = true;
    /** @type {'room' | 'round'} */
    this.scope = 'room';
    this.error = '';
  }

  open() {
    const current = this.store.roundDeck ?? this.store.room?.settings.default_deck ?? { kind: 'fibonacci' };
    this.kind = current.kind;
    this.customText = current.kind === 'custom' ? deckCards(current).join(', ') : this.customText;
    this.unsure = current.unsure ?? true;
    this.coffee = current.coffee ?? true;
    this.scope = this.store.roundDeck ? 'round' : 'room';
    this.error = '';
    this.render();
    this.dialog.showModal();
  }

  /** @returns {DeckChoice | null} the deck as chosen, null while the custom cards do not make one */
  choice() {
    if (this.kind !== 'custom') return { kind: this.kind, unsure: this.unsure, coffee: this.coffee };
    const { cards, error } = parseCards(this.customText);
    return error ? null : { kind: 'custom', cards, unsure: this.unsure, coffee: this.coffee };
  }

  /** The custom cards as they would be played, or what is wrong with them, kept up with typing. */
  refreshPreview() {
    const { cards, error } = parseCards(this.customText);
    const note = /** @type {HTMLElement | null} */ (this.dialog.querySelector('[data-testid="deck-custom-note"]'));
    const shown = /** @type {HTMLElement | null} */ (this.dialog.querySelector('[data-testid="deck-custom-preview"]'));
    if (!note || !shown) return;
    note.textContent = error ?? '';
    note.hidden = !error;
    replace(shown, ...(error ? [] : [preview([...cards, ...this.extras()])]));
  }

  /** "?" and "☕", as chosen. */
  extras() {
    return [this.unsure ? '?' : '', this.coffee ? '☕' : ''].filter(Boolean);
  }

  /** Draws the dialog again, the focus staying on the control that had it (a kind just picked). */
  render() {
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const focused = active && this.dialog.contains(active) ? active.getAttribute('data-testid') : null;
    this.build();
    if (focused) /** @type {HTMLElement | null} */ (this.dialog.querySelector(`[data-testid="${CSS.escape(focused)}"]`))?.focus();
  }

  build() {
    const custom = parseCards(this.customText);
    const extras = this.extras();
    const radio = (/** @type {string} */ name, /** @type {string} */ value, /** @type {boolean} */ checked, /** @type {() => void} */ pick) =>
      h('input', { type: 'radio', name, value, checked, 'data-testid': `${name}-${value}`, onchange: pick });
    replace(
      this.dialog,
      h(
        'form',
        { class: 'stack deck-form', onsubmit: (/** @type {SubmitEvent} */ event) => this.save(event) },
        h('h2', { id: 'deck-heading', text: t('landing.deck') }),
        h(
          'fieldset',
          { class: 'deck-kinds' },
          h('legend', { text: t('deckDialog.cards') }),
          ...DECK_KINDS.map((kind) =>
            h(
              'label',
              { class: 'deck-kind' },
              radio('deck-kind', kind, this.kind === kind, () => {
                this.kind = kind;
                this.render();
              }),
              h('span', { class: 'deck-kind-name', text: kindName(kind) }),
              kind === 'custom' ? null : preview(deckCards({ kind })),
            ),
          ),
        ),
        this.kind === 'custom' &&
          h(
            'label',
            {},
            t('deckDialog.yourCards'),
            h('input', {
              'data-testid': 'deck-custom-cards',
              value: this.customText,
              placeholder: '1, 2, 3, 5, 8',
              autocomplete: 'off',
              oninput: (/** @type {Event} */ event) => {
                this.customText = /** @type {HTMLInputElement} */ (event.target).value;
                this.refreshPreview();
              },
            }),
            h('small', { class: 'form-error', 'data-testid': 'deck-custom-note', role: 'status', hidden: !custom.error || !this.customText, text: this.customText ? custom.error ?? '' : '' }),
            h('span', { 'data-testid': 'deck-custom-preview' }, custom.error ? null : preview([...custom.cards, ...extras])),
          ),
        h(
          'fieldset',
          { class: 'deck-extras' },
          h('legend', { text: t('deckDialog.alsoOffer') }),
          h('label', { class: 'toggle' }, h('input', { type: 'checkbox', 'data-testid': 'deck-unsure', checked: this.unsure, onchange: (/** @type {Event} */ e) => { this.unsure = /** @type {HTMLInputElement} */ (e.target).checked; this.refreshPreview(); } }), ' ', t('deckDialog.unsure')),
          h('label', { class: 'toggle' }, h('input', { type: 'checkbox', 'data-testid': 'deck-coffee', checked: this.coffee, onchange: (/** @type {Event} */ e) => { this.coffee = /** @type {HTMLInputElement} */ (e.target).checked; this.refreshPreview(); } }), ' ', t('deckDialog.coffee')),
        ),
        h(
          'fieldset',
          { class: 'deck-scope' },
          h('legend', { text: t('deckDialog.useFor') }),
          h('label', { class: 'toggle' }, radio('deck-scope', 'room', this.scope === 'room', () => { this.scope = 'room'; }), ' ', t('deckDialog.room')),
          h('label', { class: 'toggle' }, radio('deck-scope', 'round', this.scope === 'round', () => { this.scope = 'round'; }), ' ', t('deckDialog.round')),
        ),
        h('p', { class: 'form-error', role: 'alert', hidden: !this.error, text: this.error }),
        h(
          'div',
          { class: 'dialog-buttons' },
          h('button', { type: 'button', text: t('dialog.cancel'), onclick: () => this.dialog.close() }),
          h('button', { type: 'submit', class: 'primary', 'data-testid': 'deck-save', text: t('deckDialog.use') }),
        ),
      ),
    );
  }

  /** @param {SubmitEvent} event */
  async save(event) {
    event.preventDefault();
    const choice = this.choice();
    if (!choice) {
      this.error = parseCards(this.customText).error ?? '';
      this.render();
      return;
    }
    if (this.scope === 'round') {
      this.actions.setRoundDeck(choice);
      this.dialog.close();
      return;
    }
    const reply = await this.actions.setDefaultDeck(choice);
    if (reply?.type === 'error') {
      this.error = errorText(reply);
      this.render();
      return;
    }
    this.actions.setRoundDeck(null);
    this.dialog.close();
  }
}
