// Splitting an item, apart from the screen: when a split is worth suggesting, and how the lines
// of the original's texts picked for each part become the parts a `split_item` sends.

import { SPECIAL_CARDS } from './protocol.js';

/**
 * Whether a revealed round's votes say the item is too big: the median at or above the room's
 * `suggest_split_at` on a numeric deck, the largest card most played on a deck of words.
 * @param {import('./protocol.js').RoundRecord} record
 * @param {import('./protocol.js').Settings} settings
 */
export function suggestsSplit(record, settings) {
  const threshold = settings.suggest_split_at ?? 13;
  if (threshold <= 0 || record.stats.votes === 0) return false;
  if (record.stats.median !== null) return record.stats.median >= threshold;
  const ordinary = record.deck.cards.filter((card) => !SPECIAL_CARDS.has(card));
  return ordinary.length > 1 && record.stats.mode === ordinary[ordinary.length - 1];
}

/**
 * The lines of a text worth offering one by one: not blank.
 * @param {string} text
 * @returns {string[]}
 */
export function pickableLines(text) {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

/** Where a line goes: to no part, to one part (its index), or to every part. @typedef {'none' | 'all' | number} LineTarget */

/**
 * The parts to send: each titled as typed, with the lines sent its way, in their order.
 * @param {string[]} titles
 * @param {{ description: Array<{ line: string, to: LineTarget }>, acceptance_criteria: Array<{ line: string, to: LineTarget }> }} lines
 * @returns {import('./protocol.js').SplitPart[]}
 */
export function buildParts(titles, lines) {
  const pick = (/** @type {Array<{ line: string, to: LineTarget }>} */ from, /** @type {number} */ index) =>
    from
      .filter(({ to }) => to === 'all' || to === index)
      .map(({ line }) => line)
      .join('\n');
  return titles.map((title, index) => ({
    title: title.trim(),
    description: pick(lines.description, index),
    acceptance_criteria: pick(lines.acceptance_criteria, index),
  }));
}
