// Estimate suggestions apart from the page (web/js/suggestions.js), run by Node: who is offered
// one when, the answers kept per round, and what a suggestion says in words.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLocale } from '../../../web/js/i18n.js';
import { SuggestionCache, confidenceText, hasSuggestion, matchesText, suggestionMode } from '../../../web/js/suggestions.js';

const round = (fields = {}) => ({ id: 'r1', item_id: 'i1', number: 1, phase: 'voting', revealed: null, ...fields });
const answer = { item_id: 'i1', matches: 4, suggested: '3', confidence: 'high', references: [{ item_id: 'a', title: 'A', estimate: '3', similarity: 0.4 }] };

test('voters see a suggestion only once the votes are revealed; the facilitator may ask before', () => {
  assert.equal(suggestionMode(round(), false), null, 'a voter before the reveal: nothing, not even an offer');
  assert.equal(suggestionMode(round(), true), 'on_request');
  assert.equal(suggestionMode(round({ phase: 'revealed', revealed: { stats: {} } }), false), 'revealed');
  assert.equal(suggestionMode(round({ phase: 'revealed', revealed: { stats: {} } }), true), 'revealed');
  assert.equal(suggestionMode(round({ dimension: 'job_size', revealed: { stats: {} } }), true), null, 'a WSJF part is no estimate');
  assert.equal(suggestionMode(null, true), null);
});

test('an answer is fetched once per round, and a failure is fetched again when asked again', async () => {
  const cache = new SuggestionCache();
  let calls = 0;
  const fetch = () => {
    calls += 1;
    return Promise.resolve(answer);
  };
  const [first, second] = await Promise.all([cache.load('r1', fetch), cache.load('r1', fetch)]);
  assert.equal(calls, 1, 'asked once while on its way');
  assert.equal(first, second);
  assert.deepEqual(cache.get('r1'), { state: 'ready', suggestion: answer });
  await cache.load('r1', fetch);
  assert.equal(calls, 1, 'kept once there');

  let fail = true;
  const flaky = () => (fail ? Promise.reject(new Error('offline')) : Promise.resolve(answer));
  const failed = await cache.load('r2', flaky);
  assert.equal(failed.state, 'failed');
  fail = false;
  assert.equal((await cache.load('r2', flaky)).state, 'ready', 'trying again fetches again');
});

test('cleared (a team room linked or unlinked), every answer is fetched again, and one on its way is not kept', async () => {
  const cache = new SuggestionCache();
  let calls = 0;
  const fetch = () => {
    calls += 1;
    return Promise.resolve({ ...answer, matches: calls });
  };
  await cache.load('r1', fetch);
  /** @type {(value: any) => void} */
  let arrive = () => {};
  const slow = cache.load('r2', () => new Promise((resolve) => (arrive = resolve)));
  cache.clear();
  assert.equal(cache.get('r1'), undefined);
  arrive(answer);
  await slow;
  assert.equal(cache.get('r2'), undefined, 'an answer to a question asked before the change is dropped');
  assert.equal((await cache.load('r1', fetch)).state, 'ready');
  assert.equal(calls, 2, 'asked again');
});

test('only the last few rounds are kept', async () => {
  const cache = new SuggestionCache();
  for (let i = 0; i < 20; i++) await cache.load(`r${i}`, () => Promise.resolve(answer));
  assert.equal(cache.get('r0'), undefined);
  assert.equal(cache.get('r19')?.state, 'ready');
});

test('a suggestion in words, in every language', async () => {
  assert.equal(confidenceText(answer), 'High confidence');
  assert.equal(matchesText(answer), 'from 4 similar items');
  assert.equal(matchesText({ ...answer, matches: 1 }), 'from 1 similar item');
  assert.equal(hasSuggestion(answer), true);
  assert.equal(hasSuggestion({ item_id: 'i1', matches: 2, references: [] }), false, 'fewer than three matches: no card');
  try {
    await setLocale('de');
    assert.equal(confidenceText({ ...answer, confidence: 'low' }), 'Geringe Sicherheit');
    assert.equal(matchesText(answer), 'aus 4 ähnlichen Einträgen');
    await setLocale('es');
    assert.equal(confidenceText({ ...answer, confidence: 'medium' }), 'Confianza media');
    assert.equal(matchesText({ ...answer, matches: 1 }), 'a partir de 1 elemento parecido');
  } finally {
    await setLocale('en');
  }
});
