// Pre-votes: the facilitator opens rounds on several items before the meeting; voters vote in
// their own time (with a confidence), seeing only who else has voted; at the meeting all are
// revealed together, what the team agreed on is accepted in one step and the rest is
// discussed live, widest spread first.

import assert from 'node:assert/strict';
import { expectAccessible } from '../a11y.js';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogItem, openRoom, textOf, tid, vote, waitPhase } from '../ui.js';

/**
 * Plays a card on the pre-vote round of the item, with a confidence if given.
 * @param {any} person
 * @param {string} itemId
 * @param {string} card
 * @param {string} [confidence]
 */
async function prevote(person, itemId, card, confidence) {
  const page = person.page;
  await page.locator(`${tid('prevote-open-item')}[data-item-id="${itemId}"]`).click();
  const active = page.locator(tid('prevote-active'));
  await active.locator(`${tid('prevote-card')}[data-card="${card}"]`).click();
  await page.locator(`${tid('prevote-row')}[data-item-id="${itemId}"] ${tid('prevote-mine')}`).filter({ hasText: card }).waitFor();
  if (confidence) {
    await active.locator(`[data-confidence="${confidence}"]`).click();
    await active.locator(`[data-confidence="${confidence}"][aria-pressed="true"]`).waitFor();
  }
}

scenario('pre-votes cast before the meeting are revealed together and settled in one step', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark' }, { name: 'Cy', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }]);
  const [ana, ben, cy] = people;
  const agreed = await addItem(ana, 'Export as CSV');
  const wide = await addItem(ana, 'Single sign-on');
  const narrow = await addItem(ana, 'Dark mode');

  await ana.page.locator(tid('open-prevotes')).click();
  const dialog = ana.page.locator('#plan-dialog');
  await dialog.waitFor({ state: 'visible' });
  assert.equal(await dialog.locator(`${tid('plan-item')}:checked`).count(), 3, 'every unestimated item is ticked');
  await expectAccessible(ana.page, 'pre-vote dialog');
  await scene.snap(ana, 'prevote-dialog');
  await dialog.locator(tid('plan-open')).click();
  await dialog.waitFor({ state: 'hidden' });

  for (const { page } of people) {
    await page.locator(tid('prevotes-open')).waitFor();
    await eventually(async () => assert.equal(await textOf(page.locator(tid('prevote-progress'))), 'You have voted on 0 of 3.'));
  }
  assert.equal(await ana.page.locator(tid('estimation')).getAttribute('data-phase'), 'idle', 'no live round');

  // Each in their own time.
  await prevote(ben, agreed, '5', 'high');
  await prevote(ben, wide, '13', 'low');
  await prevote(ben, narrow, '3');
  await eventually(async () => assert.equal(await textOf(ben.page.locator(tid('prevote-progress'))), 'You have voted on 3 of 3.'));
  await ben.page.locator(tid('prevote-done')).waitFor();
  await scene.snap(ben, 'prevote-voter-dark');
  await prevote(cy, agreed, '5');
  await prevote(cy, wide, '5', 'medium');
  await prevote(cy, narrow, '3');
  await scene.snap(cy, 'prevote-phone');
  await prevote(ana, agreed, '5');
  await prevote(ana, wide, '3');
  await prevote(ana, narrow, '2');

  // Only who has voted shows, never what.
  const row = ana.page.locator(`${tid('prevote-row')}[data-item-id="${wide}"]`);
  await eventually(async () => assert.match(await textOf(row), /3 voted/));
  assert.match(await textOf(row.locator(tid('prevote-mine'))), /Your card: 3$/, 'Ana sees her own card');
  for (const { page } of [ana, cy]) {
    const rows = await page.locator(tid('prevote-row')).allInnerTexts();
    assert.ok(rows.every((text) => !/\b13\b/.test(text)), "nobody sees Ben's 13");
  }
  await expectAccessible(ben.page, 'pre-votes');

  await ana.page.locator(tid('reveal-prevotes')).click();
  for (const { page } of people) {
    await page.locator(tid('prevote-review')).waitFor();
    await eventually(async () => {
      const agreedRows = await page.locator(tid('review-agreed')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-item-id')));
      const discussRows = await page.locator(tid('review-discuss')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-item-id')));
      assert.deepEqual(agreedRows, [agreed]);
      assert.deepEqual(discussRows, [wide, narrow], 'widest spread first');
    });
  }
  assert.match(await textOf(ana.page.locator(`${tid('review-discuss')}[data-item-id="${wide}"]`)), /3 to 13, 3 votes/);
  assert.match(await textOf(ana.page.locator(`${tid('review-discuss')}[data-item-id="${wide}"]`)), /Confidence: 1 unsure · 1 fairly sure/);
  assert.equal(await ben.page.locator(tid('accept-prevotes')).count(), 0, 'only the facilitator settles');
  await expectAccessible(ana.page, 'pre-vote results');
  await scene.snap(ana, 'prevote-review');
  await scene.snap(ben, 'prevote-review-dark');

  await ana.page.locator(tid('accept-prevotes')).click();
  for (const { page } of people) {
    await eventually(async () => assert.match(await textOf(backlogItem(page, agreed)), /\b5\b/));
    await eventually(async () => assert.equal(await page.locator(tid('review-agreed')).count(), 0));
  }

  // The widest spread is discussed live, with everyone's confidence.
  await ana.page.locator(`${tid('discuss-item')}[data-item-id="${wide}"]`).click();
  for (const { page } of people) await waitPhase(page, 'voting');
  await vote(ana, '8');
  await ben.page.locator(`${tid('estimation')} [data-confidence]`).first().waitFor();
  await vote(ben, '8');
  await ben.page.locator(`${tid('estimation')} [data-confidence="medium"]`).click();
  await vote(cy, '8');
  await ana.page.locator(tid('reveal')).click();
  await waitPhase(ben.page, 'revealed');
  await eventually(async () => assert.match(await textOf(ben.page.locator(`${tid('estimation')} ${tid('confidence-summary')}`)), /1 fairly sure/));
  await ana.page.locator(tid('accept')).click();
  for (const { page } of people) {
    await eventually(async () => assert.deepEqual(await page.locator(tid('review-discuss')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-item-id'))), [narrow]));
  }
  await ana.page.locator(tid('dismiss-review')).click();
  for (const { page } of people) await page.locator(tid('prevote-review')).waitFor({ state: 'detached' });
});
