// Composition root: decides which screen to show, owns the socket and the store, and turns the
// view's intents into protocol commands.

import { createRoom, describeRoom, socketUrl } from './api.js';
import { loadIdentity, loadName, saveIdentity, saveName } from './identity.js';
import { IDENTITY_LOST, PROTOCOL_VERSION } from './protocol.js';
import { RoomSocket } from './socket.js';
import { RoomStore } from './store.js';
import { View } from './view/index.js';

/** @typedef {import('./protocol.js').Command} Command */

const ROOM_PATH = /^\/r\/([0-9a-fA-F-]{36})\/?$/;

class App {
  constructor() {
    this.store = new RoomStore();
    this.view = new View(this.store, this);
    /** @type {RoomSocket | null} */
    this.socket = null;
    /** @type {string | null} */
    this.roomId = null;
    this.cmd = 0;
    /** @type {Map<number, { resolve: (reply: any) => void }>} */
    this.pending = new Map();
    /** What to join with when the socket (re)opens. @type {object | null} */
    this.joinRequest = null;
    /** The id of the join in flight, to tell its refusal from other errors. @type {number | null} */
    this.joinCmd = null;
    this.welcomed = false;
  }

  async start() {
    const match = ROOM_PATH.exec(location.pathname);
    if (!match) {
      this.view.showLanding();
      return;
    }
    const roomId = match[1].toLowerCase();
    this.roomId = roomId;
    const identity = loadIdentity(roomId);
    // The facilitator link carries its token in the fragment: keep it, then clean the address
    // bar so the link people copy from it is the team link.
    const fragment = new URLSearchParams(location.hash.slice(1));
    const facilitatorToken = fragment.get('facilitator');
    if (facilitatorToken) {
      identity.facilitatorToken = facilitatorToken;
      saveIdentity(roomId, identity);
      history.replaceState(null, '', location.pathname);
    }
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
      this.connect({ participant_token: identity.participantToken, facilitator_token: identity.facilitatorToken });
    } else {
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
   * @param {string} name
   * @param {import('./protocol.js').Role} role
   */
  join(name, role) {
    saveName(name);
    const identity = loadIdentity(/** @type {string} */ (this.roomId));
    this.connect({ name, role, facilitator_token: identity.facilitatorToken });
  }

  /** @param {{ name?: string, role?: string, participant_token?: string, facilitator_token?: string }} request */
  connect(request) {
    this.joinRequest = request;
    this.view.showRoom();
    if (this.socket) return;
    const socket = new RoomSocket(socketUrl(/** @type {string} */ (this.roomId)), {
      onOpen: () => this.sendJoin(),
      onMessage: (message) => this.onMessage(message),
      ping: () => this.send({ type: 'ping' }),
    });
    socket.addEventListener('status', () => this.store.setConnection(socket.status));
    socket.addEventListener('closed', (event) => {
      const detail = /** @type {CustomEvent} */ (event).detail;
      this.failPending();
      if (detail.code === 4001) {
        this.forgetIdentity();
        this.view.showProblem('You were removed from this room', 'The facilitator removed you. Reload to join again.');
      }
    });
    this.socket = socket;
    /** @type {any} */ (window).__readyroomDebug = { dropConnection: () => socket.dropForTest() };
    socket.connect();
  }

  sendJoin() {
    if (!this.socket || !this.joinRequest) return;
    this.cmd += 1;
    this.joinCmd = this.cmd;
    this.socket.sendJoin({
      cmd: this.cmd,
      type: 'join',
      protocol: PROTOCOL_VERSION,
      name: '',
      role: 'voter',
      ...this.joinRequest,
    });
  }

  /** @param {any} message */
  onMessage(message) {
    switch (message.type) {
      case 'welcome':
        return this.onWelcome(message);
      case 'event':
        if (!this.store.apply(message)) this.resync();
        return;
      case 'ack':
      case 'pong':
        return this.settle(message);
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
    const identity = loadIdentity(roomId);
    identity.participantToken = welcome.participant_token;
    saveIdentity(roomId, identity);
    // Continue above every id the server has seen from this participant.
    this.cmd = Math.max(this.cmd, welcome.last_cmd);
    this.joinRequest = { participant_token: welcome.participant_token };
    const first = !this.welcomed;
    this.welcomed = true;
    this.store.reset(welcome.room, welcome.you);
    this.socket?.markJoined();
    if (first) this.view.announce(`You joined ${welcome.room.settings.name}.`);
  }

  /** @param {any} error */
  onError(error) {
    if (error.cmd !== null && error.cmd === this.joinCmd) {
      // A refused join: an identity this room no longer knows means joining afresh; anything
      // else (a full room, a bad name) is shown as it is.
      this.socket?.close();
      this.socket = null;
      if (IDENTITY_LOST.has(error.code) && this.joinRequest && 'participant_token' in this.joinRequest) {
        this.forgetIdentity();
        this.view.showJoin(this.store.room?.settings.name ?? '', loadName(), this.holdsFacilitatorToken);
      } else {
        this.view.showProblem('You could not join this room', error.message);
      }
      return;
    }
    this.settle(error);
    if (error.code !== 'rate_limited') this.view.toast(error.message);
  }

  forgetIdentity() {
    const roomId = /** @type {string} */ (this.roomId);
    const identity = loadIdentity(roomId);
    delete identity.participantToken;
    saveIdentity(roomId, identity);
    this.welcomed = false;
  }

  /** A gap in the sequence: rejoining brings a fresh snapshot. */
  resync() {
    this.socket?.dropForTest();
  }

  /** @param {any} reply */
  settle(reply) {
    const waiting = this.pending.get(reply.cmd);
    if (!waiting) return;
    this.pending.delete(reply.cmd);
    waiting.resolve(reply);
  }

  failPending() {
    for (const [, waiting] of this.pending) waiting.resolve({ type: 'error', code: 'disconnected', message: 'The connection dropped before the server answered.' });
    this.pending.clear();
  }

  /**
   * Sends a command; resolves with its reply (ack or error). While disconnected it is not
   * sent and resolves with an error at once: the view disables editing then anyway.
   * @param {Command} command
   * @returns {Promise<any>}
   */
  send(command) {
    if (!this.socket || !this.store.online) {
      return Promise.resolve({ type: 'error', code: 'disconnected', message: 'Not connected: your change was not sent.' });
    }
    this.cmd += 1;
    const cmd = this.cmd;
    return new Promise((resolve) => {
      this.pending.set(cmd, { resolve });
      if (!this.socket?.send({ cmd, ...command })) {
        this.pending.delete(cmd);
        resolve({ type: 'error', code: 'disconnected', message: 'Not connected: your change was not sent.' });
      }
    });
  }

  // Intents from the view, one per thing a person can do.

  /** @param {string} title */
  async createItem(title) {
    const reply = await this.send({ type: 'create_item', title });
    // Its event arrived before the ack; open it unless this person is following someone.
    const created = this.store.lastCreatedByMe;
    if (reply.type === 'ack' && created && (!this.store.following || this.store.isFacilitator)) this.store.select(created);
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

const app = new App();
app.start();
