// The web client's split rules (web/js/split.js), run by Node without a browser.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildParts, pickableLines, suggestsSplit } from '../../../web/js/split.js';

const FIBONACCI = { kind: 'fibonacci', cards: ['0', '1', '2', '3', '5', '8', '13', '21', '34', '55', '89', '?', '☕'] };
const T_SHIRT = { kind: 't_shirt', cards: ['XS', 'S', 'M', 'L', 'XL', 'XXL', '?'] };

/** @param {any} deck @param {Partial<any>} stats */
function record(deck, stats) {
  return { round_id: 'r', number: 1, deck, votes: [], revealed_at: 0, accepted: null, stats: { votes: 3, distribution: [], average: null, median: null, mode: null, agreement: 1, consensus: true, outliers: null, ...stats } };
}

test('a median at the threshold suggests a split, below it does not', () => {
  const settings = { name: 'r', default_deck: { kind: 'fibonacci' }, auto_reveal: false, suggest_split_at: 13 };
  assert.equal(suggestsSplit(record(FIBONACCI, { median: 13, mode: '13' }), settings), true);
  assert.equal(suggestsSplit(record(FIBONACCI, { median: 10.5, mode: '21' }), settings), false);
  assert.equal(suggestsSplit(record(FIBONACCI, { median: 55 }), { ...settings, suggest_split_at: 0 }), false, '0 is never');
  assert.equal(suggestsSplit(record(FIBONACCI, { votes: 0 }), settings), false, 'nobody voted');
  // Rooms stored before the setting existed use the default.
  const { suggest_split_at: _, ...older } = settings;
  assert.equal(suggestsSplit(record(FIBONACCI, { median: 21 }), older), true);
});

test('on a deck of words the largest card most played suggests a split', () => {
  const settings = { name: 'r', default_deck: { kind: 't_shirt' }, auto_reveal: false, suggest_split_at: 13 };
  assert.equal(suggestsSplit(record(T_SHIRT, { mode: 'XXL' }), settings), true);
  assert.equal(suggestsSplit(record(T_SHIRT, { mode: 'XL' }), settings), false);
});

test('picked lines go to their part, or to every part, in their order', () => {
  assert.deepEqual(pickableLines('Context\n\n  \r\n- one\r\n- two'), ['Context', '- one', '- two']);
  const parts = buildParts([' Card ', 'Invoice'], {
    description: [{ line: 'Context', to: 'all' }],
    acceptance_criteria: [
      { line: '- Visa', to: 0 },
      { line: '- PDF', to: 1 },
      { line: '- Nobody', to: 'none' },
      { line: '- Mastercard', to: 0 },
    ],
  });
  assert.deepEqual(parts, [
    { title: 'Card', description: 'Context', acceptance_criteria: '- Visa\n- Mastercard' },
    { title: 'Invoice', description: 'Context', acceptance_criteria: '- PDF' },
  ]);
});
