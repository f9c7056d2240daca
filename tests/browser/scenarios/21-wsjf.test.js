// Prioritising with WSJF: the parts of an item's score typed in or estimated by the team in a
// poker round on one part; the score shown; "order by WSJF" previews the new order and applies
// it as moves everyone sees; the value/effort quadrants place the same items.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogOrder, openRoom, selectItem, tid, vote, waitPhase } from '../ui.js';

/** Types the parts of an item's score into its panel. */
async function score(person, itemId, parts) {
  await selectItem(person, itemId);
  for (const [part, value] of Object.entries(parts)) {
    const input = person.page.locator(tid(`wsjf-${part}`));
    await input.fill(String(value));
    await input.press('Enter');
    await input.blur();
  }
}

scenario('items are scored, estimated on a part, and ordered by WSJF', async (scene) => {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark', ...phone }]);
  const [ana, ben] = people;
  const export_ = await addItem(ana, 'CSV export');
  const sso = await addItem(ana, 'Single sign-on');
  const audit = await addItem(ana, 'Audit log');
  await score(ana, export_, { business_value: 3, time_criticality: 2, risk_reduction: 1, job_size: 3 });
  await eventually(async () => assert.equal(await ana.page.locator(tid('wsjf-score')).innerText(), 'Score 2'));
  await score(ana, audit, { business_value: 5, time_criticality: 5, risk_reduction: 5, job_size: 5 });

  // The team estimates the business value of single sign-on with a round on that part.
  await score(ana, sso, { time_criticality: 8, risk_reduction: 5, job_size: 2 });
  await ana.page.locator(tid('wsjf-vote-business_value')).click();
  for (const { page } of people) await waitPhase(page, 'voting');
  await eventually(async () => assert.match(await ben.page.locator(tid('estimation')).innerText(), /Voting on the business value of/));
  await vote(ana, '13');
  await vote(ben, '13');
  await ana.page.locator(tid('reveal')).click();
  await waitPhase(ana.page, 'revealed');
  await eventually(async () => assert.equal(await ana.page.locator(tid('accept')).innerText(), '13 as business value'));
  await ana.page.locator(tid('accept')).click();
  await selectItem(ben, sso);
  await eventually(async () => assert.equal(await ben.page.locator(tid('wsjf-business_value')).inputValue(), '13'));
  assert.equal(await ben.page.locator(tid('wsjf-score')).innerText(), 'Score 13');
  await ben.page.locator(tid('wsjf')).scrollIntoViewIfNeeded();
  await scene.snap(ben, 'wsjf-phone-dark', { fullPage: false });

  // Ordered by score: a preview first, then moves everyone sees.
  await ana.page.locator(tid('open-priorities')).click();
  const preview = ana.page.locator(`${tid('wsjf-preview')} li`);
  await eventually(async () => assert.deepEqual(await preview.evaluateAll((els) => els.map((el) => el.getAttribute('data-item-id'))), [sso, audit, export_]));
  assert.equal(await ana.page.locator(tid('wsjf-move-count')).innerText(), '1 item moves.');
  assert.match(await ana.page.locator(tid('quick-wins')).innerText(), /Single sign-on/);
  await scene.snap(ana, 'wsjf-priorities');
  await ana.page.locator(tid('apply-wsjf-order')).click();
  for (const { page } of people) {
    await eventually(async () => assert.deepEqual(await backlogOrder(page), [sso, audit, export_]));
  }
});
