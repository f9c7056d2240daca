// What a reveal's numbers mean (web/js/results.js), run by Node.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spread, verdict } from '../../../web/js/results.js';

const stats = (pairs, { mode = null, consensus = false } = {}) => ({
  votes: pairs.reduce((n, [, count]) => n + count, 0),
  distribution: pairs.map(([card, count]) => ({ card, count })),
  average: null,
  median: null,
  mode,
  agreement: 0,
  consensus,
  outliers: null,
});

test('a tie proposes no card and names the tied ones', () => {
  const said = verdict(stats([['8', 1], ['21', 1]]));
  assert.equal(said.kind, 'tie');
  assert.deepEqual(said.tied, ['8', '21']);
  assert.equal(said.text, 'No consensus: 8 and 21 are tied. Talk it through and vote again, or split the item if it is too big.');
  assert.deepEqual(verdict(stats([['3', 2], ['5', 2], ['8', 2], ['?', 3]])).tied, ['3', '5', '8'], 'special cards never tie');
});

test('consensus, a most common card, and nothing to go on', () => {
  assert.equal(verdict(stats([['5', 3], ['☕', 1]], { mode: '5', consensus: true })).text, 'Consensus: everyone played 5.');
  const most = verdict(stats([['3', 1], ['5', 2], ['13', 1]], { mode: '5' }));
  assert.equal(most.kind, 'most_common');
  assert.match(most.text, /^No consensus: votes from 3 to 13\./);
  assert.equal(verdict(stats([])).kind, 'nothing');
  assert.match(verdict(stats([['?', 2]])).text, /Nobody played an estimate/);
});

test('the spread counts the deck’s cards between the lowest and the highest vote', () => {
  const record = (pairs) => ({ deck: { kind: 'fibonacci', cards: ['0', '1', '2', '3', '5', '8', '13', '21', '?', '☕'] }, stats: stats(pairs) });
  assert.deepEqual(spread(record([['3', 1], ['5', 2], ['13', 1], ['?', 1]])), { low: '3', high: '13', steps: 3 });
  assert.equal(spread(record([['5', 3], ['☕', 1]])), null, 'one card is no spread');
});
