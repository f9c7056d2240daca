// Writing text together: the client side of operational transformation (docs/protocol.md
// §4.2), per text field of each item. A keystroke changes the field at once and goes out as an
// operation right away; while one operation is in flight, later keystrokes are composed into
// one buffered operation, sent when the server has applied the first. Someone else's operation
// is transformed over the pending ones before it is shown, and they over it, exactly as the
// server transforms: both sides end with the same text and nobody's keystroke is lost.
//
// The pending operations are outbox entries (commands.js), so they survive a reconnect and a
// reload. The store keeps the room's text; this keeps what this tab has typed on top of it, and
// its undo history: undo takes back this person's own edits only, transformed over everyone
// else's.

import { TEXT_FIELDS, isTextField } from './protocol.js';
import { applyTextOp, compose, invert, isNoop, replaceOp, transform } from './text-op.js';

/** @typedef {import('./protocol.js').TextOp} TextOp */
/** @typedef {import('./protocol.js').TextField} TextField */
/** @typedef {import('./commands.js').OutboxEntry} OutboxEntry */
/** @typedef {import('./commands.js').CommandPipeline} CommandPipeline */
/**
 * A change to the text a field shows, not typed here: where the field's caret and the others'
 * carets must move.
 * @typedef {{ itemId: string, field: TextField, op: TextOp }} TextChange
 */

/** Keystrokes closer together than this undo together (within a word). */
const UNDO_GROUP_MS = 1_000;
/** Undo steps kept per field. */
const UNDO_DEPTH = 200;

/** One field's pending edits and undo history. */
class FieldState {
  /**
   * @param {string} itemId
   * @param {TextField} field
   */
  constructor(itemId, field) {
    this.itemId = itemId;
    this.field = field;
    /** Sent, not applied yet. @type {OutboxEntry | null} */
    this.inFlight = null;
    /** Typed since, composed; held until the one in flight is applied. @type {OutboxEntry | null} */
    this.buffer = null;
    /**
     * Edits whose fate this tab lost track of (a reload, a full welcome): sent again and
     * awaited before typing here resumes. Meanwhile the field shows the room's text.
     * @type {Set<OutboxEntry>}
     */
    this.recovering = new Set();
    /** Inverses of this person's edits, latest last, each on the text after the ones below. @type {TextOp[]} */
    this.undo = [];
    /** @type {TextOp[]} */
    this.redo = [];
    this.lastEditAt = 0;
    /** @type {'insert' | 'delete' | 'other'} */
    this.lastKind = 'other';
    /** What the last edit inserted, to start a new undo step with each word. */
    this.lastInserted = '';
  }

  get settled() {
    return !this.inFlight && !this.buffer && this.recovering.size === 0;
  }
}

export class TextSync {
  /**
   * @param {import('./store.js').RoomStore} store
   * @param {CommandPipeline} pipeline
   */
  constructor(store, pipeline) {
    this.store = store;
    this.pipeline = pipeline;
    /** @type {Map<string, FieldState>} */
    this.fields = new Map();
    /** @type {Set<(change: TextChange) => void>} */
    this.listeners = new Set();
    /** Entries whose answer is already followed. @type {WeakSet<OutboxEntry>} */
    this.followed = new WeakSet();
    /**
     * The change the event being applied makes, for the view to move the caret over while the
     * store tells it what changed.
     * @type {TextChange | null}
     */
    this.applying = null;
  }

  /**
   * The change to a field the event being applied makes, if any.
   * @param {string} itemId
   * @param {TextField} field
   */
  changeBeingApplied(itemId, field) {
    const change = this.applying;
    return change && change.itemId === itemId && change.field === field ? change.op : null;
  }

  /** @param {(change: TextChange) => void} listener */
  subscribe(listener) {
    this.listeners.add(listener);
  }

  /**
   * @param {string} itemId
   * @param {TextField} field
   */
  state(itemId, field) {
    const key = `${itemId}:${field}`;
    let state = this.fields.get(key);
    if (!state) {
      state = new FieldState(itemId, field);
      this.fields.set(key, state);
    }
    return state;
  }

  /**
   * The room's text of a field and its revision.
   * @param {string} itemId
   * @param {TextField} field
   */
  roomText(itemId, field) {
    const item = this.store.items.get(itemId);
    return { text: item ? item[field] ?? '' : '', revision: item?.revisions?.[field] ?? 0 };
  }

  /**
   * What this tab has typed and the room has not applied yet, as one operation on the room's
   * text (null when nothing is).
   * @param {string} itemId
   * @param {TextField} field
   * @returns {TextOp | null}
   */
  pending(itemId, field) {
    const state = this.fields.get(`${itemId}:${field}`);
    if (!state || state.recovering.size) return null;
    const ops = [state.inFlight, state.buffer].filter((e) => e !== null).map((e) => /** @type {TextOp} */ (e.command.op));
    if (ops.length === 0) return null;
    return ops.length === 1 ? ops[0] : compose(ops[0], ops[1]);
  }

  /**
   * The text the field shows here: the room's with this tab's pending edits on top.
   * @param {string} itemId
   * @param {TextField} field
   */
  localText(itemId, field) {
    const { text } = this.roomText(itemId, field);
    const pending = this.pending(itemId, field);
    if (!pending) return text;
    return applyTextOp(text, pending) ?? text;
  }

  /**
   * Whether typing in a field must wait (its edits from before a reload are being settled).
   * @param {string} itemId
   * @param {TextField} field
   */
  isRecovering(itemId, field) {
    return (this.fields.get(`${itemId}:${field}`)?.recovering.size ?? 0) > 0;
  }

  /** Whether anything typed here waits for the room. */
  get settled() {
    return [...this.fields.values()].every((state) => state.settled);
  }

  /**
   * Takes a local edit (made on the text the field shows) and sends it, or composes it into
   * what waits. Returns false if it cannot be taken (the field is settling, or the edit is
   * too large to send): the field should show `localText` again.
   * @param {string} itemId
   * @param {TextField} field
   * @param {TextOp} op
   * @param {'edit' | 'undo' | 'redo'} [kind]
   */
  edit(itemId, field, op, kind = 'edit') {
    if (isNoop(op)) return true;
    const state = this.state(itemId, field);
    if (state.recovering.size) return false;
    const before = this.localText(itemId, field);
    if (applyTextOp(before, op) === null) return false;
    const { revision } = this.roomText(itemId, field);
    if (!state.inFlight) {
      const command = { type: 'edit_text', item_id: itemId, field, revision, op };
      if (this.pipeline.refuseIfTooLarge(command)) return false;
      state.inFlight = this.follow(state, this.pipeline.enqueue(command));
    } else if (!state.buffer) {
      const command = { type: 'edit_text', item_id: itemId, field, revision: state.inFlight.command.revision, op };
      if (this.pipeline.refuseIfTooLarge(command)) return false;
      state.buffer = this.follow(state, this.pipeline.enqueue(command, { held: true }));
    } else {
      const composed = compose(state.buffer.command.op, op);
      if (!composed) return false;
      const command = { ...state.buffer.command, op: composed };
      if (this.pipeline.refuseIfTooLarge(command)) return false;
      state.buffer.command = command;
      this.pipeline.updated(state.buffer);
    }
    this.remember(state, op, before, kind);
    return true;
  }

  /**
   * Keeps the undo history: each edit's inverse, keystrokes of one word grouped.
   * @param {FieldState} state
   * @param {TextOp} op
   * @param {string} before
   * @param {'edit' | 'undo' | 'redo'} kind
   */
  remember(state, op, before, kind) {
    const inverse = invert(op, before);
    if (kind === 'undo') {
      state.redo.push(inverse);
      state.lastKind = 'other';
      return;
    }
    if (kind === 'redo') {
      state.undo.push(inverse);
      state.lastKind = 'other';
      return;
    }
    state.redo = [];
    const now = Date.now();
    const what = editKind(op);
    const top = state.undo[state.undo.length - 1];
    // A word typed after a space starts a new step, as in most editors.
    const newWord = what === 'insert' && /\s$/.test(state.lastInserted) && !/^\s/.test(insertedText(op));
    const together = what !== 'other' && what === state.lastKind && now - state.lastEditAt < UNDO_GROUP_MS && !newWord;
    const joined = top && together ? compose(inverse, top) : null;
    if (joined) state.undo[state.undo.length - 1] = joined;
    else state.undo.push(inverse);
    if (state.undo.length > UNDO_DEPTH) state.undo.shift();
    state.lastEditAt = now;
    state.lastKind = what;
    state.lastInserted = what === 'insert' ? insertedText(op) : '';
  }

  /**
   * Takes back this person's last edit of a field (as transformed over everyone's since).
   * Returns the operation applied to the shown text, or null if there is nothing to undo.
   * @param {string} itemId
   * @param {TextField} field
   */
  undo(itemId, field) {
    return this.replay(itemId, field, 'undo');
  }

  /**
   * @param {string} itemId
   * @param {TextField} field
   */
  redo(itemId, field) {
    return this.replay(itemId, field, 'redo');
  }

  /**
   * @param {string} itemId
   * @param {TextField} field
   * @param {'undo' | 'redo'} kind
   * @returns {TextOp | null}
   */
  replay(itemId, field, kind) {
    const state = this.fields.get(`${itemId}:${field}`);
    const stack = kind === 'undo' ? state?.undo : state?.redo;
    const op = stack?.pop();
    if (!state || !op) return null;
    if (!this.edit(itemId, field, op, kind)) {
      stack?.push(op);
      return null;
    }
    return op;
  }

  /**
   * Follows an entry's answer.
   * @param {FieldState} state
   * @param {OutboxEntry} entry
   */
  follow(state, entry) {
    if (!this.followed.has(entry)) {
      this.followed.add(entry);
      entry.resolvers.push((reply) => this.answered(state, entry, reply));
    }
    return entry;
  }

  /**
   * The answer to one of this field's edits. Its event came first: an ack for the edit still
   * in flight means the room applied it without this tab seeing it applied (another tab took
   * its id), and an error means it was refused. Either way what waits here no longer fits the
   * room's text: it is dropped, and the field shows the room's.
   * @param {FieldState} state
   * @param {OutboxEntry} entry
   * @param {any} reply
   */
  answered(state, entry, reply) {
    if (state.recovering.delete(entry)) {
      if (state.recovering.size === 0) this.notify(state, null);
      return;
    }
    const mine = state.inFlight === entry || state.buffer === entry;
    if (!mine || (reply.type === 'ack' && state.inFlight !== entry)) return;
    if (state.buffer && state.buffer !== entry) this.pipeline.drop(state.buffer);
    if (state.inFlight && state.inFlight !== entry && this.pipeline.isWaiting(state.inFlight)) this.pipeline.drop(state.inFlight);
    state.inFlight = null;
    state.buffer = null;
    state.undo = [];
    state.redo = [];
    this.notify(state, null);
  }

  /**
   * Called with each event before the store applies it: moves this tab's pending edits (and
   * undo history) past someone else's, and recognises this tab's own. Returns the change to
   * the shown text, if the event makes one.
   * @param {import('./protocol.js').EventFrame} frame
   * @returns {TextChange | null}
   */
  beforeEvent(frame) {
    this.applying = this.changeOf(frame);
    return this.applying;
  }

  /** The store has applied the event. */
  afterEvent() {
    this.applying = null;
  }

  /**
   * @param {import('./protocol.js').EventFrame} frame
   * @returns {TextChange | null}
   */
  changeOf(frame) {
    const e = /** @type {any} */ (frame.event);
    if (e.type === 'item_deleted') {
      for (const field of TEXT_FIELDS) this.fields.delete(`${e.item_id}:${field}`);
      return null;
    }
    let op = null;
    /** @type {TextField | null} */
    let field = null;
    if (e.type === 'text_edited') {
      field = e.field;
      op = e.op;
    } else if (e.type === 'item_updated' && isTextField(e.field)) {
      field = e.field;
      const item = this.store.items.get(e.item_id);
      if (item) op = replaceOp(item[e.field], e.value);
    }
    if (!field || !op) return null;
    const state = this.fields.get(`${e.item_id}:${field}`);
    if (!state || state.recovering.size) return { itemId: e.item_id, field, op };
    if (e.type === 'text_edited' && frame.actor === this.store.you && state.inFlight && e.cmd === state.inFlight.cmd) {
      // Ours, applied: what was typed since goes out next, on the revision it made.
      state.inFlight = state.buffer;
      state.buffer = null;
      if (state.inFlight) {
        const { follows: _follows, ...command } = state.inFlight.command;
        state.inFlight.command = { ...command, revision: e.revision };
        this.pipeline.release(state.inFlight);
      }
      return null;
    }
    const revision = e.type === 'text_edited' ? e.revision : (this.roomText(e.item_id, field).revision + 1);
    for (const key of /** @type {const} */ (['inFlight', 'buffer'])) {
      const entry = state[key];
      if (!entry) continue;
      const pair = transform(entry.command.op, op);
      if (!pair) return this.lost(state, { itemId: e.item_id, field, op });
      const [mine, theirs] = pair;
      entry.command = { ...entry.command, op: mine, revision };
      this.pipeline.updated(entry);
      op = theirs;
    }
    state.undo = transformStack(state.undo, op);
    // Others' typing does not end a step of this person's: a word typed while someone else
    // types is still undone as one.
    state.redo = transformStack(state.redo, op);
    return { itemId: e.item_id, field, op };
  }

  /**
   * This tab's copy of a field no longer fits the room's (a bug, or storage tampered with):
   * what waits is dropped rather than sent wrong, and the field shows the room's text.
   * @param {FieldState} state
   * @param {TextChange} change
   */
  lost(state, change) {
    for (const entry of [state.inFlight, state.buffer]) if (entry) this.pipeline.drop(entry);
    state.inFlight = null;
    state.buffer = null;
    state.undo = [];
    state.redo = [];
    return change;
  }

  /**
   * The room was replaced by a full snapshot: whether this tab's pending edits were applied
   * is not known. Each field's edit in flight goes again under its id (applied at most once)
   * and what was typed after it follows it (`follows`); the field shows the room's text until
   * they are answered. Also how edits restored from before a reload are settled.
   */
  welcomed() {
    /** @type {Map<string, OutboxEntry[]>} */
    const byField = new Map();
    for (const entry of this.pipeline.outbox) {
      if (entry.command.type !== 'edit_text') continue;
      const key = `${entry.command.item_id}:${entry.command.field}`;
      byField.set(key, [...(byField.get(key) ?? []), entry]);
    }
    for (const state of this.fields.values()) {
      state.inFlight = null;
      state.buffer = null;
      state.undo = [];
      state.redo = [];
      state.recovering.clear();
    }
    for (const entries of byField.values()) {
      const first = entries[0];
      const state = this.state(first.command.item_id, first.command.field);
      let previous = null;
      for (const entry of entries) {
        if (entry.held && previous?.cmd === null) {
          // Never sent: fold it into the one before, which goes out fresh.
          const composed = compose(previous.command.op, entry.command.op);
          if (composed) previous.command = { ...previous.command, op: composed };
          this.pipeline.drop(entry);
          continue;
        }
        if (entry.held && !previous) {
          // Typed after an edit that is gone: it has nothing to stand on.
          this.pipeline.drop(entry);
          continue;
        }
        if (entry.held && previous) {
          // It goes once the edit it follows is answered: processed first, that edit may
          // still be refused for the rate and go again (under its id), and a follower
          // processed before it would find nothing to follow.
          const followed = previous;
          entry.command = { ...entry.command, revision: followed.command.revision, follows: followed.cmd };
          followed.resolvers.push((reply) => {
            if (!this.pipeline.isWaiting(entry)) return;
            if (reply.type === 'ack') {
              this.pipeline.release(entry);
            } else {
              // Typed on an edit the room refused: it has nothing to stand on either.
              this.pipeline.drop(entry);
              this.answered(state, entry, reply);
            }
          });
        }
        this.follow(state, entry);
        state.recovering.add(entry);
        previous = entry;
      }
      this.pipeline.updated(first);
    }
  }

  /**
   * @param {FieldState} state
   * @param {TextOp | null} op
   */
  notify(state, op) {
    for (const listener of this.listeners) listener({ itemId: state.itemId, field: state.field, op: op ?? [] });
  }
}

/**
 * Moves an undo history past an operation applied to the text it is on (ot.js's way: from the
 * latest step down, each over the operation as the steps above left it).
 * @param {TextOp[]} stack
 * @param {TextOp} op
 */
function transformStack(stack, op) {
  const moved = [];
  let over = op;
  for (let i = stack.length - 1; i >= 0; i -= 1) {
    const pair = transform(stack[i], over);
    if (!pair) return [];
    if (!isNoop(pair[0])) moved.push(pair[0]);
    over = pair[1];
  }
  return moved.reverse();
}

/** @param {TextOp} op */
function editKind(op) {
  const inserts = op.some((step) => typeof step === 'string');
  const deletes = op.some((step) => typeof step === 'number' && step < 0);
  if (inserts && !deletes) return 'insert';
  if (deletes && !inserts) return 'delete';
  return 'other';
}

/** @param {TextOp} op */
function insertedText(op) {
  return op.filter((step) => typeof step === 'string').join('');
}
