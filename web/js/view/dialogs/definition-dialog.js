// The room's Definition of Ready, as a list the facilitator edits (criteria people check, and
// the checks the server makes by itself) and everyone else reads. Saved as a whole.

import { READY_CRITERIA } from '../../protocol.js';
import { errorText, t } from '../../i18n.js';
import { AUTO_CHECKS, autoLabel, criterionText } from '../../readiness.js';
import { $, h, replace } from '../dom.js';

/** @typedef {import('../../protocol.js').ReadyCriterionDraft} Draft */

export class DefinitionDialog {
  /**
   * @param {import('../../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#definition-dialog'));
    /** @type {Draft[]} */
    this.drafts = [];
    /**
     * Criteria typed in since the dialog opened. The others are shown in the page's language
     * (see `criterionText`) but saved as the room has them, so that opening and saving in German
     * does not turn the room's criteria German for everyone.
     * @type {WeakSet<Draft>}
     */
    this.edited = new WeakSet();
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
        h('h2', { id: 'definition-heading', text: t('readiness.heading') }),
        h('p', { class: 'dialog-hint', text: t(editable ? 'definition.hint' : 'definition.hintReadOnly') }),
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
                    'aria-label': t('definition.criterion', { number: index + 1 }),
                    value: this.edited.has(draft) ? draft.text : criterionText(draft.text),
                    required: true,
                    maxlength: READY_CRITERIA.chars,
                    autocomplete: 'off',
                    oninput: (/** @type {Event} */ event) => {
                      draft.text = /** @type {HTMLInputElement} */ (event.target).value;
                      this.edited.add(draft);
                    },
                  })
                : h('span', { class: 'definition-text', text: criterionText(draft.text) }),
              editable
                ? h(
                    'select',
                    {
                      'data-testid': 'definition-check',
                      'aria-label': t('definition.who', { number: index + 1 }),
                      onchange: (/** @type {Event} */ event) => {
                        const value = /** @type {HTMLSelectElement} */ (event.target).value;
                        draft.auto = value ? /** @type {import('../../protocol.js').AutoCheck} */ (value) : undefined;
                        this.render();
                      },
                    },
                    h('option', { value: '', text: t('definition.people'), selected: !draft.auto }),
                    ...AUTO_CHECKS.filter((auto) => auto === draft.auto || !usedAutos.has(auto)).map((auto) => h('option', { value: auto, text: t('definition.automatic', { check: autoLabel(auto) }), selected: draft.auto === auto })),
                  )
                : h('small', { class: 'auto-note', text: draft.auto ? t('definition.automatic', { check: autoLabel(draft.auto) }) : t('definition.people') }),
              editable && h('button', { type: 'button', class: 'small', 'aria-label': t('definition.up', { number: index + 1 }), disabled: index === 0, text: '↑', onclick: () => this.move(index, -1) }),
              editable &&
                h('button', {
                  type: 'button',
                  class: 'small',
                  'aria-label': t('definition.remove', { number: index + 1 }),
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
            text: t('definition.add'),
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
          h('button', { type: 'button', text: t(editable ? 'dialog.cancel' : 'dialog.close'), onclick: () => this.dialog.close() }),
          editable && h('button', { type: 'submit', class: 'primary', 'data-testid': 'definition-save', text: t('dialog.save') }),
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
      this.error = errorText(reply);
      this.render();
      return;
    }
    this.dialog.close();
  }
}
