// Backlog items: creating one shows it everywhere; editing a field shows live in the other
// browser, and someone typing in one field is not disturbed by another person's edit of a
// different field.

import assert from 'node:assert/strict';
import { eventually, scenario, WAIT } from '../harness.js';
import {
  addItem, backlogItem, backlogItemTitled, backlogOrder, expectOrder, field, openRoom, selectItem, textOf, tid,
} from '../ui.js';

scenario('an item created in one browser appears in the others', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }, { name: 'Carol', role: 'observer' }]);
  const [alice, bob, carol] = people;

  const first = await addItem(alice, 'Export the backlog as CSV');
  for (const { page } of [bob, carol]) {
    await backlogItemTitled(page, 'Export the backlog as CSV').waitFor({ state: 'visible', timeout: WAIT });
  }
  const second = await addItem(bob, 'Rate-limit the public API');
  const third = await addItem(alice, 'Single sign-on with SAML');
  await expectOrder(people, [first, second, third]);

  for (const { page } of people) {
    assert.match(await backlogItem(page, second).locator(tid('item-title')).innerText(), /^Rate-limit the public API$/);
    assert.match(await backlogItem(page, second).locator(tid('status-badge')).innerText(), /new/i);
    assert.equal(await backlogItem(page, second).locator(tid('estimate-badge')).count(), 0, 'no estimate yet');
  }
  await scene.snap(bob, 'room-with-backlog');
});

scenario('edits show live, and typing in one field is not clobbered by an edit of another', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  const itemId = await addItem(alice, 'Export the backlog');
  await selectItem(alice, itemId);
  await selectItem(bob, itemId);

  // A plain edit: Alice writes the description, Bob sees it without doing anything.
  await field(alice.page, 'description').fill('Product owners want a CSV for the steering meeting.');
  await eventually(async () => assert.equal(
    await field(bob.page, 'description').inputValue(), 'Product owners want a CSV for the steering meeting.'));

  // Bob types into the title while Alice keeps editing the description.
  const bobTitle = field(bob.page, 'title');
  await bobTitle.click();
  await bobTitle.press('End');
  const aliceDescription = field(alice.page, 'description');
  await aliceDescription.click();
  await aliceDescription.press('End');
  await Promise.all([
    bobTitle.pressSequentially(' as CSV for finance', { delay: 60 }),
    aliceDescription.pressSequentially('\nInclude the estimates.', { delay: 45 }),
  ]);
  const description = 'Product owners want a CSV for the steering meeting.\nInclude the estimates.';
  // Bob still has his text and his focus; Alice's description reached him meanwhile.
  await eventually(async () => assert.equal(await field(bob.page, 'description').inputValue(), description));
  assert.equal(await bobTitle.inputValue(), 'Export the backlog as CSV for finance');
  assert.equal(await bob.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'field-title',
    'Bob lost the focus of the title field');
  // Each sees the other at work.
  await eventually(async () => assert.match(await textOf(alice.page.locator(tid('editing-title'))), /Bob/));
  await eventually(async () => assert.match(await textOf(bob.page.locator(tid('editing-description'))), /Alice/));
  await scene.snap(alice, 'item-panel-editing');

  // Bob's title reaches Alice (debounced while typing, at the latest on blur) and the backlog.
  await bobTitle.blur();
  for (const { page } of people) {
    await eventually(async () => assert.equal(await field(page, 'title').inputValue(), 'Export the backlog as CSV for finance'));
    await backlogItemTitled(page, 'Export the backlog as CSV for finance').waitFor({ state: 'visible', timeout: WAIT });
  }
  await aliceDescription.blur();
  await eventually(async () => assert.doesNotMatch(await textOf(alice.page.locator(tid('editing-title'))), /Bob/));

  // Other fields: labels, status, acceptance criteria, estimate.
  await field(bob.page, 'labels').fill('export, finance');
  await field(bob.page, 'labels').blur();
  await field(bob.page, 'status').selectOption('needs_info');
  await field(bob.page, 'acceptance_criteria').fill('- one row per item\n- UTF-8 with header');
  await field(bob.page, 'acceptance_criteria').blur();
  await field(alice.page, 'estimate').fill('8');
  await field(alice.page, 'estimate').blur();
  await eventually(async () => {
    const labels = (await field(alice.page, 'labels').inputValue()).split(',').map((l) => l.trim());
    assert.deepEqual(labels, ['export', 'finance']);
  });
  await eventually(async () => assert.equal(await field(alice.page, 'status').inputValue(), 'needs_info'));
  await eventually(async () => assert.equal(
    await field(alice.page, 'acceptance_criteria').inputValue(), '- one row per item\n- UTF-8 with header'));
  await eventually(async () => assert.equal(await field(bob.page, 'estimate').inputValue(), '8'));
  for (const { page } of people) {
    await eventually(async () => {
      assert.match(await backlogItem(page, itemId).locator(tid('status-badge')).innerText(), /needs info/i);
      assert.equal((await backlogItem(page, itemId).locator(tid('estimate-badge')).innerText()).trim(), '8');
    });
  }
  assert.deepEqual(await backlogOrder(alice.page), [itemId]);
});
