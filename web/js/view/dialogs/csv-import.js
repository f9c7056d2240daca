// The import half of the tracker dialog: a CSV file chosen or pasted, previewed by the server
// (a dry run: which tracker wrote it, what each column fills in, what each row becomes), read
// again whenever a column or the tracker is set by hand, then imported whole, and what happened.

import { formatNumber, t } from '../../i18n.js';
import { CSV_LIMIT_BYTES, IMPORT_FIELDS, TRACKERS } from '../../protocol.js';
import { columnsParam, csvLimit, failureText, previewCounts, resultCounts, trackerName } from '../../tracker.js';
import { h, replace } from '../dom.js';

/** @typedef {import('../../protocol.js').ImportField} ImportField */
/** @typedef {import('../../protocol.js').ImportReport} ImportReport */
/** @typedef {import('../../protocol.js').Tracker} Tracker */

/** Rows a preview lists at most: enough to check the file by, not a table of a thousand. */
const SHOWN_ROWS = 100;

export class CsvImport {
  /**
   * @param {any} actions
   * @param {() => void} close closes the dialog
   */
  constructor(actions, close) {
    this.actions = actions;
    this.close = close;
    this.root = h('div', { class: 'csv-import stack', 'data-testid': 'csv-import' });
    this.file = h('input', { type: 'file', id: 'import-file', 'data-testid': 'import-file', accept: '.csv,text/csv', onchange: () => this.fileChosen() });
    this.pasted = h('textarea', {
      id: 'import-text',
      'data-testid': 'import-text',
      rows: 3,
      spellcheck: false,
      placeholder: 'Summary,Issue key,Story Points…',
      oninput: () => this.textTyped(),
    });
    this.trackerUrl = h('input', { type: 'url', id: 'import-tracker-url', 'data-testid': 'import-tracker-url', placeholder: 'https://acme.atlassian.net', autocomplete: 'url' });
    this.error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'import-error', hidden: true });
    this.outcome = h('div', { class: 'import-outcome' });
    this.actionsRow = h('div', { class: 'dialog-buttons' });
    // The inputs above are made once and stay put while the rest is drawn again: a chosen file,
    // the text typed and the focus in it are kept.
    this.sourceBox = h('div');
    this.root.append(this.sourceBox, this.error, this.outcome, this.actionsRow);
    this.reset();
  }

  /** Starts afresh: nothing chosen, nothing previewed. */
  reset() {
    /** The file chosen, or the text pasted. @type {Blob | string | null} */
    this.source = null;
    /** The tracker set by hand ('' while the server tells it from the headers). @type {Tracker | ''} */
    this.format = '';
    /** Columns (from 1) read otherwise than their headers say. @type {Map<number, ImportField>} */
    this.overrides = new Map();
    /** @type {ImportReport | null} */
    this.preview = null;
    /** The choices the preview shown was made with. @type {{ format: Tracker | '', overrides: Map<number, ImportField> }} */
    this.previewed = { format: '', overrides: new Map() };
    /** @type {ImportReport | null} */
    this.result = null;
    this.problem = '';
    /** @type {'' | 'previewing' | 'importing'} */
    this.busy = '';
    /** Which request an answer belongs to, so that a slow one cannot replace a newer one. */
    this.asked = (this.asked ?? 0) + 1;
    this.file.value = '';
    this.pasted.value = '';
    // Made again, in the language chosen since it was last opened.
    const fields = this.sourceFields();
    this.sourceBox.replaceWith(fields);
    this.sourceBox = fields;
    this.render();
  }

  render() {
    this.sourceBox.hidden = !!this.result;
    this.sourceBox.inert = this.busy === 'importing';
    this.outcome.inert = this.busy === 'importing';
    this.error.textContent = this.problem;
    this.error.hidden = !this.problem;
    replace(this.outcome, this.result ? this.resultView(this.result) : this.preview && this.previewView(this.preview));
    replace(this.actionsRow, ...this.buttons());
    this.root.setAttribute('aria-busy', String(!!this.busy));
    this.root.classList.toggle('done', !!this.result);
  }

  sourceFields() {
    return h(
      'div',
      { class: 'import-source' },
      h('p', { class: 'dialog-hint', text: t('tracker.importHint') }),
      h('div', { class: 'import-field' }, h('label', { for: 'import-file', text: t('tracker.file') }), this.file),
      h('details', { class: 'import-paste' }, h('summary', { text: t('tracker.paste') }), h('label', { for: 'import-text', class: 'visually-hidden', text: t('tracker.pasteLabel') }), this.pasted),
      h('div', { class: 'import-field' }, h('label', { for: 'import-tracker-url', text: t('tracker.address') }), this.trackerUrl, h('small', { class: 'dialog-hint', text: t('tracker.addressHint') })),
    );
  }

  buttons() {
    if (this.result) {
      return [
        h('button', {
          type: 'button',
          'data-testid': 'import-another',
          text: t('tracker.importAnother'),
          onclick: () => {
            this.reset();
            this.file.focus();
          },
        }),
        h('button', { type: 'button', class: 'primary', 'data-testid': 'import-done', text: t('tracker.done'), onclick: () => this.close() }),
      ];
    }
    const cancel = h('button', { type: 'button', text: t('dialog.cancel'), onclick: () => this.close() });
    const rows = this.preview?.rows.length ?? 0;
    if (this.preview && rows > 0) {
      return [
        cancel,
        h('button', {
          type: 'button',
          class: 'primary',
          'data-testid': 'import-confirm',
          // Not disabled while busy: a disabled button would drop the keyboard's focus.
          'aria-disabled': this.busy ? 'true' : undefined,
          text: this.busy === 'importing' ? t('tracker.importing') : t('tracker.importRows', { count: rows }),
          onclick: () => this.importNow(),
        }),
      ];
    }
    return [
      cancel,
      h('button', {
        type: 'button',
        class: 'primary',
        'data-testid': 'import-preview',
        disabled: !this.source,
        'aria-disabled': this.busy ? 'true' : undefined,
        text: this.busy ? t('tracker.reading') : t('tracker.preview'),
        onclick: () => {
          if (!this.busy) this.previewNow();
        },
      }),
    ];
  }

  /** @param {ImportReport} report */
  previewView(report) {
    return h(
      'section',
      { class: 'import-preview', 'data-testid': 'import-preview-result', 'aria-labelledby': 'import-preview-heading' },
      h(
        'div',
        { class: 'import-preview-head' },
        h('h3', { id: 'import-preview-heading', text: t('tracker.previewHeading') }),
        h(
          'label',
          { class: 'inline-field' },
          h('span', { text: t('tracker.readAs') }),
          h(
            'select',
            { 'data-testid': 'import-format', onchange: (/** @type {Event} */ event) => this.setFormat(/** @type {Tracker} */ (/** @type {HTMLSelectElement} */ (event.target).value)) },
            ...TRACKERS.map((tracker) => h('option', { value: tracker, text: trackerName(tracker), selected: tracker === report.tracker })),
          ),
        ),
      ),
      h('p', { class: 'import-counts', 'data-testid': 'import-counts', text: previewCounts(report) }),
      warnings(report),
      report.rows.length === 0 ? h('p', { class: 'dialog-hint', text: t('tracker.noRows') }) : this.rowsTable(report),
      this.columnsTable(report),
    );
  }

  /** @param {ImportReport} report */
  rowsTable(report) {
    const shown = report.rows.slice(0, SHOWN_ROWS);
    return h(
      'div',
      { class: 'import-rows-wrap' },
      h(
        'div',
        { class: 'table-scroll import-rows-scroll' },
        h(
          'table',
          { class: 'import-table import-rows', 'data-testid': 'import-rows' },
          h('caption', { class: 'visually-hidden', text: t('tracker.rowsCaption') }),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col', class: 'num row-number', text: t('tracker.row') }),
              h('th', { scope: 'col', text: t('tracker.key') }),
              h('th', { scope: 'col', text: t('item.title') }),
              h('th', { scope: 'col', class: 'num', text: t('item.estimateField') }),
              h('th', { scope: 'col', text: t(report.dry_run ? 'tracker.becomes' : 'tracker.outcome') }),
            ),
          ),
          h(
            'tbody',
            {},
            ...shown.map((row) =>
              h(
                'tr',
                { 'data-testid': 'import-row', 'data-action': row.action },
                h('td', { class: 'num row-number', text: formatNumber(row.row) }),
                h('td', { class: 'import-key', text: row.key ?? '—' }),
                h('td', { class: 'import-title', text: row.title }),
                h('td', { class: 'num', text: row.estimate ?? '' }),
                h('td', {}, h('span', { class: `badge action-${row.action}`, text: t(`tracker.action.${row.action}`) })),
              ),
            ),
          ),
        ),
      ),
      report.rows.length > shown.length ? h('p', { class: 'dialog-hint', text: t('tracker.moreRows', { count: report.rows.length - shown.length }) }) : null,
    );
  }

  /** @param {ImportReport} report */
  columnsTable(report) {
    const used = report.columns.filter((column) => column.field !== 'ignored').length;
    return h(
      'details',
      { class: 'import-columns', 'data-testid': 'import-columns', open: true },
      h('summary', { text: t('tracker.columnsSummary', { used, count: report.columns.length }) }),
      h('p', { class: 'dialog-hint', text: t('tracker.columnsHint') }),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'import-table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num', text: '#' }), h('th', { scope: 'col', text: t('tracker.header') }), h('th', { scope: 'col', text: t('tracker.fills') }))),
          h(
            'tbody',
            {},
            ...report.columns.map((column) =>
              h(
                'tr',
                { 'data-testid': 'import-column', 'data-column': column.column, class: column.field === 'ignored' ? 'ignored' : '' },
                h('td', { class: 'num', text: formatNumber(column.column) }),
                h('th', { scope: 'row', class: 'import-header', text: column.header || t('tracker.noHeader') }),
                h(
                  'td',
                  {},
                  h(
                    'select',
                    {
                      'data-testid': 'import-field',
                      'data-column': column.column,
                      'aria-label': t('tracker.fieldOf', { column: column.column, header: column.header || t('tracker.noHeader') }),
                      onchange: (/** @type {Event} */ event) => this.setField(column.column, /** @type {ImportField} */ (/** @type {HTMLSelectElement} */ (event.target).value)),
                    },
                    ...IMPORT_FIELDS.map((field) => h('option', { value: field, text: t(`tracker.field.${field}`), selected: field === column.field })),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  /** @param {ImportReport} report */
  resultView(report) {
    const skipped = report.skipped_links ?? [];
    return h(
      'section',
      { class: 'import-result', 'data-testid': 'import-result', 'aria-labelledby': 'import-result-heading', tabindex: -1 },
      h('h3', { id: 'import-result-heading', text: t('tracker.imported', { tracker: trackerName(report.tracker) }) }),
      h('p', { 'data-testid': 'import-result-counts', text: resultCounts(report) }),
      warnings(report),
      skipped.length > 0 && notes('import-skipped', t('tracker.skipped', { count: skipped.length }), t('tracker.skippedHint'), skipped),
      report.rows.length > 0 && this.rowsTable(report),
    );
  }

  async fileChosen() {
    const file = this.file.files?.[0];
    this.pasted.value = '';
    this.startOver(file ?? null);
    if (!file) return;
    // Refused here rather than after sending it all.
    if (file.size > CSV_LIMIT_BYTES) {
      this.problem = t('tracker.error.tooLarge', { max: csvLimit() });
      this.render();
      return;
    }
    await this.previewNow();
  }

  textTyped() {
    this.file.value = '';
    // What was previewed is not what is there now: preview it again before importing.
    const text = this.pasted.value;
    this.startOver(text.trim() ? text : null);
  }

  /** @param {Blob | string | null} source */
  startOver(source) {
    this.source = source;
    this.format = '';
    this.overrides.clear();
    this.preview = null;
    this.problem = '';
    this.asked++;
    this.busy = '';
    this.renderKeepingFocus();
  }

  /** @param {Tracker} format */
  setFormat(format) {
    this.format = format;
    // Columns are told apart by tracker: what was set for one does not carry over.
    this.overrides.clear();
    this.previewNow();
  }

  /**
   * @param {number} column
   * @param {ImportField} field
   */
  setField(column, field) {
    this.overrides.set(column, field);
    this.previewNow();
  }

  async previewNow() {
    if (!this.source || this.busy === 'importing') return;
    const asked = ++this.asked;
    this.busy = 'previewing';
    this.renderKeepingFocus();
    try {
      const report = await this.actions.importCsv(this.source, { dryRun: true, ...this.options() });
      if (asked !== this.asked) return;
      this.preview = report;
      this.previewed = { format: this.format, overrides: new Map(this.overrides) };
      this.problem = '';
    } catch (/** @type {any} */ error) {
      if (asked !== this.asked) return;
      if (this.preview) {
        // A tracker or column just chosen that the file cannot be read by: the last preview
        // stays, with the choices it was made with, and says why.
        this.format = this.previewed.format;
        this.overrides = new Map(this.previewed.overrides);
        this.problem = error?.code === 'invalid_csv' ? t('tracker.error.columns', { detail: error.message }) : failureText(error);
      } else {
        this.problem = failureText(error);
      }
    }
    this.busy = '';
    this.renderKeepingFocus();
  }

  async importNow() {
    if (!this.source || !this.preview || this.busy) return;
    // An import that was made is said, whatever happened meanwhile: nothing is asked while it runs.
    this.asked++;
    this.busy = 'importing';
    this.renderKeepingFocus();
    try {
      this.result = await this.actions.importCsv(this.source, { dryRun: false, ...this.options() });
      this.problem = '';
    } catch (error) {
      this.problem = failureText(error);
    }
    this.busy = '';
    this.renderKeepingFocus();
    if (this.result) /** @type {HTMLElement | null} */ (this.root.querySelector('[data-testid=import-result]'))?.focus();
  }

  options() {
    return { format: this.format || undefined, trackerUrl: this.trackerUrl.value.trim() || undefined, columns: columnsParam(this.overrides) || undefined };
  }

  /**
   * Draws the panel again with the focus where it was: the same column's choice, the same
   * field, or the main button (which stands for whichever one replaced it).
   */
  renderKeepingFocus() {
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const inside = !!active && this.root.contains(active);
    const column = active?.dataset.column;
    const testid = active?.dataset.testid;
    const wasButton = active?.tagName === 'BUTTON' && active.classList.contains('primary');
    this.render();
    if (!inside || this.root.contains(active)) return;
    const again =
      (column && this.root.querySelector(`select[data-column="${column}"]`)) ||
      (testid && this.root.querySelector(`[data-testid="${testid}"]`)) ||
      (wasButton && this.root.querySelector('.dialog-buttons .primary'));
    /** @type {HTMLElement | null} */ (again || null)?.focus();
  }
}

/**
 * What the server says it read differently from how the file has it (a text cut to what an
 * item holds), in its words: shown before the import, and after it.
 * @param {ImportReport} report
 */
function warnings(report) {
  const lines = report.warnings ?? [];
  return lines.length > 0 ? notes('import-warnings', t('tracker.warnings', { count: lines.length }), t('tracker.warningsHint'), lines) : null;
}

/**
 * A boxed list of the server's remarks on an import, under a heading of the page's own.
 * @param {string} testid
 * @param {string} heading
 * @param {string} hint
 * @param {string[]} lines
 */
function notes(testid, heading, hint, lines) {
  return h('div', { class: 'import-notes', 'data-testid': testid }, h('h4', { text: heading }), h('p', { class: 'dialog-hint', text: hint }), h('ul', {}, ...lines.map((line) => h('li', { text: line }))));
}
