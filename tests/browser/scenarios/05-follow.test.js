// Following the facilitator: the follower's item panel goes where the facilitator leads;
// "stop following" leaves the follower where they are; "jump back" returns to the current item.
// Someone typing in a field is not yanked away: the panel follows once they leave the field.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, currentItemId, field, openRoom, selectItem, tid, waitPanel } from '../ui.js';

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

scenario('following waits while the follower is typing in a field', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  const a = await addItem(alice, 'Alpha: audit log');
  const b = await addItem(alice, 'Bravo: bulk import');
  await lead(alice, a, people);
  await waitPanel(bob.page, a);
  assert.equal(await following(bob.page), true);

  // Bob is in the middle of a sentence when Alice leads everyone to Bravo.
  const description = field(bob.page, 'description');
  await description.click();
  await description.pressSequentially('Keep every change for a year', { delay: 5 });
  await lead(alice, b, [alice]);
  await eventually(async () => assert.equal(await currentItemId(bob.page), b));
  // His panel stays on Alpha, with his text and his focus, and says what comes next.
  await bob.page.locator(tid('follow-postponed')).waitFor({ state: 'visible' });
  assert.equal(await bob.page.locator(tid('item-panel')).getAttribute('data-item-id'), a);
  assert.equal(await description.inputValue(), 'Keep every change for a year');
  assert.equal(await bob.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'field-description');
  await description.pressSequentially(', then archive it.', { delay: 5 });

  // Leaving the field: his text goes to Alpha (the item he typed it into), then he follows.
  await description.blur();
  await waitPanel(bob.page, b);
  assert.equal(await following(bob.page), true);
  assert.equal(await field(bob.page, 'description').inputValue(), '', 'Bravo got the text typed into Alpha');
  await selectItem(alice, a);
  await eventually(async () => assert.equal(
    await field(alice.page, 'description').inputValue(), 'Keep every change for a year, then archive it.'));
  await selectItem(alice, b);
  assert.equal(await field(alice.page, 'description').inputValue(), '');
});
