// The web client's reading of the Definition of Ready (web/js/readiness.js), run by Node: the
// same rules the server applies (docs/protocol.md §18).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checklist, countsAsReady, readinessOf } from '../../../web/js/readiness.js';

const DEFINITION = [
  { id: 1, text: 'Clear title and description' },
  { id: 2, text: 'Acceptance criteria written', auto: 'acceptance_criteria' },
  { id: 3, text: 'Estimated', auto: 'estimated' },
  { id: 4, text: 'No unfinished dependencies', auto: 'dependencies_ready' },
  { id: 5, text: 'Small enough for one sprint' },
  { id: 6, text: 'Open questions answered', auto: 'questions_answered' },
];

function item(id, fields = {}) {
  return { id, rank: '80', title: id, description: '', acceptance_criteria: '', labels: [], links: [], dependencies: [], estimate: null, status: 'new', history: [], created_at: 0, checked: [], ...fields };
}

test('each criterion is met by the item itself or by people checking it', () => {
  const items = new Map([['a', item('a', { acceptance_criteria: ' \n', estimate: '5', checked: [5] })]]);
  const list = checklist(items.get('a'), items, DEFINITION);
  assert.deepEqual(list.map((entry) => entry.met), [false, false, true, true, true, true]);
  assert.equal(list[1].why, 'No acceptance criteria yet', 'blank criteria do not count');
  assert.deepEqual(readinessOf(items.get('a'), items, DEFINITION), { met: 4, total: 6 });
});

test('a dependency counts once it is ready, or once every part it was split into is', () => {
  const items = new Map([
    ['api', item('api', { split_into: ['read', 'write'] })],
    ['read', item('read', { status: 'ready', split_from: 'api' })],
    ['write', item('write', { split_from: 'api' })],
    ['app', item('app', { dependencies: ['api'] })],
  ]);
  const waits = () => checklist(items.get('app'), items, DEFINITION)[3];
  assert.deepEqual([waits().met, waits().why], [false, 'Waits for “api”']);
  items.get('write').status = 'ready';
  assert.equal(waits().met, true);
  assert.equal(countsAsReady('gone', items), true, 'a deleted item waits for nothing');
});
