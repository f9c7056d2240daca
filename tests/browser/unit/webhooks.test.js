// Webhooks apart from the page (web/js/webhooks.js), run by Node: the URL and events a new
// webhook needs, the limit, what a delivery in the log says, and when an open log looks again.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  REFRESH,
  SHOWN_FIRST,
  SIGNATURE_FORMAT,
  attemptsText,
  deliveryState,
  eventsProblem,
  isFull,
  newestFirst,
  outcomeText,
  refreshDelay,
  retryText,
  settled,
  shownDeliveries,
  urlProblem,
} from '../../../web/js/webhooks.js';
import { WEBHOOK_EVENTS, WEBHOOKS } from '../../../web/js/protocol.js';

const NOW = Date.UTC(2026, 2, 12, 14, 5);

/** A delivery, pending on its first attempt unless told otherwise. */
const delivery = (fields = {}) => ({ id: 'd1', webhook_id: 'w1', event: 'ping', status: 'pending', created_at: NOW - 5_000, attempts: 0, ...fields });
/** A webhook with these deliveries. */
const webhook = (deliveries = [], fields = {}) => ({ id: 'w1', url: 'https://hooks.example.com/rr', events: ['estimate.accepted'], created_at: NOW - 60_000, deliveries, ...fields });

test('a URL is needed, starts with http(s)://, is a URL and not too long', () => {
  assert.match(urlProblem('   '), /^Enter the address/);
  assert.match(urlProblem('ftp://example.com/x'), /must start with https:\/\/ or http:\/\//);
  assert.match(urlProblem('hooks.example.com/rr'), /must start with https:\/\//, 'no scheme');
  assert.match(urlProblem('https://exa mple.com/'), /not a web address/);
  assert.match(urlProblem('https://'), /not a web address/);
  assert.equal(urlProblem('https://hooks.example.com/rr?x=1'), '');
  assert.equal(urlProblem('  HTTP://127.0.0.1:8080/hook  '), '', 'trimmed, any case of scheme; private addresses are the server’s call');
  const base = 'https://hooks.example.com/';
  assert.equal(urlProblem(base + 'a'.repeat(WEBHOOKS.urlChars - base.length)), '');
  assert.match(urlProblem(base + 'a'.repeat(WEBHOOKS.urlChars - base.length + 1)), /at most 2,000 characters/);
});

test('at least one event is chosen, of the four there are', () => {
  assert.deepEqual(WEBHOOK_EVENTS, ['estimate.accepted', 'item.ready', 'session.ended', 'items.imported']);
  assert.match(eventsProblem([]), /at least one event/);
  assert.equal(eventsProblem(['item.ready']), '');
});

test('a room holds five webhooks, listed newest first', () => {
  const webhooks = Array.from({ length: 5 }, (_, i) => webhook([], { id: `w${i}`, created_at: i }));
  assert.equal(isFull(webhooks), true);
  assert.equal(isFull(webhooks.slice(1)), false);
  assert.deepEqual(newestFirst(webhooks.slice(0, 3)).map((w) => w.id), ['w2', 'w1', 'w0']);
});

test('a delivery says where it stands, what the receiver answered and when it is tried again', () => {
  assert.equal(deliveryState(delivery()), 'sending');
  const retrying = delivery({ attempts: 1, response_status: 503, error: 'the receiver answered 503', next_attempt_at: NOW + 30_000, last_attempt_at: NOW - 1_000 });
  assert.equal(deliveryState(retrying), 'retrying');
  assert.equal(outcomeText(retrying), 'HTTP 503', 'the status says it; the error only repeats it');
  assert.equal(attemptsText(retrying), '1 attempt');
  assert.equal(retryText(retrying, NOW), 'next try in a moment');
  const later = { ...retrying, attempts: 4, next_attempt_at: NOW + 8 * 60_000 };
  assert.match(retryText(later, NOW), /^next try at \d{1,2}:\d{2}/);
  assert.equal(attemptsText(later), '4 attempts');

  const unreachable = delivery({ status: 'failed', attempts: 12, error: 'client error (Connect): connection refused' });
  assert.equal(deliveryState(unreachable), 'failed');
  assert.equal(outcomeText(unreachable), 'client error (Connect): connection refused', 'no answer: why, in the server’s words');
  assert.equal(retryText(unreachable, NOW), '', 'a failed delivery is retried only by hand');

  const delivered = delivery({ status: 'delivered', attempts: 2, response_status: 204 });
  assert.equal(deliveryState(delivered), 'delivered');
  assert.equal(outcomeText(delivered), 'HTTP 204');
  assert.equal(attemptsText(delivery()), '', 'nothing to count before the first attempt');
});

test('a long log shows its latest deliveries first, all on request', () => {
  const deliveries = Array.from({ length: WEBHOOKS.deliveries }, (_, i) => delivery({ id: `d${i}`, status: 'delivered' }));
  assert.equal(shownDeliveries(deliveries, false).length, SHOWN_FIRST);
  assert.equal(shownDeliveries(deliveries, false)[0].id, 'd0');
  assert.equal(shownDeliveries(deliveries, true).length, 50);
});

test('an open log looks again while deliveries are pending, and leaves a settled one alone', () => {
  assert.equal(refreshDelay([webhook([delivery({ status: 'delivered' })]), webhook([])], NOW), null);
  assert.equal(refreshDelay([webhook([delivery({ status: 'failed' })])], NOW), null);
  assert.equal(refreshDelay([webhook([delivery()])], NOW), REFRESH.min, 'a first attempt under way: soon');
  const retry = (inMs) => delivery({ attempts: 1, next_attempt_at: NOW + inMs });
  assert.equal(refreshDelay([webhook([retry(5_000)])], NOW), 5_750, 'just after the retry is due');
  assert.equal(refreshDelay([webhook([retry(3_600_000)])], NOW), REFRESH.max, 'at most half a minute');
  assert.equal(refreshDelay([webhook([retry(20_000)]), webhook([retry(2_000), delivery({ status: 'delivered' })])], NOW), 2_750, 'the soonest of all');
  assert.equal(refreshDelay([webhook([retry(-10_000)])], NOW), REFRESH.min, 'overdue: soon, not at once');
});

test('deliveries asked for here are told of once they settle', () => {
  const log = [webhook([delivery({ id: 'a', status: 'delivered' }), delivery({ id: 'b' }), delivery({ id: 'c', status: 'failed' })])];
  assert.deepEqual(settled(log, new Set(['a', 'b'])).map((d) => d.id), ['a']);
  assert.deepEqual(settled(log, new Set(['b', 'c', 'x'])).map((d) => d.id), ['c']);
});

test('the signature is documented as the server makes it', () => {
  assert.equal(SIGNATURE_FORMAT, 'ReadyRoom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">');
});
