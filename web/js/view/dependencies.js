// Dependencies on screen: an item's list of what it waits for, with a search by title to add
// more; the warning when it is ranked above something it waits for, with the move that fixes
// it; and the map of the whole backlog as what waits for what.

import { dependenciesBelow, dependencyCandidates, dependencyTree } from '../dependencies.js';
import { t } from '../i18n.js';
import { isSplit } from '../protocol.js';
import { countsAsReady } from '../readiness.js';
import { readinessBadge } from './checklist.js';
import { $, h, replace } from './dom.js';

/** @typedef {import('../protocol.js').Item} Item */

/**
 * The move that puts `item` right below the lowest of its dependencies ranked under it, or null.
 * @param {Item} item
 * @param {Item[]} ordered the backlog in rank order
 * @returns {{ below: Item, after: string, before: string | null } | null}
 */
export function moveBelowDependencies(item, ordered) {
  const below = dependenciesBelow(item, ordered);
  const lowest = below[below.length - 1];
  if (!lowest) return null;
  const at = ordered.findIndex((other) => other.id === lowest.id);
  const next = ordered.slice(at + 1).find((other) => other.id !== item.id);
  return { below: lowest, after: lowest.id, before: next?.id ?? null };
}

export class DependencyField {
  /**
   * @param {HTMLElement} root
   * @param {import('../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(root, store, actions) {
    this.store = store;
    this.actions = actions;
    this.list = h('ul', { class: 'dependencies', id: 'dependencies', 'data-testid': 'dependencies' });
    this.search = h('input', { type: 'search', 'data-testid': 'dependency-search', placeholder: t('dependencies.searchPlaceholder'), 'aria-label': t('dependencies.search'), autocomplete: 'off' });
    this.results = h('ul', { class: 'dependency-results', 'data-testid': 'dependency-results', role: 'list' });
    this.warning = h('div', { class: 'order-warning', 'data-testid': 'order-warning', role: 'status' });
    /** @type {Item | null} */
    this.item = null;
    this.search.addEventListener('input', () => this.renderResults());
    this.search.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        /** @type {HTMLButtonElement | null} */ (this.results.querySelector('button:not([disabled])'))?.click();
      }
      if (event.key === 'Escape') {
        this.search.value = '';
        this.renderResults();
      }
    });
    root.append(this.warning, this.list, this.search, this.results);
  }

  /**
   * @param {Item} item
   * @param {boolean} canEdit
   */
  render(item, canEdit) {
    const store = this.store;
    this.item = item;
    replace(
      this.list,
      ...item.dependencies.map((id) => {
        const other = store.items.get(id);
        const ready = countsAsReady(id, store.items);
        return h(
          'li',
          {},
          h('span', { class: `dependency-state${ready ? ' ready' : ''}`, title: t(ready ? 'status.ready' : 'backlog.notReady'), text: ready ? '✓' : '…' }),
          h('button', { type: 'button', class: 'link-button', text: other?.title ?? t('item.deleted'), onclick: () => store.select(id) }),
          canEdit && h('button', { type: 'button', class: 'small', 'aria-label': t('dependencies.remove', { title: other?.title ?? t('item.deleted') }), text: '×', onclick: () => this.actions.updateItem(item.id, 'dependencies', item.dependencies.filter((d) => d !== id)) }),
        );
      }),
      item.dependencies.length === 0 ? h('li', { class: 'none', text: t('dependencies.none') }) : null,
    );
    this.search.hidden = !canEdit;
    this.renderResults();
    const move = moveBelowDependencies(item, store.orderedItems());
    this.warning.hidden = !move;
    replace(
      this.warning,
      move && h('span', { text: t('dependencies.rankedAbove', { title: move.below.title }) }),
      move && canEdit && h('button', { type: 'button', class: 'small', 'data-testid': 'move-below', text: t('dependencies.moveBelow', { title: move.below.title }), onclick: () => this.actions.moveItem(item.id, move.after, move.before) }),
    );
  }

  renderResults() {
    const item = this.item;
    const query = this.search.value;
    if (!item || this.search.hidden || !query.trim()) {
      replace(this.results);
      return;
    }
    const store = this.store;
    const candidates = dependencyCandidates(store.orderedItems(), store.items, item, query);
    replace(
      this.results,
      ...candidates.map(({ item: other, cycle }) =>
        h(
          'li',
          {},
          h('button', {
            type: 'button',
            'data-testid': 'dependency-option',
            disabled: cycle,
            title: t(cycle ? 'dependencies.circleTitle' : 'dependencies.dependsOn', { title: other.title }),
            text: cycle ? t('dependencies.circle', { title: other.title }) : other.title,
            onclick: () => {
              this.search.value = '';
              this.actions.updateItem(item.id, 'dependencies', [...item.dependencies, other.id]);
              this.renderResults();
              this.search.focus();
            },
          }),
        ),
      ),
      candidates.length === 0 ? h('li', { class: 'none', text: t('dependencies.noMatch') }) : null,
    );
  }
}

/** The whole backlog as what waits for what, to read at a glance. */
export class DependencyMap {
  /** @param {import('../store.js').RoomStore} store */
  constructor(store) {
    this.store = store;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#dependency-dialog'));
  }

  open() {
    this.render();
    this.dialog.showModal();
  }

  render() {
    const store = this.store;
    const ordered = store.orderedItems().filter((item) => !isSplit(item) || item.dependencies.length);
    const roots = dependencyTree(ordered);
    /** @param {import('../dependencies.js').TreeNode} node @returns {HTMLElement} */
    const branch = (node) => {
      const ready = countsAsReady(node.item.id, store.items);
      return h(
        'li',
        { 'data-testid': 'map-node', 'data-item-id': node.item.id },
        h(
          'span',
          { class: 'map-line' },
          h('span', { class: `dependency-state${ready ? ' ready' : ''}`, title: t(ready ? 'status.ready' : 'backlog.notReady'), text: ready ? '✓' : '…' }),
          h('button', {
            type: 'button',
            class: 'link-button',
            text: node.item.title,
            onclick: () => {
              store.select(node.item.id);
              this.dialog.close();
            },
          }),
          !ready && !isSplit(node.item) && readinessBadge(node.item, store),
          node.repeat && h('small', { class: 'map-repeat', text: t('dependencies.shownAbove') }),
        ),
        node.children.length > 0 && h('ul', { class: 'map-children', 'aria-label': t('dependencies.waitsFor', { title: node.item.title }) }, ...node.children.map(branch)),
      );
    };
    replace(
      this.dialog,
      h(
        'form',
        { method: 'dialog', class: 'stack' },
        h('h2', { id: 'dependency-heading', text: t('dependencies.mapHeading') }),
        h('p', { class: 'dialog-hint', text: t('dependencies.mapHint') }),
        roots.length ? h('ul', { class: 'dependency-map', 'data-testid': 'dependency-map' }, ...roots.map(branch)) : h('p', { text: t('dependencies.mapEmpty') }),
        h('div', { class: 'dialog-buttons' }, h('button', { value: 'close', text: t('dialog.close') })),
      ),
    );
  }
}
