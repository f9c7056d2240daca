// The connection to a room: one WebSocket at a time, reconnected with capped exponential
// backoff (with jitter, so a restarted server is not hit by everyone at once), a liveness check
// that notices a silently dead connection, and status events for the view.

/** @typedef {'connecting' | 'connected' | 'reconnecting' | 'offline'} ConnectionStatus */

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 10_000;
/** With no message for this long, a ping goes out. */
const IDLE_PING_MS = 15_000;
/** With no message at all for this long, the connection is presumed dead and replaced. */
const DEAD_AFTER_MS = 35_000;

export class RoomSocket extends EventTarget {
  /**
   * @param {string} url
   * @param {{ onOpen: () => void, onMessage: (message: any) => void, ping: () => void }} handlers
   */
  constructor(url, handlers) {
    super();
    this.url = url;
    this.handlers = handlers;
    /** @type {WebSocket | null} */
    this.ws = null;
    /** @type {ConnectionStatus} */
    this.status = 'connecting';
    this.attempt = 0;
    this.lastHeard = 0;
    this.stopped = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.liveness = undefined;
    /** Whether the server accepted the join on the current WebSocket. */
    this.joined = false;
    this.onOnline = () => this.backOnline();
    this.onOffline = () => this.setStatus('offline');
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
  }

  connect() {
    this.stopped = false;
    this.open();
    clearInterval(this.liveness);
    this.liveness = setInterval(() => this.checkLiveness(), 5_000);
  }

  /** Closes for good (leaving the room). */
  close() {
    this.stopped = true;
    this.joined = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.liveness);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.ws?.close(1000, 'leaving');
  }

  /** Whether commands can go out now: the WebSocket is open and the server accepted the join. */
  get canSend() {
    return this.joined && !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a message if joined. (Whatever the status shows: after the browser's `offline`
   * event a WebSocket may well still work.)
   * @param {object} message
   * @returns {boolean} whether it went out
   */
  send(message) {
    if (!this.canSend) return false;
    /** @type {WebSocket} */ (this.ws).send(JSON.stringify(message));
    return true;
  }

  /** Drops the connection as a network failure would; it reconnects by itself. */
  dropForTest() {
    this.joined = false;
    this.ws?.close(4999, 'dropped for a test');
  }

  /** Called by the owner once the server has accepted the join. */
  markJoined() {
    this.attempt = 0;
    this.joined = true;
    this.setStatus('connected');
  }

  open() {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.joined = false;
    this.lastHeard = Date.now();
    let opened = false;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      opened = true;
      this.lastHeard = Date.now();
      this.handlers.onOpen();
    });
    ws.addEventListener('message', (event) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.handlers.onMessage(message);
    });
    ws.addEventListener('close', (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.joined = false;
      // `opened: false` is a failed upgrade (the browser tells no more: 1006), e.g. a server
      // that is down, or one answering 404 for a room that no longer exists.
      this.dispatchEvent(new CustomEvent('closed', { detail: { code: event.code, reason: event.reason, opened } }));
      if (!this.stopped && event.code !== 4001) this.scheduleReconnect();
    });
  }

  /** Raw send, before the join has been accepted. */
  sendJoin(/** @type {object} */ message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  scheduleReconnect() {
    this.setStatus(navigator.onLine === false ? 'offline' : 'reconnecting');
    const delay = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    this.attempt += 1;
    // Full jitter between half and the whole delay.
    const wait = delay / 2 + Math.random() * (delay / 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), wait);
  }

  /**
   * The browser says the network is back. A WebSocket that survived the outage is kept (and
   * checked with a ping; the liveness check replaces it if it is dead after all); without
   * one, the next attempt starts now rather than after the backoff.
   */
  backOnline() {
    if (this.stopped) return;
    if (this.canSend) {
      this.setStatus('connected');
      this.handlers.ping();
      return;
    }
    this.setStatus('reconnecting');
    this.reconnectNow();
  }

  reconnectNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.open();
  }

  checkLiveness() {
    if (!this.joined || !this.ws) return;
    const silent = Date.now() - this.lastHeard;
    if (silent > DEAD_AFTER_MS) {
      this.ws.close(4998, 'no answer');
    } else if (silent > IDLE_PING_MS) {
      this.handlers.ping();
    }
  }

  /** @param {ConnectionStatus} status */
  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.dispatchEvent(new CustomEvent('status', { detail: status }));
  }
}
