// Creating a room on the landing page, sharing its link, joining it as voter and observer,
// coming back after a reload, and the chosen deck reaching the round.

import assert from 'node:assert/strict';
import { eventually, scenario, WAIT } from '../harness.js';
import {
  addItem, cardValues, createRoomViaLanding, enterRoom, expectFacilitator, participant, participantId,
  startRound, tid, waitConnected, waitParticipants, waitPhase,
} from '../ui.js';

scenario('create a room on the landing page and join it from two other browsers', async (scene) => {
  const alice = await scene.person({ name: 'alice' });
  await alice.page.goto(scene.url('/'));
  await alice.page.locator(tid('create-form')).waitFor({ state: 'visible', timeout: WAIT });
  const decks = await alice.page.locator(`${tid('create-form')} select[name="deck"] option`)
    .evaluateAll((options) => options.map((o) => o.value));
  for (const deck of ['fibonacci', 'modified_fibonacci', 't_shirt', 'powers_of_two']) {
    assert.ok(decks.includes(deck), `deck ${deck} offered (${decks})`);
  }
  await scene.snap(alice, 'landing');

  const roomId = await createRoomViaLanding(alice, scene.baseUrl, {
    roomName: 'Sprint 42 refinement', deck: 't_shirt', name: 'Alice',
  });
  await expectFacilitator(alice.page, 'Alice');

  // The share links: the team link is the room's address, the facilitator link carries a token.
  const joinLink = await eventually(async () => {
    const value = await alice.page.locator(tid('join-link')).inputValue({ timeout: WAIT });
    assert.equal(value, `${scene.baseUrl}/r/${roomId}`);
    return value;
  });
  const facilitatorLink = await alice.page.locator(tid('facilitator-link')).inputValue({ timeout: WAIT });
  assert.ok(facilitatorLink.includes(roomId) && /[0-9a-f]{32}/.test(facilitatorLink),
    `facilitator link carries the room and a token: ${facilitatorLink}`);
  assert.notEqual(facilitatorLink, joinLink);

  // Copying the team link puts it on the clipboard (the copy buttons may sit behind a Share button).
  await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: scene.baseUrl });
  const copy = alice.page.locator(tid('copy-join-link'));
  if (!(await copy.isVisible())) {
    await alice.page.getByRole('button', { name: /share|invite/i }).first().click();
  }
  await copy.click();
  await eventually(async () => assert.equal(await alice.page.evaluate(() => navigator.clipboard.readText()), joinLink));
  await alice.page.keyboard.press('Escape');

  // Bob joins as a voter, Carol as an observer, both through the team link.
  const bob = await scene.person({ name: 'bob' });
  await bob.page.goto(joinLink);
  const dialog = bob.page.locator(tid('join-dialog'));
  await dialog.waitFor({ state: 'visible', timeout: WAIT });
  await dialog.locator('input[name="display-name"]').fill('Bob');
  await scene.snap(bob, 'join-dialog');
  await enterRoom(bob, { name: 'Bob', role: 'voter' });

  const carol = await scene.person({ name: 'carol' });
  await carol.page.goto(joinLink);
  await enterRoom(carol, { name: 'Carol', role: 'observer' });

  for (const person of [alice, bob, carol]) {
    await waitParticipants(person.page, 3);
    await expectFacilitator(person.page, 'Alice');
    assert.equal(await participant(person.page, 'Bob').getAttribute('data-role'), 'voter');
    assert.equal(await participant(person.page, 'Carol').getAttribute('data-role'), 'observer');
    assert.notEqual(await participant(person.page, 'Bob').getAttribute('data-facilitator'), 'true');
  }
  const announcer = alice.page.locator(tid('announcer'));
  assert.match((await announcer.getAttribute('aria-live')) ?? '', /^(polite|assertive)$/);

  // A reload brings Bob back as the same participant, without asking again.
  const bobId = await participantId(alice.page, 'Bob');
  await bob.page.reload();
  await bob.page.locator(tid('room')).waitFor({ state: 'visible', timeout: WAIT });
  await waitConnected(bob.page);
  assert.equal(await bob.page.locator(tid('join-dialog')).isVisible(), false, 'join dialog shown again after reload');
  assert.equal(await participantId(bob.page, 'Bob'), bobId);
  await waitParticipants(alice.page, 3);

  // The deck chosen on the landing page is the one the round plays with.
  const itemId = await addItem(alice, 'Pick the deck');
  await startRound(alice, itemId, [alice, bob, carol]);
  await eventually(async () => assert.deepEqual(
    (await cardValues(bob.page)).filter((c) => c !== '?' && c !== '☕'),
    ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
  ));
  await alice.page.locator(tid('cancel-round')).click();
  for (const person of [alice, bob, carol]) await waitPhase(person.page, 'idle');
});
