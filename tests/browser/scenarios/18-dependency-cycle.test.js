// Dependencies in the backlog: added from the item panel by searching titles; each row says what
// it waits for and what it blocks, until the item waited for is ready; an item ranked above what
// it waits for is flagged, and one click moves it just below. A dependency that would close a
// circle is not offered, and refused with the circle named if sent anyway. The map shows the
// whole backlog as what waits for what.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogItem, backlogOrder, openRoom, selectItem, tid } from '../ui.js';

/** Adds a dependency through the search by title. */
async function depend(person, query, title) {
  await person.page.locator(tid('dependency-search')).fill(query);
  await person.page.locator(tid('dependency-option'), { hasText: title }).first().click();
}

scenario('dependencies are searched, ordered, mapped, and never circular', async (scene) => {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark', ...phone }]);
  const [ana, ben] = people;
  const app = await addItem(ana, 'Checkout screen');
  const api = await addItem(ana, 'Payments API');
  const db = await addItem(ana, 'Payments database');
  await selectItem(ana, app);
  await depend(ana, 'pay', 'Payments API');
  await eventually(async () => assert.match(await ana.page.locator('#dependencies').innerText(), /Payments API/));
  await selectItem(ana, api);
  await depend(ana, 'database', 'Payments database');

  const badge = (page, id, kind) => backlogItem(page, id).locator(tid(`${kind}-badge`));
  await eventually(async () => assert.equal(await badge(ana.page, app, 'waits').innerText(), 'Waits for “Payments API”'));
  await eventually(async () => assert.equal(await badge(ana.page, api, 'blocks').innerText(), 'Blocks “Checkout screen”'));
  await eventually(async () => assert.equal(await badge(ben.page, app, 'waits').innerText(), 'Waits for “Payments API”'));
  await scene.snap(ben, 'dependency-badges-phone-dark', { fullPage: false });

  // The checkout sits above the API it waits for: flagged, and moved in one click.
  await eventually(async () => assert.equal(await badge(ana.page, app, 'order-warning').innerText(), '↓ Below “Payments API”'));
  await scene.snap(ana, 'dependency-badges');
  await badge(ana.page, app, 'order-warning').click();
  await eventually(async () => assert.deepEqual(await backlogOrder(ben.page), [api, app, db]));
  // Now the API sits above the database it waits for; the panel offers the same move.
  await selectItem(ana, api);
  await eventually(async () => assert.match(await ana.page.locator(tid('order-warning')).innerText(), /Ranked above “Payments database”/));
  await ana.page.locator(tid('move-below')).click();
  await eventually(async () => assert.deepEqual(await backlogOrder(ana.page), [app, db, api]));
  // The checkout waits for the API, below it again: one more click settles the order.
  await badge(ana.page, app, 'order-warning').click();
  await eventually(async () => assert.deepEqual(await backlogOrder(ana.page), [db, api, app]));
  assert.equal(await badge(ana.page, app, 'order-warning').count(), 0);

  // What would close a circle is not offered…
  await selectItem(ana, db);
  await ana.page.locator(tid('dependency-search')).fill('check');
  await eventually(async () => assert.equal(await ana.page.locator(tid('dependency-option')).first().isDisabled(), true));
  assert.match(await ana.page.locator(tid('dependency-option')).first().innerText(), /would be a circle/);
  await ana.page.locator(tid('dependency-search')).fill('');

  // …and the map shows the chain at a glance.
  await ana.page.locator(tid('open-dependency-map')).click();
  const map = ana.page.locator(tid('dependency-map'));
  await eventually(async () => assert.equal(await map.locator(tid('map-node')).count(), 3));
  assert.equal(await map.locator(`${tid('map-node')} ${tid('map-node')} ${tid('map-node')}`).getAttribute('data-item-id'), db, 'three levels deep');
  await scene.snap(ana, 'dependency-map');
  await ana.page.keyboard.press('Escape');

  // Once the database is ready (here by the facilitator's word), nothing waits for it.
  await selectItem(ana, db);
  await ana.page.locator(tid('override-ready')).click();
  await eventually(async () => assert.equal(await badge(ana.page, api, 'waits').count(), 0));
  assert.equal(await badge(ana.page, db, 'blocks').count(), 0);
});
