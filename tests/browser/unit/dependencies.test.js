// The web client's dependency helpers (web/js/dependencies.js), run by Node.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependenciesBelow, dependencyCandidates, dependencyTree, wouldCycle } from '../../../web/js/dependencies.js';

function item(id, dependencies = [], fields = {}) {
  return { id, rank: id, title: id, description: '', acceptance_criteria: '', labels: [], links: [], dependencies, estimate: null, status: 'new', history: [], created_at: 0, ...fields };
}

const backlog = () => {
  const ordered = [item('app', ['api', 'auth']), item('api', ['db']), item('auth', ['db']), item('db'), item('docs'), item('api docs', [], { split_into: ['x'] })];
  return { ordered, items: new Map(ordered.map((i) => [i.id, i])) };
};

test('a dependency that would close a circle is known before it is sent', () => {
  const { items } = backlog();
  assert.equal(wouldCycle(items, 'db', 'app'), true);
  assert.equal(wouldCycle(items, 'db', 'docs'), false);
  assert.equal(wouldCycle(items, 'docs', 'docs'), true);
});

test('candidates are found by title, starting matches first, without split items', () => {
  const { ordered, items } = backlog();
  const found = dependencyCandidates(ordered, items, items.get('db'), 'a');
  assert.deepEqual(found.map((c) => [c.item.id, c.cycle]), [['app', true], ['api', true], ['auth', true]]);
  const docs = dependencyCandidates(ordered, items, items.get('app'), 'DOC');
  assert.deepEqual(docs.map((c) => c.item.id), ['docs'], 'case does not matter; a split item is not offered');
  assert.deepEqual(dependencyCandidates(ordered, items, items.get('app'), '').map((c) => c.item.id), ['db', 'docs'], 'not what it already has');
});

test('dependencies ranked below their item are found, lowest last', () => {
  const { ordered, items } = backlog();
  assert.deepEqual(dependenciesBelow(items.get('app'), ordered).map((i) => i.id), ['api', 'auth']);
  assert.deepEqual(dependenciesBelow(items.get('db'), ordered), []);
});

test('the tree starts from what nothing waits for and writes each item out once', () => {
  const { ordered } = backlog();
  const show = (nodes) => nodes.map((n) => (n.repeat ? `(${n.item.id})` : n.children.length ? [n.item.id, show(n.children)] : n.item.id));
  assert.deepEqual(show(dependencyTree(ordered)), [['app', [['api', ['db']], ['auth', ['(db)']]]]]);
  // A circle from an older room is shown, not lost.
  const circle = [item('a', ['b']), item('b', ['a'])];
  assert.deepEqual(show(dependencyTree(circle)), [['a', [['b', ['(a)']]]]]);
});
