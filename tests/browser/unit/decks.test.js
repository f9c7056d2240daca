// Decks as people write them (web/js/decks.js), run by Node.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deckName, kindName, parseCards } from '../../../web/js/decks.js';

test('a custom deck is typed as a list and checked as the server checks it', () => {
  assert.deepEqual(parseCards(' 1, 2  3,5 '), { cards: ['1', '2', '3', '5'], error: null });
  assert.match(parseCards('').error ?? '', /Type the cards/);
  assert.match(parseCards('1 2 1').error ?? '', /“1” appears twice/);
  assert.match(parseCards('1 ? 3').error ?? '', /own option/);
  assert.match(parseCards('enormous1').error ?? '', /longer than 8/);
  assert.match(parseCards(Array.from({ length: 31 }, (_, i) => String(i)).join(' ')).error ?? '', /at most 30/);
});

test('a deck choice in a few words', () => {
  assert.equal(deckName({ kind: 'fibonacci' }), 'Fibonacci');
  assert.equal(deckName({ kind: 't_shirt' }), 'T-shirt sizes');
  assert.equal(deckName({ kind: 'custom', cards: ['1', '2', '4'] }), 'Custom: 1, 2, 4');
  assert.equal(kindName('custom'), 'Custom');
});
