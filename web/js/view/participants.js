// The people panel: who is here, their role, whether they voted, what they are editing.

import { t } from '../i18n.js';
import { caretColour } from './carets.js';
import { h, replace } from './dom.js';

/**
 * Up to two initials of a name: "Ana Lima" → "AL", "ben" → "B".
 * @param {string} name
 */
export function initials(name) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = (words.length > 1 ? [words[0], words[words.length - 1]] : words).map((word) => Array.from(word)[0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/**
 * @param {HTMLElement} list
 * @param {HTMLElement} me
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 * @param {import('../carets.js').CaretBook | null} carets where people are (ephemeral presence)
 */
export function renderParticipants(list, me, store, actions, carets) {
  const room = store.room;
  if (!room) return;
  const round = room.round;
  const voted = new Set(round?.phase === 'voting' ? round.voted : []);
  const people = store.orderedParticipants().sort((a, b) => Number(b.online) - Number(a.online));
  // Cut off, this copy cannot know who is still here: it says so instead of showing stale dots.
  const cutOff = store.connection !== 'connected';
  replace(
    list,
    ...people.map((p) => {
      const isFacilitator = room.facilitator === p.id;
      // Where their caret is, else the field they announced (older clients).
      const caret = carets?.carets.get(p.id);
      const editing = caret ? { item_id: caret.item_id, field: caret.field } : p.editing;
      const editingItem = editing ? store.items.get(editing.item_id) : null;
      const tools =
        store.isFacilitator && p.id !== store.you
          ? h(
              'span',
              { class: 'person-tools' },
              h('button', {
                type: 'button',
                class: 'small',
                'data-testid': 'hand-over',
                'aria-label': t('people.handOverTo', { name: p.name }),
                title: t('people.handOverTitle'),
                text: t('people.handOver'),
                onclick: () => {
                  if (confirm(t('people.handOverConfirm', { name: p.name }))) actions.handOver(p.id);
                },
              }),
              h('button', {
                  type: 'button',
                  class: 'small danger',
                  'data-testid': 'remove-participant',
                  'aria-label': t('people.removeLabel', { name: p.name }),
                  title: t('people.removeTitle'),
                  text: t('people.remove'),
                  onclick: () => {
                    if (confirm(t('people.removeConfirm', { name: p.name }))) actions.removeParticipant(p.id);
                  },
                }),
            )
          : null;
      const presence = cutOff ? (p.id === store.you ? 'offline' : 'unknown') : p.online ? 'online' : 'offline';
      const presenceText = t(`people.presence.${presence}`);
      return h(
        'li',
        {
          class: `person${presence === 'online' ? '' : ' offline'}${p.id === store.you ? ' you' : ''}`,
          'data-testid': 'participant',
          'data-participant-id': p.id,
          'data-online': String(p.online),
          'data-presence': presence,
          'data-role': p.role,
          'data-voted': voted.has(p.id) ? 'true' : null,
          'data-facilitator': isFacilitator ? 'true' : null,
        },
        h(
          'span',
          { class: 'avatar', 'aria-hidden': 'true', style: { '--avatar-colour': caretColour(p.id) } },
          initials(p.name),
          h('span', { class: `presence ${presence}`, title: presenceText }),
        ),
        h('span', { class: 'visually-hidden', text: t('people.presenceSaid', { presence: presenceText }) }),
        h(
          'span',
          { class: 'person-main' },
          h('span', { class: 'person-name', text: p.id === store.you ? t('people.you', { name: p.name }) : p.name }),
          h(
            'span',
            { class: 'person-meta' },
            isFacilitator && h('span', { class: 'badge facilitator', text: t('people.facilitator') }),
            h('span', { class: 'badge', text: t(p.role === 'voter' ? 'people.voter' : 'people.observer') }),
            editingItem && editing && h('span', { class: 'editing-note', text: t('people.editing', { field: t(`field.${editing.field}`), title: editingItem.title }) }),
          ),
        ),
        round?.phase === 'voting' &&
          p.role === 'voter' &&
          h(
            'span',
            { class: `vote-mark${voted.has(p.id) ? ' done' : ''}` },
            h('span', { 'aria-hidden': 'true', text: voted.has(p.id) ? '✓' : '…' }),
            h('span', { class: 'visually-hidden', text: t(voted.has(p.id) ? 'people.voted' : 'people.notVoted') }),
          ),
        tools,
      );
    }),
  );

  const mine = store.me;
  if (!mine) return;
  replace(
    me,
    h(
      'label',
      { class: 'role-switch' },
      h('span', { class: 'visually-hidden', text: t('people.role') }),
      h(
        'select',
        {
          'aria-label': t('people.role'),
          onchange: (/** @type {Event} */ event) => actions.setRole(/** @type {HTMLSelectElement} */ (event.target).value),
        },
        h('option', { value: 'voter', selected: mine.role === 'voter', text: t('people.iVote') }),
        h('option', { value: 'observer', selected: mine.role === 'observer', text: t('people.iObserve') }),
      ),
    ),
    actions.holdsFacilitatorToken && !store.isFacilitator
      ? h('button', { type: 'button', class: 'small', text: t('people.reclaim'), onclick: () => actions.reclaimFacilitator() })
      : null,
  );
}
