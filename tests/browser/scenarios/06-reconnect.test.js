// A dropped WebSocket: the status goes to reconnecting, then connected again, and the person is
// the same participant with an up-to-date room afterwards.

import assert from 'node:assert/strict';
import { eventually, scenario, WAIT } from '../harness.js';
import {
  addItem, backlogItemTitled, openRoom, participant, participantId, tid, waitConnected, waitParticipants,
} from '../ui.js';

/** Records every connection state the page goes through, and whether editing was disabled. */
function watchConnection(page) {
  return page.evaluate(() => {
    const log = [];
    const status = () => document.querySelector('[data-testid="connection-status"]');
    const editingDisabled = () => {
      const input = /** @type {HTMLInputElement | null} */ (document.querySelector('[data-testid="new-item-title"]'));
      return !!input && (input.disabled || input.matches(':disabled') || input.getAttribute('aria-disabled') === 'true');
    };
    const push = (state, disabled = editingDisabled()) => {
      const entry = { state, editingDisabled: disabled };
      const last = log[log.length - 1];
      if (!last || last.state !== entry.state || last.editingDisabled !== entry.editingDisabled) log.push(entry);
    };
    push(status()?.getAttribute('data-state'));
    new MutationObserver((records) => {
      for (const record of records) {
        // Old values rebuild every intermediate state, however fast they followed each other.
        if (record.attributeName === 'data-state' && record.target === status()) push(record.oldValue, null);
      }
      push(status()?.getAttribute('data-state'));
    }).observe(document.documentElement, {
      subtree: true, childList: true, attributes: true, attributeOldValue: true,
      attributeFilter: ['data-state', 'disabled', 'aria-disabled'],
    });
    /** @type {any} */ (window).__connectionLog = log;
  });
}

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
    const states = (await bob.page.evaluate(() => /** @type {any} */ (window).__connectionLog)).map((e) => e.state);
    const reconnecting = states.indexOf('reconnecting');
    assert.ok(reconnecting > 0, `status went through reconnecting: ${states}`);
    assert.equal(states.at(-1), 'connected', `status is connected again: ${states}`);
  });
  await waitConnected(bob.page);
  const log = await bob.page.evaluate(() => /** @type {any} */ (window).__connectionLog);
  const disabledWhileAway = log.filter((e) => e.state !== 'connected').some((e) => e.editingDisabled === true);
  const enabledWhenBack = !log.at(-1).editingDisabled;
  t.diagnostic(`connection log: ${JSON.stringify(log)}`);
  t.diagnostic(`bonus: editing disabled while not connected: ${disabledWhileAway}`);
  assert.ok(enabledWhenBack, 'editing is enabled again once connected');

  // Same participant, nobody duplicated, and Bob's room caught up with what he missed.
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
