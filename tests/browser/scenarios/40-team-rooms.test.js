// Team rooms: last sprint's room (A) has estimated items and issues a read API token; the
// facilitator of this sprint's room (B) links A in the tracker dialog's API tab by pasting A's
// link and that token, and finds it listed. Voting on a similar item in B, everyone sees
// suggestion references that name room A after the reveal. A revokes the token, and B's
// suggestion no longer draws on A; linked again with a new token, it does at once; unlinked
// after a yes, it does not. A wrong token is refused with the server's words.

import assert from 'node:assert/strict';
import { expectAccessible } from '../a11y.js';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogItemTitled, enterRoom, openRoom, startRound, textAndAttributes, textOf, tid, vote, waitPhase } from '../ui.js';

const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Last sprint's estimates, as a tracker sync would send them: three exports at 3, one at 5. */
const LAST_SPRINT = [
  'title,estimate',
  'Export the backlog as CSV,3',
  'Export estimates as CSV,3',
  'Export votes as CSV,3',
  'Export the summary as PDF,5',
  'Single sign-on,13',
].join('\n');
const SIMILAR = ['Export the backlog as CSV', 'Export estimates as CSV', 'Export votes as CSV', 'Export the summary as PDF'];

/**
 * A request to the HTTP API with a token, as a tool would make it: the status and the body.
 * @param {import('../harness.js').Scene} scene
 * @param {string} method
 * @param {string} path
 * @param {string} token
 * @param {{ json?: unknown, csv?: string }} [body]
 */
async function call(scene, method, path, token, { json, csv } = {}) {
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${token}` };
  if (json !== undefined) headers['content-type'] = 'application/json';
  if (csv !== undefined) headers['content-type'] = 'text/csv';
  const response = await fetch(scene.url(path), { method, headers, body: json !== undefined ? JSON.stringify(json) : csv });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The API tab of the tracker dialog, opened afresh, scrolled to the team rooms. */
async function openTeamRooms(page) {
  await page.locator(tid('open-tracker')).click();
  const dialog = page.locator(tid('tracker-dialog'));
  await dialog.waitFor({ state: 'visible' });
  await dialog.locator(tid('tracker-tab-api')).click();
  const section = dialog.locator(tid('team-rooms'));
  await section.waitFor({ state: 'visible' });
  await section.scrollIntoViewIfNeeded();
  return { dialog, section };
}

/** Whether anything on the page scrolls sideways: the page itself or the dialog. */
function sidewaysOverflow(page) {
  return page.evaluate(() => {
    const dialog = /** @type {HTMLElement} */ (document.querySelector('#tracker-dialog'));
    return Math.max(document.documentElement.scrollWidth - document.documentElement.clientWidth, dialog.scrollWidth - dialog.clientWidth);
  });
}

/** The id of the person's focused element's data-testid. */
function focused(page) {
  return page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
}

/**
 * Each reference of the suggestion on a page: its title and the room named beside it, if any.
 * @param {import('playwright-core').Page} page
 */
function references(page) {
  return page.locator(`${tid('suggestion')} ${tid('suggestion-reference')}`).evaluateAll((rows) =>
    rows.map((row) => ({
      title: row.querySelector('[data-testid="suggestion-reference-title"]')?.textContent ?? '',
      room: row.querySelector('[data-testid="suggestion-reference-room"] [aria-hidden="true"]')?.textContent ?? null,
      roomId: row.getAttribute('data-room-id'),
    })),
  );
}

scenario('last sprint’s room, linked with one of its tokens, feeds the suggestions until the token is revoked or the room unlinked', async (scene) => {
  // Room A, last sprint's: estimated items and a read token, all over HTTP.
  const roomA = await scene.api('POST', '/api/rooms', { name: 'Sprint 41', default_deck: { kind: 'fibonacci' }, auto_reveal: false });
  const imported = await call(scene, 'POST', `/api/rooms/${roomA.room_id}/import/csv`, roomA.facilitator_token, { csv: LAST_SPRINT });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  const issued = await call(scene, 'POST', `/api/rooms/${roomA.room_id}/tokens`, roomA.facilitator_token, { json: { name: 'Sprint 42 suggestions', scope: 'read' } });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  const tokenA = issued.body.token;
  const linkA = `${scene.baseUrl}/r/${roomA.room_id}`;

  // Room B, this sprint's: Ana facilitates, Ben votes.
  const { room: roomB, people } = await openRoom(scene, [{ name: 'Ana', viewport: DESKTOP }, { name: 'Ben', viewport: DESKTOP }], { roomName: 'Sprint 42' });
  const [ana, ben] = people;
  await addItem(ana, 'Export people as CSV');

  const { dialog, section } = await openTeamRooms(ana.page);
  assert.equal(await textOf(section.locator('h3')), 'Suggestions from the team’s other rooms');
  assert.match(await textOf(section.locator('#team-rooms-hint')), /^Estimate suggestions can also draw on items estimated in the team’s other rooms/);
  await section.locator(tid('team-rooms-empty')).waitFor();
  assert.equal(await textOf(section.locator(tid('team-rooms-empty'))), 'No rooms linked: suggestions draw on this room’s own estimates only.');
  assert.equal(await textOf(section.locator('#team-rooms-list-heading .count')), '0 of 5');

  // The form says what is wrong before asking the server.
  await section.locator(tid('team-room-link')).click();
  assert.equal(await textOf(section.locator(tid('team-room-address-problem'))), 'Paste the other room’s link or its ID.');
  assert.equal(await textOf(section.locator(tid('team-room-token-problem'))), 'Paste one of that room’s API tokens.');
  assert.equal(await focused(ana.page), 'team-room-address');
  assert.equal(await section.locator(tid('team-room-address')).getAttribute('aria-invalid'), 'true');
  await section.locator(tid('team-room-address')).fill(`${scene.baseUrl}/r/${roomB.room_id}`);
  await section.locator(tid('team-room-token')).fill(tokenA);
  await section.locator(tid('team-room-link')).click();
  assert.match(await textOf(section.locator(tid('team-room-address-problem'))), /^That is this room: its own estimates always count\./);
  await section.locator(tid('team-room-address')).fill('Sprint 41');
  await section.locator(tid('team-room-link')).click();
  assert.match(await textOf(section.locator(tid('team-room-address-problem'))), /^That is neither a room’s link/);

  // A wrong token: the server's own words, and nothing linked.
  await section.locator(tid('team-room-address')).fill(`${linkA}#facilitator=${roomA.facilitator_token}`);
  await section.locator(tid('team-room-token')).fill(`rr_${'0'.repeat(32)}`);
  await section.locator(tid('team-room-link')).click();
  await eventually(async () => assert.equal(await textOf(section.locator(tid('team-room-link-problem'))), 'that room does not exist or the token is not one of its API tokens'));
  assert.equal(await section.locator(tid('team-room-address-problem')).count(), 0);
  assert.equal(await focused(ana.page), 'team-room-token', 'the focus goes back to the token, to paste the right one');
  assert.equal(await section.locator(tid('team-room-token')).getAttribute('type'), 'password', 'the token is not shown on a shared screen');
  assert.equal((await call(scene, 'GET', `/api/rooms/${roomB.room_id}/team-rooms`, roomB.facilitator_token)).body.length, 0);

  // The right token: A is listed, the form emptied, the token gone from the page.
  await section.locator(tid('team-room-token')).fill(tokenA);
  await section.locator(tid('team-room-link')).click();
  const row = section.locator(tid('team-room'));
  await eventually(async () => assert.equal(await row.count(), 1));
  assert.equal(await row.getAttribute('data-room-id'), roomA.room_id);
  assert.equal(await textOf(row.locator(tid('team-room-name'))), 'Sprint 41');
  assert.match(await textOf(row.locator(tid('team-room-date'))), /^Linked \w{3} \d+, \d{4}/);
  assert.equal(await textOf(row.locator(tid('team-room-id'))), roomA.room_id);
  assert.equal(await textOf(section.locator('#team-rooms-list-heading .count')), '1 of 5');
  assert.equal(await textOf(section.locator(tid('team-rooms-live'))), '“Sprint 41” linked: suggestions draw on its estimates from now on.');
  assert.equal(await section.locator(tid('team-room-address')).inputValue(), '');
  assert.equal(await section.locator(tid('team-room-token')).inputValue(), '');
  assert.equal(await section.locator(tid('team-room-link-problem')).count(), 0);
  assert.ok(!(await textAndAttributes(dialog)).some((part) => part.includes(tokenA)), 'no trace of A’s token');
  assert.ok(!(await textAndAttributes(dialog)).some((part) => part.includes(roomA.facilitator_token)), 'nor of A’s facilitator link’s token');
  const linked = await call(scene, 'GET', `/api/rooms/${roomB.room_id}/team-rooms`, roomB.facilitator_token);
  assert.deepEqual(linked.body.map((room) => [room.room_id, room.name]), [[roomA.room_id, 'Sprint 41']]);

  // The section, with a room linked and a problem to show, in light and dark, on a desktop and a phone.
  await section.locator(tid('team-room-address')).fill(linkA);
  await section.locator(tid('team-room-link')).click();
  await section.locator(tid('team-room-token-problem')).waitFor();
  await section.scrollIntoViewIfNeeded();
  await expectAccessible(ana.page, 'team rooms');
  await scene.snap(ana, 'team-rooms-desktop-light', { fullPage: false });
  await ana.page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(ana.page, 'team rooms in the dark');
  await scene.snap(ana, 'team-rooms-desktop-dark', { fullPage: false });
  await ana.page.setViewportSize(PHONE);
  await section.scrollIntoViewIfNeeded();
  assert.ok((await sidewaysOverflow(ana.page)) <= 0, 'nothing scrolls sideways on a phone');
  await scene.snap(ana, 'team-rooms-phone-dark', { fullPage: false });
  await ana.page.emulateMedia({ colorScheme: 'light' });
  await expectAccessible(ana.page, 'team rooms on a phone');
  await scene.snap(ana, 'team-rooms-phone-light', { fullPage: false });
  await ana.page.setViewportSize(DESKTOP);
  await ana.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  // Estimating a similar item: after the reveal, the references name room A.
  const target = await backlogItemTitled(ana.page, 'Export people as CSV').getAttribute('data-item-id');
  await startRound(ana, target, people);
  await vote(ben, '5');
  await vote(ana, '3');
  await ana.page.locator(tid('reveal')).click();
  for (const { page } of people) await waitPhase(page, 'revealed');
  for (const { page } of people) {
    await eventually(async () => assert.equal(await textOf(page.locator(`${tid('suggestion')} ${tid('suggested-card')}`)), '3'));
    const shown = await references(page);
    assert.equal(shown.length, 3);
    for (const reference of shown) {
      assert.ok(SIMILAR.includes(reference.title), `${reference.title} is one of last sprint’s similar items`);
      assert.deepEqual([reference.room, reference.roomId], ['· Sprint 41', roomA.room_id]);
    }
  }
  const benReference = ben.page.locator(`${tid('suggestion')} ${tid('suggestion-reference')}`).first();
  assert.match(await textOf(benReference.locator(`${tid('suggestion-reference-room')} .visually-hidden`)), /^from the room Sprint 41$/, 'said in words to a screen reader');
  assert.equal(await benReference.locator('button').count(), 0, 'an item of another room does not open here');
  await expectAccessible(ben.page, 'a suggestion from a team room');
  await ben.page.locator(tid('suggestion')).scrollIntoViewIfNeeded();
  await scene.snap(ben, 'team-rooms-suggestion-desktop-light', { fullPage: false });
  await ben.page.emulateMedia({ colorScheme: 'dark' });
  await scene.snap(ben, 'team-rooms-suggestion-desktop-dark', { fullPage: false });
  await ben.page.setViewportSize(PHONE);
  await ben.page.locator(tid('suggestion')).scrollIntoViewIfNeeded();
  await expectAccessible(ben.page, 'a suggestion from a team room, on a phone in the dark');
  await scene.snap(ben, 'team-rooms-suggestion-phone-dark', { fullPage: false });
  await ben.page.emulateMedia({ colorScheme: 'light' });
  await scene.snap(ben, 'team-rooms-suggestion-phone-light', { fullPage: false });

  // A revokes the token: B's suggestion, fetched again, no longer draws on A.
  const revoked = await call(scene, 'DELETE', `/api/rooms/${roomA.room_id}/tokens/${issued.body.id}`, roomA.facilitator_token);
  assert.equal(revoked.status, 204);
  for (const person of people) {
    await person.page.reload();
    await enterRoom(person, { name: person.name });
    await waitPhase(person.page, 'revealed');
    await eventually(async () => assert.equal(await textOf(person.page.locator(tid('suggestion-none'))), 'Not enough similar estimated items yet.'));
    assert.equal(await person.page.locator(tid('suggestion-reference-room')).count(), 0);
  }
  const direct = await call(scene, 'GET', `/api/rooms/${roomB.room_id}/items/${target}/suggestion`, roomB.facilitator_token);
  assert.deepEqual(direct.body.references, [], 'nothing of A’s, over HTTP either');

  // The link is still listed, saying it no longer counts; linked again with a new token, it
  // counts at once: the suggestion in view behind the dialog is fetched again.
  const reissued = await call(scene, 'POST', `/api/rooms/${roomA.room_id}/tokens`, roomA.facilitator_token, { json: { name: 'Sprint 42 again', scope: 'read' } });
  await openTeamRooms(ana.page);
  await eventually(async () => assert.equal(await section.locator(tid('team-room')).count(), 1));
  assert.equal(
    await textOf(section.locator(tid('team-room-stopped'))),
    'Not shared any more: that room revoked the token. Link it again with a new one.',
  );
  await section.locator(tid('team-room-address')).fill(roomA.room_id);
  await section.locator(tid('team-room-token')).fill(reissued.body.token);
  await section.locator(tid('team-room-link')).click();
  await eventually(async () => assert.equal(await textOf(section.locator(tid('team-rooms-live'))), '“Sprint 41” linked: suggestions draw on its estimates from now on.'));
  assert.equal(await section.locator(tid('team-room')).count(), 1, 'linked again, in its old place');
  assert.equal(await section.locator(tid('team-room-stopped')).count(), 0, 'shared again');
  await eventually(async () => assert.equal((await references(ana.page)).filter((reference) => reference.roomId === roomA.room_id).length, 3));

  // Unlinking asks first; cancelled, nothing happens; confirmed, A is gone from the list and from the suggestion.
  const again = section.locator(tid('team-room'));
  await again.locator(tid('team-room-unlink')).click();
  assert.equal(await textOf(again.locator('.api-confirm p')), 'Unlink “Sprint 41”? Suggestions stop drawing on its estimates; linking it again takes one of its tokens.');
  assert.equal(await focused(ana.page), 'team-room-unlink-cancel', 'the safe answer has the focus');
  await expectAccessible(ana.page, 'unlinking a team room');
  await again.locator(tid('team-room-unlink-cancel')).click();
  assert.equal(await focused(ana.page), 'team-room-unlink');
  assert.equal((await call(scene, 'GET', `/api/rooms/${roomB.room_id}/team-rooms`, roomB.facilitator_token)).body.length, 1);
  await again.locator(tid('team-room-unlink')).click();
  await again.locator(tid('team-room-unlink-confirm')).click();
  await section.locator(tid('team-rooms-empty')).waitFor();
  assert.equal(await textOf(section.locator(tid('team-rooms-live'))), '“Sprint 41” unlinked.');
  assert.equal((await call(scene, 'GET', `/api/rooms/${roomB.room_id}/team-rooms`, roomB.facilitator_token)).body.length, 0);
  await eventually(async () => assert.equal(await textOf(ana.page.locator(tid('suggestion-none'))), 'Not enough similar estimated items yet.'));
  await ana.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
});
