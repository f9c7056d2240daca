// The room's Definition of Ready, as a list the facilitator edits (criteria people check, and
// the checks the server makes by itself) and everyone else reads. Saved as a whole.

import { READY_CRITERIA } from '../protocol.js';
import { AUTO_LABELS } from '../readiness.js';
import { $, h, replace } from './dom.js';

/** @typedef {import('../protocol.js').ReadyCriterionDraft} Draft */

export class DefinitionDialog {
  /**
   * @param {import('../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#definition-dialog'));
    /** @type {Draft[]} */
    this.drafts = [];
    this.error = '';
  }

  open() {
    this.drafts = (this.store.room?.settings.definition_of_ready ?? []).map((c) => ({ ...c }));
    this.error = '';
    this.render();
    this.dialog.showModal();
  }

  render() {
    const editable = this.store.isFacilitator;
    const usedAutos = new Set(this.drafts.map((d) => d.auto).filter(Boolean));
    replace(
      this.dialog,
      h(
        'form',
        { class: 'stack definition-form', onsubmit: (/** @type {SubmitEvent} */ event) => this.save(event) },
        h('h2', { id: 'definition-heading', text: 'Definition of Ready' }),
        h('p', { class: 'dialog-hint', text: editable ? 'What an item needs before the team takes it into a sprint. People tick their criteria on each item; the server checks the automatic ones.' : 'What an item needs before the team takes it into a sprint. The facilitator can change it.' }),
        h(
          'ol',
          { class: 'definition-list' },
          ...this.drafts.map((draft, index) =>
            h(
              'li',
              { 'data-testid': 'definition-row' },
              editable
                ? h('input', {
                    'data-testid': 'definition-text',
                    'aria-label': `Criterion ${index + 1}`,
                    value: draft.text,
                    required: true,
                    maxlength: READY_CRITERIA.chars,
                    autocomplete: 'off',
                    oninput: (/** @type {Event} */ event) => {
                      draft.text = /** @type {HTMLInputElement} */ (event.target).value;
                    },
                  })
                : h('span', { class: 'definition-text', text: draft.text }),
              editable
                ? h(
                    'select',
                    {
                      'data-testid': 'definition-check',
                      'aria-label': `Who checks criterion ${index + 1}`,
                      onchange: (/** @type {Event} */ event) => {
                        const value = /** @type {HTMLSelectElement} */ (event.target).value;
                        draft.auto = value ? /** @type {import('../protocol.js').AutoCheck} */ (value) : undefined;
                        this.render();
                      },
                    },
                    h('option', { value: '', text: 'People tick it', selected: !draft.auto }),
                    ...Object.entries(AUTO_LABELS)
                      .filter(([auto]) => auto === draft.auto || !usedAutos.has(/** @type {any} */ (auto)))
                      .map(([auto, label]) => h('option', { value: auto, text: `Automatic: ${label}`, selected: draft.auto === auto })),
                  )
                : h('small', { class: 'auto-note', text: draft.auto ? `Automatic: ${AUTO_LABELS[draft.auto]}` : 'People tick it' }),
              editable && h('button', { type: 'button', class: 'small', 'aria-label': `Move criterion ${index + 1} up`, disabled: index === 0, text: '↑', onclick: () => this.move(index, -1) }),
              editable &&
                h('button', {
                  type: 'button',
                  class: 'small',
                  'aria-label': `Remove criterion ${index + 1}`,
                  disabled: this.drafts.length === 1,
                  text: '×',
                  onclick: () => {
                    this.drafts.splice(index, 1);
                    this.render();
                  },
                }),
            ),
          ),
        ),
        editable &&
          this.drafts.length < READY_CRITERIA.max &&
          h('button', {
            type: 'button',
            class: 'small',
            'data-testid': 'definition-add',
            text: '+ Add a criterion',
            onclick: () => {
              this.drafts.push({ text: '' });
              this.render();
              const inputs = this.dialog.querySelectorAll('[data-testid=definition-text]');
              /** @type {HTMLInputElement | undefined} */ (inputs[inputs.length - 1])?.focus();
            },
          }),
        h('p', { class: 'form-error', role: 'alert', hidden: !this.error, text: this.error }),
        h(
          'div',
          { class: 'dialog-buttons' },
          h('button', { type: 'button', text: editable ? 'Cancel' : 'Close', onclick: () => this.dialog.close() }),
          editable && h('button', { type: 'submit', class: 'primary', 'data-testid': 'definition-save', text: 'Save' }),
        ),
      ),
    );
  }

  /**
   * @param {number} index
   * @param {number} by
   */
  move(index, by) {
    const [draft] = this.drafts.splice(index, 1);
    this.drafts.splice(index + by, 0, draft);
    this.render();
  }

  /** @param {SubmitEvent} event */
  async save(event) {
    event.preventDefault();
    const reply = await this.actions.setDefinitionOfReady(this.drafts.map(({ id, text, auto }) => ({ id, text: text.trim(), auto })));
    if (reply?.type === 'error') {
      this.error = reply.message;
      this.render();
      return;
    }
    this.dialog.close();
  }
}
