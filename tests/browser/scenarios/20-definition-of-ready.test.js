// The Definition of Ready: each item shows its checklist and how far it is (4/6); the server's
// own checks follow the item, people tick the rest; the item turns Ready for everyone when the
// last one is met, and the backlog can show only what is not ready yet. The facilitator edits
// the checklist and can mark an item ready over it, for everyone to see.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogItem, backlogOrder, field, openRoom, selectItem, tid } from '../ui.js';

scenario('the checklist turns an item ready, and the facilitator shapes it', async (scene) => {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark', ...phone }]);
  const [ana, ben] = people;
  const search = await addItem(ana, 'Search by title');
  const other = await addItem(ana, 'Spike: search engine');
  const badge = (page, id) => backlogItem(page, id).locator(tid('readiness-badge'));
  // No acceptance criteria, estimate or ticks yet: what the server sees met is no dependencies
  // and no open questions.
  await eventually(async () => assert.equal(await badge(ben.page, search).innerText(), '2/6'));

  await selectItem(ben, search);
  await field(ben.page, 'acceptance_criteria').fill('- finds items by words of their title');
  // An estimate by hand is the facilitator's to set.
  assert.equal(await field(ben.page, 'estimate').isDisabled(), true);
  await selectItem(ana, search);
  await field(ana.page, 'estimate').fill('3');
  await field(ana.page, 'estimate').press('Enter');
  await eventually(async () => assert.equal(await badge(ana.page, search).innerText(), '4/6'));
  const criterion = (page, id) => page.locator(`${tid('criterion')}[data-criterion="${id}"]`);
  await criterion(ben.page, 1).locator('input').check();
  await eventually(async () => assert.equal(await ben.page.locator(tid('readiness')).innerText(), '5 of 6'));
  await scene.snap(ben, 'checklist-phone-dark', { fullPage: false });
  await criterion(ben.page, 5).locator('input').check();
  for (const { page } of people) {
    await eventually(async () => assert.equal(await backlogItem(page, search).locator(tid('status-badge')).innerText(), 'Ready'));
    assert.equal(await badge(page, search).count(), 0);
  }
  await eventually(async () => assert.equal(await ben.page.locator(tid('readiness')).innerText(), 'Ready ✓'));

  // What is still to do, at a glance.
  await ana.page.locator(tid('filter-status')).selectOption('not_ready');
  await eventually(async () => assert.deepEqual(await backlogOrder(ana.page), [other]));
  await ana.page.locator(tid('filter-status')).selectOption('');

  // The facilitator adds a criterion: the item is not ready any more, everywhere.
  await ana.page.locator(tid('open-definition')).click();
  const dialog = ana.page.locator(tid('definition-dialog'));
  await dialog.locator(tid('definition-add')).click();
  await dialog.locator(tid('definition-text')).last().fill('Designs attached');
  await scene.snap(ana, 'definition-dialog');
  await dialog.locator(tid('definition-save')).click();
  await eventually(async () => assert.ok(!(await dialog.isVisible())));
  for (const { page } of people) {
    await eventually(async () => assert.equal(await badge(page, search).innerText(), '6/7'));
  }
  // And marks it ready over the checklist, which everyone sees.
  await selectItem(ana, search);
  await ana.page.locator(tid('override-ready')).click();
  await eventually(async () => assert.equal(await backlogItem(ben.page, search).locator(tid('status-badge')).innerText(), 'Ready'));
  await eventually(async () => assert.match(await ben.page.locator(tid('override-note')).innerText(), /Marked ready by Ana over its checklist/));
  assert.equal(await ben.page.locator(tid('override-undo')).count(), 0, 'only the facilitator takes it back');
  await scene.snap(ana, 'checklist-overridden');
  await ana.page.locator(tid('override-undo')).click();
  await eventually(async () => assert.equal(await badge(ana.page, search).innerText(), '6/7'));
});
