// Team rooms apart from the page (web/js/team-rooms.js), run by Node: which room a pasted link
// or id names, what is wrong with a room or token before the server is asked, the limit, the
// list, and what a refusal says in each language.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLocale } from '../../../web/js/i18n.js';
import { TEAM_ROOMS } from '../../../web/js/protocol.js';
import { addressProblem, isFull, latestFirst, refusalText, roomIdFrom, tokenProblem, withLinked } from '../../../web/js/team-rooms.js';

const OTHER = '5b1e0c8a-3f2d-4a6b-9c7e-1d2f3a4b5c6d';
const OWN = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/** A linked room. */
const room = (n, fields = {}) => ({ room_id: `00000000-0000-4000-8000-00000000000${n}`, name: `Sprint ${40 + n}`, linked_at: 1_000 * n, ...fields });

test('a room is named by its id, or by its link on any host, with whatever follows it', () => {
  assert.equal(roomIdFrom(OTHER), OTHER);
  assert.equal(roomIdFrom(`  ${OTHER.toUpperCase()}\n`), OTHER, 'trimmed, in lower case');
  assert.equal(roomIdFrom(`https://rr.example.com/r/${OTHER}`), OTHER);
  assert.equal(roomIdFrom(`http://127.0.0.1:8080/r/${OTHER}/`), OTHER);
  assert.equal(roomIdFrom(`https://rr.example.com/r/${OTHER}#facilitator=0123456789abcdef0123456789abcdef`), OTHER, 'a facilitator link gives its room, and nothing else');
  assert.equal(roomIdFrom(`https://rr.example.com/r/${OTHER}?from=chat`), OTHER);
  assert.equal(roomIdFrom(`rr.example.com/r/${OTHER}`), OTHER, 'without the scheme, as some chats shorten it');
  assert.equal(roomIdFrom(`https://rr.example.com/teams/r/${OTHER}`), null, 'not a room’s page');
  assert.equal(roomIdFrom(`https://rr.example.com/r/${OTHER}/items`), null);
  assert.equal(roomIdFrom(`https://rr.example.com/r/${OTHER.slice(0, -1)}`), null, 'an id cut short');
  assert.equal(roomIdFrom(`ftp://rr.example.com/r/${OTHER}`), null);
  assert.equal(roomIdFrom(`${OTHER}x`), null);
  assert.equal(roomIdFrom('Sprint 41'), null);
  assert.equal(roomIdFrom(''), null);
});

test('the room to link is needed, named, not this one, and fits the limit', () => {
  assert.equal(addressProblem('  ', OWN, []), 'Paste the other room’s link or its ID.');
  assert.match(addressProblem('https://rr.example.com/sprint-41', OWN, []), /^That is neither a room’s link/);
  assert.match(addressProblem(`https://rr.example.com/r/${OWN.toUpperCase()}`, OWN, []), /^That is this room/);
  assert.equal(addressProblem(`https://rr.example.com/r/${OTHER}`, OWN, []), '');
  const five = [1, 2, 3, 4, 5].map((n) => room(n));
  assert.equal(TEAM_ROOMS.max, 5);
  assert.equal(isFull(five), true);
  assert.equal(isFull(five.slice(1)), false);
  assert.match(addressProblem(OTHER, OWN, five), /^This room draws on 5 other rooms, as many as it may\./);
  assert.equal(addressProblem(five[2].room_id, OWN, five), '', 'a room linked already may be linked again (with a new token) when full');
});

test('a token is needed, without spaces inside', () => {
  assert.equal(tokenProblem(''), 'Paste one of that room’s API tokens.');
  assert.equal(tokenProblem(' \t'), 'Paste one of that room’s API tokens.');
  assert.match(tokenProblem('rr_0123 4567'), /no spaces/);
  assert.equal(tokenProblem('  rr_0123456789abcdef0123456789abcdef\n'), '', 'spaces around it are trimmed');
});

test('a room linked again takes its old place; the list shows the latest linked first', () => {
  const list = [room(1), room(2)];
  assert.deepEqual(withLinked(list, room(3)).map((r) => r.name), ['Sprint 41', 'Sprint 42', 'Sprint 43']);
  const renamed = withLinked(list, room(1, { name: 'Sprint 41 (done)', linked_at: 9_000 }));
  assert.deepEqual(renamed.map((r) => r.name), ['Sprint 41 (done)', 'Sprint 42']);
  assert.deepEqual(latestFirst(renamed).map((r) => r.name), ['Sprint 41 (done)', 'Sprint 42']);
  assert.deepEqual(latestFirst(list).map((r) => r.name), ['Sprint 42', 'Sprint 41']);
  assert.deepEqual(list.map((r) => r.name), ['Sprint 41', 'Sprint 42'], 'the list given is left as it was');
});

test('a refusal: the server’s words in English, the catalogue’s elsewhere', async () => {
  const refused = { code: 'invalid_value', message: 'that room does not exist or the token is not one of its API tokens' };
  assert.equal(refusalText(refused), refused.message);
  assert.equal(refusalText({ code: 'forbidden', message: 'only the facilitator may do that' }), 'only the facilitator may do that');
  try {
    await setLocale('de');
    assert.equal(refusalText(refused), 'Diesen Raum gibt es nicht, oder das Token ist keines seiner API-Tokens.');
    assert.equal(refusalText({ code: 'forbidden', message: 'only the facilitator may do that' }), 'Deine Rolle erlaubt das nicht.');
    assert.match(addressProblem(OWN, OWN, []), /^Das ist dieser Raum/);
    await setLocale('es');
    assert.equal(refusalText(refused), 'Esa sala no existe, o el token no es uno de sus tokens de API.');
  } finally {
    await setLocale('en');
  }
});
