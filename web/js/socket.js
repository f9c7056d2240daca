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
    this.onOnline = () => this.reconnectNow();
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
    clearTimeout(this.retryTimer);
    clearInterval(this.liveness);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.ws?.close(1000, 'leaving');
  }

  /**
   * Sends a message if connected.
   * @param {object} message
   * @returns {boolean} whether it went out
   */
  send(message) {
    if (this.status !== 'connected' || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Drops the connection as a network failure would; it reconnects by itself. */
  dropForTest() {
    this.ws?.close(4999, 'dropped for a test');
  }

  /** Called by the owner once the server has accepted the join. */
  markJoined() {
    this.attempt = 0;
    this.setStatus('connected');
  }

  open() {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.lastHeard = Date.now();
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
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
      this.dispatchEvent(new CustomEvent('closed', { detail: { code: event.code, reason: event.reason } }));
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

  reconnectNow() {
    if (this.stopped || this.status === 'connected') return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    if (!this.ws) this.open();
  }

  checkLiveness() {
    if (this.status !== 'connected' || !this.ws) return;
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
