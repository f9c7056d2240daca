// Decks as people write and name them: a custom deck typed as a list, checked as the server
// checks it, and a deck choice in a few words.

import { t } from './i18n.js';
import { CUSTOM_DECK, SPECIAL_CARDS, deckCards } from './protocol.js';

/** @typedef {import('./protocol.js').DeckChoice} DeckChoice */

/** A sample of each preset's cards, shown beside its name where a deck is picked. @type {Record<string, string>} */
const SAMPLES = {
  fibonacci: '0, 1, 2, 3, 5, 8 …',
  modified_fibonacci: '0, ½, 1, 2, 3, 5, 8, 13, 20, 40, 100',
  t_shirt: 'XS … XXL',
  powers_of_two: '1, 2, 4, 8 …',
};

/**
 * The cards of a custom deck typed as a list ("1, 2, 3" or "1 2 3"), or why they cannot be one.
 * @param {string} text
 * @returns {{ cards: string[], error: string | null }}
 */
export function parseCards(text) {
  const cards = text.split(/[,\s]+/).map((card) => card.trim()).filter(Boolean);
  const error = (() => {
    if (cards.length === 0) return t('deck.error.empty');
    if (cards.length > CUSTOM_DECK.maxCards) return t('deck.error.tooMany', { max: CUSTOM_DECK.maxCards });
    const long = cards.find((card) => Array.from(card).length > CUSTOM_DECK.cardChars);
    if (long) return t('deck.error.tooLong', { card: long, max: CUSTOM_DECK.cardChars });
    const special = cards.find((card) => SPECIAL_CARDS.has(card));
    if (special) return t('deck.error.special', { card: special });
    const twice = cards.find((card, at) => cards.indexOf(card) !== at);
    if (twice) return t('deck.error.twice', { card: twice });
    return null;
  })();
  return { cards, error };
}

/**
 * A deck choice in a few words: "Fibonacci", "Custom: 1, 2, 4, 8".
 * @param {DeckChoice} choice
 */
export function deckName(choice) {
  if (choice.kind === 'custom') return t('deck.customCards', { cards: deckCards(choice).join(', ') });
  return kindName(choice.kind);
}

/**
 * A kind of deck's name, without the sample of its cards: "Fibonacci", "Custom".
 * @param {string} kind
 */
export function kindName(kind) {
  const key = `deck.kind.${kind}`;
  const name = t(key);
  return name === key ? kind : name;
}

/**
 * A preset's name with a sample of its cards: "Fibonacci (0, 1, 2, 3, 5, 8 …)".
 * @param {string} kind
 */
export function kindLabel(kind) {
  const sample = SAMPLES[kind];
  return sample ? t('deck.withSample', { name: kindName(kind), cards: sample }) : kindName(kind);
}
