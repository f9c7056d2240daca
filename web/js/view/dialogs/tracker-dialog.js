// The tracker round trip: the facilitator brings the backlog in from the team's tracker (a CSV
// file) and takes it back out (as Jira, Azure DevOps or plain CSV, or the whole room as JSON),
// issues API tokens for tools that keep the two in step, links the team's other rooms for the
// suggestions to draw on (in the API tab: the link is made with one of their tokens), and
// points webhooks at receivers that are told what happens in the room; everyone can save the
// summary in Markdown. Files are fetched with a token in the Authorization header and saved
// from memory, so that no token ever goes in an address.

import { t } from '../../i18n.js';
import { failureText } from '../../tracker.js';
import { $, h, replace } from '../dom.js';
import { saveFile } from '../save-file.js';
import { ApiTokens } from './api-tokens.js';
import { CsvImport } from './csv-import.js';
import { TeamRooms } from './team-rooms.js';
import { Webhooks } from './webhooks.js';

/** @typedef {'import' | 'export' | 'api' | 'webhooks'} Tab */

/** The tabs of the facilitator who holds the room's token, in order. */
const TABS = /** @type {Tab[]} */ (['import', 'export', 'api', 'webhooks']);
/** @typedef {import('../../api.js').ExportKind} ExportKind */

export class TrackerDialog {
  /**
   * @param {import('../../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#tracker-dialog'));
    this.csvImport = new CsvImport(actions, () => this.dialog.close());
    this.teamRooms = new TeamRooms(actions);
    this.apiTokens = new ApiTokens(actions, () => this.dialog.close(), this.teamRooms.root);
    this.webhooks = new Webhooks(actions, () => this.dialog.close());
    this.dialog.addEventListener('close', () => {
      this.apiTokens.forget();
      this.teamRooms.forget();
      this.webhooks.forget();
    });
    /** @type {Tab} */
    this.tab = 'import';
    /** Whether this person may import and export the backlog: the facilitator, with the room's facilitator token. */
    this.full = false;
    /** The download being fetched. @type {ExportKind | null} */
    this.fetching = null;
    this.exportProblem = '';
  }

  /** @param {Tab} [tab] */
  open(tab) {
    this.full = this.store.isFacilitator && this.actions.holdsFacilitatorToken;
    this.tab = this.full ? tab ?? 'import' : 'export';
    this.exportProblem = '';
    this.csvImport.reset();
    this.apiTokens.reset();
    this.teamRooms.reset();
    this.webhooks.reset();
    this.render();
    this.dialog.showModal();
    if (this.tab === 'api') this.showApi();
    if (this.tab === 'webhooks') this.webhooks.show();
  }

  render() {
    const tabs = TABS;
    const tab = (/** @type {Tab} */ name) =>
      h('button', {
        type: 'button',
        role: 'tab',
        id: `tracker-tab-${name}`,
        class: 'tab',
        'data-testid': `tracker-tab-${name}`,
        'aria-controls': `tracker-panel-${name}`,
        'aria-selected': String(this.tab === name),
        tabindex: this.tab === name ? 0 : -1,
        text: t(`tracker.tab.${name}`),
        onclick: () => this.show(name),
        onkeydown: (/** @type {KeyboardEvent} */ event) => this.tabKey(event, tabs),
      });
    const panel = (/** @type {Tab} */ name, /** @type {Node} */ content) =>
      this.full ? h('div', { role: 'tabpanel', id: `tracker-panel-${name}`, class: 'tracker-panel', 'aria-labelledby': `tracker-tab-${name}`, hidden: this.tab !== name }, content) : content;
    replace(
      this.dialog,
      h(
        'div',
        { class: 'stack tracker-dialog' },
        h('h2', { id: 'tracker-heading', text: t(this.full ? 'tracker.heading' : 'tracker.exportHeading') }),
        this.full && h('div', { role: 'tablist', class: 'tabs', 'aria-label': t('tracker.heading') }, ...tabs.map(tab)),
        this.full && panel('import', this.csvImport.root),
        panel('export', this.exportView()),
        this.full && panel('api', this.apiTokens.root),
        this.full && panel('webhooks', this.webhooks.root),
      ),
    );
  }

  /** @param {Tab} name */
  show(name) {
    this.tab = name;
    if (name === 'api') this.showApi();
    // The log is followed only while it is in view.
    if (name === 'webhooks') this.webhooks.show();
    else this.webhooks.stop();
    for (const other of TABS) {
      const button = $(`#tracker-tab-${other}`, this.dialog);
      button.setAttribute('aria-selected', String(other === name));
      button.tabIndex = other === name ? 0 : -1;
      $(`#tracker-panel-${other}`, this.dialog).hidden = other !== name;
    }
  }

  /** The API tab: the room's tokens, and the team rooms linked with tokens of theirs. */
  showApi() {
    this.apiTokens.show();
    this.teamRooms.show();
  }

  /**
   * Arrow keys, Home and End move between the tabs, as in any tab list.
   * @param {KeyboardEvent} event
   * @param {Tab[]} tabs
   */
  tabKey(event, tabs) {
    const at = tabs.indexOf(this.tab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length];
    this.show(next);
    $(`#tracker-tab-${next}`, this.dialog).focus();
  }

  exportView() {
    const button = (/** @type {ExportKind} */ kind, /** @type {string} */ label) =>
      h('button', {
        type: 'button',
        class: 'export-button',
        'data-testid': `export-${kind}`,
        'data-kind': kind,
        'aria-disabled': this.fetching === kind ? 'true' : undefined,
        onclick: () => this.download(kind),
      }, h('span', { class: 'export-mark', 'aria-hidden': 'true', text: '⤓' }), h('span', { text: label }));
    const group = (/** @type {string} */ heading, /** @type {string} */ hint, /** @type {Node[]} */ buttons) =>
      h('section', { class: 'export-group' }, h('h3', { text: heading }), h('p', { class: 'dialog-hint', text: hint }), h('div', { class: 'export-buttons' }, ...buttons));
    return h(
      'div',
      { class: 'stack tracker-export', 'data-testid': 'tracker-export' },
      this.full &&
        group(t('tracker.backToTracker'), t('tracker.backToTrackerHint'), [
          button('jira', t('tracker.csvOf', { tracker: t('tracker.jira') })),
          button('azure', t('tracker.csvOf', { tracker: t('tracker.azure') })),
          button('plain', t('tracker.plainCsv')),
        ]),
      this.full && group(t('tracker.wholeRoom'), t('tracker.wholeRoomHint'), [button('json', t('tracker.roomJson'))]),
      group(t('tracker.summary'), t('tracker.summaryHint'), [button('summary', t('tracker.summaryMarkdown'))]),
      !this.full && this.store.isFacilitator && h('p', { class: 'dialog-hint', 'data-testid': 'tracker-needs-link', text: t('tracker.needsLink') }),
      h('p', { class: 'form-error', role: 'alert', 'data-testid': 'export-error', hidden: !this.exportProblem, text: this.exportProblem }),
      h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', text: t('dialog.close'), onclick: () => this.dialog.close() })),
    );
  }

  /** Draws the export part again, its focus kept on the button it was on. */
  renderExport() {
    const focused = /** @type {HTMLElement | null} */ (document.activeElement)?.dataset.kind;
    const view = this.exportView();
    this.dialog.querySelector('[data-testid=tracker-export]')?.replaceWith(view);
    if (focused) /** @type {HTMLElement | null} */ (view.querySelector(`[data-kind="${focused}"]`))?.focus();
  }

  /** @param {ExportKind} kind */
  async download(kind) {
    if (this.fetching) return;
    this.fetching = kind;
    this.exportProblem = '';
    this.renderExport();
    try {
      saveFile(this.dialog, await this.actions.exportFile(kind));
    } catch (error) {
      this.exportProblem = failureText(error);
    }
    this.fetching = null;
    this.renderExport();
  }

}
