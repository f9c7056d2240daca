// The Definition of Ready as the client shows it: which criteria an item meets, by the rules the
// server applies (docs/protocol.md §18). The server decides the status; this says why.

import { isSplit, openQuestions } from './protocol.js';

/** @typedef {import('./protocol.js').Item} Item */
/** @typedef {import('./protocol.js').ReadyCriterion} ReadyCriterion */

/** What each automatic check looks at, for people. @type {Record<string, string>} */
export const AUTO_LABELS = {
  estimated: 'has an estimate',
  acceptance_criteria: 'has acceptance criteria',
  dependencies_ready: 'everything it depends on is ready',
  questions_answered: 'no open questions',
};

/**
 * Whether an item others depend on is done being refined: ready, or split into parts that all
 * are.
 * @param {string} id
 * @param {Map<string, Item>} items
 * @param {Set<string>} [seen]
 * @returns {boolean}
 */
export function countsAsReady(id, items, seen = new Set()) {
  const item = items.get(id);
  if (!item) return true;
  if (!isSplit(item)) return item.status === 'ready';
  if (seen.has(id)) return false;
  seen.add(id);
  return item.split_into.every((part) => countsAsReady(part, items, seen));
}

/**
 * Each criterion of the room's Definition of Ready with whether the item meets it, and for an
 * unmet automatic one, why not.
 * @param {Item} item
 * @param {Map<string, Item>} items
 * @param {ReadyCriterion[]} definition
 * @returns {Array<{ criterion: ReadyCriterion, met: boolean, why: string | null }>}
 */
export function checklist(item, items, definition) {
  const checked = new Set(item.checked ?? []);
  return definition.map((criterion) => {
    switch (criterion.auto) {
      case 'estimated':
        return { criterion, met: item.estimate !== null, why: item.estimate === null ? 'No estimate yet' : null };
      case 'acceptance_criteria': {
        const met = item.acceptance_criteria.trim() !== '';
        return { criterion, met, why: met ? null : 'No acceptance criteria yet' };
      }
      case 'dependencies_ready': {
        const waiting = item.dependencies.filter((id) => !countsAsReady(id, items));
        const titles = waiting.map((id) => `“${items.get(id)?.title ?? 'an item'}”`);
        return { criterion, met: waiting.length === 0, why: waiting.length ? `Waits for ${titles.join(', ')}` : null };
      }
      case 'questions_answered': {
        const open = openQuestions(item);
        return { criterion, met: open === 0, why: open ? `${open} open question${open === 1 ? '' : 's'}` : null };
      }
      default:
        return { criterion, met: checked.has(criterion.id), why: null };
    }
  });
}

/**
 * How many criteria an item meets, of how many.
 * @param {Item} item
 * @param {Map<string, Item>} items
 * @param {ReadyCriterion[]} definition
 */
export function readinessOf(item, items, definition) {
  const list = checklist(item, items, definition);
  return { met: list.filter((entry) => entry.met).length, total: list.length };
}
