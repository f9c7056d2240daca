// Weighted Shortest Job First, apart from the screen: the score of an item, the backlog ordered
// by it (and the fewest moves that get there), and the value/effort quadrants.

import { isSplit } from './protocol.js';

/** @typedef {import('./protocol.js').Item} Item */

/** The parts of a score, in the order they are shown (their names are in the message catalogue). */
export const WSJF_PARTS = /** @type {const} */ (['business_value', 'time_criticality', 'risk_reduction', 'job_size']);

/**
 * The job size: as given, else the estimate when it is a number.
 * @param {Item} item
 * @returns {number | null}
 */
export function jobSize(item) {
  if (item.wsjf?.job_size) return item.wsjf.job_size;
  const estimate = item.estimate === '½' ? 0.5 : Number(item.estimate ?? Number.NaN);
  return Number.isFinite(estimate) && estimate > 0 ? estimate : null;
}

/**
 * The cost of delay: business value + time criticality + risk reduction, once all are given.
 * @param {Item} item
 * @returns {number | null}
 */
export function costOfDelay(item) {
  const w = item.wsjf ?? {};
  if (!w.business_value || !w.time_criticality || !w.risk_reduction) return null;
  return w.business_value + w.time_criticality + w.risk_reduction;
}

/**
 * The score, rounded to two decimals, or null while a part is missing.
 * @param {Item} item
 */
export function wsjfScore(item) {
  const cost = costOfDelay(item);
  const size = jobSize(item);
  if (cost === null || size === null) return null;
  return Math.round((cost / size) * 100) / 100;
}

/**
 * The backlog ordered by score, highest first: scored items first (ties keep their order), then
 * the others as they are. Split items stay where they are among the others.
 * @param {Item[]} ordered the backlog in rank order
 * @returns {Item[]}
 */
export function orderByWsjf(ordered) {
  const scored = ordered.filter((item) => !isSplit(item) && wsjfScore(item) !== null);
  const rest = ordered.filter((item) => isSplit(item) || wsjfScore(item) === null);
  // Array.prototype.sort is stable: equal scores keep the backlog's order.
  scored.sort((a, b) => /** @type {number} */ (wsjfScore(b)) - /** @type {number} */ (wsjfScore(a)));
  return [...scored, ...rest];
}

/**
 * The moves that turn `current` into `target`: the items of a longest run already in target
 * order stay put, each other item moves right after the one it follows in the target (or to the
 * top), in target order, so every move's neighbour is already in place.
 * @param {string[]} current ids in the order they are
 * @param {string[]} target the same ids in the order wanted
 * @returns {Array<{ id: string, after: string | null, before: string | null }>}
 */
export function movesTo(current, target) {
  const wanted = new Map(target.map((id, index) => [id, index]));
  const positions = current.map((id) => /** @type {number} */ (wanted.get(id)));
  const keep = new Set(longestIncreasing(positions).map((index) => target[index]));
  /** @type {Array<{ id: string, after: string | null, before: string | null }>} */
  const moves = [];
  target.forEach((id, index) => {
    if (keep.has(id)) return;
    // With neither neighbour, the item moves to the top.
    moves.push({ id, after: index > 0 ? target[index - 1] : null, before: null });
  });
  return moves;
}

/**
 * The values of a longest strictly increasing subsequence.
 * @param {number[]} values
 * @returns {number[]}
 */
function longestIncreasing(values) {
  /** Smallest tail value of a run of each length, and where it was. @type {number[]} */
  const tails = [];
  /** @type {number[]} */
  const tailAt = [];
  /** @type {number[]} */
  const previous = new Array(values.length).fill(-1);
  values.forEach((value, at) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = value;
    tailAt[lo] = at;
    previous[at] = lo > 0 ? tailAt[lo - 1] : -1;
  });
  const run = [];
  for (let at = tailAt[tails.length - 1] ?? -1; at >= 0; at = previous[at]) run.push(values[at]);
  return run.reverse();
}

/**
 * Items with a cost of delay and a job size, in four quadrants split at the medians: quick wins
 * (high value, small), big bets (high value, large), fill-ins (low value, small) and time sinks
 * (low value, large).
 * @param {Item[]} ordered
 */
export function valueEffortQuadrants(ordered) {
  const placed = ordered
    .filter((item) => !isSplit(item))
    .map((item) => ({ item, value: costOfDelay(item), effort: jobSize(item) }))
    .filter((entry) => entry.value !== null && entry.effort !== null);
  const median = (/** @type {number[]} */ list) => {
    const sorted = [...list].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const valueLine = median(placed.map((entry) => /** @type {number} */ (entry.value)));
  const effortLine = median(placed.map((entry) => /** @type {number} */ (entry.effort)));
  /** @type {Record<'quickWins' | 'bigBets' | 'fillIns' | 'timeSinks', Item[]>} */
  const quadrants = { quickWins: [], bigBets: [], fillIns: [], timeSinks: [] };
  for (const { item, value, effort } of placed) {
    const high = /** @type {number} */ (value) >= valueLine;
    const small = /** @type {number} */ (effort) <= effortLine;
    quadrants[high ? (small ? 'quickWins' : 'bigBets') : small ? 'fillIns' : 'timeSinks'].push(item);
  }
  return quadrants;
}
