// Decisions and questions on an item: what was decided, what is still to find out and who
// follows it up. An open question keeps the item from being ready, so answering is one step.

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
    h('option', { value: '', text: 'No owner', selected: !selected }),
    ...people.map((p) => h('option', { value: p.id, text: p.name, selected: p.id === selected })),
  ];
  replace(
    root,
    h('div', { class: 'title-row' }, h('span', { class: 'field-label', text: 'Decisions and questions' }), open > 0 && h('span', { class: 'badge open-questions', 'data-testid': 'open-questions', text: `${open} open` })),
    h(
      'ul',
      { class: 'remarks', 'data-testid': 'remarks' },
      ...remarks.map((remark) => remarkRow(remark, item.id, store, actions, canEdit)),
      remarks.length === 0 ? h('li', { class: 'none', text: 'Nothing decided or asked yet.' }) : null,
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
        h('select', { name: 'kind', 'data-testid': 'remark-kind', 'aria-label': 'Decision or question' }, h('option', { value: 'question', text: 'Question' }), h('option', { value: 'decision', text: 'Decision' })),
        h('input', { name: 'text', 'data-testid': 'remark-text', maxlength: REMARKS.chars, placeholder: 'Ask or record…', 'aria-label': 'Decision or question', autocomplete: 'off' }),
        h('select', { name: 'owner', 'data-testid': 'remark-owner', 'aria-label': 'Owner' }, ...ownerOptions(null)),
        h('button', { type: 'submit', 'data-testid': 'remark-add', text: 'Add' }),
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
    h('span', { class: 'remark-kind', text: question ? (open ? 'Open question' : 'Answered') : 'Decision' }),
    h('span', { class: 'remark-text', text: remark.text }),
    remark.owner && h('span', { class: 'remark-owner', text: `→ ${store.nameOf(remark.owner)}` }),
    canEdit && h('button', { type: 'button', class: 'small', 'aria-label': `Remove “${remark.text}”`, 'data-testid': 'remove-remark', text: '×', onclick: () => actions.removeRemark(itemId, remark.id) }),
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
        h('input', { name: 'answer', 'data-testid': 'answer-text', maxlength: REMARKS.chars, placeholder: 'Answer…', 'aria-label': `Answer to “${remark.text}”`, autocomplete: 'off' }),
        h('button', { type: 'submit', class: 'small', 'data-testid': 'answer', text: 'Answer' }),
      ),
    canEdit && question && !open && h('button', { type: 'button', class: 'small', 'data-testid': 'reopen', text: 'Reopen', onclick: () => actions.answerQuestion(itemId, remark.id, null) }),
  );
}
