// Splitting an item that is too big: after a reveal with large votes the results suggest it;
// in the dialog a person names the parts and sends each line of the acceptance criteria to one
// part or to all. The parts take the original's place in everyone's backlog; the original is
// kept, out of the way, and can be shown.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogItem, backlogOrder, field, openRoom, selectItem, startRound, tid, vote, waitPhase } from '../ui.js';

scenario('large votes lead to a split that replaces the item for everyone', async (scene) => {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark', ...phone }]);
  const [ana, ben] = people;
  const first = await addItem(ana, 'Sign-up');
  const checkout = await addItem(ana, 'Checkout');
  const last = await addItem(ana, 'Receipts');
  await selectItem(ana, checkout);
  await field(ana.page, 'description').fill('Customers pay for their basket.');
  await field(ana.page, 'acceptance_criteria').fill('- Card payments work\n- Invoices can be requested\n\n- Errors are explained');
  await field(ana.page, 'status').selectOption('needs_splitting');
  // Where it is needed, splitting is the item's first action.
  await eventually(async () => assert.match(await ana.page.locator(tid('split-item')).getAttribute('class'), /primary/));

  await startRound(ana, checkout, people);
  await vote(ana, '21');
  await vote(ben, '13');
  await ana.page.locator(tid('reveal')).click();
  for (const { page } of people) await waitPhase(page, 'revealed');
  await eventually(async () => assert.match(await ben.page.locator(tid('split-suggestion')).innerText(), /too big for one sprint/));
  await scene.snap(ana, 'split-suggested');

  // Ben splits it from his phone.
  await ben.page.locator(tid('split-suggested')).click();
  const dialog = ben.page.locator(tid('split-dialog'));
  await eventually(async () => assert.ok(await dialog.isVisible()));
  const titles = dialog.locator(tid('split-part-title'));
  await titles.nth(0).fill('Pay by card');
  await titles.nth(1).fill('Pay by invoice');
  const criteria = dialog.locator(tid('split-line-acceptance_criteria'));
  assert.equal(await criteria.count(), 3, 'blank lines are not offered');
  await criteria.nth(0).selectOption({ label: '→ Pay by card' });
  await criteria.nth(1).selectOption({ label: '→ Pay by invoice' });
  await criteria.nth(2).selectOption({ label: 'Every part' });
  await scene.snap(ben, 'split-dialog-phone-dark', { fullPage: false });
  await dialog.locator(tid('split-confirm')).click();
  await eventually(async () => assert.ok(!(await dialog.isVisible())));

  // The parts stand where the item stood, for both; the item itself is out of the way.
  let parts = [];
  for (const { page } of people) {
    await eventually(async () => {
      const order = await backlogOrder(page);
      assert.equal(order.length, 4);
      assert.equal(order[0], first);
      assert.equal(order[3], last);
      parts = order.slice(1, 3);
    });
    assert.equal(await backlogItem(page, checkout).count(), 0);
    assert.equal(await page.locator('#backlog-count').innerText(), '4');
  }
  const [card, invoice] = parts;
  await selectItem(ana, invoice);
  await eventually(async () => assert.equal(await field(ana.page, 'title').inputValue(), 'Pay by invoice'));
  assert.equal(await field(ana.page, 'acceptance_criteria').inputValue(), '- Invoices can be requested\n- Errors are explained');
  assert.equal(await field(ana.page, 'description').inputValue(), 'Customers pay for their basket.');
  assert.match(await ana.page.locator(tid('split-note')).innerText(), /Split from “Checkout”/);
  await selectItem(ana, card);
  await eventually(async () => assert.equal(await field(ana.page, 'acceptance_criteria').inputValue(), '- Card payments work\n- Errors are explained'));

  // Shown on request, marked as split, with its parts and its votes.
  await ana.page.locator(tid('filter-split')).check();
  await eventually(async () => assert.equal(await backlogItem(ana.page, checkout).locator(tid('split-badge')).innerText(), 'Split into 2'));
  await selectItem(ana, checkout);
  await eventually(async () => assert.match(await ana.page.locator(tid('split-note')).innerText(), /Split into 2 items.*“Pay by card” and “Pay by invoice”/s));
  assert.equal(await ana.page.locator(`${tid('item-panel')} ${tid('start-round')}`).count(), 0, 'a split item is estimated through its parts');
  assert.equal(await ana.page.locator(tid('split-item')).count(), 0);
  assert.match(await ana.page.locator(tid('vote-history')).innerText(), /Round 1/);
  await scene.snap(ana, 'split-original-shown');
});
