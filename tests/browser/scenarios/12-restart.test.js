// The server goes away and comes back on the same address and data directory: killed outright
// (a crash) or stopped cleanly. Everyone's page shows reconnecting, then connected, and catches
// up; what people did while it was down is sent once it is back, and nothing acknowledged is
// lost.

import assert from 'node:assert/strict';
import { eventually, scenario, WAIT } from '../harness.js';
import {
  addItem, backlogItemTitled, connectionState, connectionStates, joinAnswers, field, openRoom, participantId, selectItem,
  startRound, submitItem, tid, unsentCount, vote, voteSlot, waitConnected, waitConnectionState, waitFor,
  waitParticipants, waitPhase, watchConnection,
} from '../ui.js';

scenario('the server is killed and restarted: everyone reconnects, nothing is lost', async (scene, t) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  const itemId = await addItem(alice, 'Survive a crash');
  await selectItem(bob, itemId);
  await field(bob.page, 'labels').fill('durable');
  await field(bob.page, 'labels').blur();
  await eventually(async () => assert.equal(await field(alice.page, 'labels').inputValue(), 'durable'));
  for (const { page } of people) await watchConnection(page);

  await scene.server.kill({ signal: 'SIGKILL' });
  for (const { page } of people) {
    await waitConnectionState(page, 'reconnecting');
    await page.locator(tid('offline-banner')).waitFor({ state: 'visible', timeout: WAIT });
  }

  // Bob keeps typing while the server is down: his change is queued.
  const description = field(bob.page, 'description');
  await description.click();
  await description.pressSequentially('Typed while the server was down.', { delay: 10 });
  await description.blur();
  await eventually(async () => assert.ok(await unsentCount(bob.page) >= 1, 'Bob\'s change waits to be sent'));
  await scene.snap(bob, 'server-down');

  // Bob's browser stays away a little longer (no network), so that Alice is back first.
  await bob.context.setOffline(true);
  await scene.server.start();
  await waitConnected(alice.page, 20_000);
  // Alice creates an item while Bob is still reconnecting.
  await addItem(alice, 'Created while Bob was away');
  assert.notEqual(await connectionState(bob.page), 'connected', 'Bob must still be reconnecting here');
  await bob.context.setOffline(false);
  await waitConnected(bob.page, 20_000);

  for (const { page } of people) {
    // Both see everything: the item from before, the one created meanwhile, Bob's typing.
    await backlogItemTitled(page, 'Survive a crash').waitFor({ state: 'visible', timeout: WAIT });
    await backlogItemTitled(page, 'Created while Bob was away').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal(await backlogItemTitled(page, 'Created while Bob was away').count(), 1);
    await waitParticipants(page, 2);
    const states = await connectionStates(page);
    t.diagnostic(`connection states: ${states}`);
    assert.ok(states.includes('reconnecting'), `went through reconnecting: ${states}`);
    assert.equal(states.at(-1), 'connected');
    // The room's history survived the crash: the pages resumed where they were.
    assert.deepEqual(await joinAnswers(page), ['welcome', 'resumed']);
  }
  await selectItem(alice, itemId);
  await eventually(async () => assert.equal(await field(alice.page, 'description').inputValue(), 'Typed while the server was down.'));
  assert.equal(await field(alice.page, 'labels').inputValue(), 'durable');
  assert.equal(await description.inputValue(), 'Typed while the server was down.');
  await eventually(async () => assert.equal(await unsentCount(bob.page), 0));

  // Work goes on normally.
  await addItem(bob, 'After the restart');
  await backlogItemTitled(alice.page, 'After the restart').waitFor({ state: 'visible', timeout: WAIT });
});

scenario('a clean restart keeps the round and the votes; an item added during it arrives once', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  const bobId = await participantId(alice.page, 'Bob');
  const itemId = await addItem(alice, 'Estimate across a restart');
  await startRound(alice, itemId, people);
  await vote(bob, '5');

  await scene.server.kill({ signal: 'SIGTERM' });
  for (const { page } of people) await waitConnectionState(page, 'reconnecting');
  await submitItem(alice, 'Added during the restart');
  await scene.server.start();
  for (const { page } of people) await waitConnected(page, 20_000);

  // Bob's vote is still his (face up for him, face down for Alice), the round goes on.
  await waitFor(bob.page, `button${tid('card')}[data-card="5"][aria-pressed="true"]`);
  await eventually(async () => assert.equal(await voteSlot(alice.page, bobId).getAttribute('data-state'), 'voted'));
  await vote(alice, '8');
  await alice.page.locator(tid('reveal')).click();
  for (const { page } of people) {
    await waitPhase(page, 'revealed');
    await eventually(async () => assert.match(await voteSlot(page, bobId).innerText(), /\b5\b/));
    await backlogItemTitled(page, 'Added during the restart').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal(await backlogItemTitled(page, 'Added during the restart').count(), 1);
  }
});
