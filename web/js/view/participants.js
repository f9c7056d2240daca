// The people panel: who is here, their role, whether they voted, what they are editing.

import { FIELD_LABELS } from '../protocol.js';
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
                'aria-label': `Hand over to ${p.name}`,
                title: 'Hand over the facilitator role',
                text: 'Hand over',
                onclick: () => {
                  if (confirm(`Make ${p.name} the facilitator? You will stop being it.`)) actions.handOver(p.id);
                },
              }),
              h('button', {
                  type: 'button',
                  class: 'small danger',
                  'data-testid': 'remove-participant',
                  'aria-label': `Remove ${p.name} from the room`,
                  title: 'Remove this person (for people who left)',
                  text: 'Remove',
                    onclick: () => {
                    if (confirm(`Remove ${p.name} from the room?`)) actions.removeParticipant(p.id);
                  },
                }),
            )
          : null;
      const presence = cutOff ? (p.id === store.you ? 'offline' : 'unknown') : p.online ? 'online' : 'offline';
      const presenceText = { online: 'Online', offline: 'Offline', unknown: 'Not known while you are offline' }[presence];
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
        h('span', { class: 'visually-hidden', text: `${presenceText}.` }),
        h(
          'span',
          { class: 'person-main' },
          h('span', { class: 'person-name', text: p.id === store.you ? `${p.name} (you)` : p.name }),
          h(
            'span',
            { class: 'person-meta' },
            isFacilitator && h('span', { class: 'badge facilitator', text: 'Facilitator' }),
            h('span', { class: 'badge', text: p.role === 'voter' ? 'Voter' : 'Observer' }),
            editingItem && editing && h('span', { class: 'editing-note', text: `editing ${FIELD_LABELS[editing.field]} of “${editingItem.title}”` }),
          ),
        ),
        round?.phase === 'voting' &&
          p.role === 'voter' &&
          h(
            'span',
            { class: `vote-mark${voted.has(p.id) ? ' done' : ''}` },
            h('span', { 'aria-hidden': 'true', text: voted.has(p.id) ? '✓' : '…' }),
            h('span', { class: 'visually-hidden', text: voted.has(p.id) ? 'has voted' : 'has not voted yet' }),
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
      h('span', { class: 'visually-hidden', text: 'Your role' }),
      h(
        'select',
        {
          'aria-label': 'Your role',
          onchange: (/** @type {Event} */ event) => actions.setRole(/** @type {HTMLSelectElement} */ (event.target).value),
        },
        h('option', { value: 'voter', selected: mine.role === 'voter', text: 'I vote' }),
        h('option', { value: 'observer', selected: mine.role === 'observer', text: 'I observe' }),
      ),
    ),
    actions.holdsFacilitatorToken && !store.isFacilitator
      ? h('button', { type: 'button', class: 'small', text: 'Take back facilitation', onclick: () => actions.reclaimFacilitator() })
      : null,
  );
}
