// What a reveal's numbers mean, said plainly: consensus, a most common card, a tie, or nothing
// to go on, and what to do next.

import { SPECIAL_CARDS } from './protocol.js';

/** @typedef {import('./protocol.js').RoundStats} RoundStats */

/**
 * @typedef {{ kind: 'consensus' | 'most_common' | 'tie' | 'nothing', tied: string[], text: string }} Verdict
 */

/**
 * @param {RoundStats} stats
 * @param {boolean} [anonymous] revealed without names: nobody is asked to speak for their card
 * @returns {Verdict}
 */
export function verdict(stats, anonymous = false) {
  const ordinary = ordinaryPlayed(stats);
  if (ordinary.length === 0) {
    return { kind: 'nothing', tied: [], text: stats.votes === 0 ? 'Nobody voted. Vote again when the team is ready.' : 'Nobody played an estimate. Talk about what is unclear, then vote again.' };
  }
  if (stats.consensus) {
    return { kind: 'consensus', tied: [], text: `Consensus: everyone played ${ordinary[0].card}.` };
  }
  // The distribution is in deck order: its first and last ordinary cards are the range.
  const range = `${ordinary[0].card} to ${ordinary[ordinary.length - 1].card}`;
  if (stats.mode === null) {
    const most = Math.max(...ordinary.map((d) => d.count));
    const tied = ordinary.filter((d) => d.count === most).map((d) => d.card);
    return { kind: 'tie', tied, text: `No consensus: ${joinCards(tied)} are tied. Talk it through and vote again, or split the item if it is too big.` };
  }
  const talk = anonymous ? 'Talk about what would make it bigger or smaller' : 'Hear the highest and lowest';
  return { kind: 'most_common', tied: [], text: `No consensus: votes from ${range}. ${talk}, then accept ${stats.mode}, vote again, or split the item.` };
}

/**
 * The lowest and highest ordinary cards played and how many places apart they lie in the deck;
 * null when fewer than two different cards were played.
 * @param {import('./protocol.js').RoundRecord} record
 * @returns {{ low: string, high: string, steps: number } | null}
 */
export function spread(record) {
  const played = ordinaryPlayed(record.stats);
  if (played.length < 2) return null;
  const low = played[0].card;
  const high = played[played.length - 1].card;
  return { low, high, steps: record.deck.cards.indexOf(high) - record.deck.cards.indexOf(low) };
}

/**
 * "8 and 21", "3, 5 and 8".
 * @param {string[]} cards
 */
function joinCards(cards) {
  return cards.length <= 1 ? cards.join('') : `${cards.slice(0, -1).join(', ')} and ${cards[cards.length - 1]}`;
}

/**
 * The ordinary cards played, with their counts, in deck order (no "?" or "☕").
 * @param {RoundStats} stats
 */
function ordinaryPlayed(stats) {
  return stats.distribution.filter((d) => !SPECIAL_CARDS.has(d.card));
}
