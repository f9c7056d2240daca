// Decks as people write and name them: a custom deck typed as a list, checked as the server
// checks it, and a deck choice in a few words.

import { CUSTOM_DECK, DECK_LABELS, SPECIAL_CARDS, deckCards } from './protocol.js';

/** @typedef {import('./protocol.js').DeckChoice} DeckChoice */

/**
 * The cards of a custom deck typed as a list ("1, 2, 3" or "1 2 3"), or why they cannot be one.
 * @param {string} text
 * @returns {{ cards: string[], error: string | null }}
 */
export function parseCards(text) {
  const cards = text.split(/[,\s]+/).map((card) => card.trim()).filter(Boolean);
  const error = (() => {
    if (cards.length === 0) return 'Type the cards, separated by commas or spaces.';
    if (cards.length > CUSTOM_DECK.maxCards) return `A deck has at most ${CUSTOM_DECK.maxCards} cards.`;
    const long = cards.find((card) => Array.from(card).length > CUSTOM_DECK.cardChars);
    if (long) return `“${long}” is longer than ${CUSTOM_DECK.cardChars} characters.`;
    const special = cards.find((card) => SPECIAL_CARDS.has(card));
    if (special) return `“${special}” is offered with its own option below.`;
    const twice = cards.find((card, at) => cards.indexOf(card) !== at);
    if (twice) return `“${twice}” appears twice.`;
    return null;
  })();
  return { cards, error };
}

/**
 * A deck choice in a few words: "Fibonacci", "Custom: 1, 2, 4, 8".
 * @param {DeckChoice} choice
 */
export function deckName(choice) {
  if (choice.kind === 'custom') return `Custom: ${deckCards(choice).join(', ')}`;
  return kindName(choice.kind);
}

/**
 * A kind of deck's name, without the sample of its cards: "Fibonacci", "Custom".
 * @param {string} kind
 */
export function kindName(kind) {
  return (DECK_LABELS[kind] ?? kind).replace(/ \(.*\)$/, '');
}
