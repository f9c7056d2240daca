// Decisions and questions on an item: what was decided, what is still to find out and who
// follows it up. An open question keeps the item from being ready, so answering is one step.

import { t } from '../i18n.js';
import { REMARKS, isOpenQuestion, openQuestions } from '../protocol.js';
import { h, replace } from './dom.js';

/** @typedef {import('../protocol.js').Remark} Remark */

/**
 * @param {HTMLElement} root
 * @param {import('../protocol.js').Item} item
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 */
export function renderRemarks(root, item, store, actions) {
  const active = document.activeElement;
  // Half-typed text (a new remark, an answer) survives others' changes until sent.
  if (active instanceof HTMLInputElement && root.contains(active) && root.dataset.itemId === item.id) return;
  root.dataset.itemId = item.id;
  const remarks = item.remarks ?? [];
  const canEdit = store.canEdit;
  const open = openQuestions(item);
  const people = store.orderedParticipants();
  const ownerOptions = (/** @type {string | null} */ selected) => [
    h('option', { value: '', text: t('remarks.noOwner'), selected: !selected }),
    ...people.map((p) => h('option', { value: p.id, text: p.name, selected: p.id === selected })),
  ];
  replace(
    root,
    h('div', { class: 'title-row' }, h('span', { class: 'field-label', text: t('remarks.heading') }), open > 0 && h('span', { class: 'badge open-questions', 'data-testid': 'open-questions', text: t('remarks.open', { count: open }) })),
    h(
      'ul',
      { class: 'remarks', 'data-testid': 'remarks' },
      ...remarks.map((remark) => remarkRow(remark, item.id, store, actions, canEdit)),
      remarks.length === 0 ? h('li', { class: 'none', text: t('remarks.none') }) : null,
    ),
    canEdit &&
      remarks.length < REMARKS.max &&
      h(
        'form',
        {
          class: 'remark-form',
          'data-testid': 'remark-form',
          onsubmit: (/** @type {SubmitEvent} */ event) => {
            event.preventDefault();
            const form = /** @type {HTMLFormElement} */ (event.target);
            const data = new FormData(form);
            const text = String(data.get('text') ?? '').trim();
            if (!text) return;
            actions.addRemark(item.id, String(data.get('kind')), text, String(data.get('owner') ?? '') || null);
            form.reset();
            /** @type {HTMLInputElement} */ (form.elements.namedItem('text')).blur();
          },
        },
        h('select', { name: 'kind', 'data-testid': 'remark-kind', 'aria-label': t('remarks.kind') }, h('option', { value: 'question', text: t('remarks.question') }), h('option', { value: 'decision', text: t('remarks.decision') })),
        h('input', { name: 'text', 'data-testid': 'remark-text', maxlength: REMARKS.chars, placeholder: t('remarks.placeholder'), 'aria-label': t('remarks.text'), autocomplete: 'off' }),
        h('select', { name: 'owner', 'data-testid': 'remark-owner', 'aria-label': t('remarks.owner') }, ...ownerOptions(null)),
        h('button', { type: 'submit', 'data-testid': 'remark-add', text: t('backlog.add') }),
      ),
  );
}

/**
 * @param {Remark} remark
 * @param {string} itemId
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 * @param {boolean} canEdit
 */
function remarkRow(remark, itemId, store, actions, canEdit) {
  const question = remark.kind === 'question';
  const open = isOpenQuestion(remark);
  return h(
    'li',
    { class: `remark ${remark.kind}${open ? ' open' : ''}`, 'data-testid': 'remark', 'data-remark-id': remark.id, 'data-open': String(open) },
    h('span', { class: 'remark-kind', text: t(question ? (open ? 'remarks.openQuestion' : 'remarks.answered') : 'remarks.decision') }),
    h('span', { class: 'remark-text', text: remark.text }),
    remark.owner && h('span', { class: 'remark-owner', text: t('remarks.ownedBy', { name: store.nameOf(remark.owner) }) }),
    canEdit && h('button', { type: 'button', class: 'small', 'aria-label': t('remarks.remove', { text: remark.text }), 'data-testid': 'remove-remark', text: '×', onclick: () => actions.removeRemark(itemId, remark.id) }),
    remark.answer !== null && h('span', { class: 'remark-answer', 'data-testid': 'remark-answer', text: remark.answer }),
    canEdit &&
      open &&
      h(
        'form',
        {
          class: 'answer-form',
          onsubmit: (/** @type {SubmitEvent} */ event) => {
            event.preventDefault();
            const input = /** @type {HTMLInputElement} */ (/** @type {HTMLFormElement} */ (event.target).elements.namedItem('answer'));
            const answer = input.value.trim();
            if (!answer) return;
            input.blur();
            actions.answerQuestion(itemId, remark.id, answer);
          },
        },
        h('input', { name: 'answer', 'data-testid': 'answer-text', maxlength: REMARKS.chars, placeholder: t('remarks.answerPlaceholder'), 'aria-label': t('remarks.answerTo', { text: remark.text }), autocomplete: 'off' }),
        h('button', { type: 'submit', class: 'small', 'data-testid': 'answer', text: t('remarks.answer') }),
      ),
    canEdit && question && !open && h('button', { type: 'button', class: 'small', 'data-testid': 'reopen', text: t('remarks.reopen'), onclick: () => actions.answerQuestion(itemId, remark.id, null) }),
  );
}
