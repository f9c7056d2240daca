// Composition root: decides which screen to show, owns the socket and the store, and turns the
// view's intents into protocol commands.

import { createRoom, describeRoom, socketUrl } from './api.js';
import {
  loadIdentity, loadName, loadOutbox, nextCommandId, saveIdentity, saveName, saveOutbox, updateIdentity,
} from './identity.js';
import { IDENTITY_LOST, PROTOCOL_VERSION } from './protocol.js';
import { RoomSocket } from './socket.js';
import { RoomStore } from './store.js';
import { View } from './view/index.js';

/** @typedef {import('./protocol.js').Command} Command */
/**
 * A command of this tab not answered yet. `cmd` is null until it first goes out; `sends`
 * counts the sends under the current `cmd`; `sentOn` is the connection it last went out on, and
 * `sentAt` when.
 * @typedef {{ cmd: number | null, command: Command, sends: number, sentOn: number, sentAt: number,
 *   resolvers: Array<(reply: any) => void>, retries: number }} OutboxEntry
 */

const ROOM_PATH = /^\/r\/([0-9a-fA-F-]{36})\/?$/;
/** The server processes frames up to this size (MAX_FRAME_BYTES). */
const MAX_FRAME_BYTES = 65_536;
/**
 * Waits before asking again to join after a refusal for the rate: doubling up to the cap,
 * which stays below the server's 10 s for a new connection to be joined (after that the
 * connection is closed, and the next one asks on opening).
 */
const JOIN_RETRY_BASE_MS = 1_000;
const JOIN_RETRY_CAP_MS = 8_000;
/** How often a command may be sent again under a new id (taken ids, rate limits). */
const MAX_RETRIES = 5;
/** After an error naming no command (a dropped frame), wait this long, then resend what is unanswered. */
const UNNAMED_ERROR_RETRY_MS = 1_500;
/** The position in the room (epoch, seq) is written to localStorage at most this often. */
const POSITION_WRITE_MS = 1_000;
/** A command unanswered this long on a working connection is sent again (same id: never applied twice). */
const UNANSWERED_RESEND_MS = 20_000;
/**
 * Sending pace, below the server's rate limit (200 in a burst, 40 per second), so that a long
 * queue sent after a reconnect is not refused.
 */
const SEND_BURST = 150;
const SEND_PER_SECOND = 30;
/** Commands not worth keeping across a reload: presence markers. */
const EPHEMERAL = new Set(['set_editing']);

class App {
  constructor() {
    this.store = new RoomStore();
    this.view = new View(this.store, this);
    /** @type {RoomSocket | null} */
    this.socket = null;
    /** @type {string | null} */
    this.roomId = null;
    /** The highest `last_cmd` the server reported: ids continue above it. */
    this.lastCmd = 0;
    /** Commands sent or queued and not answered yet, in the order they were made. @type {OutboxEntry[]} */
    this.outbox = [];
    /** Which entry each promise handed out belongs to. @type {WeakMap<Promise<any>, OutboxEntry>} */
    this.promises = new WeakMap();
    /** Counts successful joins: an entry not sent on the current one goes out (again). */
    this.connection = 0;
    /** What to join with when the socket (re)opens. @type {Record<string, any> | null} */
    this.joinRequest = null;
    /** Joins refused for the rate since the last one accepted, and the next attempt. */
    this.joinRetries = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.joinRetryTimer = undefined;
    /** The id of the join in flight, to tell its refusal from other errors. @type {number | null} */
    this.joinCmd = null;
    this.welcomed = false;
    /** Set when a `resumed` cannot be used: the next join asks for a full welcome. */
    this.skipResume = false;
    this.checkingRoom = false;
    /** How each join was answered ('welcome' or 'resumed'), for tests and debugging. @type {string[]} */
    this.joinAnswers = [];
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.positionTimer = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.pumpTimer = undefined;
    /** Sends left in the current burst (see SEND_BURST), as of `tokensAt`. */
    this.tokens = SEND_BURST;
    this.tokensAt = Date.now();
    addEventListener('pagehide', () => this.writePosition());
    // A reply that never comes on a live connection (a frame the server dropped without
    // naming it, or anything else) must not leave a command waiting forever.
    setInterval(() => this.resendOverdue(), 5_000);
  }

  async start() {
    const match = ROOM_PATH.exec(location.pathname);
    if (!match) {
      this.view.showLanding();
      return;
    }
    const roomId = match[1].toLowerCase();
    this.roomId = roomId;
    // The facilitator link carries its token in the fragment: keep it, then clean the address
    // bar so the link people copy from it is the team link.
    const fragment = new URLSearchParams(location.hash.slice(1));
    const facilitatorToken = fragment.get('facilitator');
    if (facilitatorToken) {
      updateIdentity(roomId, { facilitatorToken });
      history.replaceState(null, '', location.pathname);
    }
    const identity = loadIdentity(roomId);
    let room;
    try {
      room = await describeRoom(roomId);
    } catch (error) {
      this.view.showProblem('The server cannot be reached', String(error));
      return;
    }
    if (!room) {
      this.view.showProblem('This room does not exist', 'Check the link, or create a new room.');
      return;
    }
    this.view.setRoomName(room.name);
    if (identity.participantToken) {
      // What this tab had not had answered when it was last closed or reloaded goes out again
      // after the welcome, under the same ids.
      this.outbox = loadOutbox(roomId).map((stored) => ({
        cmd: typeof stored.cmd === 'number' ? stored.cmd : null,
        command: stored.command,
        sends: Number(stored.sends) || 0,
        sentOn: 0,
        sentAt: 0,
        resolvers: [],
        retries: 0,
      }));
      this.outboxChanged();
      // A facilitator token goes along only when it came with this very link: a reload must
      // not take back a facilitation handed over meanwhile (the token stays stored, for
      // "Take back facilitation").
      this.connect({
        participant_token: identity.participantToken,
        ...(facilitatorToken ? { facilitator_token: facilitatorToken } : {}),
      });
    } else {
      saveOutbox(roomId, []);
      this.view.showJoin(room.name, loadName(), !!identity.facilitatorToken);
    }
  }

  /**
   * @param {string} name
   * @param {import('./protocol.js').DeckChoice['kind']} deck
   */
  async createRoom(name, deck) {
    const created = await createRoom({ name, default_deck: { kind: deck } });
    saveIdentity(created.room_id, { facilitatorToken: created.facilitator_token });
    location.assign(`/r/${created.room_id}`);
  }

  /**
   * Joins as a new participant (nobody in this browser is one yet): with the facilitator token
   * if this browser holds one.
   * @param {string} name
   * @param {import('./protocol.js').Role} role
   */
  join(name, role) {
    saveName(name);
    const identity = loadIdentity(/** @type {string} */ (this.roomId));
    this.connect({ name, role, ...(identity.facilitatorToken ? { facilitator_token: identity.facilitatorToken } : {}) });
  }

  /** @param {Record<string, any>} request */
  connect(request) {
    this.joinRequest = request;
    this.view.showRoom();
    if (this.socket) return;
    const socket = new RoomSocket(socketUrl(/** @type {string} */ (this.roomId)), {
      onOpen: () => this.sendJoin(),
      onMessage: (message) => this.onMessage(message),
      // Pings are answered straight away and not recorded: their id does not matter.
      ping: () => socket.send({ cmd: 0, type: 'ping' }),
    });
    socket.addEventListener('status', () => this.store.setConnection(socket.status));
    socket.addEventListener('closed', (event) => {
      if (this.socket !== socket) return;
      const detail = /** @type {CustomEvent} */ (event).detail;
      if (detail.code === 4001) {
        this.forgetIdentity();
        this.leave();
        this.view.showProblem('You were removed from this room', 'The facilitator removed you. Reload to join again.');
      } else if (!detail.opened) {
        this.checkRoomExists();
      }
    });
    this.socket = socket;
    /** @type {any} */ (window).__readyroomDebug = {
      dropConnection: () => socket.dropForTest(),
      unanswered: () => this.outbox.map((e) => ({ cmd: e.cmd, type: e.command.type, sends: e.sends })),
      joinAnswers: () => [...this.joinAnswers],
    };
    socket.connect();
  }

  /**
   * The WebSocket could not even be opened. The browser does not say why (1006): the server
   * may be down (keep trying), or the room may be gone (the upgrade was answered 404).
   */
  checkRoomExists() {
    if (this.checkingRoom || !this.roomId) return;
    this.checkingRoom = true;
    describeRoom(this.roomId)
      .then((room) => {
        if (room !== null || !this.socket) return;
        this.forgetIdentity();
        this.leave();
        this.view.showProblem('This room does not exist', 'It may have been deleted. Check the link, or create a new room.');
      })
      .catch(() => {
        // Unreachable: that is what reconnecting is for.
      })
      .finally(() => {
        this.checkingRoom = false;
      });
  }

  /** Stops for good: no more reconnecting, and nothing unanswered will be answered. */
  leave() {
    clearTimeout(this.joinRetryTimer);
    this.socket?.close();
    this.socket = null;
    this.failAll('The connection to the room ended before the server answered.');
  }

  sendJoin() {
    // Whatever asked for this join (a new connection, a retry), a pending retry is now moot.
    clearTimeout(this.joinRetryTimer);
    if (!this.socket || !this.joinRequest || !this.roomId) return;
    this.joinCmd = nextCommandId(this.roomId, this.lastCmd);
    /** @type {Record<string, any>} */
    const request = { ...this.joinRequest };
    // Same page, same state: ask for just what was missed.
    if (request.participant_token && this.store.room && this.store.epoch && !this.skipResume) {
      request.resume = { epoch: this.store.epoch, seq: this.store.seq };
    }
    this.skipResume = false;
    this.socket.sendJoin({
      cmd: this.joinCmd,
      type: 'join',
      protocol: PROTOCOL_VERSION,
      name: '',
      role: 'voter',
      ...request,
    });
  }

  /** @param {any} message */
  onMessage(message) {
    switch (message.type) {
      case 'welcome':
        return this.onWelcome(message);
      case 'resumed':
        return this.onResumed(message);
      case 'event':
        if (!this.store.apply(message)) this.resync();
        else this.positionChanged();
        return undefined;
      case 'ack':
        return this.settle(message);
      case 'pong':
        return undefined;
      case 'error':
        return this.onError(message);
      default:
        // A message type newer than this client: ignore it.
        return undefined;
    }
  }

  /** @param {any} welcome */
  onWelcome(welcome) {
    const roomId = /** @type {string} */ (this.roomId);
    updateIdentity(roomId, { participantToken: welcome.participant_token, epoch: welcome.epoch, seq: welcome.room.seq });
    this.joinRequest = { participant_token: welcome.participant_token };
    const first = !this.welcomed;
    this.welcomed = true;
    this.joinAnswers.push('welcome');
    this.store.reset(welcome.room, welcome.you, welcome.epoch ?? null);
    this.joined(welcome.last_cmd);
    if (first) this.view.announce(`You joined ${welcome.room.settings.name}.`);
  }

  /**
   * The server still had everything since our last event: the state stays, the events missed
   * follow as ordinary events (the store skips any it already has).
   * @param {any} resumed
   */
  onResumed(resumed) {
    const store = this.store;
    if (!store.room || resumed.epoch !== store.epoch || resumed.from_seq !== store.seq || resumed.you !== store.you) {
      // Not the state this was asked for (it cannot happen with this client): start over.
      this.skipResume = true;
      this.resync();
      return;
    }
    this.joinAnswers.push('resumed');
    this.joined(resumed.last_cmd);
  }

  /**
   * After a welcome or resumed: mark connected and send everything unanswered, in order, with
   * the same ids.
   * @param {number} lastCmd
   */
  joined(lastCmd) {
    clearTimeout(this.joinRetryTimer);
    this.joinRetries = 0;
    this.lastCmd = Math.max(this.lastCmd, Number(lastCmd) || 0);
    this.connection += 1;
    this.socket?.markJoined();
    this.pump();
  }

  /** @param {any} error */
  onError(error) {
    if (error.cmd !== null && error.cmd === this.joinCmd && error.code === 'rate_limited') {
      // Too many joins from this address at once (everyone behind one office router coming
      // back after a restart) or the server busy sending big rooms: ask again a little later.
      const delay = Math.min(JOIN_RETRY_CAP_MS, JOIN_RETRY_BASE_MS * 2 ** this.joinRetries);
      this.joinRetries += 1;
      clearTimeout(this.joinRetryTimer);
      const socket = this.socket;
      this.joinRetryTimer = setTimeout(() => {
        // Only on the same connection, and only if it has not joined meanwhile.
        if (this.socket === socket && !socket?.canSend) this.sendJoin();
      }, delay / 2 + Math.random() * (delay / 2));
      return;
    }
    if (error.cmd !== null && error.cmd === this.joinCmd) {
      // A refused join: an identity this room no longer knows means joining afresh; anything
      // else (a full room, a bad name) is shown as it is.
      const hadToken = !!this.joinRequest && 'participant_token' in this.joinRequest;
      this.leave();
      if (IDENTITY_LOST.has(error.code) && hadToken) {
        this.forgetIdentity();
        this.view.showJoin(this.store.room?.settings.name ?? '', loadName(), this.holdsFacilitatorToken);
      } else {
        this.view.showProblem('You could not join this room', error.message);
      }
      return;
    }
    if (error.cmd === null || error.cmd === undefined) {
      // A frame the server dropped without reading its id (rate limit, size): one of ours
      // went unanswered. Resend what is still unanswered a little later; what was processed
      // meanwhile is answered as a duplicate, never applied twice.
      clearTimeout(this.retryTimer);
      const connection = this.connection;
      const suspects = this.outbox.filter((entry) => entry.sentOn === connection);
      this.retryTimer = setTimeout(() => this.resendUnanswered(suspects, connection), UNNAMED_ERROR_RETRY_MS);
      return;
    }
    this.settle(error);
  }

  /**
   * @param {OutboxEntry[]} suspects
   * @param {number} connection
   */
  resendUnanswered(suspects, connection) {
    if (connection !== this.connection || !this.socket?.canSend) return;
    for (const entry of suspects) {
      if (!this.outbox.includes(entry) || entry.sentOn !== connection) continue;
      entry.retries += 1;
      if (entry.retries > MAX_RETRIES) {
        this.finish(entry, { type: 'error', cmd: entry.cmd, code: 'not_sent', message: 'The server did not take this change; try again.' });
        continue;
      }
      entry.sentOn = 0;
    }
    this.pump();
  }

  resendOverdue() {
    const now = Date.now();
    const overdue = this.outbox.filter((e) => e.sentOn === this.connection && now - e.sentAt > UNANSWERED_RESEND_MS);
    if (overdue.length) this.resendUnanswered(overdue, this.connection);
  }

  /** Whether the sending pace allows one more command now. */
  takeSendToken() {
    const now = Date.now();
    this.tokens = Math.min(SEND_BURST, this.tokens + ((now - this.tokensAt) * SEND_PER_SECOND) / 1000);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  forgetIdentity() {
    const roomId = /** @type {string} */ (this.roomId);
    updateIdentity(roomId, { participantToken: undefined, epoch: undefined, seq: undefined });
    this.failAll('You are no longer a participant of this room.');
    this.welcomed = false;
  }

  /** A gap in the sequence: rejoining (with `resume`) brings what was missed. */
  resync() {
    this.socket?.dropForTest();
  }

  positionChanged() {
    if (this.positionTimer !== undefined) return;
    this.positionTimer = setTimeout(() => this.writePosition(), POSITION_WRITE_MS);
  }

  writePosition() {
    clearTimeout(this.positionTimer);
    this.positionTimer = undefined;
    if (this.roomId && this.store.room && this.store.epoch) updateIdentity(this.roomId, { epoch: this.store.epoch, seq: this.store.seq });
  }

  /**
   * A reply to one of ours: resolves its promise, unless the id turned out to be someone
   * else's (another tab of this person used it first), in which case the command goes out
   * again under a new one.
   * @param {any} reply
   */
  settle(reply) {
    const entry = this.outbox.find((e) => e.cmd !== null && e.cmd === reply.cmd);
    if (!entry) return;
    const takenId = reply.type === 'ack' && reply.duplicate === true && entry.sends <= 1;
    const limited = reply.type === 'error' && reply.code === 'rate_limited';
    // `stale_command` means processed before (its reply is forgotten): its effect is in the
    // room already, and sending it again under a new id could apply it twice.
    if (reply.type === 'error' && reply.code === 'stale_command') {
      this.finish(entry, { type: 'ack', cmd: reply.cmd, seq: null, duplicate: true });
      return;
    }
    if ((takenId || limited) && entry.retries < MAX_RETRIES) {
      entry.retries += 1;
      entry.cmd = null;
      entry.sends = 0;
      entry.sentOn = 0;
      this.persistOutbox();
      if (limited) {
        clearTimeout(this.pumpTimer);
        this.pumpTimer = setTimeout(() => this.pump(), UNNAMED_ERROR_RETRY_MS);
      } else {
        this.pump();
      }
      return;
    }
    if (reply.type === 'error' && reply.code === 'shutting_down') {
      // Not processed: it goes out again after the reconnect, under a new id.
      entry.cmd = null;
      entry.sends = 0;
      this.persistOutbox();
      return;
    }
    this.finish(entry, reply);
    if (reply.type === 'error' && reply.code !== 'rate_limited') this.view.toast(reply.message);
  }

  /**
   * @param {OutboxEntry} entry
   * @param {any} reply
   */
  finish(entry, reply) {
    const at = this.outbox.indexOf(entry);
    if (at >= 0) this.outbox.splice(at, 1);
    this.outboxChanged();
    for (const resolve of entry.resolvers) resolve(reply);
  }

  /** @param {string} message */
  failAll(message) {
    const entries = this.outbox;
    this.outbox = [];
    this.outboxChanged();
    for (const entry of entries) for (const resolve of entry.resolvers) resolve({ type: 'error', cmd: entry.cmd, code: 'disconnected', message });
  }

  outboxChanged() {
    this.persistOutbox();
    this.store.setUnanswered(this.outbox.filter((e) => !EPHEMERAL.has(e.command.type)).length);
  }

  persistOutbox() {
    if (!this.roomId) return;
    saveOutbox(
      this.roomId,
      this.outbox.filter((e) => !EPHEMERAL.has(e.command.type)).map((e) => ({ cmd: e.cmd, command: e.command, sends: e.sends })),
    );
  }

  /**
   * Sends, in order, every unanswered command that has not gone out on the current connection
   * yet: resent ones keep their id, new ones get the next.
   */
  pump() {
    const socket = this.socket;
    if (!socket || !socket.canSend || !this.roomId) return;
    let changed = false;
    for (const entry of this.outbox) {
      if (entry.sentOn === this.connection) continue;
      if (!this.takeSendToken()) {
        clearTimeout(this.pumpTimer);
        this.pumpTimer = setTimeout(() => this.pump(), 1000 / SEND_PER_SECOND + 5);
        break;
      }
      if (entry.cmd === null) entry.cmd = nextCommandId(this.roomId, this.lastCmd);
      if (!socket.send({ cmd: entry.cmd, ...entry.command })) break;
      entry.sends += 1;
      entry.sentOn = this.connection;
      entry.sentAt = Date.now();
      changed = true;
    }
    if (changed) this.persistOutbox();
  }

  /**
   * Sends a command; resolves with its real reply (ack or error), however long that takes.
   * While the connection is down it is queued, and sent once the room is joined again.
   * @param {Command} command
   * @returns {Promise<any>}
   */
  send(command) {
    const size = new TextEncoder().encode(JSON.stringify({ cmd: Number.MAX_SAFE_INTEGER, ...command })).length;
    if (size > MAX_FRAME_BYTES) {
      const reply = { type: 'error', cmd: null, code: 'frame_too_large', message: 'This change is too large to send.' };
      this.view.toast(reply.message);
      return Promise.resolve(reply);
    }
    /** @type {(reply: any) => void} */
    let resolve = () => {};
    const promise = new Promise((r) => {
      resolve = r;
    });
    // A newer value of the same thing replaces one that has not gone out yet.
    const replaced = this.outbox.find((e) => e.cmd === null && sameTarget(e.command, command));
    if (replaced) {
      replaced.command = command;
      replaced.resolvers.push(resolve);
      this.promises.set(promise, replaced);
      this.persistOutbox();
    } else {
      /** @type {OutboxEntry} */
      const entry = { cmd: null, command, sends: 0, sentOn: 0, sentAt: 0, resolvers: [resolve], retries: 0 };
      this.outbox.push(entry);
      this.promises.set(promise, entry);
      this.outboxChanged();
    }
    this.pump();
    return promise;
  }

  /**
   * Whether the command behind a promise from `send` still waits for its answer.
   * @param {Promise<any>} promise
   */
  isUnanswered(promise) {
    const entry = this.promises.get(promise);
    return !!entry && this.outbox.includes(entry);
  }

  // Intents from the view, one per thing a person can do.

  /** @param {string} title */
  async createItem(title) {
    const reply = await this.send({ type: 'create_item', title });
    // Its event arrived before the ack (the ack's seq is the event's); open it unless this
    // person is following someone.
    const created = reply.type === 'ack' && typeof reply.seq === 'number' ? this.store.createdByMe.get(reply.seq) : undefined;
    if (created && this.store.items.has(created) && (!this.store.following || this.store.isFacilitator)) this.store.select(created);
    return reply;
  }

  /**
   * @param {string} itemId
   * @param {import('./protocol.js').ItemField} field
   * @param {any} value
   */
  updateItem(itemId, field, value) {
    return this.send({ type: 'update_item', item_id: itemId, field, value });
  }

  /** @param {string} itemId */
  deleteItem(itemId) {
    return this.send({ type: 'delete_item', item_id: itemId });
  }

  /**
   * @param {string} itemId
   * @param {string | null} after
   * @param {string | null} before
   */
  moveItem(itemId, after, before) {
    return this.send({ type: 'move_item', item_id: itemId, after, before });
  }

  /** @param {import('./protocol.js').Editing | null} editing */
  setEditing(editing) {
    const current = this.store.me?.editing ?? null;
    if (current?.item_id === editing?.item_id && current?.field === editing?.field) return;
    this.send({ type: 'set_editing', editing });
  }

  /** @param {string} itemId */
  makeCurrent(itemId) {
    return this.send({ type: 'set_current_item', item_id: itemId });
  }

  /** @param {string} itemId */
  startRound(itemId) {
    return this.send({ type: 'start_round', item_id: itemId });
  }

  /** @param {string} card */
  vote(card) {
    const round = this.store.room?.round;
    if (!round || round.phase !== 'voting') return Promise.resolve(null);
    if (round.my_card === card) return this.send({ type: 'retract_vote', round_id: round.id });
    return this.send({ type: 'vote', round_id: round.id, card });
  }

  reveal() {
    const round = this.store.room?.round;
    return round ? this.send({ type: 'reveal', round_id: round.id }) : Promise.resolve(null);
  }

  revote() {
    const round = this.store.room?.round;
    return round ? this.send({ type: 'revote', round_id: round.id }) : Promise.resolve(null);
  }

  /** @param {string} estimate */
  accept(estimate) {
    const round = this.store.room?.round;
    return round ? this.send({ type: 'accept_estimate', round_id: round.id, estimate }) : Promise.resolve(null);
  }

  cancelRound() {
    const round = this.store.room?.round;
    return round ? this.send({ type: 'cancel_round', round_id: round.id }) : Promise.resolve(null);
  }

  /** @param {boolean} on */
  setAutoReveal(on) {
    return this.send({ type: 'update_settings', auto_reveal: on });
  }

  /** @param {number} seconds */
  startTimer(seconds) {
    return this.send({ type: 'start_timer', seconds });
  }

  stopTimer() {
    return this.send({ type: 'stop_timer' });
  }

  /** @param {string} participantId */
  handOver(participantId) {
    return this.send({ type: 'hand_over_facilitator', participant_id: participantId });
  }

  reclaimFacilitator() {
    const token = loadIdentity(/** @type {string} */ (this.roomId)).facilitatorToken;
    return token ? this.send({ type: 'claim_facilitator', facilitator_token: token }) : Promise.resolve(null);
  }

  get holdsFacilitatorToken() {
    return !!this.facilitatorToken;
  }

  /** @returns {string | null} */
  get facilitatorToken() {
    return (this.roomId && loadIdentity(this.roomId).facilitatorToken) || null;
  }

  /** @param {string} participantId */
  removeParticipant(participantId) {
    return this.send({ type: 'remove_participant', participant_id: participantId });
  }

  /** @param {import('./protocol.js').Role} role */
  setRole(role) {
    return this.send({ type: 'set_role', role });
  }

  /** @param {string} name */
  rename(name) {
    saveName(name);
    return this.send({ type: 'rename', name });
  }

  /** @param {string} name */
  renameRoom(name) {
    return this.send({ type: 'update_settings', name });
  }

  /** @param {import('./protocol.js').DeckChoice} deck */
  setDefaultDeck(deck) {
    return this.send({ type: 'update_settings', default_deck: deck });
  }
}

/**
 * Whether two commands set the same thing, so that the later makes the earlier pointless.
 * @param {Command} a
 * @param {Command} b
 */
function sameTarget(a, b) {
  if (a.type !== b.type) return false;
  if (a.type === 'set_editing') return true;
  if (a.type === 'update_item') return a.item_id === b.item_id && a.field === b.field;
  return false;
}

const app = new App();
app.start();
