// The split dialog: name the parts an item splits into, and send each line of its description
// and acceptance criteria to one part, to every part, or to none. Splitting happens in one step
// on the server; the dialog stays open with the reason if it is refused.

import { errorText, t } from '../../i18n.js';
import { SPLIT_PARTS } from '../../protocol.js';
import { buildParts, pickableLines } from '../../split.js';
import { $, h, replace } from '../dom.js';

/** @typedef {import('../../split.js').LineTarget} LineTarget */

export class SplitDialog {
  /** @param {any} actions */
  constructor(actions) {
    this.actions = actions;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#split-dialog'));
    /** @type {import('../../protocol.js').Item | null} */
    this.item = null;
    /** @type {string[]} */
    this.titles = [];
    /** Where each pickable line goes, by text field. @type {{ description: LineTarget[], acceptance_criteria: LineTarget[] }} */
    this.targets = { description: [], acceptance_criteria: [] };
    this.error = '';
    this.sending = false;
  }

  /** @param {import('../../protocol.js').Item} item */
  open(item) {
    this.item = item;
    this.titles = ['', ''];
    // The description is usually context every part needs; each criterion belongs to one part.
    this.targets = {
      description: pickableLines(item.description).map(() => /** @type {LineTarget} */ ('all')),
      acceptance_criteria: pickableLines(item.acceptance_criteria).map(() => /** @type {LineTarget} */ ('none')),
    };
    this.error = '';
    this.sending = false;
    this.render();
    this.dialog.showModal();
    /** @type {HTMLInputElement | null} */ (this.dialog.querySelector('[data-testid=split-part-title]'))?.focus();
  }

  render() {
    const item = this.item;
    if (!item) return;
    const count = this.titles.length;
    replace(
      this.dialog,
      h(
        'form',
        { class: 'stack split-form', onsubmit: (/** @type {SubmitEvent} */ event) => this.submit(event) },
        h('h2', { id: 'split-heading', text: t('split.heading', { title: item.title }) }),
        h('p', { class: 'dialog-hint', text: t('split.hint') }),
        h(
          'ol',
          { class: 'split-parts' },
          ...this.titles.map((title, index) =>
            h(
              'li',
              {},
              h('label', { class: 'visually-hidden', for: `split-part-${index}`, text: t('split.partTitle', { number: index + 1 }) }),
              h('input', {
                id: `split-part-${index}`,
                'data-testid': 'split-part-title',
                value: title,
                required: true,
                maxlength: 300,
                autocomplete: 'off',
                placeholder: t('split.partPlaceholder', { number: index + 1 }),
                oninput: (/** @type {Event} */ event) => {
                  this.titles[index] = /** @type {HTMLInputElement} */ (event.target).value;
                  this.renderLineChoices();
                },
              }),
              count > SPLIT_PARTS.min &&
                h('button', { type: 'button', class: 'small', 'aria-label': t('split.removePart', { number: index + 1 }), text: '×', onclick: () => this.removePart(index) }),
            ),
          ),
        ),
        count < SPLIT_PARTS.max && h('button', { type: 'button', class: 'small', 'data-testid': 'split-add-part', text: t('split.addPart'), onclick: () => this.addPart() }),
        h('div', { class: 'split-lines', id: 'split-lines' }),
        h('p', { class: 'form-error', role: 'alert', 'data-testid': 'split-error', hidden: !this.error, text: this.error }),
        h(
          'div',
          { class: 'dialog-buttons' },
          h('button', { type: 'button', text: t('dialog.cancel'), onclick: () => this.dialog.close() }),
          h('button', { type: 'submit', class: 'primary', 'data-testid': 'split-confirm', disabled: this.sending, text: t('split.confirm', { count }) }),
        ),
      ),
    );
    this.renderLineChoices();
  }

  /** The line pickers: rebuilt when part titles change, as their options name the parts. */
  renderLineChoices() {
    const item = this.item;
    const root = this.dialog.querySelector('#split-lines');
    if (!item || !root) return;
    const partName = (/** @type {number} */ index) => this.titles[index]?.trim() || t('split.part', { number: index + 1 });
    const section = (/** @type {'description' | 'acceptance_criteria'} */ field, /** @type {string} */ heading) => {
      const lines = pickableLines(item[field]);
      if (lines.length === 0) return null;
      return h(
        'fieldset',
        { class: 'split-lines-group' },
        h('legend', { text: heading }),
        ...lines.map((line, index) =>
          h(
            'label',
            { class: 'split-line' },
            h('span', { class: 'split-line-text', text: line }),
            h(
              'select',
              {
                'data-testid': `split-line-${field}`,
                'aria-label': t('split.where', { line }),
                onchange: (/** @type {Event} */ event) => {
                  const value = /** @type {HTMLSelectElement} */ (event.target).value;
                  this.targets[field][index] = value === 'none' || value === 'all' ? value : Number(value);
                },
              },
              h('option', { value: 'none', text: t('split.notCopied'), selected: this.targets[field][index] === 'none' }),
              ...this.titles.map((_, part) => h('option', { value: String(part), text: t('split.toPart', { part: partName(part) }), selected: this.targets[field][index] === part })),
              h('option', { value: 'all', text: t('split.everyPart'), selected: this.targets[field][index] === 'all' }),
            ),
          ),
        ),
      );
    };
    replace(root, section('description', t('split.descriptionLines')), section('acceptance_criteria', t('item.acceptanceCriteria')));
  }

  addPart() {
    this.titles.push('');
    this.render();
    const inputs = this.dialog.querySelectorAll('[data-testid=split-part-title]');
    /** @type {HTMLInputElement | undefined} */ (inputs[inputs.length - 1])?.focus();
  }

  /** @param {number} index */
  removePart(index) {
    this.titles.splice(index, 1);
    // Lines sent to the removed part are no longer copied; those sent to later parts follow them.
    for (const field of /** @type {const} */ (['description', 'acceptance_criteria'])) {
      this.targets[field] = this.targets[field].map((to) => (typeof to !== 'number' ? to : to === index ? 'none' : to > index ? to - 1 : to));
    }
    this.render();
  }

  /** @param {SubmitEvent} event */
  async submit(event) {
    event.preventDefault();
    const item = this.item;
    if (!item || this.sending) return;
    const lines = (/** @type {'description' | 'acceptance_criteria'} */ field) => pickableLines(item[field]).map((line, index) => ({ line, to: this.targets[field][index] ?? /** @type {LineTarget} */ ('none') }));
    const parts = buildParts(this.titles, { description: lines('description'), acceptance_criteria: lines('acceptance_criteria') });
    this.sending = true;
    this.error = '';
    this.render();
    const reply = await this.actions.splitItem(item.id, parts);
    this.sending = false;
    if (reply?.type === 'error') {
      this.error = errorText(reply);
      this.render();
      return;
    }
    this.dialog.close();
  }
}
