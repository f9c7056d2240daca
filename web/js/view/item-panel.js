// The item panel: every field of the open item, edited live. The text fields are written
// together (text-sync.js): each keystroke goes out as it is typed, others' keystrokes land in
// the field with the caret kept on its character, their carets are drawn in it, and undo takes
// back this person's own edits. The other fields are sent when they change, and a field the
// person is changing is not overwritten until they leave it. Nor is the panel taken away from
// under them: following the facilitator to another item waits until they leave the field.

import { formatList, formatNumber, formatPercent, t } from '../i18n.js';
import { ITEM_STATUSES, deckCards, isSplit, isTextField } from '../protocol.js';
import { readinessOf } from '../readiness.js';
import { charCount, charsToUnits, diffOp, transformPosition, unitsToChars } from '../text-op.js';
import { CaretLayer } from './carets.js';
import { renderChecklist } from './checklist.js';
import { DependencyField } from './dependencies.js';
import { renderRemarks } from './remarks.js';
import { renderWsjf } from './wsjf.js';
import { $, h, isTyping, listOf, localized, replace } from './dom.js';

/** @typedef {import('../protocol.js').Item} Item */
/** @typedef {import('../protocol.js').ItemField} ItemField */
/** @typedef {import('../protocol.js').TextField} TextField */
/** @typedef {import('../protocol.js').TextOp} TextOp */


export class ItemPanel {
  /**
   * @param {import('../store.js').RoomStore} store
   * @param {any} actions
   * @param {(item: Item) => void} openSplit
   * @param {(itemId: string, title: string) => void} openHistory
   * @param {() => void} openShare
   */
  constructor(store, actions, openSplit, openHistory, openShare) {
    this.store = store;
    this.actions = actions;
    this.openSplit = openSplit;
    this.openHistory = openHistory;
    this.openShare = openShare;
    this.root = $('#item-panel');
    /** @type {string | null} */
    this.itemId = null;
    /** @type {Map<ItemField, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>} */
    this.fields = new Map();
    /**
     * Edits sent (or queued while the connection is down) and not yet answered, per field: the
     * field keeps showing what was typed until then. Entries the app no longer waits for are
     * dropped at every render, so a field can never stay stuck.
     * @type {Map<ItemField, Set<Promise<any>>>}
     */
    this.inFlight = new Map();
    /** Caret layers of the text fields. @type {Map<ItemField, CaretLayer>} */
    this.caretLayers = new Map();
    /** What each text field showed after the last change this panel knows of. @type {Map<ItemField, string>} */
    this.shown = new Map();
    /** @type {import('../text-sync.js').TextSync | null} */
    this.textSync = null;
    /** @type {import('../carets.js').CaretBook | null} */
    this.carets = null;
    /** What the open item waits for, and the search that adds to it. @type {DependencyField | null} */
    this.dependencyField = null;
    /** Whether another item was selected while the person was typing here. */
    this.postponed = false;
    // Leaving any field of the panel (links and dependencies included) lets a postponed
    // change of item happen.
    this.root.addEventListener('focusout', () => {
      setTimeout(() => {
        if (this.postponed) this.render();
      }, 0);
    });
  }

  /**
   * @param {import('../text-sync.js').TextSync} textSync
   * @param {import('../carets.js').CaretBook} carets
   */
  attachTextSync(textSync, carets) {
    this.textSync = textSync;
    this.carets = carets;
    carets.subscribe(() => {
      this.renderCarets();
      const item = this.currentItem();
      if (item) this.renderEditors(item);
    });
    addEventListener('resize', () => this.renderCarets());
    // Where the caret is, for the others: selection changes in a text field are not all
    // input events (arrow keys, clicks).
    document.addEventListener('selectionchange', () => this.reportCaret());
  }

  /** Builds the panel again at the next render, its labels in the language now chosen. */
  relocalize() {
    if (this.typingHere()) return;
    this.itemId = null;
  }

  /** Whether the person is typing in (or choosing in) a field of this panel. */
  typingHere() {
    const active = document.activeElement;
    return !!active && this.root.contains(active) && isTyping(active);
  }

  render() {
    const store = this.store;
    const shown = this.currentItem();
    if (shown && store.selected !== shown.id && this.typingHere()) {
      this.postponed = true;
      this.update(shown);
      return;
    }
    this.postponed = false;
    const item = store.selected ? store.items.get(store.selected) : undefined;
    if (!item) {
      this.itemId = null;
      this.caretLayers.clear();
      this.root.removeAttribute('data-item-id');
      replace(this.root, store.items.size ? h('div', { class: 'empty-panel' }, h('h2', { text: t('item.pick') }), h('p', { text: t('item.pickHint') })) : this.gettingStarted());
      return;
    }
    if (item.id !== this.itemId) this.build(item);
    this.update(item);
  }

  /** @param {Item} item */
  build(item) {
    this.itemId = item.id;
    this.fields.clear();
    this.inFlight.clear();
    this.caretLayers.clear();
    this.shown.clear();
    this.root.dataset.itemId = item.id;
    const statusSelect = h('select', { id: 'field-status', 'data-testid': 'field-status' }, ...ITEM_STATUSES.map((value) => h('option', { value, text: t(`status.${value}`) })));
    const field = (/** @type {ItemField} */ name, /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} */ element) => {
      element.id = `field-${name}`;
      element.dataset.testid = `field-${name}`;
      this.fields.set(name, element);
      this.wire(name, element);
      if (!isTextField(name)) return element;
      const layer = new CaretLayer(/** @type {HTMLInputElement | HTMLTextAreaElement} */ (element));
      this.caretLayers.set(name, layer);
      return h('div', { class: 'text-field' }, element, layer.layer);
    };
    const indicator = (/** @type {ItemField} */ name) => h('span', { class: 'editing-indicator', 'data-testid': `editing-${name}`, 'aria-live': 'polite' });
    const label = (/** @type {ItemField} */ name, /** @type {string} */ text) => h('label', { for: `field-${name}`, text });

    replace(
      this.root,
      h(
        'div',
        { class: 'item-head' },
        h('div', { class: 'item-follow', id: 'follow-bar' }),
        h('div', { class: 'split-note', id: 'split-note', 'data-testid': 'split-note' }),
        h('p', { class: 'external-ref', id: 'external-ref', 'data-testid': 'external-ref', hidden: true }),
        h('div', { class: 'title-row' }, label('title', t('item.title')), indicator('title')),
        // A textarea so that a long title wraps; it stays one line of text (see `wire`).
        field('title', h('textarea', { class: 'title-input', maxlength: 300, rows: 1, autocomplete: 'off' })),
        h('div', { class: 'item-actions', id: 'item-actions' }),
      ),
      h(
        'div',
        { class: 'field-grid' },
        h('div', { class: 'field' }, h('div', { class: 'title-row' }, label('status', t('item.status')), indicator('status')), field('status', statusSelect)),
        h('div', { class: 'field' }, h('div', { class: 'title-row' }, label('estimate', t('item.estimateField')), indicator('estimate')), field('estimate', h('input', { maxlength: 16, autocomplete: 'off', placeholder: '—', list: 'estimate-cards' })), h('datalist', { id: 'estimate-cards' })),
        h('div', { class: 'field wide' }, h('div', { class: 'title-row' }, label('labels', t('item.labels')), indicator('labels')), field('labels', h('input', { autocomplete: 'off', placeholder: t('item.labelsPlaceholder') }))),
      ),
      h('section', { class: 'checklist', id: 'checklist', 'data-testid': 'checklist', 'aria-labelledby': 'checklist-heading' }),
      h('div', { class: 'field wsjf', id: 'wsjf-field', 'data-testid': 'wsjf' }),
      h('div', { class: 'field', id: 'dependency-field' }, h('div', { class: 'title-row' }, h('span', { class: 'field-label', text: t('item.dependsOn') }), indicator('dependencies'))),
      h('div', { class: 'field' }, h('div', { class: 'title-row' }, label('description', t('item.description')), indicator('description')), field('description', h('textarea', { rows: 6, maxlength: 20000, placeholder: t('item.descriptionPlaceholder') }))),
      h('div', { class: 'field' }, h('div', { class: 'title-row' }, label('acceptance_criteria', t('item.acceptanceCriteria')), indicator('acceptance_criteria')), field('acceptance_criteria', h('textarea', { rows: 4, maxlength: 20000, placeholder: t('item.acceptanceCriteriaPlaceholder') }))),
      h('div', { class: 'field remarks-field', id: 'remarks-field', 'data-testid': 'remarks-field' }),
      h('div', { class: 'field' }, h('div', { class: 'title-row' }, label('notes', t('item.notes')), indicator('notes')), field('notes', h('textarea', { rows: 3, maxlength: 20000, placeholder: t('item.notesPlaceholder') }))),
      h('div', { class: 'field' }, h('div', { class: 'title-row' }, h('span', { class: 'field-label', text: t('item.links') }), indicator('links')), h('ul', { class: 'links', id: 'links' }), this.linkForm()),
      h('section', { class: 'history', 'aria-labelledby': 'history-heading' }, h('h3', { id: 'history-heading', text: t('item.voteHistory') }), h('ol', { id: 'vote-history', 'data-testid': 'vote-history' })),
    );
    this.dependencyField = new DependencyField($('#dependency-field', this.root), this.store, this.actions);
  }

  linkForm() {
    const url = h('input', { type: 'url', placeholder: 'https://…', 'aria-label': t('item.linkUrl'), required: true });
    const title = h('input', { placeholder: t('item.linkTitlePlaceholder'), 'aria-label': t('item.linkTitle') });
    return h(
      'form',
      {
        class: 'link-form',
        id: 'link-form',
        onsubmit: (/** @type {Event} */ event) => {
          event.preventDefault();
          const item = this.currentItem();
          if (!item || !url.value.trim()) return;
          const link = { url: url.value.trim(), title: title.value.trim() };
          // Sent or queued: the form is free again at once, and gets the link back if refused.
          url.value = '';
          title.value = '';
          this.actions.updateItem(item.id, 'links', [...item.links, link]).then((/** @type {any} */ reply) => {
            if (reply?.type === 'error' && !url.value && !title.value) {
              url.value = link.url;
              title.value = link.title;
            }
          });
        },
      },
      url,
      title,
      h('button', { type: 'submit', text: t('item.addLink') }),
    );
  }

  currentItem() {
    return this.itemId ? this.store.items.get(this.itemId) : undefined;
  }

  /**
   * @param {ItemField} name
   * @param {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} element
   */
  wire(name, element) {
    element.addEventListener('focus', () => this.reportCaret());
    element.addEventListener('blur', () => {
      if (!isTextField(name)) this.flush(name);
      this.actions.reportCaret(null);
      // Catch up with edits that arrived while the person was changing it.
      setTimeout(() => this.render(), 0);
    });
    if (isTextField(name)) {
      const text = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (element);
      text.addEventListener('input', () => {
        // A title is one line, however the break came in: pasted, dropped, or from an input method.
        if (name === 'title') oneLine(text);
        this.typed(/** @type {TextField} */ (name), text);
      });
      // Undo from the browser's own menu: this person's edits, not the field's whole history.
      text.addEventListener('beforeinput', (event) => {
        const kind = /** @type {InputEvent} */ (event).inputType;
        if (kind !== 'historyUndo' && kind !== 'historyRedo') return;
        event.preventDefault();
        this.undoOrRedo(/** @type {TextField} */ (name), text, kind === 'historyUndo' ? 'undo' : 'redo');
      });
      if (name === 'title') fitTitle(text);
    } else {
      element.addEventListener('change', () => this.flush(name));
    }
    element.addEventListener('keydown', (event) => {
      const keyboard = /** @type {KeyboardEvent} */ (event);
      const key = keyboard.key;
      if (key === 'Escape') /** @type {HTMLElement} */ (element).blur();
      if (key === 'Enter' && (element.tagName === 'INPUT' || name === 'title')) {
        event.preventDefault();
        if (!isTextField(name)) this.flush(name);
      }
      if (isTextField(name) && (keyboard.ctrlKey || keyboard.metaKey) && !keyboard.altKey) {
        const lower = key.toLowerCase();
        const undo = lower === 'z' && !keyboard.shiftKey;
        const redo = (lower === 'z' && keyboard.shiftKey) || (lower === 'y' && !keyboard.shiftKey);
        if (undo || redo) {
          event.preventDefault();
          this.undoOrRedo(/** @type {TextField} */ (name), /** @type {HTMLInputElement | HTMLTextAreaElement} */ (element), undo ? 'undo' : 'redo');
        }
      }
    });
  }

  /**
   * A change typed (or pasted, cut, dropped) in a text field: sent as the operation that makes
   * it. A title is not sent while it is blank (the room refuses a blank title): it goes once
   * something is typed again.
   * @param {TextField} name
   * @param {HTMLInputElement | HTMLTextAreaElement} element
   */
  typed(name, element) {
    const item = this.currentItem();
    const textSync = this.textSync;
    if (!item || !textSync) return;
    const before = this.shown.get(name) ?? textSync.localText(item.id, name);
    const value = element.value;
    if (name === 'title' && !value.trim()) return;
    const caret = unitsToChars(value, element.selectionEnd ?? value.length);
    const op = diffOp(before, value, caret);
    if (!this.actions.editText(item.id, name, op)) {
      this.showText(name, element, null);
      return;
    }
    this.shown.set(name, value);
    this.reportCaret();
    this.renderCarets(name);
  }

  /**
   * @param {TextField} name
   * @param {HTMLInputElement | HTMLTextAreaElement} element
   * @param {'undo' | 'redo'} kind
   */
  undoOrRedo(name, element, kind) {
    const item = this.currentItem();
    if (!item) return;
    const op = kind === 'undo' ? this.actions.undoText(item.id, name) : this.actions.redoText(item.id, name);
    if (!op) return;
    const text = /** @type {import('../text-sync.js').TextSync} */ (this.textSync).localText(item.id, name);
    element.value = text;
    this.shown.set(name, text);
    // The caret goes where the change was, as in any editor.
    const at = charsToUnits(text, changeEnd(op));
    element.setSelectionRange(at, at);
    this.reportCaret();
    this.renderCarets(name);
  }

  /**
   * Text that changed under a field, not typed here (someone else's edit, or this tab's own
   * edits dropped): the field shows it, with the caret and selection kept on their characters.
   * @param {import('../text-sync.js').TextChange} change
   */
  textChanged(change) {
    if (change.itemId !== this.itemId) return;
    const element = /** @type {HTMLInputElement | HTMLTextAreaElement | undefined} */ (this.fields.get(change.field));
    if (element) this.showText(change.field, element, change.op);
  }

  /**
   * @param {TextField} name
   * @param {HTMLInputElement | HTMLTextAreaElement} element
   * @param {TextOp | null} op what changed since the field was last shown, if known
   */
  showText(name, element, op) {
    const item = this.currentItem();
    const textSync = this.textSync;
    if (!item || !textSync) return;
    const text = textSync.localText(item.id, name);
    // A blank title being retyped stays as it is until something is typed.
    if (name === 'title' && document.activeElement === element && !element.value.trim()) return;
    if (element.value !== text) {
      const focused = document.activeElement === element;
      const old = element.value;
      const start = unitsToChars(old, element.selectionStart ?? 0);
      const end = unitsToChars(old, element.selectionEnd ?? 0);
      const backwards = element.selectionDirection === 'backward';
      const scrollTop = element.scrollTop;
      element.value = text;
      if (focused) {
        // Not known (a new snapshot, edits dropped): the difference stands in for it.
        const change = op && op.length ? op : diffOp(old, text);
        const move = (/** @type {number} */ at) => charsToUnits(text, transformPosition(change, at, false));
        element.setSelectionRange(move(start), move(end), backwards ? 'backward' : 'forward');
        element.scrollTop = scrollTop;
      }
    }
    this.shown.set(name, text);
    element.readOnly = textSync.isRecovering(item.id, name);
    this.renderCarets(name);
  }

  /** Tells the others which field of this panel this person is in, and where their caret is. */
  reportCaret() {
    const active = document.activeElement;
    if (!this.itemId || !active) return;
    for (const [name, element] of this.fields) {
      if (element !== active) continue;
      if (!isTextField(name)) {
        this.actions.reportCaret({ itemId: this.itemId, field: name, anchor: 0, head: 0 });
        return;
      }
      const text = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (element);
      const value = text.value;
      const start = unitsToChars(value, text.selectionStart ?? 0);
      const end = unitsToChars(value, text.selectionEnd ?? 0);
      const [anchor, head] = text.selectionDirection === 'backward' ? [end, start] : [start, end];
      this.actions.reportCaret({ itemId: this.itemId, field: name, anchor, head });
      return;
    }
  }

  /**
   * Draws the others' carets in the text fields (or one of them).
   * @param {ItemField} [only]
   */
  renderCarets(only) {
    const item = this.currentItem();
    const textSync = this.textSync;
    const carets = this.carets;
    if (!item || !textSync || !carets) return;
    for (const [name, layer] of this.caretLayers) {
      if (only && name !== only) continue;
      const field = /** @type {TextField} */ (name);
      const text = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (this.fields.get(name)).value;
      const shown = carets
        .in(item.id, field, textSync.pending(item.id, field), text)
        .filter((caret) => this.store.participants.has(caret.participantId))
        .map((caret) => ({ ...caret, name: this.store.nameOf(caret.participantId) }));
      layer.render(text, shown);
    }
  }

  /**
   * Sends a field's value if it differs from the room's (the fields that are not text).
   * @param {ItemField} name
   */
  flush(name) {
    const item = this.currentItem();
    const element = this.fields.get(name);
    if (!item || !element) return;
    const value = readField(name, element.value);
    if (value === undefined || JSON.stringify(value) === JSON.stringify(item[name])) return;
    const pending = this.inFlight.get(name) ?? new Set();
    this.inFlight.set(name, pending);
    /** @type {Promise<any>} */
    const sent = this.actions.updateItem(item.id, name, value);
    pending.add(sent);
    sent.then(() => {
      pending.delete(sent);
      if (this.itemId === item.id && document.activeElement !== element) this.render();
    });
  }

  /**
   * Whether a field's edit still waits for its answer (sent, or queued until reconnected).
   * @param {ItemField} name
   */
  awaitingAnswer(name) {
    const pending = this.inFlight.get(name);
    if (!pending) return false;
    for (const sent of [...pending]) if (!this.actions.isUnanswered(sent)) pending.delete(sent);
    return pending.size > 0;
  }

  /** @param {Item} item */
  update(item) {
    const store = this.store;
    // Editing goes on while the connection is down: edits are queued and sent once it is back.
    const canEdit = store.canEdit;
    for (const [name, element] of this.fields) {
      // An estimate is agreed in a round; by hand, only the facilitator sets one.
      element.disabled = name === 'estimate' ? !store.isFacilitator : !canEdit;
      if (isTextField(name)) {
        const op = this.textSync?.changeBeingApplied(item.id, /** @type {TextField} */ (name)) ?? null;
        this.showText(/** @type {TextField} */ (name), /** @type {HTMLInputElement | HTMLTextAreaElement} */ (element), op);
        if (name === 'title') fitTitle(/** @type {HTMLTextAreaElement} */ (element));
        continue;
      }
      const keep = document.activeElement === element || this.awaitingAnswer(name);
      if (!keep) element.value = showField(name, item[name]);
    }
    this.renderEditors(item);
    this.renderFollow(item);
    this.renderSplit(item);
    this.renderExternal(item);
    renderChecklist($('#checklist', this.root), item, store, this.actions);
    renderWsjf($('#wsjf-field', this.root), item, store, this.actions);
    renderRemarks($('#remarks-field', this.root), item, store, this.actions);
    this.renderStatusChoices(item);
    this.renderEstimateChoices();
    this.renderActions(item, canEdit);
    this.renderLinks(item, canEdit);
    this.dependencyField?.render(item, canEdit);
    this.renderHistory(item);
    /** @type {HTMLFormElement} */ ($('#link-form', this.root)).hidden = !canEdit;
  }

  /**
   * "X is editing…" over each field someone else is in: where their caret is, or the field
   * they announced (older clients).
   * @param {Item} item
   */
  renderEditors(item) {
    const store = this.store;
    /** @type {Map<string, Set<string>>} */
    const editing = new Map();
    const add = (/** @type {string} */ field, /** @type {string} */ id) => editing.set(field, (editing.get(field) ?? new Set()).add(id));
    for (const p of store.orderedParticipants()) {
      if (p.id !== store.you && p.editing?.item_id === item.id) add(p.editing.field, p.id);
    }
    for (const [field, ids] of this.carets?.editorsOf(item.id) ?? []) for (const id of ids) if (id !== store.you && store.participants.has(id)) add(field, id);
    const editors = new Map([...editing].map(([field, ids]) => [field, [...ids].map((id) => store.nameOf(id))]));
    for (const element of this.root.querySelectorAll('[data-testid^=editing-]')) {
      const field = /** @type {ItemField} */ (/** @type {HTMLElement} */ (element).dataset.testid?.slice('editing-'.length));
      const names = editors.get(field);
      element.textContent = names ? t('item.editing', { count: names.length, names: formatList(names) }) : '';
      this.fields.get(field)?.classList.toggle('others-editing', !!names);
    }
  }

  /** @param {Item} item */
  renderFollow(item) {
    const store = this.store;
    const current = store.room?.current_item;
    const currentItem = current ? store.items.get(current) : undefined;
    const bar = $('#follow-bar', this.root);
    if (this.postponed && store.selected) {
      const next = store.items.get(store.selected);
      replace(bar, h('span', { class: 'follow-note', 'data-testid': 'follow-postponed', text: t('item.postponed', { title: next?.title ?? t('item.another') }) }));
      return;
    }
    if (store.isFacilitator) {
      replace(bar, currentItem ? h('span', { class: 'follow-note', text: current === item.id ? t('item.everyoneHere') : t('item.everyoneFollows', { title: currentItem.title }) }) : null);
      return;
    }
    replace(
      bar,
      h('button', {
        type: 'button',
        class: 'small',
        'data-testid': 'follow-toggle',
        'aria-pressed': String(store.following),
        text: t(store.following ? 'item.following' : 'item.follow'),
        title: t(store.following ? 'item.followingTitle' : 'item.followTitle'),
        onclick: () => store.setFollowing(!store.following),
      }),
      currentItem && current !== item.id
        ? h('button', { type: 'button', class: 'small primary', 'data-testid': 'jump-to-current', text: t('item.jump', { title: currentItem.title }), onclick: () => store.setFollowing(true) })
        : null,
    );
  }

  /** The deck's cards offered for the estimate (a number is fine too). */
  renderEstimateChoices() {
    const deck = this.store.room?.settings.default_deck;
    const list = this.root.querySelector('#estimate-cards');
    if (!deck || !list) return;
    replace(list, ...deckCards(deck).map((card) => h('option', { value: card })));
    const input = this.fields.get('estimate');
    if (input) input.title = t(this.store.isFacilitator ? 'item.estimateTitle' : 'item.estimateTeam');
  }

  /**
   * The statuses a person may pick: "Ready" once the checklist is complete, and then nothing
   * else (the server refuses what the checklist contradicts).
   * @param {Item} item
   */
  renderStatusChoices(item) {
    const select = /** @type {HTMLSelectElement | undefined} */ (this.fields.get('status'));
    if (!select) return;
    const definition = this.store.room?.settings.definition_of_ready ?? [];
    const { met, total } = readinessOf(item, this.store.items, definition);
    const ready = !!item.ready_override || met === total;
    for (const option of select.options) {
      option.disabled = option.value === 'ready' ? !ready : ready;
      option.title = option.disabled ? t(ready ? 'item.meetsDefinition' : 'item.missesDefinition') : '';
    }
  }

  /**
   * Where the item comes from or went: the parts of a split item (which is kept for reference,
   * out of the active backlog), the original of a part.
   * @param {Item} item
   */
  renderSplit(item) {
    const store = this.store;
    const note = $('#split-note', this.root);
    const link = (/** @type {string} */ id) => {
      const other = store.items.get(id);
      return h('button', { type: 'button', class: 'link-button', text: other ? t('quoted', { text: other.title }) : t('item.deleted'), onclick: () => store.select(id) });
    };
    const parts = item.split_into ?? [];
    const children = [];
    if (parts.length > 0) {
      children.push(h('span', { class: 'badge split', text: t('item.splitBadge') }), ' ', ...localized('item.splitInto', { count: parts.length }, { parts: h('span', {}, ...listOf(parts.map(link))) }));
    } else if (item.split_from) {
      children.push(...localized('item.splitFrom', {}, { original: link(item.split_from) }));
    }
    replace(note, ...children);
    note.hidden = children.length === 0;
  }

  /**
   * The issue the item was imported from: its key, which links to the issue when its address
   * is known.
   * @param {Item} item
   */
  renderExternal(item) {
    const note = $('#external-ref', this.root);
    const external = item.external;
    note.hidden = !external;
    if (!external) return;
    const tracker = t(`tracker.${external.tracker}`);
    // The server sends web addresses only; anything else (a script's) still never becomes a link.
    const key = isWebAddress(external.url)
      ? h('a', { href: external.url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'external-link', title: t('item.openExternal', { key: external.key, tracker }), text: external.key })
      : h('strong', { 'data-testid': 'external-key', text: external.key });
    replace(note, ...localized('item.external', { tracker }, { key }));
  }

  /** What an empty room offers: the three steps of a refinement, the invitation first at hand. */
  gettingStarted() {
    const store = this.store;
    const alone = store.orderedParticipants().filter((p) => p.online).length <= 1;
    return h(
      'div',
      { class: 'empty-panel getting-started', 'data-testid': 'getting-started' },
      h('h2', { text: t('start.heading') }),
      h(
        'ol',
        { class: 'steps' },
        h('li', {}, h('strong', { text: t('start.add') }), h('span', { text: t(store.canEdit ? 'start.addHow' : 'start.addOthers') })),
        h(
          'li',
          {},
          h('strong', { text: t('start.invite') }),
          h('span', { text: t(alone ? 'start.inviteAlone' : 'start.inviteMissing') }),
          h('div', { class: 'step-action' }, h('button', { type: 'button', class: alone ? 'primary' : '', 'data-testid': 'invite', text: t('share.heading'), onclick: () => this.openShare() })),
        ),
        h('li', {}, h('strong', { text: t('start.refine') }), h('span', { text: t('start.refineHow') })),
      ),
    );
  }

  /**
   * @param {Item} item
   * @param {boolean} canEdit
   */
  renderActions(item, canEdit) {
    const store = this.store;
    const round = store.room?.round;
    const facilitator = store.isFacilitator;
    const split = isSplit(item);
    const votingHere = round?.phase === 'voting' && round.item_id === item.id;
    replace(
      $('#item-actions', this.root),
      facilitator && store.room?.current_item !== item.id
        ? h('button', { type: 'button', 'data-testid': 'make-current', text: t('item.lead'), onclick: () => this.actions.makeCurrent(item.id) })
        : null,
      facilitator && !split
        ? h('button', {
            type: 'button',
            // Once estimated, the next step is the agenda's next item (the estimation panel).
            class: item.estimate === null ? 'primary' : '',
            'data-testid': 'start-round',
            disabled: round?.phase === 'voting',
            title: t(round?.phase === 'voting' ? 'item.roundRunning' : 'item.estimateTitleRound'),
            text: t(item.history.length ? 'item.estimateAgain' : 'item.estimate'),
            onclick: () => {
              this.actions.startRound(item.id);
              // The button is disabled while the round runs: the focus goes where the round is.
              $('#estimation').focus({ preventScroll: true });
            },
          })
        : null,
      canEdit && !split
        ? h('button', {
            type: 'button',
            // Offered first where it is needed.
            class: item.status === 'needs_splitting' ? 'primary' : '',
            'data-testid': 'split-item',
            disabled: votingHere,
            title: t(votingHere ? 'item.splitVoting' : 'item.splitTitle'),
            text: t('item.split'),
            onclick: () => this.openSplit(item),
          })
        : null,
      h('button', { type: 'button', 'data-testid': 'item-history', 'aria-haspopup': 'dialog', text: t('item.history'), onclick: () => this.openHistory(item.id, item.title) }),
      canEdit
        ? h('button', {
            type: 'button',
            class: 'danger',
            'data-testid': 'delete-item',
            text: t('item.delete'),
            onclick: () => {
              if (confirm(t('item.deleteConfirm', { title: item.title }))) this.actions.deleteItem(item.id);
            },
          })
        : null,
    );
  }

  /**
   * @param {Item} item
   * @param {boolean} canEdit
   */
  renderLinks(item, canEdit) {
    replace(
      $('#links', this.root),
      ...item.links.map((link, index) =>
        h(
          'li',
          {},
          // The server accepts only http(s) URLs, so the href cannot run script.
          h('a', { href: link.url, target: '_blank', rel: 'noopener noreferrer', text: link.title || link.url }),
          canEdit && h('button', { type: 'button', class: 'small', 'aria-label': t('item.removeLink', { link: link.title || link.url }), text: '×', onclick: () => this.actions.updateItem(item.id, 'links', item.links.filter((_, i) => i !== index)) }),
        ),
      ),
      item.links.length === 0 ? h('li', { class: 'none', text: t('item.noLinks') }) : null,
    );
  }

  /** @param {Item} item */
  renderHistory(item) {
    const store = this.store;
    replace(
      $('#vote-history', this.root),
      ...[...item.history].reverse().map((record) => {
        const s = record.stats;
        const round = t('estimation.round', { number: record.number });
        const summary = [record.dimension ? t('item.roundDimension', { round, dimension: t(`wsjf.dimension.${record.dimension}`) }) : round, t('announce.votes', { count: s.votes })];
        if (s.average !== null) summary.push(t('item.historyAverage', { value: formatNumber(s.average) }));
        if (s.mode) summary.push(t('item.historyMode', { card: s.mode }));
        summary.push(t('item.historyAgreement', { percent: formatPercent(s.agreement) }));
        return h(
          'li',
          {},
          h('span', { text: summary.join(' · ') }),
          record.accepted && h('span', { class: 'badge estimate', text: t('item.historyAccepted', { card: record.accepted }) }),
          h('span', {
            class: 'history-votes',
            // A reveal without names keeps only the cards.
            text: record.anonymous
              ? t('item.historyAnonymous', { votes: s.distribution.map((d) => (d.count > 1 ? t('estimation.times', { count: d.count, card: d.card }) : d.card)).join(', ') })
              : record.votes.map((v) => t('item.historyVote', { name: store.nameOf(v.participant_id), card: v.card })).join(', '),
          }),
        );
      }),
      item.history.length === 0 ? h('li', { class: 'none', text: t('item.notEstimated') }) : null,
    );
  }
}

/**
 * Where an operation's change ends, in characters of the text it makes: after what it
 * inserted last, or where it deleted.
 * @param {TextOp} op
 */
function changeEnd(op) {
  let at = 0;
  let end = 0;
  for (const step of op) {
    if (typeof step === 'string') {
      at += charCount(step);
      end = at;
    } else if (step > 0) {
      at += step;
    } else {
      end = at;
    }
  }
  return end;
}

/**
 * Whether an address is a web page's (http or https), and so safe to link to.
 * @param {string | undefined} url
 */
function isWebAddress(url) {
  if (!url) return false;
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Browsers that size a text area to its content themselves (`field-sizing`). */
const SIZES_ITSELF = typeof CSS !== 'undefined' && CSS.supports('field-sizing', 'content');

/**
 * The title grows with its text, one line or many: by itself where the browser can, else here.
 * @param {HTMLTextAreaElement | HTMLInputElement} title
 */
function fitTitle(title) {
  if (SIZES_ITSELF || !(title instanceof HTMLTextAreaElement)) return;
  title.style.height = 'auto';
  title.style.height = `${title.scrollHeight}px`;
}

/**
 * Line breaks in a title become spaces, the caret staying where it was in the text.
 * @param {HTMLTextAreaElement | HTMLInputElement} title
 */
function oneLine(title) {
  fitTitle(title);
  if (!/[\r\n]/.test(title.value)) return;
  const caret = title.selectionStart ?? title.value.length;
  const before = title.value.slice(0, caret).replace(/\s*[\r\n]+\s*/g, ' ');
  title.value = before + title.value.slice(caret).replace(/\s*[\r\n]+\s*/g, ' ');
  title.setSelectionRange(before.length, before.length);
  fitTitle(title);
}

/**
 * What a field's element shows for a value.
 * @param {ItemField} name
 * @param {any} value
 */
function showField(name, value) {
  if (name === 'labels') return value.join(', ');
  if (name === 'estimate') return value ?? '';
  return String(value ?? '');
}

/**
 * The value to send for what a field's element holds, or undefined when it cannot be sent.
 * @param {ItemField} name
 * @param {string} text
 */
function readField(name, text) {
  switch (name) {
    case 'title':
      return text.trim() ? text : undefined;
    case 'labels':
      return [...new Set(text.split(',').map((label) => label.trim()).filter(Boolean))];
    case 'estimate':
      return text.trim() ? text.trim() : null;
    default:
      return text;
  }
}

