// An item's Definition of Ready checklist: what it meets and what it lacks, the criteria people
// check as checkboxes, the server's own as marks with the reason they are not met, and the
// facilitator's override.

import { isSplit } from '../protocol.js';
import { t } from '../i18n.js';
import { autoLabel, checklist, criterionText, readinessOf } from '../readiness.js';
import { h, replace } from './dom.js';

/**
 * @param {HTMLElement} root
 * @param {import('../protocol.js').Item} item
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 */
export function renderChecklist(root, item, store, actions) {
  const definition = store.room?.settings.definition_of_ready ?? [];
  if (isSplit(item) || definition.length === 0) {
    replace(root);
    root.hidden = true;
    return;
  }
  root.hidden = false;
  const entries = checklist(item, store.items, definition);
  const met = entries.filter((entry) => entry.met).length;
  const ready = item.status === 'ready';
  const override = item.ready_override ?? null;
  replace(
    root,
    h(
      'div',
      { class: 'checklist-head' },
      h('h3', { id: 'checklist-heading', text: t('readiness.heading') }),
      h('span', {
        class: `readiness${ready ? ' is-ready' : ''}`,
        'data-testid': 'readiness',
        text: ready ? (override && met < entries.length ? t('readiness.overridden', { met, total: entries.length }) : t('readiness.ready')) : t('readiness.of', { met, total: entries.length }),
      }),
    ),
    h('progress', { class: 'readiness-bar', max: entries.length, value: met, 'aria-label': t('readiness.met', { met, count: entries.length }) }),
    h(
      'ul',
      { class: 'criteria', 'aria-labelledby': 'checklist-heading' },
      ...entries.map(({ criterion, met: done, why }) =>
        h(
          'li',
          { class: `criterion${done ? ' met' : ''}`, 'data-testid': 'criterion', 'data-criterion': criterion.id, 'data-met': String(done) },
          criterion.auto
            ? h(
                'span',
                { class: 'auto-criterion' },
                h('span', { class: 'mark', 'aria-hidden': 'true', text: done ? '✓' : '○' }),
                h('span', { text: criterionText(criterion.text) }),
                // Checked by the server: why it is not met yet, or a quiet word that it is automatic.
                why
                  ? h('small', { class: 'auto-note', 'data-testid': 'criterion-why', text: why })
                  : h('small', { class: 'auto-tag', title: t('readiness.autoTitle', { check: autoLabel(criterion.auto) }), text: t('readiness.autoTag') }),
              )
            : h(
                'label',
                {},
                h('input', {
                  type: 'checkbox',
                  'data-testid': 'criterion-check',
                  checked: done,
                  disabled: !store.canEdit,
                  onchange: (/** @type {Event} */ event) => actions.checkCriterion(item.id, criterion.id, /** @type {HTMLInputElement} */ (event.target).checked),
                }),
                h('span', { text: criterionText(criterion.text) }),
              ),
        ),
      ),
    ),
    override &&
      h(
        'p',
        { class: 'override-note', 'data-testid': 'override-note' },
        override.by ? t('readiness.overrideBy', { name: store.nameOf(override.by) }) : t('readiness.overrideBefore'),
        store.isFacilitator && h('button', { type: 'button', class: 'small', 'data-testid': 'override-undo', text: t('readiness.overrideUndo'), onclick: () => actions.overrideReady(item.id, false) }),
      ),
    !ready && store.isFacilitator && h('button', { type: 'button', class: 'small', 'data-testid': 'override-ready', text: t('readiness.override'), title: t('readiness.overrideTitle'), onclick: () => actions.overrideReady(item.id, true) }),
  );
}

/**
 * How far an item is from ready: the criteria of the Definition of Ready it meets, of all.
 * @param {import('../protocol.js').Item} item
 * @param {import('../store.js').RoomStore} store
 */
export function readinessBadge(item, store) {
  const definition = store.room?.settings.definition_of_ready ?? [];
  if (definition.length === 0) return null;
  const { met, total } = readinessOf(item, store.items, definition);
  return h('span', { class: 'badge readiness', 'data-testid': 'readiness-badge', title: t('readiness.badgeTitle', { met, count: total }), text: t('readiness.badge', { met, total }) });
}
