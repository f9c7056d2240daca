// The "done when": a team of four runs a whole refinement on two laptops and two phones,
// in three languages, light and dark: the facilitator creates the room on the landing page, the
// others come in through the link; items are written and co-edited; pre-votes before the
// meeting, a live round with confidence, relative sizing; nothing overflows, nothing throws,
// and every screen passes axe-core.

import assert from 'node:assert/strict';
import { expectAccessible } from '../a11y.js';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogItem, createRoomViaLanding, enterRoom, field, selectItem, tid, vote, waitParticipants, waitPhase } from '../ui.js';

const LAPTOP = { viewport: { width: 1366, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** How far the page scrolls sideways, and whether the top bar's tools spill out of it. */
function overflow(page) {
  return page.evaluate(() => {
    const bar = /** @type {HTMLElement} */ (document.querySelector('.topbar'));
    const outside = [...bar.querySelectorAll('button, select, .connection')].filter((el) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && (box.right > window.innerWidth + 1 || box.left < -1);
    }).length;
    return { page: document.documentElement.scrollWidth - window.innerWidth, outside };
  });
}

scenario('a team of four refines on laptops and phones, in three languages', async (scene) => {
  const ana = await scene.person({ name: 'Ana', ...LAPTOP });
  const roomId = await createRoomViaLanding(ana, scene.baseUrl, { roomName: 'Sprint 44', name: 'Ana' });
  const link = scene.url(`/r/${roomId}`);
  const ben = await scene.person({ name: 'Ben', ...LAPTOP, colorScheme: 'dark', locale: 'de-DE' });
  const cy = await scene.person({ name: 'Cy', ...PHONE, locale: 'es-ES' });
  const dee = await scene.person({ name: 'Dee', ...PHONE, colorScheme: 'dark' });
  for (const person of [ben, cy, dee]) {
    await person.page.goto(link);
    await enterRoom(person, { name: person.name });
  }
  const people = [ana, ben, cy, dee];
  for (const { page } of people) await waitParticipants(page, 4);
  assert.equal(await ben.page.evaluate(() => document.documentElement.lang), 'de');
  assert.equal(await cy.page.evaluate(() => document.documentElement.lang), 'es');

  // The backlog, written by the laptop and a phone.
  const exporting = await addItem(ana, 'Export the backlog as CSV');
  const login = await addItem(cy, 'Login with Okta');
  const audit = await addItem(ana, 'Audit log');
  await selectItem(ben, exporting);
  await selectItem(ana, exporting);
  await field(ben.page, 'acceptance_criteria').click();
  await ben.page.keyboard.type('One row per item');
  await eventually(async () => assert.equal(await field(ana.page, 'acceptance_criteria').inputValue(), 'One row per item'));

  // Before the meeting: pre-votes on two items, from everyone's own device.
  await ana.page.locator(tid('open-prevotes')).click();
  const plan = ana.page.locator('#plan-dialog');
  await plan.locator(`${tid('plan-item')}[data-item-id="${audit}"]`).uncheck();
  await plan.locator(tid('plan-open')).click();
  for (const person of people) {
    const page = person.page;
    await page.locator(tid('prevotes-open')).waitFor();
    for (const itemId of [exporting, login]) {
      await page.locator(`${tid('prevote-open-item')}[data-item-id="${itemId}"]`).click();
      // They agree on the export; on the login, two think bigger.
      const card = itemId !== login ? '5' : person === dee ? '13' : person === cy ? '8' : '5';
      await page.locator(`${tid('prevote-active')} ${tid('prevote-card')}[data-card="${card}"]`).click();
      await page.locator(`${tid('prevote-row')}[data-item-id="${itemId}"] ${tid('prevote-mine')}`).filter({ hasText: card }).waitFor();
    }
  }
  await expectAccessible(cy.page, 'pre-votes on a phone in Spanish');
  await ana.page.locator(tid('reveal-prevotes')).click();
  for (const { page } of people) await page.locator(tid('prevote-review')).waitFor();
  await ana.page.locator(tid('accept-prevotes')).click();
  for (const { page } of people) await eventually(async () => assert.match(await backlogItem(page, exporting).innerText(), /\b5\b/));

  // At the meeting: the item they disagreed on, live, with how sure each one is.
  await ana.page.locator(`${tid('discuss-item')}[data-item-id="${login}"]`).click();
  for (const { page } of people) await waitPhase(page, 'voting');
  for (const person of people) await vote(person, '8');
  await dee.page.locator(`${tid('estimation')} [data-confidence="low"]`).click();
  await dee.page.locator(`${tid('estimation')} [data-confidence="low"][aria-pressed="true"]`).waitFor();
  await expectAccessible(dee.page, 'voting on a phone, dark');
  await ana.page.locator(tid('reveal')).click();
  for (const { page } of people) await waitPhase(page, 'revealed');
  await expectAccessible(ben.page, 'results in German, dark');
  await ana.page.locator(tid('accept')).click();
  for (const { page } of people) await waitPhase(page, 'idle');

  // The last item is sized on the board; a phone places it.
  await ana.page.locator(tid('open-sizing')).click();
  await plan.locator(tid('plan-open')).click();
  await cy.page.locator(`${tid('sizing-card')}[data-item-id="${audit}"]`).tap();
  await cy.page.locator(`${tid('sizing-put-here')}[data-column="3"]`).tap();
  await eventually(async () => assert.equal(await ana.page.locator(`${tid('sizing-column')}[data-column="3"] ${tid('sizing-card')}`).count(), 1));
  await ana.page.locator(tid('accept-sizing')).click();
  for (const { page } of people) {
    await eventually(async () => {
      assert.match(await backlogItem(page, login).innerText(), /\b8\b/);
      assert.match(await backlogItem(page, audit).innerText(), /\b3\b/);
    });
  }

  for (const person of people) {
    const { page: sideways, outside } = await overflow(person.page);
    assert.ok(sideways <= 1, `${person.name}'s page scrolls sideways by ${sideways}px`);
    assert.equal(outside, 0, `${person.name}'s top bar spills over the edge`);
    await expectAccessible(person.page, `${person.name}'s room at the end`);
    await scene.snap(person, `team-of-four-${person.name.toLowerCase()}`);
  }
});
