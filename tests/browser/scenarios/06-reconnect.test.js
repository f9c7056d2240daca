// A dropped WebSocket: the status goes to reconnecting, then connected again, and the person is
// the same participant with an up-to-date room afterwards. While the connection is down people
// keep working: what they do is queued (the banner says so) and sent once it is back. The
// browser going offline and online again with a live connection ends connected.

import assert from 'node:assert/strict';
import { eventually, scenario, WAIT } from '../harness.js';
import {
  addItem, backlogItemTitled, connectionLog, joinAnswers, connectionState, connectionStates, openRoom, participant, participantId,
  submitItem, tid, unsentCount, waitConnected, waitConnectionState, waitParticipants, watchConnection,
} from '../ui.js';

scenario('a dropped connection reconnects by itself', async (scene, t) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  const bobId = await participantId(alice.page, 'Bob');
  await addItem(alice, 'Before the drop');
  await backlogItemTitled(bob.page, 'Before the drop').waitFor({ state: 'visible', timeout: WAIT });

  await watchConnection(bob.page);
  await bob.page.evaluate(() => /** @type {any} */ (window).__readyroomDebug.dropConnection());
  // Alice keeps working meanwhile.
  await addItem(alice, 'During the drop');

  await eventually(async () => {
    const states = await connectionStates(bob.page);
    const reconnecting = states.indexOf('reconnecting');
    assert.ok(reconnecting > 0, `status went through reconnecting: ${states}`);
    assert.equal(states.at(-1), 'connected', `status is connected again: ${states}`);
  });
  await waitConnected(bob.page);
  const log = await connectionLog(bob.page);
  t.diagnostic(`connection log: ${JSON.stringify(log)}`);
  // Nothing is disabled while away (what people do is queued), and the banner says so.
  assert.ok(log.every((e) => e.editingDisabled !== true), `editing stays possible while away: ${JSON.stringify(log)}`);
  assert.ok(log.some((e) => e.state !== 'connected' && e.banner === true), `the banner shows while away: ${JSON.stringify(log)}`);
  assert.equal(log.at(-1).banner, false, 'the banner is gone once connected');

  // Same participant, nobody duplicated, and Bob's room caught up with what he missed: resumed,
  // with just the events missed, not a whole new snapshot.
  assert.deepEqual(await joinAnswers(bob.page), ['welcome', 'resumed']);
  await backlogItemTitled(bob.page, 'During the drop').waitFor({ state: 'visible', timeout: WAIT });
  assert.equal(await participantId(bob.page, 'Bob'), bobId);
  await waitParticipants(alice.page, 2);
  await waitParticipants(bob.page, 2);
  assert.equal(await participant(alice.page, 'Bob').getAttribute('data-online'), 'true');

  // And Bob can work again.
  await addItem(bob, 'After the drop');
  await backlogItemTitled(alice.page, 'After the drop').waitFor({ state: 'visible', timeout: WAIT });
  await eventually(async () => assert.equal(await bob.page.locator(tid('connection-status')).getAttribute('data-state'), 'connected'));
});

scenario('while the connection is down, what a person does is queued and sent once it is back', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  await addItem(alice, 'Before the outage');
  await backlogItemTitled(bob.page, 'Before the outage').waitFor({ state: 'visible', timeout: WAIT });

  // The browser loses the network (so reconnecting cannot succeed), and the connection drops.
  await bob.context.setOffline(true);
  await bob.page.evaluate(() => /** @type {any} */ (window).__readyroomDebug.dropConnection());
  await eventually(async () => assert.notEqual(await connectionState(bob.page), 'connected'));
  const banner = bob.page.locator(tid('offline-banner'));
  await banner.waitFor({ state: 'visible', timeout: WAIT });

  // Bob adds an item anyway: the field takes it (and is free again), the item waits.
  const input = bob.page.locator(tid('new-item-title'));
  assert.equal(await input.isDisabled(), false, 'the new-item field is disabled while away');
  await submitItem(bob, 'Typed while away');
  await eventually(async () => assert.equal(await unsentCount(bob.page), 1, 'one change waiting'));
  assert.match(await banner.innerText(), /1 change waiting to be sent/);
  assert.equal(await backlogItemTitled(alice.page, 'Typed while away').count(), 0, 'it cannot have reached Alice yet');
  assert.notEqual(await connectionState(bob.page), 'connected');
  await scene.snap(bob, 'reconnecting-queued');
  // Meanwhile Alice keeps working.
  await addItem(alice, 'Added by Alice meanwhile');

  // The network is back: Bob reconnects by himself, his item goes out, and he catches up.
  await bob.context.setOffline(false);
  await waitConnected(bob.page);
  for (const { page } of people) {
    await backlogItemTitled(page, 'Typed while away').waitFor({ state: 'visible', timeout: WAIT });
    await backlogItemTitled(page, 'Added by Alice meanwhile').waitFor({ state: 'visible', timeout: WAIT });
    // Exactly once: the command was sent once the connection was back, not twice.
    await eventually(async () => assert.equal(await backlogItemTitled(page, 'Typed while away').count(), 1));
  }
  await eventually(async () => assert.equal(await unsentCount(bob.page), 0));
  await banner.waitFor({ state: 'hidden', timeout: WAIT });
});

scenario('offline then online with a live connection ends connected', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  await watchConnection(bob.page);
  // The browser's own offline and online events, the WebSocket itself untouched.
  await bob.page.evaluate(() => {
    window.dispatchEvent(new Event('offline'));
  });
  await waitConnectionState(bob.page, 'offline');
  await bob.page.evaluate(() => {
    window.dispatchEvent(new Event('online'));
  });
  await waitConnected(bob.page);
  assert.deepEqual(await connectionStates(bob.page), ['connected', 'offline', 'connected']);
  // And the connection works.
  await addItem(bob, 'Still connected');
  await backlogItemTitled(alice.page, 'Still connected').waitFor({ state: 'visible', timeout: WAIT });
});
