// Dependencies in the backlog: each row says what it waits for and what it blocks, until the
// item waited for is ready. A dependency that would close a circle is refused, and the person
// is told which items would wait for each other; the dependency already there stays.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogItem, field, openRoom, selectItem, tid } from '../ui.js';

scenario('a dependency cycle is refused with the circle named', async (scene) => {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark', ...phone }]);
  const [ana, ben] = people;
  const api = await addItem(ana, 'Payments API');
  const app = await addItem(ana, 'Checkout screen');
  await selectItem(ana, app);
  await ana.page.locator('#add-dependency').selectOption(api);
  await eventually(async () => assert.match(await ana.page.locator('#dependencies').innerText(), /Payments API/));
  const badge = (id, kind) => backlogItem(ana.page, id).locator(tid(`${kind}-badge`));
  await eventually(async () => assert.equal(await badge(app, 'waits').innerText(), 'Waits for “Payments API”'));
  await eventually(async () => assert.equal(await badge(api, 'blocks').innerText(), 'Blocks “Checkout screen”'));
  await scene.snap(ana, 'dependency-badges');
  await eventually(async () => assert.equal(await backlogItem(ben.page, app).locator(tid('waits-badge')).innerText(), 'Waits for “Payments API”'));
  await scene.snap(ben, 'dependency-badges-phone-dark', { fullPage: false });
  await selectItem(ana, api);
  await ana.page.locator('#add-dependency').selectOption(app);
  const toast = ana.page.locator('.toast');
  await eventually(async () => assert.match(await toast.innerText(), /“Payments API” → “Checkout screen” → “Payments API”/));
  await scene.snap(ana, 'dependency-cycle-refused');
  assert.match(await ana.page.locator('#dependencies').innerText(), /No dependencies/);

  // Once the API is ready (here by the facilitator's word), nothing waits any more.
  await ana.page.locator(tid('override-ready')).click();
  await eventually(async () => assert.equal(await badge(app, 'waits').count(), 0));
  assert.equal(await badge(api, 'blocks').count(), 0);
});
