// The client's copy of the room: a snapshot from `welcome`, kept current by applying events in
// sequence order. Knows nothing of the DOM or the socket. Listeners learn which parts changed.

import { t } from './i18n.js';
import { isSplit, isTextField } from './protocol.js';
import { applyTextOp } from './text-op.js';
import { applyEstimationEvent, dropFromEstimation, roundById, settleReview } from './prevotes.js';

/** The status filter's value for "every item not ready yet". */
export const NOT_READY = 'not_ready';

/** @typedef {import('./protocol.js').Snapshot} Snapshot */
/** @typedef {import('./protocol.js').Item} Item */
/** @typedef {import('./protocol.js').Participant} Participant */
/** @typedef {import('./protocol.js').EventFrame} EventFrame */
/** @typedef {'room' | 'items' | 'participants' | 'round' | 'settings' | 'current' | 'timer' | 'selection' | 'connection' | 'filters' | 'outbox' | 'plans'} Topic */
/** @typedef {(topics: Set<Topic>, frame?: EventFrame) => void} Listener */
/** @typedef {import('./protocol.js').TextField} TextField */


/**
 * Sets a text field's revision, or counts it up by one.
 * @param {Item} item
 * @param {string} field
 * @param {number | undefined} revision
 */
function bumpRevision(item, field, revision) {
  const revisions = item.revisions ?? { title: 0, description: 0, acceptance_criteria: 0, notes: 0 };
  const key = /** @type {TextField} */ (field);
  revisions[key] = revision ?? (revisions[key] ?? 0) + 1;
  item.revisions = revisions;
}

export class RoomStore {
  constructor() {
    /** @type {Snapshot | null} */
    this.room = null;
    /** @type {string | null} */
    this.you = null;
    /** The room's epoch the state comes from: `seq` means something only with it. @type {string | null} */
    this.epoch = null;
    /** @type {Map<string, Item>} */
    this.items = new Map();
    /** @type {Map<string, Participant>} */
    this.participants = new Map();
    /** Participants in the order they joined. @type {string[]} */
    this.participantOrder = [];
    /** The item this person has open. @type {string | null} */
    this.selected = null;
    /** Whether this person's view follows the facilitator's current item. */
    this.following = true;
    /** The deck the facilitator chose for the next round only (null: the room's). @type {import('./protocol.js').DeckChoice | null} */
    this.roundDeck = null;
    /** Whether rounds the facilitator starts in a session get the item's share of it as a timebox. */
    this.timeboxRounds = true;
    /** `split`: also show the items split into others. */
    this.filters = { status: '', label: '', split: false };
    /** @type {import('./socket.js').ConnectionStatus} */
    this.connection = 'connecting';
    /** Items this person created, by the `seq` of their `item_created` (the ack's `seq`). @type {Map<number, string>} */
    this.createdByMe = new Map();
    /** How many of this tab's commands are waiting to be sent or answered. */
    this.unanswered = 0;
    /** This tab's sizing-board moves shown before the server has confirmed them, per item. @type {Map<string, number>} */
    this.movesAhead = new Map();
    /** @type {Set<Listener>} */
    this.listeners = new Set();
  }

  /** @param {Listener} listener */
  subscribe(listener) {
    this.listeners.add(listener);
  }

  /**
   * @param {Iterable<Topic>} topics
   * @param {EventFrame} [frame]
   */
  notify(topics, frame) {
    const set = new Set(topics);
    for (const listener of this.listeners) listener(set, frame);
  }

  /**
   * Replaces everything with a fresh snapshot.
   * @param {Snapshot} snapshot
   * @param {string} you
   * @param {string | null} epoch
   */
  reset(snapshot, you, epoch) {
    this.room = snapshot;
    this.you = you;
    this.movesAhead.clear();
    this.epoch = epoch;
    this.items = new Map(snapshot.items.map((item) => [item.id, item]));
    this.participants = new Map(snapshot.participants.map((p) => [p.id, p]));
    this.participantOrder = snapshot.participants.map((p) => p.id);
    if (this.selected && !this.items.has(this.selected)) this.selected = null;
    if (this.following || !this.selected) this.selected = snapshot.current_item ?? this.selected ?? this.orderedItems()[0]?.id ?? null;
    this.notify(['room', 'items', 'participants', 'round', 'settings', 'current', 'timer', 'selection', 'plans']);
  }

  get seq() {
    return this.room?.seq ?? 0;
  }

  /** @returns {Item[]} items in backlog order (ranks compare bytewise; they are ASCII hex) */
  orderedItems() {
    return [...this.items.values()].sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  }

  /** @returns {Item[]} the backlog as filtered by this person */
  visibleItems() {
    const label = this.filters.label.trim().toLowerCase();
    return this.orderedItems().filter(
      (item) =>
        (this.filters.split || !isSplit(item)) &&
        (!this.filters.status || item.status === this.filters.status || (this.filters.status === NOT_READY && item.status !== 'ready' && !isSplit(item))) &&
        (!label || item.labels.some((l) => l.toLowerCase().includes(label))),
    );
  }

  /** @returns {Participant[]} */
  orderedParticipants() {
    return this.participantOrder.map((id) => this.participants.get(id)).filter((p) => p !== undefined);
  }

  /** @param {string | null | undefined} id */
  nameOf(id) {
    return (id && this.participants.get(id)?.name) || t('people.someone');
  }

  get me() {
    return this.you ? this.participants.get(this.you) ?? null : null;
  }

  get isFacilitator() {
    return !!this.you && this.room?.facilitator === this.you;
  }

  get canEdit() {
    return this.me?.role === 'voter' || this.isFacilitator;
  }

  get canVote() {
    return this.me?.role === 'voter';
  }

  get online() {
    return this.connection === 'connected';
  }

  /**
   * Applies one event. Returns false on a sequence gap: the caller must resynchronise.
   * @param {EventFrame} frame
   * @returns {boolean}
   */
  apply(frame) {
    if (!this.room || frame.seq <= this.room.seq) return true;
    if (frame.seq !== this.room.seq + 1) return false;
    this.room.seq = frame.seq;
    if (frame.event.type === 'item_created' && frame.actor === this.you) {
      this.createdByMe.set(frame.seq, frame.event.item.id);
      if (this.createdByMe.size > 100) this.createdByMe.delete(/** @type {number} */ (this.createdByMe.keys().next().value));
    }
    const topics = this.applyEvent(frame.event, frame);
    if (topics === null) return false;
    this.notify(topics, frame);
    return true;
  }

  /**
   * @param {import('./protocol.js').ProtocolEvent} e
   * @param {EventFrame} frame the event's frame: who did it, and when
   * @returns {Topic[] | null} null when the event does not fit this copy
   */
  applyEvent(e, frame) {
    const room = /** @type {Snapshot} */ (this.room);
    switch (e.type) {
      case 'participant_joined':
        if (!this.participants.has(e.participant.id)) this.participantOrder.push(e.participant.id);
        this.participants.set(e.participant.id, e.participant);
        return ['participants'];
      case 'participant_online':
        this.patchParticipant(e.participant_id, { online: e.online });
        return ['participants', 'round'];
      case 'participant_renamed':
        this.patchParticipant(e.participant_id, { name: e.name });
        return ['participants', 'round', 'items'];
      case 'role_changed':
        this.patchParticipant(e.participant_id, { role: e.role });
        return ['participants', 'round', 'items'];
      case 'participant_removed':
        this.participants.delete(e.participant_id);
        this.participantOrder = this.participantOrder.filter((id) => id !== e.participant_id);
        for (const round of [room.round, ...(room.prevotes?.rounds ?? [])]) {
          if (round && round.phase === 'voting') round.voted = round.voted.filter((id) => id !== e.participant_id);
        }
        return ['participants', 'round', 'plans'];
      case 'editing_changed':
        this.patchParticipant(e.participant_id, { editing: e.editing });
        return ['participants', 'items'];
      case 'facilitator_changed':
        room.facilitator = e.participant_id;
        return ['participants', 'round', 'items', 'room'];
      case 'item_created':
        this.items.set(e.item.id, e.item);
        return ['items'];
      case 'item_updated': {
        const item = this.items.get(e.item_id);
        if (item) {
          // A whole new text is one revision of its field, as an edit is.
          if (isTextField(e.field) && item[/** @type {TextField} */ (e.field)] !== e.value) {
            bumpRevision(item, e.field, undefined);
          }
          /** @type {any} */ (item)[e.field] = e.value;
        }
        return ['items'];
      }
      case 'text_edited': {
        const item = this.items.get(e.item_id);
        if (!item) return [];
        const text = applyTextOp(item[/** @type {TextField} */ (e.field)], e.op);
        // Not the text it was made for: this copy missed something.
        if (text === null) return null;
        /** @type {any} */ (item)[e.field] = text;
        bumpRevision(item, e.field, e.revision);
        return ['items'];
      }
      case 'item_split': {
        const original = this.items.get(e.item_id);
        if (original) original.split_into = e.parts.map((/** @type {Item} */ part) => part.id);
        for (const part of e.parts) this.items.set(part.id, part);
        dropFromEstimation(room, e.item_id);
        return ['items', 'plans'];
      }
      case 'criterion_checked': {
        const item = this.items.get(e.item_id);
        if (item) item.checked = [...(item.checked ?? []).filter((id) => id !== e.criterion), ...(e.checked ? [e.criterion] : [])];
        return ['items'];
      }
      case 'remark_added':
      case 'remark_changed': {
        const item = this.items.get(e.item_id);
        if (item) item.remarks = [...(item.remarks ?? []).filter((r) => r.id !== e.remark.id), e.remark].sort((a, b) => a.id - b.id);
        return ['items'];
      }
      case 'remark_removed': {
        const item = this.items.get(e.item_id);
        if (item) item.remarks = (item.remarks ?? []).filter((r) => r.id !== e.remark_id);
        return ['items'];
      }
      case 'ready_overridden': {
        const item = this.items.get(e.item_id);
        if (item) item.ready_override = e.ready_override;
        return ['items'];
      }
      case 'item_deleted': {
        const gone = this.items.get(e.item_id);
        if (gone) room.trash = [...(room.trash ?? []), { item_id: e.item_id, title: gone.title, deleted_at: frame.at, deleted_by: frame.actor }];
        this.items.delete(e.item_id);
        // Links of a split go with the item, on every copy.
        for (const item of this.items.values()) {
          if (item.split_into?.includes(e.item_id)) item.split_into = item.split_into.filter((id) => id !== e.item_id);
          if (item.split_from === e.item_id) item.split_from = null;
        }
        if (this.selected === e.item_id) this.selected = room.current_item ?? null;
        dropFromEstimation(room, e.item_id);
        return ['items', 'selection', 'plans'];
      }
      case 'item_restored': {
        const back = e.item;
        room.trash = (room.trash ?? []).filter((t) => t.item_id !== back.id);
        // Its split links are mended on both sides, as the server did.
        for (const item of this.items.values()) {
          if (back.split_into?.includes(item.id)) item.split_from = back.id;
          if (back.split_from === item.id && !item.split_into?.includes(back.id)) item.split_into = [...(item.split_into ?? []), back.id];
        }
        this.items.set(back.id, back);
        return ['items'];
      }
      case 'trash_purged':
        room.trash = (room.trash ?? []).filter((t) => !e.item_ids.includes(t.item_id));
        return ['items'];
      case 'item_moved': {
        const item = this.items.get(e.item_id);
        if (item) item.rank = e.rank;
        return ['items'];
      }
      case 'items_reranked':
        for (const { item_id, rank } of e.ranks) {
          const item = this.items.get(item_id);
          if (item) item.rank = rank;
        }
        return ['items'];
      case 'current_item_changed':
        room.current_item = e.item_id;
        if (this.following && e.item_id) this.selected = e.item_id;
        return ['current', 'items', 'selection'];
      case 'settings_changed': {
        room.settings = e.settings;
        // Checks of criteria gone, or now checked by the server, go with them.
        const manual = new Set((e.settings.definition_of_ready ?? []).filter((/** @type {any} */ c) => !c.auto).map((/** @type {any} */ c) => c.id));
        for (const item of this.items.values()) if (item.checked?.length) item.checked = item.checked.filter((id) => manual.has(id));
        return ['settings', 'round', 'items'];
      }
      case 'timer_changed':
        room.timer = e.timer;
        return ['timer'];
      case 'session_changed':
        room.session = e.session;
        return ['timer'];
      case 'round_started':
        room.round = e.round;
        return ['round', 'participants', 'items'];
      case 'vote_cast': {
        const round = roundById(room, e.round_id);
        if (round) {
          if (!round.voted.includes(e.participant_id)) round.voted.push(e.participant_id);
          if (e.participant_id === this.you && e.card) {
            round.my_card = e.card;
            round.my_confidence = e.confidence ?? null;
          }
        }
        return ['round', 'participants', 'plans'];
      }
      case 'vote_retracted': {
        const round = roundById(room, e.round_id);
        if (round) {
          round.voted = round.voted.filter((id) => id !== e.participant_id);
          if (e.participant_id === this.you) {
            round.my_card = null;
            round.my_confidence = null;
          }
        }
        return ['round', 'participants', 'plans'];
      }
      case 'round_revealed': {
        if (room.round && room.round.id === e.record.round_id) {
          room.round.phase = 'revealed';
          room.round.revealed = e.record;
        }
        const item = this.items.get(e.item_id);
        if (item) item.history = [...item.history, e.record].slice(-50);
        return ['round', 'items', 'participants'];
      }
      case 'round_cancelled':
        if (room.round?.id === e.round_id) room.round = null;
        return ['round', 'participants', 'items'];
      case 'estimate_accepted': {
        const item = this.items.get(e.item_id);
        if (item) {
          // A round on a part of the WSJF score sets that part, not the estimate.
          if (e.dimension) item.wsjf = { ...(item.wsjf ?? {}), [e.dimension]: Number(e.estimate) };
          else item.estimate = e.estimate;
          const record = item.history.find((r) => r.round_id === e.round_id);
          if (record) record.accepted = e.estimate;
        }
        if (room.round?.id === e.round_id) room.round = null;
        settleReview(room, e.item_id);
        return ['round', 'items', 'participants', 'plans'];
      }
      case 'items_imported':
        // The items came in their own events just before; this one is for the notice.
        return [];
      case 'sizing_placed':
        // A move of this tab's that later moves of its own, already shown, have overtaken: the
        // last one's echo puts the item where the server has it.
        if (frame.actor === this.you && this.confirmMove(e.item_id)) return [];
      // falls through
      default:
        // Pre-votes and the sizing board, then event types newer than this client: harmless
        // to skip, the next snapshot has them.
        if (
          applyEstimationEvent(room, e, frame, (itemId, record) => {
            const item = this.items.get(itemId);
            if (item) item.history = [...item.history, record].slice(-50);
          })
        ) {
          return ['plans', 'items', 'participants'];
        }
        return [];
    }
  }

  /**
   * A move of this tab's on the sizing board, shown before the server confirms it.
   * @param {string} itemId
   */
  moveAhead(itemId) {
    this.movesAhead.set(itemId, (this.movesAhead.get(itemId) ?? 0) + 1);
  }

  /**
   * One of this tab's moves came back (confirmed, or refused). Returns whether more of its
   * moves of that item are still on their way, so that this one's echo is not to be shown.
   * @param {string} itemId
   */
  confirmMove(itemId) {
    const ahead = (this.movesAhead.get(itemId) ?? 0) - 1;
    if (ahead > 0) this.movesAhead.set(itemId, ahead);
    else this.movesAhead.delete(itemId);
    return ahead > 0;
  }

  /**
   * @param {string} id
   * @param {Partial<Participant>} patch
   */
  patchParticipant(id, patch) {
    const participant = this.participants.get(id);
    if (participant) Object.assign(participant, patch);
  }

  /** @param {string | null} id */
  select(id) {
    this.selected = id;
    // Browsing away from where the facilitator leads means no longer following.
    const current = this.room?.current_item;
    if (id && current && id !== current) this.following = false;
    this.notify(['selection', 'items']);
  }

  /** @param {boolean} following */
  setFollowing(following) {
    this.following = following;
    if (following && this.room?.current_item) this.selected = this.room.current_item;
    this.notify(['selection', 'items', 'current']);
  }

  /** @param {import('./socket.js').ConnectionStatus} status */
  setConnection(status) {
    this.connection = status;
    this.notify(['connection']);
  }

  /** @param {number} count */
  setUnanswered(count) {
    if (this.unanswered === count) return;
    this.unanswered = count;
    this.notify(['outbox']);
  }

  /** @param {{ status?: string, label?: string, split?: boolean }} filters */
  setFilters(filters) {
    Object.assign(this.filters, filters);
    this.notify(['filters', 'items']);
  }
}
