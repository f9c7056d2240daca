// The backlog as the meeting's agenda: after an item, the next one that still needs the team.

import { isSplit } from './protocol.js';

/** @typedef {import('./protocol.js').Item} Item */

/**
 * The next item after `currentId` in backlog order that is neither ready nor split, going
 * round to the top; null when every other item is done.
 * @param {Item[]} ordered the backlog in rank order
 * @param {string | null} currentId
 * @returns {Item | null}
 */
export function nextAgendaItem(ordered, currentId) {
  const at = currentId ? ordered.findIndex((item) => item.id === currentId) : -1;
  const rotated = [...ordered.slice(at + 1), ...ordered.slice(0, Math.max(at, 0))];
  return rotated.find((item) => item.id !== currentId && stillToRefine(item)) ?? null;
}

/**
 * Whether the item still needs the team: neither ready nor split.
 * @param {Item} item
 */
export function stillToRefine(item) {
  return item.status !== 'ready' && !isSplit(item);
}
