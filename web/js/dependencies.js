// Dependencies between items, apart from the screen: what may still be added without closing a
// circle, which dependencies sit below the item that waits for them, and the whole backlog as a
// tree of what waits for what.

import { isSplit } from './protocol.js';

/** @typedef {import('./protocol.js').Item} Item */

/**
 * Whether `from` depending on `to` would close a circle: `to` already waits, directly or through
 * others, for `from`.
 * @param {Map<string, Item>} items
 * @param {string} from
 * @param {string} to
 */
export function wouldCycle(items, from, to) {
  const stack = [to];
  const seen = new Set();
  while (stack.length) {
    const id = /** @type {string} */ (stack.pop());
    if (id === from) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(items.get(id)?.dependencies ?? []));
  }
  return false;
}

/**
 * The items `query` finds by title for `item` to depend on, best first: the title starting with
 * it, then containing it, in backlog order. Each says whether it would close a circle.
 * @param {Item[]} ordered the backlog in rank order
 * @param {Map<string, Item>} items
 * @param {Item} item
 * @param {string} query
 * @param {number} limit
 */
export function dependencyCandidates(ordered, items, item, query, limit = 8) {
  const needle = query.trim().toLocaleLowerCase();
  const open = ordered.filter((other) => other.id !== item.id && !item.dependencies.includes(other.id) && !isSplit(other));
  const starts = [];
  const contains = [];
  for (const other of open) {
    const title = other.title.toLocaleLowerCase();
    if (!needle || title.startsWith(needle)) starts.push(other);
    else if (title.includes(needle)) contains.push(other);
  }
  return [...starts, ...contains].slice(0, limit).map((other) => ({ item: other, cycle: wouldCycle(items, item.id, other.id) }));
}

/**
 * The dependencies ranked below the item that waits for them, lowest last.
 * @param {Item} item
 * @param {Item[]} ordered the backlog in rank order
 * @returns {Item[]}
 */
export function dependenciesBelow(item, ordered) {
  const at = ordered.findIndex((other) => other.id === item.id);
  if (at < 0) return [];
  return ordered.slice(at + 1).filter((other) => item.dependencies.includes(other.id));
}

/** @typedef {{ item: Item, children: TreeNode[], repeat: boolean }} TreeNode */

/**
 * The backlog as what waits for what: each item that nothing waits for is a root, under it what
 * it depends on, and so on down. An item met again is shown once more as a leaf marked `repeat`
 * (it is written out where it first appears). Items without any dependency either way are left
 * out.
 * @param {Item[]} ordered the backlog in rank order
 * @returns {TreeNode[]}
 */
export function dependencyTree(ordered) {
  const byId = new Map(ordered.map((item) => [item.id, item]));
  const waitedFor = new Set(ordered.flatMap((item) => item.dependencies.filter((id) => byId.has(id))));
  const expanded = new Set();
  /** @param {Item} item @param {Set<string>} path @returns {TreeNode} */
  const node = (item, path) => {
    if (expanded.has(item.id) || path.has(item.id)) return { item, children: [], repeat: true };
    expanded.add(item.id);
    const inner = new Set(path).add(item.id);
    const children = item.dependencies
      .map((id) => byId.get(id))
      .filter((child) => child !== undefined)
      .map((child) => node(/** @type {Item} */ (child), inner));
    return { item, children, repeat: false };
  };
  const roots = ordered.filter((item) => item.dependencies.some((id) => byId.has(id)) && !waitedFor.has(item.id)).map((item) => node(item, new Set()));
  // Items caught in a circle (allowed in rooms older than the rule) have no root: show them too.
  for (const item of ordered) {
    if (!expanded.has(item.id) && item.dependencies.some((id) => byId.has(id))) roots.push(node(item, new Set()));
  }
  return roots;
}
