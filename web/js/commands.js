// The command pipeline: every command this tab sends goes through here. It gives each an id,
// keeps it in the outbox (kept in sessionStorage, so a reload sends it again) until its real
// reply comes, paces sending below the server's rate limit, resends what went unanswered
// under the same id (never applied twice), and sends again under a new id what the server
// did not take (a rate limit, an id another tab used first).

import { loadOutbox, nextCommandId, saveOutbox } from './identity.js';
import { t } from './i18n.js';

/** @typedef {import('./protocol.js').Command} Command */
/**
 * A command of this tab not answered yet. `cmd` is null until it first goes out; `sends`
 * counts the sends under the current `cmd`; `sentOn` is the connection it last went out on, and
 * `sentAt` when. A `held` command waits for its owner to release it (a text edit waiting for
 * the one in flight before it).
 * @typedef {{ cmd: number | null, command: Command, sends: number, sentOn: number, sentAt: number,
 *   resolvers: Array<(reply: any) => void>, retries: number, held: boolean }} OutboxEntry
 */

/** The server's MAX_FRAME_BYTES until a welcome says otherwise. */
const DEFAULT_MAX_FRAME_BYTES = 262_144;
/** How often a command may be sent again under a new id (taken ids, rate limits). */
const MAX_RETRIES = 5;
/** After an error naming no command (a dropped frame), wait this long, then resend what is unanswered. */
const UNNAMED_ERROR_RETRY_MS = 1_500;
/** A command unanswered this long on a working connection is sent again (same id: never applied twice). */
const UNANSWERED_RESEND_MS = 20_000;
/**
 * Sending pace, below the server's rate limit (200 in a burst, 40 per second), so that a long
 * queue sent after a reconnect is not refused.
 */
const SEND_BURST = 150;
const SEND_PER_SECOND = 30;

export class CommandPipeline {
  /**
   * @param {string} roomId
   * @param {{ canSend: () => boolean, send: (message: object) => boolean,
   *   unansweredChanged: (count: number) => void, refused: (error: { code: string, message: string }) => void }} port
   */
  constructor(roomId, port) {
    this.roomId = roomId;
    this.port = port;
    /** The highest `last_cmd` the server reported: ids continue above it. */
    this.lastCmd = 0;
    /** Commands sent or queued and not answered yet, in the order they were made. @type {OutboxEntry[]} */
    this.outbox = [];
    /** Which entry each promise handed out belongs to. @type {WeakMap<Promise<any>, OutboxEntry>} */
    this.promises = new WeakMap();
    /** Counts successful joins: an entry not sent on the current one goes out (again). */
    this.connection = 0;
    this.maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.pumpTimer = undefined;
    /** Sends left in the current burst (see SEND_BURST), as of `tokensAt`. */
    this.tokens = SEND_BURST;
    this.tokensAt = Date.now();
    // A reply that never comes on a live connection (a frame the server dropped without
    // naming it, or anything else) must not leave a command waiting forever.
    setInterval(() => this.resendOverdue(), 5_000);
  }

  /** What this tab had not had answered when it was last closed or reloaded. */
  restore() {
    this.outbox = loadOutbox(this.roomId).map((stored) => ({
      cmd: typeof stored.cmd === 'number' ? stored.cmd : null,
      command: stored.command,
      sends: Number(stored.sends) || 0,
      sentOn: 0,
      sentAt: 0,
      resolvers: [],
      retries: 0,
      held: stored.held === true,
    }));
    this.changed();
  }

  /** Forgets everything queued (a new participant starts with nothing to send). */
  clear() {
    this.outbox = [];
    saveOutbox(this.roomId, []);
  }

  /** An id for a command outside the sequence's bookkeeping (a join). */
  nextId() {
    return nextCommandId(this.roomId, this.lastCmd);
  }

  /**
   * After a welcome or resumed: everything unanswered goes out, in order, with the same ids.
   * @param {number} lastCmd
   * @param {number} [maxFrameBytes]
   */
  joined(lastCmd, maxFrameBytes) {
    this.lastCmd = Math.max(this.lastCmd, Number(lastCmd) || 0);
    if (maxFrameBytes) this.maxFrameBytes = maxFrameBytes;
    this.connection += 1;
    this.pump();
  }

  /**
   * Sends a command; resolves with its real reply (ack or error), however long that takes.
   * While the connection is down it is queued, and sent once the room is joined again.
   * @param {Command} command
   * @returns {Promise<any>}
   */
  send(command) {
    const tooLarge = this.refuseIfTooLarge(command);
    if (tooLarge) return Promise.resolve(tooLarge);
    /** @type {(reply: any) => void} */
    let resolve = () => {};
    const promise = new Promise((r) => {
      resolve = r;
    });
    // A newer value of the same thing replaces one that has not gone out yet.
    const replaced = this.outbox.find((e) => e.cmd === null && !e.held && sameTarget(e.command, command));
    if (replaced) {
      replaced.command = command;
      replaced.resolvers.push(resolve);
      this.promises.set(promise, replaced);
      this.persist();
    } else {
      const entry = this.enqueue(command);
      entry.resolvers.push(resolve);
      this.promises.set(promise, entry);
    }
    this.pump();
    return promise;
  }

  /**
   * Queues a command and returns its entry, for an owner that follows it closely (text edits).
   * A `held` one is not sent until released.
   * @param {Command} command
   * @param {{ held?: boolean }} [options]
   * @returns {OutboxEntry}
   */
  enqueue(command, options = {}) {
    /** @type {OutboxEntry} */
    const entry = { cmd: null, command, sends: 0, sentOn: 0, sentAt: 0, resolvers: [], retries: 0, held: !!options.held };
    this.outbox.push(entry);
    this.changed();
    if (!entry.held) this.pump();
    return entry;
  }

  /**
   * An entry's command was changed in place (transformed): remember it.
   * @param {OutboxEntry} _entry
   */
  updated(_entry) {
    this.persist();
  }

  /** @param {OutboxEntry} entry */
  release(entry) {
    entry.held = false;
    this.persist();
    this.pump();
  }

  /**
   * Drops a queued entry that will not be sent after all (folded into another).
   * @param {OutboxEntry} entry
   */
  drop(entry) {
    const at = this.outbox.indexOf(entry);
    if (at >= 0) this.outbox.splice(at, 1);
    this.changed();
  }

  /**
   * Whether the command behind a promise from `send` still waits for its answer.
   * @param {Promise<any>} promise
   */
  isUnanswered(promise) {
    const entry = this.promises.get(promise);
    return !!entry && this.outbox.includes(entry);
  }

  /** @param {OutboxEntry} entry */
  isWaiting(entry) {
    return this.outbox.includes(entry);
  }

  /**
   * The refusal for a command too large to send, or null.
   * @param {Command} command
   */
  refuseIfTooLarge(command) {
    const size = new TextEncoder().encode(JSON.stringify({ cmd: Number.MAX_SAFE_INTEGER, ...command })).length;
    if (size <= this.maxFrameBytes) return null;
    const reply = { type: 'error', cmd: null, code: 'frame_too_large', message: t('error.frame_too_large') };
    this.port.refused(reply);
    return reply;
  }

  /**
   * A frame the server dropped without reading its id (rate limit, size): one of ours went
   * unanswered. Resend what is still unanswered a little later; what was processed meanwhile
   * is answered as a duplicate, never applied twice.
   */
  unnamedError() {
    clearTimeout(this.retryTimer);
    const connection = this.connection;
    const suspects = this.outbox.filter((entry) => entry.sentOn === connection);
    this.retryTimer = setTimeout(() => this.resendUnanswered(suspects, connection), UNNAMED_ERROR_RETRY_MS);
  }

  /**
   * @param {OutboxEntry[]} suspects
   * @param {number} connection
   */
  resendUnanswered(suspects, connection) {
    if (connection !== this.connection || !this.port.canSend()) return;
    for (const entry of suspects) {
      if (!this.outbox.includes(entry) || entry.sentOn !== connection) continue;
      entry.retries += 1;
      if (entry.retries > MAX_RETRIES) {
        this.finish(entry, { type: 'error', cmd: entry.cmd, code: 'not_sent', message: t('error.not_sent') });
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
    // A text edit keeps its id: its owner recognises it by that id in the room's events.
    const renumber = entry.command.type !== 'edit_text';
    if ((takenId || limited) && renumber && entry.retries < MAX_RETRIES) {
      entry.retries += 1;
      entry.cmd = null;
      entry.sends = 0;
      entry.sentOn = 0;
      this.persist();
      if (limited) {
        clearTimeout(this.pumpTimer);
        this.pumpTimer = setTimeout(() => this.pump(), UNNAMED_ERROR_RETRY_MS);
      } else {
        this.pump();
      }
      return;
    }
    if (limited && !renumber && entry.retries < MAX_RETRIES) {
      // Not processed: the same id goes out again a little later.
      entry.retries += 1;
      entry.sentOn = 0;
      clearTimeout(this.pumpTimer);
      this.pumpTimer = setTimeout(() => this.pump(), UNNAMED_ERROR_RETRY_MS);
      return;
    }
    if (reply.type === 'error' && reply.code === 'shutting_down') {
      // Not processed: it goes out again after the reconnect (under a new id, unless its
      // owner follows it by its id).
      if (renumber) entry.cmd = null;
      entry.sends = 0;
      this.persist();
      return;
    }
    this.finish(entry, reply);
    if (reply.type === 'error' && reply.code !== 'rate_limited') this.port.refused(reply);
  }

  /**
   * @param {OutboxEntry} entry
   * @param {any} reply
   */
  finish(entry, reply) {
    const at = this.outbox.indexOf(entry);
    if (at >= 0) this.outbox.splice(at, 1);
    this.changed();
    for (const resolve of entry.resolvers) resolve(reply);
  }

  /**
   * Answers everything unanswered with an error made here: `disconnected` (the connection
   * ended for good) or `not_participant` (this person was removed).
   * @param {'disconnected' | 'not_participant'} code
   */
  failAll(code) {
    const entries = this.outbox;
    this.outbox = [];
    this.changed();
    const message = t(`error.${code}`);
    for (const entry of entries) for (const resolve of entry.resolvers) resolve({ type: 'error', cmd: entry.cmd, code, message });
  }

  changed() {
    this.persist();
    this.port.unansweredChanged(this.outbox.length);
  }

  persist() {
    saveOutbox(
      this.roomId,
      this.outbox.map((e) => ({ cmd: e.cmd, command: e.command, sends: e.sends, ...(e.held ? { held: true } : {}) })),
    );
  }

  /**
   * Sends, in order, every unanswered command that has not gone out on the current connection
   * yet: resent ones keep their id, new ones get the next. A held one waits, and so does
   * everything after it that touches the same text field.
   */
  pump() {
    if (!this.port.canSend()) return;
    let changed = false;
    for (const entry of this.outbox) {
      if (entry.held || entry.sentOn === this.connection) continue;
      if (!this.takeSendToken()) {
        clearTimeout(this.pumpTimer);
        this.pumpTimer = setTimeout(() => this.pump(), 1000 / SEND_PER_SECOND + 5);
        break;
      }
      if (entry.cmd === null) entry.cmd = this.nextId();
      if (!this.port.send({ cmd: entry.cmd, ...entry.command })) break;
      entry.sends += 1;
      entry.sentOn = this.connection;
      entry.sentAt = Date.now();
      changed = true;
    }
    if (changed) this.persist();
  }
}

/**
 * Whether two commands set the same thing, so that the later makes the earlier pointless.
 * @param {Command} a
 * @param {Command} b
 */
function sameTarget(a, b) {
  if (a.type !== b.type) return false;
  if (a.type === 'update_item') return a.item_id === b.item_id && a.field === b.field;
  return false;
}
