// What a reveal's numbers mean, said plainly: consensus, a most common card, a tie, or nothing
// to go on, and what to do next.

import { formatList, t } from './i18n.js';
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
    return { kind: 'nothing', tied: [], text: t(stats.votes === 0 ? 'verdict.noVotes' : 'verdict.noEstimates') };
  }
  if (stats.consensus) {
    return { kind: 'consensus', tied: [], text: t('verdict.consensus', { card: ordinary[0].card }) };
  }
  if (stats.mode === null) {
    const most = Math.max(...ordinary.map((d) => d.count));
    const tied = ordinary.filter((d) => d.count === most).map((d) => d.card);
    return { kind: 'tie', tied, text: t('verdict.tie', { cards: formatList(tied) }) };
  }
  // The distribution is in deck order: its first and last ordinary cards are the range.
  const range = { low: ordinary[0].card, high: ordinary[ordinary.length - 1].card, card: stats.mode };
  return { kind: 'most_common', tied: [], text: t(anonymous ? 'verdict.mostCommonAnonymous' : 'verdict.mostCommon', range) };
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
 * The ordinary cards played, with their counts, in deck order (no "?" or "☕").
 * @param {RoundStats} stats
 */
function ordinaryPlayed(stats) {
  return stats.distribution.filter((d) => !SPECIAL_CARDS.has(d.card));
}
