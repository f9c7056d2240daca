// The item panel: every field of the open item, edited live. A field the person is typing in
// is never overwritten by an incoming edit; it catches up once they leave it. Nor is the panel
// taken away from under them: following the facilitator to another item waits until they
// leave the field.

import { STATUS_LABELS } from '../protocol.js';
import { $, h, isTyping, replace } from './dom.js';

/** @typedef {import('../protocol.js').Item} Item */
/** @typedef {import('../protocol.js').ItemField} ItemField */

const TYPING_DELAY_MS = 250;
/** Text fields sent while typing; the others are sent when they change. */
const LIVE_FIELDS = new Set(['title', 'description', 'acceptance_criteria']);

export class ItemPanel {
  /**
   * @param {import('../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
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
    /** Edits typed but not sent yet (debounced), per field. @type {Map<ItemField, ReturnType<typeof setTimeout>>} */
    this.typingTimers = new Map();
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
      this.flushTyping();
      this.itemId = null;
      this.root.removeAttribute('data-item-id');
      replace(this.root, h('div', { class: 'empty-panel' }, h('h2', { text: store.items.size ? 'Pick an item' : 'An empty backlog' }), h('p', { text: store.items.size ? 'Open an item from the backlog to see and edit it.' : 'Add items on the left; everyone sees them appear as you type.' })));
      return;
    }
    if (item.id !== this.itemId) this.build(item);
    this.update(item);
  }

  /** Sends the edits still waiting for a pause in the typing, to the item they were typed into. */
  flushTyping() {
    for (const name of [...this.typingTimers.keys()]) this.flush(name);
  }

  /** @param {Item} item */
  build(item) {
    this.flushTyping();
    this.itemId = item.id;
    this.fields.clear();
    this.inFlight.clear();
    this.root.dataset.itemId = item.id;
    const statusSelect = h('select', { id: 'field-status', 'data-testid': 'field-status' }, ...Object.entries(STATUS_LABELS).map(([value, label]) => h('option', { value, text: label })));
    const field = (/** @type {ItemField} */ name, /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} */ element) => {
      element.id = `field-${name}`;
      element.dataset.testid = `field-${name}`;
      this.fields.set(name, element);
      this.wire(name, element);
      return element;
    };
    const indicator = (/** @type {ItemField} */ name) => h('span', { class: 'editing-indicator', 'data-testid': `editing-${name}`, 'aria-live': 'polite' });
    const label = (/** @type {ItemField} */ name, /** @type {string} */ text) => h('label', { for: `field-${name}`, text });

    replace(
      this.root,
      h(
        'div',
        { class: 'item-head' },
        h('div', { class: 'item-follow', id: 'follow-bar' }),
        h('div', { class: 'title-row' }, label('title', 'Title'), indicator('title')),
        field('title', h('input', { class: 'title-input', maxlength: 300, autocomplete: 'off' })),
        h('div', { class: 'item-actions', id: 'item-actions' }),
      ),
      h(
        'div',
        { class: 'field-grid' },
        h('div', { class: 'field' }, h('div', { class: 'title-row' }, label('status', 'Status'), indicator('status')), field('status', statusSelect)),
        h('div', { class: 'field' }, h('div', { class: 'title-row' }, label('estimate', 'Estimate'), indicator('estimate')), field('estimate', h('input', { maxlength: 16, autocomplete: 'off', placeholder: '—' }))),
        h('div', { class: 'field wide' }, h('div', { class: 'title-row' }, label('labels', 'Labels (comma-separated)'), indicator('labels')), field('labels', h('input', { autocomplete: 'off', placeholder: 'e.g. billing, mobile' }))),
      ),
      h('div', { class: 'field' }, h('div', { class: 'title-row' }, label('description', 'Description'), indicator('description')), field('description', h('textarea', { rows: 6, maxlength: 20000, placeholder: 'What and why…' }))),
      h('div', { class: 'field' }, h('div', { class: 'title-row' }, label('acceptance_criteria', 'Acceptance criteria'), indicator('acceptance_criteria')), field('acceptance_criteria', h('textarea', { rows: 4, maxlength: 20000, placeholder: 'Given … when … then …' }))),
      h('div', { class: 'field' }, h('div', { class: 'title-row' }, h('span', { class: 'field-label', text: 'Links' }), indicator('links')), h('ul', { class: 'links', id: 'links' }), this.linkForm()),
      h('div', { class: 'field' }, h('div', { class: 'title-row' }, h('span', { class: 'field-label', text: 'Depends on' }), indicator('dependencies')), h('ul', { class: 'dependencies', id: 'dependencies' }), h('select', { id: 'add-dependency', 'aria-label': 'Add a dependency' })),
      h('section', { class: 'history', 'aria-labelledby': 'history-heading' }, h('h3', { id: 'history-heading', text: 'Vote history' }), h('ol', { id: 'vote-history', 'data-testid': 'vote-history' })),
    );
    /** @type {HTMLSelectElement} */ ($('#add-dependency', this.root)).addEventListener('change', (event) => {
      const select = /** @type {HTMLSelectElement} */ (event.target);
      const current = this.currentItem();
      if (select.value && current) this.actions.updateItem(current.id, 'dependencies', [...current.dependencies, select.value]);
      select.value = '';
    });
  }

  linkForm() {
    const url = h('input', { type: 'url', placeholder: 'https://…', 'aria-label': 'Link URL', required: true });
    const title = h('input', { placeholder: 'Title (optional)', 'aria-label': 'Link title' });
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
      h('button', { type: 'submit', text: 'Add link' }),
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
    element.addEventListener('focus', () => {
      if (this.itemId) this.actions.setEditing({ item_id: this.itemId, field: name });
    });
    element.addEventListener('blur', () => {
      this.flush(name);
      this.actions.setEditing(null);
      // Catch up with edits that arrived while the person was typing.
      setTimeout(() => this.render(), 0);
    });
    if (LIVE_FIELDS.has(name)) {
      element.addEventListener('input', () => {
        clearTimeout(this.typingTimers.get(name));
        this.typingTimers.set(
          name,
          setTimeout(() => this.flush(name), TYPING_DELAY_MS),
        );
      });
    } else {
      element.addEventListener('change', () => this.flush(name));
    }
    element.addEventListener('keydown', (event) => {
      const key = /** @type {KeyboardEvent} */ (event).key;
      if (key === 'Escape') /** @type {HTMLElement} */ (element).blur();
      if (key === 'Enter' && element.tagName === 'INPUT') {
        event.preventDefault();
        this.flush(name);
      }
    });
  }

  /**
   * Sends the field's value if it differs from the room's.
   * @param {ItemField} name
   */
  flush(name) {
    clearTimeout(this.typingTimers.get(name));
    this.typingTimers.delete(name);
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
      element.disabled = !canEdit;
      const keep = document.activeElement === element || this.typingTimers.has(name) || this.awaitingAnswer(name);
      if (!keep) element.value = showField(name, item[name]);
    }
    const editors = new Map();
    for (const p of store.orderedParticipants()) {
      if (p.id !== store.you && p.editing?.item_id === item.id) editors.set(p.editing.field, [...(editors.get(p.editing.field) ?? []), p.name]);
    }
    for (const element of this.root.querySelectorAll('[data-testid^=editing-]')) {
      const field = /** @type {ItemField} */ (/** @type {HTMLElement} */ (element).dataset.testid?.slice('editing-'.length));
      const names = editors.get(field);
      element.textContent = names ? `${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'} editing…` : '';
      this.fields.get(field)?.classList.toggle('others-editing', !!names);
    }
    this.renderFollow(item);
    this.renderActions(item, canEdit);
    this.renderLinks(item, canEdit);
    this.renderDependencies(item, canEdit);
    this.renderHistory(item);
    /** @type {HTMLFormElement} */ ($('#link-form', this.root)).hidden = !canEdit;
  }

  /** @param {Item} item */
  renderFollow(item) {
    const store = this.store;
    const current = store.room?.current_item;
    const currentItem = current ? store.items.get(current) : undefined;
    const bar = $('#follow-bar', this.root);
    if (this.postponed && store.selected) {
      const next = store.items.get(store.selected);
      replace(bar, h('span', { class: 'follow-note', 'data-testid': 'follow-postponed', text: `Next: “${next?.title ?? 'another item'}”, once you leave this field.` }));
      return;
    }
    if (store.isFacilitator) {
      replace(bar, currentItem ? h('span', { class: 'follow-note', text: current === item.id ? 'Everyone is looking at this item.' : `Everyone follows you to “${currentItem.title}”.` }) : null);
      return;
    }
    replace(
      bar,
      h('button', {
        type: 'button',
        class: 'small',
        'data-testid': 'follow-toggle',
        'aria-pressed': String(store.following),
        text: store.following ? 'Following the facilitator' : 'Follow the facilitator',
        title: store.following ? 'Stop following to browse on your own' : 'Go where the facilitator is',
        onclick: () => store.setFollowing(!store.following),
      }),
      currentItem && current !== item.id
        ? h('button', { type: 'button', class: 'small primary', 'data-testid': 'jump-to-current', text: `Jump to “${currentItem.title}”`, onclick: () => store.setFollowing(true) })
        : null,
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
    replace(
      $('#item-actions', this.root),
      facilitator && store.room?.current_item !== item.id
        ? h('button', { type: 'button', 'data-testid': 'make-current', text: 'Lead everyone here', onclick: () => this.actions.makeCurrent(item.id) })
        : null,
      facilitator
        ? h('button', {
            type: 'button',
            class: 'primary',
            'data-testid': 'start-round',
            disabled: round?.phase === 'voting',
            title: round?.phase === 'voting' ? 'A round is running: reveal or cancel it first' : 'Start a planning-poker round on this item',
            text: item.history.length ? 'Estimate again' : 'Estimate this item',
            onclick: () => this.actions.startRound(item.id),
          })
        : null,
      canEdit
        ? h('button', {
            type: 'button',
            class: 'danger',
            'data-testid': 'delete-item',
            text: 'Delete',
            onclick: () => {
              if (confirm(`Delete “${item.title}” for everyone?`)) this.actions.deleteItem(item.id);
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
          canEdit && h('button', { type: 'button', class: 'small', 'aria-label': `Remove link ${link.title || link.url}`, text: '×', onclick: () => this.actions.updateItem(item.id, 'links', item.links.filter((_, i) => i !== index)) }),
        ),
      ),
      item.links.length === 0 ? h('li', { class: 'none', text: 'No links.' }) : null,
    );
  }

  /**
   * @param {Item} item
   * @param {boolean} canEdit
   */
  renderDependencies(item, canEdit) {
    const store = this.store;
    replace(
      $('#dependencies', this.root),
      ...item.dependencies.map((id) => {
        const other = store.items.get(id);
        return h(
          'li',
          {},
          h('button', { type: 'button', class: 'link-button', text: other?.title ?? 'a deleted item', onclick: () => store.select(id) }),
          canEdit && h('button', { type: 'button', class: 'small', 'aria-label': `Remove dependency on ${other?.title ?? 'item'}`, text: '×', onclick: () => this.actions.updateItem(item.id, 'dependencies', item.dependencies.filter((d) => d !== id)) }),
        );
      }),
      item.dependencies.length === 0 ? h('li', { class: 'none', text: 'No dependencies.' }) : null,
    );
    const select = /** @type {HTMLSelectElement} */ ($('#add-dependency', this.root));
    select.hidden = !canEdit;
    replace(
      select,
      h('option', { value: '', text: 'Add a dependency…' }),
      ...store
        .orderedItems()
        .filter((other) => other.id !== item.id && !item.dependencies.includes(other.id))
        .map((other) => h('option', { value: other.id, text: other.title })),
    );
  }

  /** @param {Item} item */
  renderHistory(item) {
    const store = this.store;
    replace(
      $('#vote-history', this.root),
      ...[...item.history].reverse().map((record) => {
        const s = record.stats;
        const summary = [`Round ${record.number}`, `${s.votes} vote${s.votes === 1 ? '' : 's'}`];
        if (s.average !== null) summary.push(`avg ${s.average}`);
        if (s.mode) summary.push(`most ${s.mode}`);
        summary.push(`${Math.round(s.agreement * 100)}% agreement`);
        return h(
          'li',
          {},
          h('span', { text: summary.join(' · ') }),
          record.accepted && h('span', { class: 'badge estimate', text: `accepted ${record.accepted}` }),
          h('span', { class: 'history-votes', text: record.votes.map((v) => `${store.nameOf(v.participant_id)}: ${v.card}`).join(', ') }),
        );
      }),
      item.history.length === 0 ? h('li', { class: 'none', text: 'Not estimated yet.' }) : null,
    );
  }
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

