// The web client's text sync (web/js/text-sync.js) driven by Node against the real store and a
// recording stand-in for the command pipeline, where the browser scenarios cannot steer the
// timing: what goes out and when, how others' operations move what waits, recognising one's
// own operation by its event, undo over others' typing, and settling after a full welcome
// (the edit in flight sent again under its id, what was typed after it sent with `follows`).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoomStore } from '../../../web/js/store.js';
import { TextSync } from '../../../web/js/text-sync.js';

const ME = 'me';
const OTHER = 'other';
const ITEM = 'item-1';

/** What text sync needs of the pipeline, recording what it is asked to do. */
class Pipeline {
  constructor() {
    this.outbox = [];
    this.nextCmd = 100;
    this.sent = [];
  }

  enqueue(command, { held = false } = {}) {
    const entry = { cmd: null, command, sends: 0, sentOn: 0, sentAt: 0, resolvers: [], retries: 0, held };
    this.outbox.push(entry);
    if (!held) this.send(entry);
    return entry;
  }

  send(entry) {
    entry.cmd ??= this.nextCmd++;
    this.sent.push({ cmd: entry.cmd, ...entry.command });
  }

  updated() {}

  release(entry) {
    entry.held = false;
    this.send(entry);
  }

  drop(entry) {
    this.outbox = this.outbox.filter((e) => e !== entry);
  }

  isWaiting(entry) {
    return this.outbox.includes(entry);
  }

  refuseIfTooLarge() {
    return null;
  }

  /** The server's answer to one of the entries. */
  answer(entry, reply) {
    this.drop(entry);
    for (const resolve of entry.resolvers) resolve({ cmd: entry.cmd, ...reply });
  }
}

function setUp(description = 'hello') {
  const store = new RoomStore();
  store.reset(
    {
      room_id: 'room',
      seq: 1,
      settings: { name: 'Room', default_deck: { kind: 'fibonacci' }, auto_reveal: false },
      facilitator: ME,
      participants: [
        { id: ME, name: 'Me', role: 'voter', online: true, editing: null },
        { id: OTHER, name: 'Other', role: 'voter', online: true, editing: null },
      ],
      items: [{
        id: ITEM, rank: '80', title: 'Item', description, acceptance_criteria: '', labels: [], links: [], dependencies: [],
        estimate: null, status: 'new', history: [], created_at: 0,
        revisions: { title: 0, description: 1, acceptance_criteria: 0 },
      }],
      current_item: ITEM,
      round: null,
      timer: null,
    },
    ME,
    'epoch',
  );
  const pipeline = new Pipeline();
  const sync = new TextSync(store, pipeline);
  let seq = 1;
  /** Delivers a text_edited event as the server would, before and into the store. */
  const event = (actor, revision, op, cmd) => {
    seq += 1;
    const frame = { seq, at: 0, actor, event: { type: 'text_edited', item_id: ITEM, field: 'description', revision, op, cmd } };
    const change = sync.beforeEvent(frame);
    assert.ok(store.apply(frame), `event ${seq} applies to the store`);
    sync.afterEvent();
    return change;
  };
  return { store, pipeline, sync, event };
}

test('one operation in flight, the rest composed and sent when it is applied', () => {
  const { pipeline, sync, event } = setUp();
  assert.ok(sync.edit(ITEM, 'description', [5, '!']));
  assert.ok(sync.edit(ITEM, 'description', [6, '?']));
  assert.ok(sync.edit(ITEM, 'description', [7, '.']));
  assert.equal(sync.localText(ITEM, 'description'), 'hello!?.');
  assert.deepEqual(pipeline.sent.map((s) => s.op), [[5, '!']], 'only the first went out');
  // Its event comes back: the buffer goes out on the revision it made.
  assert.equal(event(ME, 2, [5, '!'], 100), null);
  assert.deepEqual(pipeline.sent[1], { cmd: 101, type: 'edit_text', item_id: ITEM, field: 'description', revision: 2, op: [6, '?.'] });
  assert.equal(sync.localText(ITEM, 'description'), 'hello!?.');
});

test("someone else's operation moves what waits, and shows where it lands here", () => {
  const { pipeline, sync, event } = setUp();
  sync.edit(ITEM, 'description', [5, ' world']);
  sync.edit(ITEM, 'description', [11, '!']);
  // The other person prefixed the text at revision 1 (before ours arrived).
  const change = event(OTHER, 2, ['Oh, ', 5], 7);
  assert.deepEqual(change.op, ['Oh, ', 12], 'their insert, past our pending text');
  assert.equal(sync.localText(ITEM, 'description'), 'Oh, hello world!');
  // What waits now stands on revision 2.
  const [inFlight, buffer] = pipeline.outbox;
  assert.deepEqual([inFlight.command.revision, inFlight.command.op], [2, [9, ' world']]);
  assert.deepEqual(buffer.command.op, [15, '!']);
  // Our own event, then the buffer goes.
  event(ME, 3, [9, ' world'], inFlight.cmd);
  assert.deepEqual(pipeline.sent.at(-1).op, [15, '!']);
  assert.equal(pipeline.sent.at(-1).revision, 3);
});

test('an operation of another tab of the same person is not taken for this tab’s own', () => {
  const { sync, event } = setUp();
  sync.edit(ITEM, 'description', [5, '!']);
  // Same actor, another command id: someone else's as far as this tab is concerned.
  const change = event(ME, 2, ['>', 5], 55);
  assert.deepEqual(change.op, ['>', 6]);
  assert.equal(sync.localText(ITEM, 'description'), '>hello!');
  assert.equal(sync.settled, false);
});

test("undo takes back one's own last word only, transformed over others' typing", () => {
  const { sync, event, pipeline } = setUp('');
  for (const [at, key] of [...'one two'].entries()) sync.edit(ITEM, 'description', at ? [at, key] : [key]);
  event(ME, 2, pipeline.outbox[0].command.op, pipeline.outbox[0].cmd);
  event(ME, 3, pipeline.outbox.at(-1).command.op, pipeline.outbox.at(-1).cmd);
  // Someone else writes in front.
  event(OTHER, 4, ['X ', 7], 9);
  assert.equal(sync.localText(ITEM, 'description'), 'X one two');
  sync.undo(ITEM, 'description');
  assert.equal(sync.localText(ITEM, 'description'), 'X one ');
  sync.undo(ITEM, 'description');
  assert.equal(sync.localText(ITEM, 'description'), 'X ');
  sync.redo(ITEM, 'description');
  assert.equal(sync.localText(ITEM, 'description'), 'X one ');
});

test('after a full welcome the edit in flight goes again under its id and what followed it says so', () => {
  const { pipeline, sync, store } = setUp();
  sync.edit(ITEM, 'description', [5, ' world']);
  sync.edit(ITEM, 'description', [11, '!']);
  const [inFlight, buffer] = pipeline.outbox;
  assert.equal(buffer.held, true);
  // A welcome: the room as it is now (our edit may or may not be in it).
  store.reset({ ...store.room, seq: 9, items: [{ ...store.items.get(ITEM), description: 'hello world', revisions: { title: 0, description: 2, acceptance_criteria: 0 } }] }, ME, 'epoch');
  sync.welcomed();
  assert.deepEqual(buffer.command, { type: 'edit_text', item_id: ITEM, field: 'description', revision: 1, op: [11, '!'], follows: inFlight.cmd });
  assert.equal(buffer.held, true, 'it waits for the edit it follows to be answered');
  assert.equal(sync.isRecovering(ITEM, 'description'), true);
  assert.equal(sync.edit(ITEM, 'description', [11, '?']), false, 'typing waits until they are answered');
  assert.equal(sync.localText(ITEM, 'description'), 'hello world', 'the room’s text meanwhile');
  pipeline.answer(inFlight, { type: 'ack', duplicate: true });
  assert.equal(buffer.held, false);
  assert.deepEqual(pipeline.sent.at(-1).follows, inFlight.cmd);
  pipeline.answer(buffer, { type: 'ack', revision: 3 });
  assert.equal(sync.isRecovering(ITEM, 'description'), false);
  assert.equal(sync.settled, true);
});

test('after a full welcome, what followed a refused edit is dropped with it', () => {
  const { pipeline, sync, store } = setUp();
  sync.edit(ITEM, 'description', [5, ' world']);
  sync.edit(ITEM, 'description', [11, '!']);
  const [inFlight, buffer] = pipeline.outbox;
  store.reset(store.room, ME, 'epoch');
  sync.welcomed();
  pipeline.answer(inFlight, { type: 'error', code: 'stale_revision' });
  assert.equal(pipeline.isWaiting(buffer), false);
  assert.equal(sync.settled, true);
  assert.equal(sync.localText(ITEM, 'description'), 'hello');
});

test('after a full welcome, edits never sent are folded into one', () => {
  const { pipeline, sync, store } = setUp();
  // Nothing can go out: the first stays unnumbered.
  pipeline.send = () => {};
  sync.edit(ITEM, 'description', [5, ' world']);
  sync.edit(ITEM, 'description', [11, '!']);
  store.reset(store.room, ME, 'epoch');
  sync.welcomed();
  assert.equal(pipeline.outbox.length, 1);
  assert.deepEqual(pipeline.outbox[0].command.op, [5, ' world!']);
});

test('a refused edit drops what waits, and the field shows the room’s text', () => {
  const { pipeline, sync } = setUp();
  const changes = [];
  sync.subscribe((change) => changes.push(change));
  sync.edit(ITEM, 'description', [5, '!']);
  sync.edit(ITEM, 'description', [6, '?']);
  pipeline.answer(pipeline.outbox[0], { type: 'error', code: 'invalid_value' });
  assert.equal(pipeline.outbox.length, 0);
  assert.equal(sync.localText(ITEM, 'description'), 'hello');
  assert.equal(changes.length, 1);
});
