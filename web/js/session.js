// The session: this tab's membership of a room over one reconnecting socket. It joins on every
// (re)connection, asking to resume from the last event it has when it can, retries a join
// refused for the rate, and tells its owner how each join was answered and when the
// membership ends (removed, the room gone, a join refused).

import { socketUrl, describeRoom } from './api.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { RoomSocket } from './socket.js';

/**
 * Waits before asking again to join after a refusal for the rate: doubling up to the cap,
 * which stays below the server's 10 s for a new connection to be joined (after that the
 * connection is closed, and the next one asks on opening).
 */
const JOIN_RETRY_BASE_MS = 1_000;
const JOIN_RETRY_CAP_MS = 8_000;

/**
 * @typedef {{
 *   nextId: () => number,
 *   resumeFrom: () => { epoch: string, seq: number } | null,
 *   onWelcome: (welcome: any) => void,
 *   onResumed: (resumed: any) => void,
 *   onMessage: (message: any) => void,
 *   onJoinRefused: (error: any, hadToken: boolean) => void,
 *   onRemoved: () => void,
 *   onRoomGone: () => void,
 *   onStatus: (status: import('./socket.js').ConnectionStatus) => void,
 * }} SessionOwner
 */

export class Session {
  /**
   * @param {string} roomId
   * @param {SessionOwner} owner
   */
  constructor(roomId, owner) {
    this.roomId = roomId;
    this.owner = owner;
    /** @type {RoomSocket | null} */
    this.socket = null;
    /** What to join with when the socket (re)opens. @type {Record<string, any> | null} */
    this.joinRequest = null;
    /** Joins refused for the rate since the last one accepted. */
    this.joinRetries = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.joinRetryTimer = undefined;
    /** The id of the join in flight, to tell its refusal from other errors. @type {number | null} */
    this.joinCmd = null;
    /** Set when a `resumed` cannot be used: the next join asks for a full welcome. */
    this.skipResume = false;
    this.checkingRoom = false;
    /** How each join was answered ('welcome' or 'resumed'), for tests and debugging. @type {string[]} */
    this.joinAnswers = [];
  }

  /** Whether commands can go out now. */
  get canSend() {
    return !!this.socket?.canSend;
  }

  /**
   * Sends a message on the joined connection.
   * @param {object} message
   */
  send(message) {
    return !!this.socket?.send(message);
  }

  /** @param {Record<string, any>} request */
  connect(request) {
    this.joinRequest = request;
    if (this.socket) return;
    const socket = new RoomSocket(socketUrl(this.roomId), {
      onOpen: () => this.sendJoin(),
      onMessage: (message) => this.onMessage(message),
      // Pings are answered straight away and not recorded: their id does not matter.
      ping: () => socket.send({ cmd: 0, type: 'ping' }),
    });
    socket.addEventListener('status', () => this.owner.onStatus(socket.status));
    socket.addEventListener('closed', (event) => {
      if (this.socket !== socket) return;
      const detail = /** @type {CustomEvent} */ (event).detail;
      if (detail.code === 4001) {
        this.leave();
        this.owner.onRemoved();
      } else if (!detail.opened) {
        this.checkRoomExists();
      }
    });
    this.socket = socket;
    socket.connect();
  }

  /**
   * The WebSocket could not even be opened. The browser does not say why (1006): the server
   * may be down (keep trying), or the room may be gone (the upgrade was answered 404).
   */
  checkRoomExists() {
    if (this.checkingRoom) return;
    this.checkingRoom = true;
    describeRoom(this.roomId)
      .then((room) => {
        if (room !== null || !this.socket) return;
        this.leave();
        this.owner.onRoomGone();
      })
      .catch(() => {
        // Unreachable: that is what reconnecting is for.
      })
      .finally(() => {
        this.checkingRoom = false;
      });
  }

  /** Stops for good: no more reconnecting. */
  leave() {
    clearTimeout(this.joinRetryTimer);
    this.socket?.close();
    this.socket = null;
  }

  /** Starts over with a new connection (a gap in the events: rejoining brings what was missed). */
  resync() {
    this.socket?.dropForTest();
  }

  /** The next join asks for the whole room. */
  resyncFully() {
    this.skipResume = true;
    this.resync();
  }

  sendJoin() {
    // Whatever asked for this join (a new connection, a retry), a pending retry is now moot.
    clearTimeout(this.joinRetryTimer);
    if (!this.socket || !this.joinRequest) return;
    this.joinCmd = this.owner.nextId();
    /** @type {Record<string, any>} */
    const request = { ...this.joinRequest };
    // Same page, same state: ask for just what was missed.
    const resume = this.owner.resumeFrom();
    if (request.participant_token && resume && !this.skipResume) request.resume = resume;
    this.skipResume = false;
    this.socket.sendJoin({ cmd: this.joinCmd, type: 'join', protocol: PROTOCOL_VERSION, name: '', role: 'voter', ...request });
  }

  /** @param {any} message */
  onMessage(message) {
    switch (message.type) {
      case 'welcome':
        this.joinRequest = { participant_token: message.participant_token };
        this.joinAnswers.push('welcome');
        this.joined();
        return this.owner.onWelcome(message);
      case 'resumed':
        this.joinAnswers.push('resumed');
        this.joined();
        return this.owner.onResumed(message);
      case 'error':
        if (message.cmd !== null && message.cmd === this.joinCmd) return this.joinRefused(message);
        return this.owner.onMessage(message);
      default:
        return this.owner.onMessage(message);
    }
  }

  joined() {
    clearTimeout(this.joinRetryTimer);
    this.joinRetries = 0;
    this.socket?.markJoined();
  }

  /** @param {any} error */
  joinRefused(error) {
    if (error.code === 'rate_limited') {
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
    // A refused join: an identity this room no longer knows means joining afresh; anything
    // else (a full room, a bad name) is shown as it is.
    const hadToken = !!this.joinRequest && 'participant_token' in this.joinRequest;
    this.leave();
    this.owner.onJoinRefused(error, hadToken);
  }
}
