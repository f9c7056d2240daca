// The Definition of Ready as the client shows it: which criteria an item meets, by the rules the
// server applies (docs/protocol.md §18). The server decides the status; this says why.

import { formatList, t } from './i18n.js';
import { isSplit, openQuestions } from './protocol.js';

/** @typedef {import('./protocol.js').Item} Item */
/** @typedef {import('./protocol.js').ReadyCriterion} ReadyCriterion */

/** The automatic checks, in the order they are offered. */
export const AUTO_CHECKS = /** @type {readonly import('./protocol.js').AutoCheck[]} */ (['estimated', 'acceptance_criteria', 'dependencies_ready', 'questions_answered']);

/**
 * What an automatic check looks at, for people: "has an estimate".
 * @param {string} auto
 */
export function autoLabel(auto) {
  const key = `readiness.auto.${auto}`;
  const label = t(key);
  return label === key ? auto : label;
}

/**
 * The criteria a room starts with, as the server words them (`default_definition_of_ready`),
 * and their keys in the catalogue.
 */
const DEFAULT_CRITERIA = /** @type {Record<string, string>} */ ({
  'Clear title and description': 'readiness.default.clear',
  'Acceptance criteria written': 'readiness.default.acceptanceCriteria',
  Estimated: 'readiness.default.estimated',
  'No unfinished dependencies': 'readiness.default.dependencies',
  'Small enough for one sprint': 'readiness.default.small',
  'Open questions answered': 'readiness.default.questions',
});

/**
 * A criterion's text to show. The server starts every room with the same criteria in English:
 * those are shown in the page's language (each person in their own), while anything a
 * facilitator wrote is shown as written.
 * @param {string} text
 */
export function criterionText(text) {
  const key = DEFAULT_CRITERIA[text];
  return key ? t(key) : text;
}

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
        return { criterion, met: item.estimate !== null, why: item.estimate === null ? t('readiness.why.estimate') : null };
      case 'acceptance_criteria': {
        const met = item.acceptance_criteria.trim() !== '';
        return { criterion, met, why: met ? null : t('readiness.why.acceptanceCriteria') };
      }
      case 'dependencies_ready': {
        const waiting = item.dependencies.filter((id) => !countsAsReady(id, items));
        const titles = waiting.map((id) => t('quoted', { text: items.get(id)?.title ?? t('item.anItem') }));
        return { criterion, met: waiting.length === 0, why: waiting.length ? t('readiness.why.waits', { titles: formatList(titles) }) : null };
      }
      case 'questions_answered': {
        const open = openQuestions(item);
        return { criterion, met: open === 0, why: open ? t('questions.open', { count: open }) : null };
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
