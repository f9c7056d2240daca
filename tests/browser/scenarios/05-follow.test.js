// Following the facilitator: the follower's item panel goes where the facilitator leads;
// "stop following" leaves the follower where they are; "jump back" returns to the current item.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, currentItemId, openRoom, selectItem, tid, waitPanel } from '../ui.js';

async function following(page) {
  return (await page.locator(tid('follow-toggle')).getAttribute('aria-pressed')) === 'true';
}

async function lead(facilitator, itemId, people) {
  await selectItem(facilitator, itemId);
  await facilitator.page.locator(`${tid('item-panel')} ${tid('make-current')}`).click();
  for (const { page } of people) await eventually(async () => assert.equal(await currentItemId(page), itemId));
}

scenario("follow the facilitator's current item, stop following, jump back", async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }, { name: 'Carol' }]);
  const [alice, bob, carol] = people;
  const a = await addItem(alice, 'Alpha: audit log');
  const b = await addItem(alice, 'Bravo: bulk import');
  const c = await addItem(alice, 'Charlie: CSV export');

  await lead(alice, a, people);
  // Bob and Carol follow (the default, or switched on here).
  for (const { page } of [bob, carol]) {
    await page.locator(tid('follow-toggle')).waitFor({ state: 'visible' });
    if (!(await following(page))) await page.locator(tid('follow-toggle')).click();
    await eventually(async () => assert.equal(await following(page), true));
    await waitPanel(page, a);
  }

  // The facilitator moves on: the followers' panels switch.
  await lead(alice, b, people);
  await waitPanel(bob.page, b);
  await waitPanel(carol.page, b);

  // Bob stops following: he stays on Bravo, then looks at Charlie on his own.
  await bob.page.locator(tid('follow-toggle')).click();
  await eventually(async () => assert.equal(await following(bob.page), false));
  await waitPanel(bob.page, b);
  await selectItem(bob, c);

  // The facilitator leads to Alpha: Carol follows, Bob stays on Charlie.
  await lead(alice, a, people);
  await waitPanel(carol.page, a);
  await waitPanel(bob.page, c);
  assert.equal(await bob.page.locator(tid('item-panel')).getAttribute('data-item-id'), c);

  // Jump back: Bob is at the current item again.
  await bob.page.locator(tid('jump-to-current')).click();
  await waitPanel(bob.page, a);
});
