// The team rooms part of the API tab: the facilitator links other rooms of the team (last
// sprint's, say) whose accepted estimates this room's suggestions also draw on. The other
// room's facilitator consents by handing over its link and one of its API tokens; the token is
// sent once, to link, kept in this part only until then (or until the dialog closes), and the
// link holds while that room keeps it. Linking or unlinking fetches the suggestion in view again.

import { errorText, formatDateTime, t } from '../../i18n.js';
import { TEAM_ROOMS } from '../../protocol.js';
import { addressProblem, isFull, latestFirst, refusalText, roomIdFrom, tokenProblem, withLinked } from '../../team-rooms.js';
import { h, replace } from '../dom.js';
import { refreshSuggestions } from '../suggestion.js';
import { latest } from '../../latest.js';

/** @typedef {import('../../protocol.js').TeamRoom} TeamRoom */

export class TeamRooms {
  /** @param {any} actions */
  constructor(actions) {
    this.actions = actions;
    this.root = h('section', { class: 'stack team-rooms', 'data-testid': 'team-rooms', 'aria-labelledby': 'team-rooms-heading' });
    /** Read by screen readers when a room is linked or unlinked; kept across redraws. */
    this.live = h('p', { class: 'visually-hidden', role: 'status', 'data-testid': 'team-rooms-live' });
    /** @type {HTMLElement | null} */
    this.listSection = null;
    /** The linked rooms, null until loaded. @type {TeamRoom[] | null} */
    this.rooms = null;
    this.loadProblem = '';
    /** What is wrong with the form: the room, the token, or what the server said. */
    this.problems = { address: '', token: '', link: '' };
    this.unlinkProblem = '';
    /** The room whose unlinking waits for a yes. @type {string | null} */
    this.confirming = null;
    this.busy = false;
    /** What was pasted, kept across redraws; the token only until it is sent or the dialog closes. */
    this.draft = { address: '', token: '' };
    /** Counts fetches: an answer older than the latest is dropped. */
    this.sequence = 0;
  }

  /** Back to the start; the list is fetched again when shown. */
  reset() {
    this.sequence += 1;
    this.rooms = null;
    this.loadProblem = '';
    this.problems = { address: '', token: '', link: '' };
    this.unlinkProblem = '';
    this.confirming = null;
    this.busy = false;
    this.draft = { address: '', token: '' };
    this.live.textContent = '';
    this.render();
  }

  /** The other room's token goes once the dialog is closed. */
  forget() {
    this.draft.token = '';
    this.confirming = null;
    this.render();
  }

  /** Fetches the list, unless it is here already. */
  async show() {
    if (this.rooms) return;
    const answer = latest(this, () => this.actions.listTeamRooms());
    this.render();
    const loaded = await answer;
    if (!loaded) return;
    if ('error' in loaded) {
      this.loadProblem = t('teamRooms.failed', { reason: errorText(loaded.error) });
    } else {
      this.rooms = loaded.value;
      this.loadProblem = '';
    }
    this.renderList();
  }

  render() {
    this.listSection = this.listView();
    replace(
      this.root,
      h('h3', { id: 'team-rooms-heading', text: t('teamRooms.heading') }),
      h('p', { class: 'dialog-hint', id: 'team-rooms-hint', text: t('teamRooms.hint') }),
      this.linkForm(),
      this.listSection,
      this.live,
    );
  }

  /** Draws the list again, the focus kept where it was (or on the heading, if its control went). */
  renderList() {
    const old = this.listSection;
    if (!old || !this.root.contains(old)) return this.render();
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const inside = active && old.contains(active) ? active : null;
    const key = inside?.dataset.focus;
    this.listSection = this.listView();
    old.replaceWith(this.listSection);
    if (!inside) return;
    const target = (key && this.listSection.querySelector(`[data-focus="${CSS.escape(key)}"]`)) || this.listSection.querySelector('#team-rooms-list-heading');
    /** @type {HTMLElement | null} */ (target)?.focus();
  }

  linkForm() {
    const { address: addressText, token: tokenText, link: linkText } = this.problems;
    const full = !!this.rooms && isFull(this.rooms);
    const address = h('input', {
      id: 'team-room-address',
      'data-testid': 'team-room-address',
      inputmode: 'url',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: t('teamRooms.addressPlaceholder', { origin: location.origin }),
      value: this.draft.address,
      'aria-describedby': addressText ? 'team-room-address-problem' : 'team-room-address-hint',
      'aria-invalid': addressText ? 'true' : undefined,
      oninput: () => {
        this.draft.address = address.value;
      },
    });
    // A password field: the token stays unreadable on a screen shared with the team.
    const token = h('input', {
      id: 'team-room-token',
      type: 'password',
      'data-testid': 'team-room-token',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'rr_…',
      value: this.draft.token,
      'aria-describedby': tokenText ? 'team-room-token-problem' : 'team-room-token-hint',
      'aria-invalid': tokenText ? 'true' : undefined,
      oninput: () => {
        this.draft.token = token.value;
      },
    });
    const field = (/** @type {string} */ id, /** @type {string} */ label, /** @type {HTMLElement} */ input, /** @type {string} */ problem, /** @type {string} */ hint) =>
      h(
        'div',
        { class: 'api-create-fields' },
        h('label', { for: id, text: label }),
        input,
        problem ? h('p', { class: 'form-error', id: `${id}-problem`, role: 'alert', 'data-testid': `${id}-problem`, text: problem }) : h('p', { class: 'dialog-hint', id: `${id}-hint`, text: hint }),
      );
    return h(
      'form',
      {
        class: 'stack api-create team-room-form',
        'data-testid': 'team-room-form',
        novalidate: true,
        onsubmit: (/** @type {Event} */ event) => {
          event.preventDefault();
          this.link();
        },
      },
      h(
        'div',
        { class: 'team-room-fields' },
        field('team-room-address', t('teamRooms.address'), address, addressText, t('teamRooms.addressHint')),
        field('team-room-token', t('teamRooms.token'), token, tokenText, t('teamRooms.tokenHint')),
      ),
      linkText && h('p', { class: 'form-error', role: 'alert', 'data-testid': 'team-room-link-problem', text: linkText }),
      full && h('p', { class: 'dialog-hint', 'data-testid': 'team-rooms-full', text: t('teamRooms.full', { max: TEAM_ROOMS.max }) }),
      h('div', { class: 'dialog-buttons' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'team-room-link', 'aria-disabled': this.busy ? 'true' : undefined, text: t(this.busy ? 'teamRooms.linking' : 'teamRooms.link') })),
    );
  }

  listView() {
    const rooms = this.rooms;
    const heading = h('h4', { id: 'team-rooms-list-heading', tabindex: -1 }, t('teamRooms.list'), ' ', rooms && h('span', { class: 'count', text: t('teamRooms.count', { count: rooms.length, max: TEAM_ROOMS.max }) }));
    let body;
    if (this.loadProblem) body = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'team-rooms-error', text: this.loadProblem });
    else if (!rooms) body = h('p', { class: 'dialog-hint', role: 'status', text: t('teamRooms.loading') });
    else if (rooms.length === 0) body = h('p', { class: 'dialog-hint', 'data-testid': 'team-rooms-empty', text: t('teamRooms.none') });
    else body = h('ul', { class: 'api-token-list team-room-list', 'data-testid': 'team-room-list', 'aria-labelledby': 'team-rooms-list-heading' }, ...latestFirst(rooms).map((room) => this.roomRow(room)));
    return h('section', { class: 'team-rooms-list', 'aria-labelledby': 'team-rooms-list-heading' }, heading, this.unlinkProblem && h('p', { class: 'form-error', role: 'alert', 'data-testid': 'team-room-unlink-error', text: this.unlinkProblem }), body);
  }

  /** @param {TeamRoom} room */
  roomRow(room) {
    const confirming = this.confirming === room.room_id;
    const name = room.name || room.room_id;
    return h(
      'li',
      { class: 'api-token team-room', 'data-testid': 'team-room', 'data-room-id': room.room_id },
      h(
        'div',
        { class: 'team-room-main' },
        h(
          'p',
          { class: 'team-room-line' },
          h('span', { class: 'api-token-name', 'data-testid': 'team-room-name', text: name }),
          h('span', { class: 'api-token-date', 'data-testid': 'team-room-date', text: t('teamRooms.linkedAt', { date: formatDateTime(room.linked_at) }) }),
        ),
        room.sharing === false && h('p', { class: 'team-room-stopped', 'data-testid': 'team-room-stopped', text: t('teamRooms.stopped') }),
        h('code', { class: 'team-room-id', 'data-testid': 'team-room-id', text: room.room_id }),
      ),
      !confirming &&
        h(
          'button',
          { type: 'button', class: 'small danger team-room-unlink', 'data-testid': 'team-room-unlink', 'data-focus': `unlink:${room.room_id}`, onclick: () => this.ask(room.room_id) },
          t('teamRooms.unlink'),
          h('span', { class: 'visually-hidden', text: ` ${t('quoted', { text: name })}` }),
        ),
      confirming &&
        h(
          'div',
          { class: 'api-confirm', role: 'group', 'aria-labelledby': `team-room-confirm-${room.room_id}` },
          h('p', { id: `team-room-confirm-${room.room_id}`, text: t('teamRooms.confirm', { name }) }),
          h(
            'div',
            { class: 'dialog-buttons' },
            h('button', { type: 'button', 'data-testid': 'team-room-unlink-cancel', 'data-focus': `cancel:${room.room_id}`, text: t('dialog.cancel'), onclick: () => this.ask(null) }),
            h('button', { type: 'button', class: 'primary danger-fill', 'data-testid': 'team-room-unlink-confirm', text: t('teamRooms.confirmUnlink'), onclick: () => this.unlink(room) }),
          ),
        ),
    );
  }

  async link() {
    if (this.busy) return;
    this.problems = { address: addressProblem(this.draft.address, this.actions.roomId ?? '', this.rooms ?? []), token: tokenProblem(this.draft.token), link: '' };
    if (this.problems.address || this.problems.token) {
      this.render();
      this.focus(this.problems.address ? '#team-room-address' : '#team-room-token');
      return;
    }
    const roomId = /** @type {string} */ (roomIdFrom(this.draft.address));
    this.busy = true;
    this.render();
    this.focus('[data-testid="team-room-link"]');
    let linked = null;
    try {
      linked = /** @type {TeamRoom} */ (await this.actions.linkTeamRoom(roomId, this.draft.token.trim()));
      this.rooms = withLinked(this.rooms ?? [], linked);
      this.loadProblem = '';
      this.draft = { address: '', token: '' };
      this.live.textContent = t('teamRooms.announce.linked', { name: linked.name || linked.room_id });
    } catch (error) {
      this.problems.link = refusalText(/** @type {any} */ (error));
    }
    this.busy = false;
    this.render();
    if (linked) {
      refreshSuggestions();
      this.focus('#team-room-address');
    } else this.focus('#team-room-token');
  }

  /** @param {string | null} id the room to ask about, or null to ask nothing */
  ask(id) {
    const was = this.confirming;
    this.unlinkProblem = '';
    this.confirming = id;
    this.renderList();
    const focus = id ? `[data-focus="cancel:${CSS.escape(id)}"]` : `[data-focus="unlink:${CSS.escape(was ?? '')}"]`;
    this.focus(focus);
  }

  /** @param {TeamRoom} room */
  async unlink(room) {
    try {
      await this.actions.unlinkTeamRoom(room.room_id);
      this.rooms = (this.rooms ?? []).filter((other) => other.room_id !== room.room_id);
      this.live.textContent = t('teamRooms.announce.unlinked', { name: room.name || room.room_id });
      refreshSuggestions();
    } catch (error) {
      // Said, and the list fetched again: it may have changed in another tab meanwhile.
      this.rooms = null;
      this.confirming = null;
      await this.show();
      this.unlinkProblem = t('teamRooms.unlinkFailed', { reason: errorText(/** @type {any} */ (error)) });
    }
    this.confirming = null;
    this.renderList();
    this.focus('#team-rooms-list-heading');
  }

  /** @param {string} selector */
  focus(selector) {
    /** @type {HTMLElement | null} */ (this.root.querySelector(selector))?.focus();
  }
}
