// API tokens apart from the page (web/js/api-tokens.js), run by Node: the example, names, the limit.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { curlExample, isFull, nameProblem, newestFirst } from '../../../web/js/api-tokens.js';

test('the example names the server and the room, and the token only by a variable', () => {
  assert.equal(
    curlExample('https://rr.example.com', '3f2b8c1e-6d4a-4f7b-9c2e-1a5d8e7f6b40'),
    'curl -H "Authorization: Bearer $READYROOM_TOKEN" https://rr.example.com/api/rooms/3f2b8c1e-6d4a-4f7b-9c2e-1a5d8e7f6b40/items',
  );
});

test('a name is needed, and not too long', () => {
  assert.match(nameProblem('  '), /^Name the token/);
  assert.equal(nameProblem('Jira sync'), '');
  assert.equal(nameProblem('x'.repeat(60)), '');
  assert.match(nameProblem('x'.repeat(61)), /at most 60 characters/);
  assert.equal(nameProblem('☕'.repeat(60)), '', 'counted in characters, not code units');
});

test('a room holds twenty tokens, listed newest first', () => {
  const tokens = Array.from({ length: 20 }, (_, i) => ({ id: `t${i}`, name: `T${i}`, scope: 'read', created_at: i }));
  assert.equal(isFull(tokens), true);
  assert.equal(isFull(tokens.slice(1)), false);
  assert.deepEqual(newestFirst(tokens.slice(0, 3)).map((t) => t.id), ['t2', 't1', 't0']);
});
