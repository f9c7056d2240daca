// The relative sizing board: the team moves item cards into size columns at the same time (by
// dragging, by tapping on a phone, by keyboard); every board ends the same; the facilitator
// accepts the columns as estimates in one step.

import assert from 'node:assert/strict';
import { expectAccessible } from '../a11y.js';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogItem, openRoom, textOf, tid } from '../ui.js';

/** Each column's items, as every board shows them. */
function boardState(page) {
  return page.locator(tid('sizing-column')).evaluateAll((columns) =>
    columns.map((column) => [column.getAttribute('data-column'), [...column.querySelectorAll('[data-testid="sizing-card"]')].map((card) => card.getAttribute('data-item-id'))]),
  );
}

/** @param {import('playwright-core').Page} page @param {string} itemId @param {string} column */
function cardIn(page, itemId, column) {
  return page.locator(`${tid('sizing-column')}[data-column="${column}"] ${tid('sizing-card')}[data-item-id="${itemId}"]`);
}

scenario('the team sizes items together and the columns become estimates', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark' }, { name: 'Cy', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, { name: 'Dee', role: 'observer' }], { deck: 't_shirt' });
  const [ana, ben, cy, dee] = people;
  const ids = [];
  for (const title of ['Login page', 'Audit log', 'Search', 'Export']) ids.push(await addItem(ana, title));
  const [login, audit, search, exporting] = ids;

  await ana.page.locator(tid('open-sizing')).click();
  const dialog = ana.page.locator('#plan-dialog');
  await dialog.waitFor({ state: 'visible' });
  await dialog.locator(tid('plan-open')).click();
  for (const { page } of people) {
    await page.locator(tid('sizing-columns')).waitFor();
    assert.deepEqual(
      (await boardState(page)).map(([column]) => column),
      ['', 'XS', 'S', 'M', 'L', 'XL', 'XXL'],
      'no ? or ☕ column',
    );
  }

  // Ana drags, Ben uses the keyboard, Cy taps on his phone, all at once.
  await ana.page.locator(`${tid('sizing-card')}[data-item-id="${login}"]`).dragTo(ana.page.locator(`${tid('sizing-column')}[data-column="S"]`));
  const bensCard = ben.page.locator(`${tid('sizing-card')}[data-item-id="${audit}"]`);
  await bensCard.focus();
  for (let i = 0; i < 4; i += 1) await ben.page.keyboard.press('ArrowRight');
  await cy.page.locator(`${tid('sizing-card')}[data-item-id="${search}"]`).tap();
  await cy.page.locator(`${tid('sizing-put-here')}[data-column="XL"]`).tap();
  // Two people move the same card: whichever the server applies last wins everywhere.
  await ana.page.locator(`${tid('sizing-card')}[data-item-id="${exporting}"]`).dragTo(ana.page.locator(`${tid('sizing-column')}[data-column="M"]`));
  await cardIn(ben.page, exporting, 'M').waitFor();
  await ben.page.locator(`${tid('sizing-card')}[data-item-id="${exporting}"]`).focus();
  await ben.page.keyboard.press('ArrowLeft');

  const expected = [
    ['', []],
    ['XS', []],
    ['S', [login, exporting]],
    ['M', []],
    ['L', [audit]],
    ['XL', [search]],
    ['XXL', []],
  ];
  for (const { page } of people) await eventually(async () => assert.deepEqual(await boardState(page), expected));
  assert.equal(await dee.page.locator(`${tid('sizing-card')}[draggable="true"]`).count(), 0, 'observers watch');
  await expectAccessible(ben.page, 'sizing board');
  await scene.snap(ana, 'sizing-board');
  await scene.snap(ben, 'sizing-board-dark');
  await scene.snap(cy, 'sizing-board-phone');

  assert.equal(await textOf(ana.page.locator(tid('accept-sizing'))), 'Accept 4 sizes as estimates');
  await ana.page.locator(tid('accept-sizing')).click();
  for (const { page } of people) {
    await page.locator(tid('sizing-columns')).waitFor({ state: 'detached' });
    await eventually(async () => {
      assert.match(await textOf(backlogItem(page, login)), /\bS\b/);
      assert.match(await textOf(backlogItem(page, audit)), /\bL\b/);
      assert.match(await textOf(backlogItem(page, search)), /\bXL\b/);
    });
  }
});
