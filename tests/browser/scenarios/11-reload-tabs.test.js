// Coming back: a reload in the middle of a round keeps your vote and your role (and does not
// take back a facilitation handed over meanwhile); a reload while changes wait to be sent sends
// them afterwards; two tabs of the same person work side by side without either one's commands
// being mistaken for the other's.

import assert from 'node:assert/strict';
import { eventually, openTab, scenario, WAIT } from '../harness.js';
import {
  addItem, backlogItemTitled, connectionState, enterRoom, expectFacilitator, openRoom, participant, participantId,
  startRound, submitItem, tid, unsentCount, vote, voteSlot, waitConnected, waitFor, waitParticipants, waitPhase,
} from '../ui.js';

scenario('a reload mid-round keeps your vote and your role', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  const bobId = await participantId(alice.page, 'Bob');
  const itemId = await addItem(alice, 'Survive a reload');
  await startRound(alice, itemId, people);
  await vote(bob, '8');
  await vote(alice, '3');

  // Bob reloads: same person, his card is still the one played, nobody asks his name.
  await bob.page.reload();
  await waitConnected(bob.page);
  await waitPhase(bob.page, 'voting');
  await waitFor(bob.page, `button${tid('card')}[data-card="8"][aria-pressed="true"]`);
  assert.equal(await bob.page.locator(`button${tid('card')}[aria-pressed="true"]`).count(), 1);
  assert.equal(await bob.page.locator(tid('join-dialog')).isVisible(), false, 'join dialog shown after a reload');
  assert.equal(await participantId(bob.page, 'Bob'), bobId);

  // Alice reloads: still the facilitator, with the round's controls and her own card.
  await alice.page.reload();
  await waitConnected(alice.page);
  await expectFacilitator(alice.page, 'Alice');
  await alice.page.locator(tid('reveal')).waitFor({ state: 'visible', timeout: WAIT });
  await waitFor(alice.page, `button${tid('card')}[data-card="3"][aria-pressed="true"]`);
  await scene.snap(alice, 'reloaded-mid-round');
  await waitParticipants(alice.page, 2);
  await waitParticipants(bob.page, 2);

  // Both votes counted: the reveal shows them.
  await alice.page.locator(tid('reveal')).click();
  for (const { page } of people) {
    await waitPhase(page, 'revealed');
    await eventually(async () => assert.match(await voteSlot(page, bobId).innerText(), /\b8\b/));
  }

  // Alice hands the facilitation to Bob, then reloads: the reload must not take it back.
  await participant(alice.page, 'Bob').locator(tid('hand-over')).click();
  for (const { page } of people) await expectFacilitator(page, 'Bob');
  await alice.page.reload();
  await waitConnected(alice.page);
  // Give a wrongly sent facilitator token every chance to show.
  await addItem(alice, 'After the reload');
  await backlogItemTitled(bob.page, 'After the reload').waitFor({ state: 'visible', timeout: WAIT });
  for (const { page } of people) {
    await expectFacilitator(page, 'Bob');
    assert.notEqual(await participant(page, 'Alice').getAttribute('data-facilitator'), 'true', 'Alice took facilitation back by reloading');
  }
  // She still can, on purpose.
  await alice.page.getByRole('button', { name: 'Take back facilitation' }).click();
  for (const { page } of people) await expectFacilitator(page, 'Alice');
});

scenario('a reload while a change waits to be sent sends it after the reload, once', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  // Bob's connections to the room can be refused (the page sees them close at once), while
  // the page itself still loads.
  let blocked = false;
  await bob.page.routeWebSocket(/\/ws\/rooms\//, (ws) => {
    if (blocked) ws.close({ code: 4997, reason: 'blocked by the test' });
    else ws.connectToServer();
  });
  blocked = true;
  await bob.page.evaluate(() => /** @type {any} */ (window).__readyroomDebug.dropConnection());
  await eventually(async () => assert.notEqual(await connectionState(bob.page), 'connected'));
  await submitItem(bob, 'Queued before a reload');
  await eventually(async () => assert.equal(await unsentCount(bob.page), 1));

  await bob.page.reload();
  await bob.page.locator(tid('room')).waitFor({ state: 'visible', timeout: WAIT });
  // Still waiting after the reload: the tab kept it.
  await eventually(async () => assert.equal(await unsentCount(bob.page), 1));
  assert.equal(await backlogItemTitled(alice.page, 'Queued before a reload').count(), 0);

  blocked = false;
  await waitConnected(bob.page, 20_000);
  for (const { page } of people) {
    await backlogItemTitled(page, 'Queued before a reload').waitFor({ state: 'visible', timeout: WAIT });
    await eventually(async () => assert.equal(await backlogItemTitled(page, 'Queued before a reload').count(), 1));
  }
  await eventually(async () => assert.equal(await unsentCount(bob.page), 0));
});

scenario('a change applied but not acknowledged before a reload is not applied twice', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  // Bob's connection loses the server's acks (the events still arrive).
  let loseAcks = false;
  await bob.page.routeWebSocket(/\/ws\/rooms\//, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (loseAcks && typeof message === 'string' && JSON.parse(message).type === 'ack') return;
      ws.send(message);
    });
  });
  await bob.page.evaluate(() => /** @type {any} */ (window).__readyroomDebug.dropConnection());
  await waitConnected(bob.page);
  loseAcks = true;
  await submitItem(bob, 'Applied, never acknowledged');
  for (const { page } of people) await backlogItemTitled(page, 'Applied, never acknowledged').waitFor({ state: 'visible', timeout: WAIT });
  assert.equal(await unsentCount(bob.page), 1, 'the item waits for its ack');

  // The reload resends it under the same id: the server answers with the remembered reply.
  loseAcks = false;
  await bob.page.reload();
  await waitConnected(bob.page);
  await eventually(async () => assert.equal(await unsentCount(bob.page), 0));
  await addItem(bob, 'Next one');
  for (const { page } of people) {
    await backlogItemTitled(page, 'Next one').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal(await backlogItemTitled(page, 'Applied, never acknowledged').count(), 1, 'applied twice');
  }
});

scenario('two tabs of the same person both create items', async (scene) => {
  const { room, people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  const bobId = await participantId(alice.page, 'Bob');
  // Bob's first tab has used some command ids already.
  await addItem(bob, 'Tab one: first');

  const second = await openTab(bob);
  await second.goto(room.join_url);
  await enterRoom({ page: second }, { name: 'Bob' });
  assert.equal(await participantId(second, 'Bob'), bobId, 'the second tab is the same participant');
  await waitParticipants(alice.page, 2);

  // One after the other: each tab's command must get an id of its own.
  await addItem({ page: second }, 'Tab two: first');
  await addItem(bob, 'Tab one: second');
  await addItem({ page: second }, 'Tab two: second');
  // And at the same time, several each.
  const one = ['Tab one: A', 'Tab one: B', 'Tab one: C'];
  const two = ['Tab two: A', 'Tab two: B', 'Tab two: C'];
  await Promise.all([
    (async () => { for (const title of one) await addItem(bob, title); })(),
    (async () => { for (const title of two) await addItem({ page: second }, title); })(),
  ]);

  const titles = ['Tab one: first', 'Tab two: first', 'Tab one: second', 'Tab two: second', ...one, ...two];
  for (const page of [alice.page, bob.page, second]) {
    for (const title of titles) {
      await backlogItemTitled(page, title).waitFor({ state: 'visible', timeout: WAIT });
      assert.equal(await backlogItemTitled(page, title).count(), 1, `"${title}" listed once`);
    }
    await eventually(async () => assert.equal(await page.locator(`${tid('backlog')} ${tid('backlog-item')}`).count(), titles.length));
  }
  // Nothing went wrong on the way (a refused command shows a toast).
  for (const page of [bob.page, second]) assert.equal(await page.locator('.toast').count(), 0, 'an error was shown');
});
