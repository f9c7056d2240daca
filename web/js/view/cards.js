// A deck of cards to play, as one group: arrow keys move between the cards, which are one stop
// for Tab (a roving tabindex), and a confidence to go with the card. Used by live rounds and
// pre-votes alike.

import { t } from '../i18n.js';
import { CONFIDENCES } from '../prevotes.js';
import { h } from './dom.js';

/**
 * @param {KeyboardEvent} event
 */
export function moveAmongCards(event) {
  const cards = Array.from(/** @type {HTMLElement} */ (event.currentTarget).querySelectorAll('[data-card]'));
  const at = cards.indexOf(/** @type {Element} */ (document.activeElement));
  if (at < 0) return;
  const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: cards.length - 1 }[event.key];
  if (to === undefined) return;
  event.preventDefault();
  const next = /** @type {HTMLElement | undefined} */ (cards[(to + cards.length) % cards.length]);
  if (!next) return;
  for (const card of cards) card.setAttribute('tabindex', card === next ? '0' : '-1');
  next.focus();
}

/**
 * What a screen reader says for a card: its name, and the key that plays it (1 to 9).
 * @param {string} card
 * @param {number} index
 * @param {boolean} [withKey]
 */
export function cardLabel(card, index, withKey = true) {
  const name = card === '☕' ? t('card.coffee') : card === '?' ? t('card.unsure') : card;
  return withKey && index < 9 ? t('card.withKey', { card: name, key: index + 1 }) : name;
}

/**
 * The cards of a deck as toggle buttons, the played one pressed.
 * @param {{ cards: string[], mine: string | null | undefined, testid: string, label: string, withKeys?: boolean, play: (card: string) => void }} options
 */
export function cardButtons({ cards, mine, testid, label, withKeys = true, play }) {
  return h(
    'div',
    { class: 'cards', role: 'group', 'aria-label': label, onkeydown: moveAmongCards },
    ...cards.map((card, index) =>
      h('button', {
        type: 'button',
        class: 'card',
        // One Tab stop for the deck: the played card, or the first.
        tabindex: (mine ? mine === card : index === 0) ? 0 : -1,
        'data-testid': testid,
        'data-card': card,
        'aria-pressed': String(mine === card),
        'aria-label': cardLabel(card, index, withKeys),
        text: card,
        onclick: () => play(card),
      }),
    ),
  );
}

/**
 * "How sure are you?": low, medium or high, or nothing said; a second click on the chosen one
 * takes it back.
 * @param {{ value: import('../prevotes.js').Confidence | null | undefined, disabled: boolean, name: string, choose: (value: import('../prevotes.js').Confidence | null) => void }} options
 */
export function confidencePicker({ value, disabled, name, choose }) {
  return h(
    'div',
    { class: 'confidence', role: 'group', 'aria-label': t('confidence.question'), 'data-testid': 'confidence' },
    h('span', { class: 'confidence-label', 'aria-hidden': 'true', text: t('confidence.question') }),
    ...CONFIDENCES.map((level) =>
      h('button', {
        type: 'button',
        class: `confidence-option confidence-${level}`,
        name,
        disabled,
        'data-testid': 'confidence-option',
        'data-confidence': level,
        'aria-pressed': String(value === level),
        title: disabled ? t('confidence.pickCardFirst') : undefined,
        text: t(`confidence.${level}`),
        onclick: () => choose(value === level ? null : level),
      }),
    ),
  );
}

/**
 * "2 sure, 1 unsure": how sure the voters said they were, for the results.
 * @param {import('../prevotes.js').ConfidenceTally | undefined} tally
 */
export function confidenceSummary(tally) {
  if (!tally || tally.low + tally.medium + tally.high === 0) return null;
  const parts = CONFIDENCES.filter((level) => tally[level] > 0).map((level) => t(`confidence.count.${level}`, { count: tally[level] }));
  return h('p', { class: 'confidence-summary', 'data-testid': 'confidence-summary' }, t('confidence.summary', { parts: parts.join(' · ') }));
}
