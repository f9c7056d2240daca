// Other people's carets (ephemeral presence, docs/protocol.md §4.3): where each one is, kept on
// its character as text operations land, and where to show it in the text this tab shows. And
// this person's own caret, sent at most ten times a second, the last position always.

import { charCount, transformPosition } from './text-op.js';

/** @typedef {import('./protocol.js').TextField} TextField */
/**
 * Which field someone is in; in a text field also where their caret is (else 0, 0, 0).
 * @typedef {{ item_id: string, field: import('./protocol.js').ItemField, revision: number, anchor: number, head: number }} Caret
 */

/** Own caret updates go out at most this often. */
const SEND_EVERY_MS = 100;

export class CaretBook {
  constructor() {
    /** By participant id. @type {Map<string, Caret>} */
    this.carets = new Map();
    /** @type {Set<() => void>} */
    this.listeners = new Set();
  }

  /** @param {() => void} listener */
  subscribe(listener) {
    this.listeners.add(listener);
  }

  changed() {
    for (const listener of this.listeners) listener();
  }

  /**
   * @param {string} participantId
   * @param {Caret | null} caret
   */
  set(participantId, caret) {
    if (caret) this.carets.set(participantId, { ...caret });
    else this.carets.delete(participantId);
    this.changed();
  }

  /** Everyone's carets are forgotten (a new connection: the server sends them again). */
  clear() {
    this.carets.clear();
    this.changed();
  }

  /**
   * A text operation applied to the room's text: carets on that field move with it, except
   * its author's (its own edit is already counted where it placed its caret).
   * @param {string} itemId
   * @param {TextField} field
   * @param {import('./protocol.js').TextOp} op
   * @param {string | null} author
   * @param {number} revision
   */
  moveOver(itemId, field, op, author, revision) {
    let moved = false;
    for (const [owner, caret] of this.carets) {
      if (caret.item_id !== itemId || caret.field !== field) continue;
      if (owner !== author) {
        caret.anchor = transformPosition(op, caret.anchor, false);
        caret.head = transformPosition(op, caret.head, false);
      }
      caret.revision = revision;
      moved = true;
    }
    if (moved) this.changed();
  }

  /**
   * The carets to show in a field, in the text this tab shows: moved over what this tab has
   * typed and the room has not applied yet, and kept within the text.
   * @param {string} itemId
   * @param {TextField} field
   * @param {import('./protocol.js').TextOp | null} pending
   * @param {string} shown
   * @returns {Array<{ participantId: string, anchor: number, head: number }>}
   */
  in(itemId, field, pending, shown) {
    const length = charCount(shown);
    const place = (/** @type {number} */ at) => Math.min(length, pending ? transformPosition(pending, at, false) : at);
    return [...this.carets]
      .filter(([, caret]) => caret.item_id === itemId && caret.field === field)
      .map(([participantId, caret]) => ({ participantId, anchor: place(caret.anchor), head: place(caret.head) }));
  }

  /**
   * Who has a caret in which field of an item: the live "is editing" of each field.
   * @param {string} itemId
   */
  editorsOf(itemId) {
    /** @type {Map<import('./protocol.js').ItemField, string[]>} */
    const editors = new Map();
    for (const [owner, caret] of this.carets) {
      if (caret.item_id === itemId) editors.set(caret.field, [...(editors.get(caret.field) ?? []), owner]);
    }
    return editors;
  }
}

/** Sends this person's caret: the latest position, at most every SEND_EVERY_MS. */
export class CaretSender {
  /** @param {(caret: Caret | null) => boolean} send */
  constructor(send) {
    this.send = send;
    /** What should be shown to the others. @type {Caret | null} */
    this.wanted = null;
    /** What was last sent. @type {string} */
    this.sent = 'null';
    this.lastSentAt = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
  }

  /** @param {Caret | null} caret */
  report(caret) {
    this.wanted = caret;
    this.flushSoon();
  }

  flushSoon() {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastSentAt + SEND_EVERY_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  flush() {
    const encoded = JSON.stringify(this.wanted);
    if (encoded === this.sent) return;
    if (this.send(this.wanted)) {
      this.sent = encoded;
      this.lastSentAt = Date.now();
    }
  }

  /** A new connection: the server forgot this caret, so it is sent again. */
  reconnected() {
    this.sent = 'null';
    this.flushSoon();
  }
}
