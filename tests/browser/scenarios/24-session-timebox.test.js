// The session timebox: the facilitator sets the sprint's share for refinement, starts the
// session, and every round gets the item's share of what is left; everyone sees the time spent
// and, once a budget is spent, by how much it is over.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, openRoom, selectItem, startRound, textOf, tid } from '../ui.js';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

scenario('a session runs against its budget, item by item', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark', ...PHONE }]);
  const [ana, ben] = people;
  const first = await addItem(ana, 'Sign-up');
  await addItem(ana, 'Checkout');
  await addItem(ana, 'Receipts');

  // Before the session, only the facilitator sees its budget and how to start it.
  await eventually(async () => assert.match(await textOf(ana.page.locator(tid('session-budget'))), /^Budget 2 hr: 5% of a 10-day sprint over 2 sessions\.$/));
  assert.equal(await ben.page.locator(tid('session')).isHidden(), true, 'nothing to see before a session');

  await ana.page.locator(tid('open-timebox')).click();
  const dialog = ana.page.locator(tid('timebox-dialog'));
  await dialog.locator(tid('timebox-share-percent')).fill('10');
  await dialog.locator(tid('timebox-sessions-per-sprint')).fill('4');
  await eventually(async () => assert.equal(await textOf(dialog.locator(tid('timebox-budget'))), 'Each session: 2 hr'));
  await dialog.locator(tid('timebox-sessions-per-sprint')).fill('0');
  await eventually(async () => assert.equal(await textOf(dialog.locator(tid('timebox-budget'))), 'Each session: —'));
  await dialog.locator(tid('timebox-sessions-per-sprint')).fill('2');
  await scene.snap(ana, 'timebox-dialog');
  await dialog.locator(tid('timebox-save')).click();
  await eventually(async () => assert.equal(await dialog.isVisible(), false));
  await eventually(async () => assert.match(await textOf(ana.page.locator(tid('session-budget'))), /^Budget 4 hr: 10% of a 10-day sprint over 2 sessions\.$/));

  await ana.page.locator(tid('start-session')).click();
  for (const { page } of people) {
    await eventually(async () => assert.match(await textOf(page.locator(tid('session-spent'))), /^0:0\d of 4 hr$/));
    await eventually(async () => assert.equal(await textOf(page.locator(tid('session-share'))), '3 items to go · about 1 hr 20 min each'));
  }

  // The facilitator's round takes the item's share of the session, and everyone sees it run.
  await selectItem(ana, first);
  await eventually(async () => assert.match(await textOf(ana.page.locator(tid('round-timebox')).locator('xpath=..')), /share of the session \(1 hr 20 min\)/));
  await startRound(ana, first, people);
  for (const { page } of people) {
    await eventually(async () => assert.match(await textOf(page.locator(tid('timer'))), /^This item 1:19:5\d|^This item 1:20:00$/));
  }
  await scene.snap(ana, 'session-running');

  // Past the item's budget and the session's, Ben's screen says by how much.
  await ben.page.clock.install();
  await ben.page.clock.fastForward('04:10:00');
  await eventually(async () => assert.match(await textOf(ben.page.locator(tid('timer'))), /^This item over by 2:5\d:\d\d$/));
  await eventually(async () => assert.match(await textOf(ben.page.locator(tid('session-over'))), /^Over budget by 10:\d\d$/));
  assert.match(await ben.page.locator(tid('session')).getAttribute('class'), /\bover\b/);
  await scene.snap(ben, 'session-over', { fullPage: false });

  // Moving on ends the item's budget; ending the session takes it off everyone's screen.
  await ana.page.locator(tid('cancel-round')).click();
  await ana.page.locator('body').press('.');
  await eventually(async () => assert.equal(await ben.page.locator(tid('timer')).isHidden(), true));
  await ana.page.locator(tid('end-session')).click();
  await eventually(async () => assert.equal(await ben.page.locator(tid('session')).isHidden(), true));
  await eventually(async () => assert.equal(await ana.page.locator(tid('start-session')).isVisible(), true));
});
